#!/usr/bin/env bash
# A known passphrase, typed into pf running at the highest log level, may
# not appear in pf's output, sshd's log, or a core dump of the running pf
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
finish
