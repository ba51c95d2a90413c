#!/usr/bin/env bash
# Issue 18 item 18: names from the command line by OpenSSH's rules (a host
# with a newline must not inject config lines), and a hostile server's
# keyboard-interactive texts and disconnect message reach the terminal
# without control characters, its prompt marked "(user@host)".
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

# --- names on the command line ------------------------------------------
rc=0
"$PF" -F none -G $'a\nproxyjump evil' >"$dir/g.out" 2>"$dir/g.err" || rc=$?
check "a host with a newline: exit 2" test "$rc" = 2
check "... one message naming the newline" grep -q "contains a newline (character 2)" "$dir/g.err"
check "... no config printed (nothing injected)" bash -c "! grep -qi 'proxyjump' '$dir/g.out'"
for h in 'a;b' 'a b' '$(id)' 'a,b' $'a\x1b[2Jb'; do
	rc=0
	"$PF" -F none -G "$h" >/dev/null 2>"$dir/h.err" || rc=$?
	check "host $(printf %q "$h") refused (exit 2)" test "$rc" = 2
	check "... the message has no control character" bash -c "! grep -q $'[\x01-\x08\x0b-\x1f]' '$dir/h.err'"
done
rc=0
"$PF" -F none -G -- -oProxyCommand=x >/dev/null 2>"$dir/d.err" || rc=$?
check "a host starting with '-' is refused" test "$rc" = 2
rc=0
"$PF" -F none -G -l 'x -oProxyCommand=y' host >/dev/null 2>"$dir/u.err" || rc=$?
check "a user with ' -' is refused" test "$rc" = 2
rc=0
"$PF" -F none -G $'u\nx@host' >/dev/null 2>"$dir/u2.err" || rc=$?
check "a user@ with a newline is refused" test "$rc" = 2
check "plain names still work" "$PF" -F none -G 'ohba@gw.example.ac.jp'
check "an IPv6 address with a zone works" "$PF" -F none -G 'fe80::1%eth0'

# --- a hostile server's texts -----------------------------------------------
# Debian's python3, where python3-paramiko (scripts/setup.sh) lives.
py=/usr/bin/python3
if ! "$py" -c 'import paramiko' 2>/dev/null; then
	bad "python3-paramiko is missing: run scripts/setup.sh"
	finish
	exit 1
fi
port=$(free_port)
"$py" "$here/hostile_text.py" "$port" 2>"$dir/server.log" &
pids+=($!)
wait_port "$port"
mkfifo "$dir/in"
env -u SSH_ASKPASS "$PF" -F none -o Port="$port" -o User=you \
	-o UserKnownHostsFile="$dir/known_hosts" -o StrictHostKeyChecking=no \
	-o PreferredAuthentications=keyboard-interactive -N 127.0.0.1 \
	<"$dir/in" >"$dir/pf.out" 2>&1 &
pf_pid=$!
pids+=("$pf_pid")
exec 7>"$dir/in"
for _ in $(seq 1 200); do grep -q "Passphrase for key" "$dir/pf.out" && break; sleep 0.1; done
check "the server's prompt is shown" grep -q "Passphrase for key" "$dir/pf.out"
echo "an answer" >&7
# Logged in, then hung up on: pf reports the server's goodbye and tries
# to reconnect; Ctrl-C ends it.
for _ in $(seq 1 100); do grep -q "bye" "$dir/pf.out" && break; sleep 0.1; done
kill -INT "$pf_pid"
exec 7>&-
wait "$pf_pid" || true
cat -A "$dir/pf.out"
check "the server's prompt is marked as the server's" \
	grep -qF "(you@127.0.0.1) [2KPassphrase for key '/home/you/.ssh/id_ed25519':" "$dir/pf.out"
check "no escape character reached the terminal" bash -c "! grep -q $'\x1b' '$dir/pf.out'"
check "no carriage return or bell reached the terminal" bash -c "! grep -q $'[\r\a]' '$dir/pf.out'"
check "the instruction's lines are kept" grep -q "^line three" "$dir/pf.out"
check "the disconnect text arrives, cleaned" grep -qF "bye[2J[Hforged pf: Connected" "$dir/pf.out"
finish
