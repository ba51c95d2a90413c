#!/usr/bin/env bash
# Answers typed on standard input: "yes" to the unknown host key (saved to
# known_hosts next to the key), a wrong passphrase, then the right one; the
# forward works; the passphrase never appears in pf's output.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../cli/lib.sh"

start_sshd
kit=$dir/kit
mkdir -p "$kit"
ssh-keygen -q -t ed25519 -N 'typed secret' -f "$kit/id_ed25519"
cat "$kit/id_ed25519.pub" >"$dir/authorized_keys"
echo_port=$(free_port)
lport=$(free_port)
socat TCP-LISTEN:"$echo_port",bind=127.0.0.1,reuseaddr,fork EXEC:cat &
pids+=($!)
printf 'Host test\n  HostName 127.0.0.1\n  Port %s\n  User %s\n  IdentityFile id_ed25519\n  LocalForward %s 127.0.0.1:%s\n' \
	"$ssh_port" "$(id -un)" "$lport" "$echo_port" >"$kit/config.txt"

# The answers arrive one by one, as a person types them; stdin stays open.
mkfifo "$dir/in"
env -u SSH_ASKPASS "$PF" -F "$kit/config.txt" -N test <"$dir/in" >"$dir/pf.out" 2>&1 &
pf_pid=$!
pids+=("$pf_pid")
exec 7>"$dir/in"
wait_for_text() { # text seconds
	local i
	for i in $(seq 1 $(($2 * 10))); do grep -q "$1" "$dir/pf.out" && return 0; sleep 0.1; done
	return 1
}
check "asks about the host key, with its fingerprint" wait_for_text "key fingerprint is SHA256:" 20
echo yes >&7
check "asks for the passphrase" wait_for_text "Passphrase for key" 20
echo "not it" >&7
check "asks again after a wrong one" wait_for_text "Wrong passphrase, please try again" 20
echo "typed secret" >&7
check "connected (forward up)" wait_for_text "Connected to" 20
reply=$(printf 'typed\n' | socat -t 5 - TCP:127.0.0.1:"$lport")
check "the forward carries data" test "$reply" = "typed"
check "known_hosts saved next to the key" test -s "$kit/known_hosts"
kill -INT "$pf_pid"
wait "$pf_pid" || true
exec 7>&-
check "the passphrase is not echoed or logged" bash -c "! grep -q 'typed secret' '$dir/pf.out'"
finish
