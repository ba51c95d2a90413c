#!/usr/bin/env bash
# A known passphrase, and a keyboard-interactive answer, typed into pf
# running at the highest log level, may not appear in pf's output, sshd's
# log, or a core dump of the running pf
# (taken with gcore after the login, while the tunnel carries data): the
# credential cache keeps the unlocked key, not the passphrase.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../cli/lib.sh"
PASS='PF-CANARY-passphrase-93c1e7'

start_sshd
kit=$dir/kit
mkdir -p "$kit"
ssh-keygen -q -t ed25519 -N "$PASS" -C canary -f "$kit/id_ed25519"
cat "$kit/id_ed25519.pub" >"$dir/authorized_keys"
printf '#!/bin/sh\necho "%s"\n' "$PASS" >"$dir/askpass"
chmod +x "$dir/askpass"
echo_port=$(free_port)
lport=$(free_port)
socat TCP-LISTEN:"$echo_port",bind=127.0.0.1,reuseaddr,fork EXEC:cat &
pids+=($!)
printf 'Host test\n  HostName 127.0.0.1\n  Port %s\n  User %s\n  IdentityFile id_ed25519\n  LocalForward %s 127.0.0.1:%s\n  LogLevel DEBUG3\n' \
	"$ssh_port" "$(id -un)" "$lport" "$echo_port" >"$kit/config.txt"

SSH_ASKPASS=$dir/askpass SSH_ASKPASS_REQUIRE=force \
	"$PF" -vvv -F "$kit/config.txt" -o StrictHostKeyChecking=accept-new -N test >"$dir/pf.out" 2>&1 &
pf_pid=$!
pids+=("$pf_pid")
check "connected (forward listening)" wait_port "$lport" 20
reply=$(printf 'some data\n' | socat -t 5 - TCP:127.0.0.1:"$lport")
check "the tunnel carries data" test "$reply" = "some data"

if command -v gcore >/dev/null; then
	gcore -o "$dir/core" "$pf_pid" >/dev/null 2>&1 || true
	core=$(ls "$dir"/core.* 2>/dev/null | head -n1)
	check "a core dump of the running pf was taken" test -n "$core"
	if [ -n "$core" ]; then
		# The dump is searchable: the config's path is in it.
		check "the core dump holds pf's memory" grep -q -a -F "$kit/config.txt" "$core"
		n=$(grep -c -a -F "$PASS" "$core" || true)
		check "the passphrase is not in the core dump (found $n)" test "$n" = 0
		rm -f "$core"
	fi
else
	echo "skipped: gcore not installed"
fi
kill -INT "$pf_pid"
wait "$pf_pid" || true
check "pf logged at the highest level" grep -q "Connecting to" "$dir/pf.out"
check "the passphrase is not in pf's output" bash -c "! grep -q -F '$PASS' '$dir/pf.out'"
check "nor in sshd's log" bash -c "! grep -q -F '$PASS' '$dir/sshd.log'"

# A keyboard-interactive answer (issue 18, Tests): an account that exists
# only for a second sshd (PAM, its own /etc/passwd and /etc/shadow bound in
# its own mount namespace), the answer typed through SSH_ASKPASS, then pf's
# output at DEBUG3, sshd's log and a core dump of the running pf searched.
KBD='PF-CANARY-kbdint-answer-5d20a4'
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null && command -v openssl >/dev/null; then
	k=$dir/kbd
	mkdir -p "$k/home"
	cp /etc/passwd /etc/shadow /etc/group "$k/"
	chown 4242:4242 "$k/home"
	echo "pfkbd:x:4242:4242:PortForwarder test:$k/home:/bin/sh" >>"$k/passwd"
	echo "pfkbd:x:4242:" >>"$k/group"
	echo "pfkbd:$(openssl passwd -6 "$KBD"):19000:0:99999:7:::" >>"$k/shadow"
	kport=$(free_port)
	sed -e "s/^Port .*/Port $kport/" -e "s/^UsePAM .*/UsePAM yes/" \
		-e "s/^KbdInteractiveAuthentication .*/KbdInteractiveAuthentication yes/" \
		-e "s|^PidFile .*|PidFile $k/sshd.pid|" "$dir/sshd_config" >"$k/sshd_config"
	unshare -m --propagation private sh -c "mount --bind '$k/passwd' /etc/passwd &&
		mount --bind '$k/shadow' /etc/shadow && mount --bind '$k/group' /etc/group &&
		exec /usr/sbin/sshd -D -e -f '$k/sshd_config'" 2>>"$k/sshd.log" &
	pids+=($!)
	wait_port "$kport"
	printf '#!/bin/sh\necho "%s"\n' "$KBD" >"$k/askpass"
	chmod +x "$k/askpass"
	klport=$(free_port)
	printf 'Host kbd\n  HostName 127.0.0.1\n  Port %s\n  User pfkbd\n  PreferredAuthentications keyboard-interactive\n  LocalForward %s 127.0.0.1:%s\n  LogLevel DEBUG3\n' \
		"$kport" "$klport" "$echo_port" >"$k/config.txt"
	SSH_ASKPASS=$k/askpass SSH_ASKPASS_REQUIRE=force "$PF" -vvv -F "$k/config.txt" \
		-o StrictHostKeyChecking=accept-new -N kbd >"$k/pf.out" 2>&1 &
	kpf=$!
	pids+=("$kpf")
	check "logged in with keyboard-interactive" wait_connected "$k/pf.out" 20
	if command -v gcore >/dev/null; then
		gcore -o "$k/core" "$kpf" >/dev/null 2>&1 || true
		core=$(ls "$k"/core.* 2>/dev/null | head -n1)
		check "a core dump of that pf was taken" test -n "$core"
		if [ -n "$core" ]; then
			check "... it holds pf's memory" grep -q -a -F "$k/config.txt" "$core"
			n=$(grep -c -a -F "$KBD" "$core" || true)
			check "the keyboard-interactive answer is not in the core dump (found $n)" test "$n" = 0
			rm -f "$core"
		fi
	fi
	kill -INT "$kpf"
	wait "$kpf" || true
	check "the answer is not in pf's output" bash -c "! grep -q -F '$KBD' '$k/pf.out'"
	check "nor in sshd's log" bash -c "! grep -q -F '$KBD' '$k/sshd.log'"
else
	echo "skipped: the keyboard-interactive canary needs root and mount namespaces"
fi
finish
