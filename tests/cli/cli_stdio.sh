#!/usr/bin/env bash
# pf -W host:port (stdio forwarding, as ssh -W; issue 17 item 5), against a
# real sshd:
#  - 2 MB through an echo service, both ways intact, the end of input
#    passed on (the echo service answers EOF only after ours);
#  - OpenSSH's ssh with ProxyCommand 'pf -W %h:%p ...' runs a command on the
#    server through pf;
#  - pf as the ProxyCommand of another pf (a general ProxyCommand run by
#    /bin/sh): a forward through it carries data;
#  - a target the server cannot reach: one message, exit status 1;
#  - forwards of the config file are not opened by -W (ClearAllForwardings);
#  - a passphrase asked with no terminal and no SSH_ASKPASS: an error at
#    once, not a hang.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

ssh-keygen -q -t ed25519 -N '' -C kit -f "$dir/id_ed25519"
cp "$dir/id_ed25519.pub" "$dir/authorized_keys"
start_sshd
echo_port=$(free_port) lport=$(free_port) cfg_port=$(free_port)
python3 "$here/echo.py" "$echo_port" &
pids+=($!)
wait_port "$echo_port"
{
	host_entry target
	echo "  LocalForward $cfg_port 127.0.0.1:$echo_port"
} >"$dir/config"

# 1. Bytes both ways through an echo service.
head -c 2000000 /dev/urandom >"$dir/in.bin"
rc=0
timeout 60 "$PF" -F "$dir/config" -W "127.0.0.1:$echo_port" target <"$dir/in.bin" \
	>"$dir/out.bin" 2>"$dir/w1.log" || rc=$?
cat "$dir/w1.log"
check "-W: exit status 0 after the stream ended (got $rc)" test "$rc" = 0
check "-W: 2 MB back from the echo service, intact" cmp -s "$dir/in.bin" "$dir/out.bin"
check "-W: nothing but the stream on standard output" test "$(stat -c %s "$dir/out.bin")" = 2000000

# 2. While a -W runs, the config's LocalForward is not opened.
mkfifo "$dir/hold"
(timeout 20 "$PF" -F "$dir/config" -W "127.0.0.1:$echo_port" target <"$dir/hold" \
	>/dev/null 2>"$dir/w2.log") &
wpid=$!
pids+=("$wpid")
exec 7>"$dir/hold"
sleep 2
check "-W: ClearAllForwardings implied (port $cfg_port not listening)" \
	bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$cfg_port) 2>/dev/null"
exec 7>&-
wait "$wpid" 2>/dev/null || true

# 3. OpenSSH through pf -W.
pfcmd="$PF -F $dir/config -W %h:%p target"
out=$(timeout 60 ssh -F none -o "ProxyCommand=$pfcmd" -o "IdentityFile=$dir/id_ed25519" \
	-o IdentitiesOnly=yes -o BatchMode=yes -o "UserKnownHostsFile=$dir/known_hosts_ssh" \
	-o StrictHostKeyChecking=accept-new -p "$ssh_port" "$(id -un)@127.0.0.1" \
	echo through-pf 2>"$dir/ssh.log") || true
cat "$dir/ssh.log"
check "ssh -o ProxyCommand='pf -W %h:%p ...' runs a command" test "$out" = through-pf

# 4. pf as another pf's ProxyCommand.
{
	host_entry outer
	echo "  ProxyCommand $PF -F $dir/config -W %h:%p target"
	echo "  LocalForward $lport 127.0.0.1:$echo_port"
} >"$dir/outer.conf"
"$PF" -F "$dir/outer.conf" -v -N outer >"$dir/outer.log" 2>&1 </dev/null &
opid=$!
pids+=("$opid")
check "pf through pf -W: connected" bash -c "for i in \$(seq 1 200); do grep -q 'Connected to' $dir/outer.log && exit 0; sleep 0.1; done; exit 1"
check "pf through pf -W: forward listening" wait_port "$lport" 10
got=$(printf "hello-through-W\n" | socat -t 5 - TCP:127.0.0.1:"$lport" || true)
check "pf through pf -W: data through the forward" test "$got" = hello-through-W
check "pf through pf -W: said how it connects" grep -q "via ProxyCommand" "$dir/outer.log"
kids=$(pgrep -P "$opid" || true)
check "pf through pf -W: the inner pf is pf's child ($kids)" test -n "$kids"
kill "$opid"
wait "$opid" 2>/dev/null || true
gone=1
for k in $kids; do [ -e /proc/"$k" ] && gone=0; done
check "pf through pf -W: the inner pf is gone after the outer exits" test "$gone" = 1

# 5. A target the server cannot reach.
dead=$(free_port)
rc=0
timeout 30 "$PF" -F "$dir/config" -W "127.0.0.1:$dead" target </dev/null >"$dir/w5.out" \
	2>"$dir/w5.log" || rc=$?
cat "$dir/w5.log"
check "-W to a closed port: exit status 1 (got $rc)" test "$rc" = 1
check "-W to a closed port: one message naming the target" \
	test "$(grep -c "Stdio forwarding to 127.0.0.1:$dead failed" "$dir/w5.log")" = 1
check "-W to a closed port: nothing on standard output" test ! -s "$dir/w5.out"

# 7. A question with nobody to answer it: no terminal (setsid), no
# SSH_ASKPASS, a key with a passphrase: pf ends with an error at once
# instead of waiting for ever for a terminal it does not have.
ssh-keygen -q -t ed25519 -N 'pass phrase' -C enc -f "$dir/id_enc"
cat "$dir/id_enc.pub" >>"$dir/authorized_keys"
{
	host_entry enc | sed "s|IdentityFile .*|IdentityFile $dir/id_enc|"
	echo "  IdentitiesOnly yes"
} >"$dir/enc.conf"
mkfifo "$dir/hold7"
exec 8<>"$dir/hold7" # standard input that stays open and quiet
rc=0
env -u SSH_ASKPASS -u DISPLAY -u SSH_AUTH_SOCK timeout 15 setsid -w "$PF" -F "$dir/enc.conf" \
	-W "127.0.0.1:$echo_port" enc <&8 >"$dir/w7.out" 2>"$dir/w7.log" || rc=$?
exec 8>&-
cat "$dir/w7.log"
check "-W, no terminal, no askpass, a passphrase asked: exit 1, not hung (got $rc)" \
	test "$rc" = 1
check "-W, no terminal: a message on standard error" test -s "$dir/w7.log"
check "-W, no terminal: nothing on standard output" test ! -s "$dir/w7.out"

# 6. Bad arguments.
rc=0
"$PF" -F "$dir/config" -W nocolon target </dev/null 2>"$dir/w6.log" || rc=$?
check "-W without a port: exit 2 and a message" \
	bash -c "[ $rc = 2 ] && grep -q 'bad -W \"nocolon\"' $dir/w6.log"
finish
