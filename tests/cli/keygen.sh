#!/usr/bin/env bash
# `pf keygen`: keys OpenSSH reads (ssh-keygen -y with the passphrase gives
# the same public key, -l the same fingerprint) and sshd accepts (OpenSSH's
# ssh logs in with it); the passphrase asked twice (mismatch, empty after
# the warning), the overwrite question, bad options.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

kit=$dir/kit
mkdir -p "$kit"
# Host keys are thrown away into a private null device in this folder (as
# root), never the machine's /dev/null: before issue 18 item 7, pf replaced
# its known_hosts target whatever it was. Without root: a scratch file.
nullkh=$dir/null
if [ "$(id -u)" = 0 ] && mknod -m 666 "$nullkh" c 1 3 2>/dev/null; then
	:
else
	nullkh=$dir/known_hosts.scratch
fi

# -N on the command line, the default type (ed25519)
out=$("$PF" keygen -f "$kit/id_ed25519" -N secret -C kit@test 2>"$dir/err1") || bad "keygen -N exits 0"
echo "$out"
check "private and public key written" test -s "$kit/id_ed25519" -a -s "$kit/id_ed25519.pub"
check "private key is mode 600" test "$(stat -c %a "$kit/id_ed25519")" = 600
check "OpenSSH format, encrypted with aes128-cbc + bcrypt (libssh's writer)" \
	bash -c "sed '1d;\$d' '$kit/id_ed25519' | base64 -d | grep -aq 'aes128-cbc.*bcrypt'"
check "ssh-keygen -y with the passphrase prints the same public key" \
	test "$(ssh-keygen -y -P secret -f "$kit/id_ed25519" | cut -d' ' -f1,2)" = "$(cut -d' ' -f1,2 "$kit/id_ed25519.pub")"
check "ssh-keygen -y refuses a wrong passphrase" \
	bash -c "! ssh-keygen -y -P wrong -f '$kit/id_ed25519' >/dev/null 2>&1"
fp=$(ssh-keygen -l -f "$kit/id_ed25519.pub" | awk '{print $2}')
check "the printed fingerprint is ssh-keygen's" grep -q "Fingerprint: ED25519 256 $fp" <<<"$out"
check "the public key line is printed" grep -qxF "$(cat "$kit/id_ed25519.pub")" <<<"$out"
check "the send-to-administrator line" grep -qF "Send $kit/id_ed25519.pub to your administrator." <<<"$out"
check "comment" grep -q ' kit@test$' "$kit/id_ed25519.pub"

# The overwrite question: "n" keeps the key, "y" replaces it.
old=$(cat "$kit/id_ed25519.pub")
rc=0
echo n | "$PF" keygen -f "$kit/id_ed25519" -N secret >"$dir/out2" 2>&1 || rc=$?
check "answering n to the overwrite question: exit 1" test "$rc" = 1
check "... and the key is unchanged" test "$(cat "$kit/id_ed25519.pub")" = "$old"
check "... the question names the file" grep -q "id_ed25519 or .*id_ed25519.pub already exists. Replace it?" "$dir/out2"
printf 'y\n' | "$PF" keygen -f "$kit/id_ed25519" -N secret2 >"$dir/out3" 2>&1 || bad "overwrite with y"
check "answering y replaces the key" test "$(cat "$kit/id_ed25519.pub")" != "$old"
check "... with the new passphrase" ssh-keygen -y -P secret2 -f "$kit/id_ed25519"

# The passphrase asked twice on stdin: a mismatch, then a match.
printf 'one\ntwo\nthree\nthree\n' | "$PF" keygen -t ecdsa -b 384 -f "$kit/id_ecdsa" >"$dir/out4" 2>&1 ||
	bad "keygen with prompted passphrase"
check "mismatched passphrases are asked again" grep -q "The two passphrases differ" "$dir/out4"
check "the ECDSA 384 key takes the second passphrase" ssh-keygen -y -P three -f "$kit/id_ecdsa"
check "ECDSA 384" grep -q "Fingerprint: ECDSA 384 SHA256:" "$dir/out4"

# An empty passphrase: a warning, then a confirmation.
printf '\n\ny\n' | "$PF" keygen -t rsa -f "$kit/id_rsa" >"$dir/out5" 2>&1 || bad "keygen empty passphrase"
check "the empty passphrase is warned about" grep -q "without a passphrase, anyone who gets a copy" "$dir/out5"
check "the RSA key (3072 by default) has no passphrase" ssh-keygen -y -P '' -f "$kit/id_rsa"
check "RSA 3072" grep -q "Fingerprint: RSA 3072 SHA256:" "$dir/out5"
rc=0
printf '\n\nn\n' | "$PF" keygen -f "$kit/id_none" >"$dir/out6" 2>&1 || rc=$?
check "declining the empty passphrase writes nothing" test "$rc" = 1 -a ! -e "$kit/id_none"

# Bad options: exit 2 with a message.
for args in "-t dsa" "-t rsa -b 2048" "-t ecdsa -b 512" "-x" "-b"; do
	rc=0
	# shellcheck disable=SC2086
	"$PF" keygen $args -f "$kit/id_bad" -N x >"$dir/bad.log" 2>&1 || rc=$?
	check "pf keygen $args: exit 2" test "$rc" = 2
	check "pf keygen $args: a message" test -s "$dir/bad.log"
done
check "nothing written for bad options" test ! -e "$kit/id_bad"

# sshd accepts the keys: OpenSSH's ssh logs in with the unencrypted RSA key.
start_sshd
cat "$kit/id_rsa.pub" >"$dir/authorized_keys"
check "ssh logs in with the RSA key made by pf keygen" \
	timeout 20 ssh -F none -i "$kit/id_rsa" -o IdentitiesOnly=yes -o BatchMode=yes \
	-o StrictHostKeyChecking=no -o "UserKnownHostsFile=$nullkh" -p "$ssh_port" \
	"$(id -un)@127.0.0.1" true

# pf itself logs in with a key made by pf keygen and with PuTTY keys
# (.ppk v3 encrypted, v2 plain) as IdentityFile: a line through the forward.
echo_port=$(free_port)
python3 "$here/echo.py" "$echo_port" &
pids+=($!)
wait_port "$echo_port"
printf 'ppk pass' >"$dir/ppkpass"
puttygen -q -t ed25519 -C ppk3 --new-passphrase "$dir/ppkpass" -o "$kit/key3.ppk"
# Plain (no passphrase): once, under load, puttygen wrote an encrypted file
# here; make sure the key really is plain before testing with it.
for i in 1 2 3; do
	puttygen -q -t ecdsa -b 384 -C ppk2 --ppk-param version=2 --new-passphrase /dev/null -o "$kit/key2.ppk"
	grep -q '^Encryption: none' "$kit/key2.ppk" && break
	echo "puttygen wrote an encrypted key2.ppk; making it again"
done
{
	cat "$kit/id_ed25519.pub"
	puttygen -L "$kit/key3.ppk" --old-passphrase "$dir/ppkpass"
	puttygen -L "$kit/key2.ppk"
} >"$dir/authorized_keys"
printf '#!/bin/sh\necho secret2\n' >"$dir/askpass-gen"
printf '#!/bin/sh\necho "ppk pass"\n' >"$dir/askpass-ppk"
chmod +x "$dir/askpass-gen" "$dir/askpass-ppk"
through() { # name identityfile askpass
	local lport out=""
	lport=$(free_port)
	cat >"$kit/config-$1.txt" <<CFG
Host test
  HostName 127.0.0.1
  Port $ssh_port
  User $(id -un)
  IdentityFile $2
  IdentitiesOnly yes
  LocalForward $lport 127.0.0.1:$echo_port
CFG
	SSH_ASKPASS=$3 SSH_ASKPASS_REQUIRE=force timeout 60 "$PF" -F "$kit/config-$1.txt" \
		-o StrictHostKeyChecking=no -o "UserKnownHostsFile=$nullkh" -N test \
		>"$dir/pf-$1.log" 2>&1 </dev/null &
	local pf_pid=$!
	pids+=("$pf_pid")
	if wait_port "$lport" 20; then
		out=$(python3 -c 'import socket,sys
s=socket.create_connection(("127.0.0.1",int(sys.argv[1])),10); s.sendall(b"hello ppk\n")
print(s.recv(100).decode().strip())' "$lport" 2>&1) || true
	fi
	kill "$pf_pid" 2>/dev/null || true
	wait "$pf_pid" 2>/dev/null || true
	[ "$out" = "hello ppk" ] || { echo "got: $out"; cat "$dir/pf-$1.log"; return 1; }
}
check "pf logs in with the key pf keygen made (passphrase by askpass)" \
	through gen id_ed25519 "$dir/askpass-gen"
check "pf logs in with an encrypted PuTTY .ppk v3 key" through ppk3 key3.ppk "$dir/askpass-ppk"
check "pf logs in with a plain PuTTY .ppk v2 key" through ppk2 key2.ppk "$dir/askpass-ppk"
if [ "$nullkh" = "$dir/null" ]; then
	check "the private null device is still a character device" test -c "$nullkh"
fi
check "the machine's /dev/null is still a character device" test -c /dev/null
finish
