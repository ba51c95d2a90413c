#!/usr/bin/env bash
# pf.exe under Wine behind real proxies (issue 17), in the namespaces of
# netns.sh: Wine's sockets live in the wineserver, so a wineserver of a
# private prefix is started INSIDE the client namespace, whose only way to
# sshd is a proxy.
#  - every recognised helper form done natively: connect -H (with a 3 MB
#    download through a LocalForward), connect -S, nc -X connect, nc -X 5,
#    ncat --proxy socks5 with a login (SOCKS5_PASSWD);
#  - a proxy needing a password, typed on standard input: wrong, then right
#    (asked twice), and after the proxy restarts pf reconnects asking
#    nobody;
#  - ProxyJump whose first hop goes through the HTTP proxy;
#  - a general ProxyCommand on Windows: pf.exe -W (a bare "pf", found in
#    the kit folder) through the HTTP proxy, a download through it; after
#    the proxy restarts the old child is gone and one new one runs; the
#    child is gone after pf.exe is killed (the job object); pf.exe -W
#    with pipes as standard input and output over that same ProxyCommand,
#    its child ended when it ends;
#  - a command that fails at once (cmd /c ... & exit 3): one message with
#    the exit code and its last line of standard error; a program that is
#    nowhere: one message naming the kit folder; a helper line with an
#    option not done natively (connect -w) and no such program: one message
#    naming the option.
#   proxy_wine.sh <pf.exe> <scratch dir> <wine prefix>
PFEXE=$1
prefix=$3
here=$(cd "$(dirname "$0")" && pwd)
set -- "$PFEXE" "$2"
proxy_octet=202
. "$here/netns.sh"
need_tools wine wineserver
mkdir -p "$(dirname "$prefix")"
prefix=$(cd "$(dirname "$prefix")" && pwd)/$(basename "$prefix")
export WINEPREFIX=$prefix WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY
# One run per prefix at a time; the prefix is made once per build tree.
exec 8>"$prefix.lock"
flock 8
wine_cleanup() {
	wineserver -k 2>/dev/null || true
	ns_two_cleanup
}
trap wine_cleanup EXIT
wineserver -k 2>/dev/null || true
if [ ! -f "$prefix/.pf-ready" ]; then
	echo "[wine] creating prefix $prefix (once per build tree)"
	ip netns exec "$cns" wineboot --init >/dev/null 2>&1 || true
	wineserver -w
	touch "$prefix/.pf-ready"
fi
# The wineserver every program below uses: inside the client namespace.
ip netns exec "$cns" wineserver -p
winpath() { printf 'Z:%s' "${1//\//\\}"; }
cp "$PFEXE" "$kit/pf.exe"
lport=18080

# write_wcfg <ProxyCommand line or ""> [extra lines]: Host test (and hop,
# which reaches sshd through tinyproxy).
write_wcfg() {
	printf '%s\r\n' "Host hop" "  HostName 127.0.0.1" "  Port $ssh_port" "  User $(id -un)" \
		"  IdentityFile id_ed25519" "  ProxyCommand connect -H $saddr:8888 %h %p" \
		"Host test" "  HostName 127.0.0.1" "  Port $ssh_port" "  User $(id -un)" \
		"  IdentityFile id_ed25519" "  LocalForward $lport 127.0.0.1:$http_port" \
		"  ConnectTimeout 10" ${1:+"  ProxyCommand $1"} ${2:+"$2"} >"$kit/config.txt"
}
# run_pfw <log> [env...]: pf.exe -N test in the client namespace; pid in
# pf_pid; standard input from $dir/answers (empty unless written).
run_pfw() {
	local log=$1
	shift
	[ -e "$dir/answers" ] || : >"$dir/answers"
	ip netns exec "$cns" env "$@" wine "$kit/pf.exe" -F "$(winpath "$kit/config.txt")" \
		-o StrictHostKeyChecking=accept-new -v -N test >"$log" 2>&1 <"$dir/answers" &
	pf_pid=$!
	pids+=("$pf_pid")
}
# SIGKILL, as TerminateProcess: Wine turns SIGTERM into the end of the one
# thread that receives it, so the rest of pf.exe could live on (its
# listeners held) or not, depending on which thread that was.
stop_pfw() {
	kill -KILL "$pf_pid" 2>/dev/null || true
	wait "$pf_pid" 2>/dev/null || true
}
connected() { wait_log "$1" "pf: test: Connected" "${2:-40}"; }
download() { ip netns exec "$cns" curl -sS --max-time 30 "http://127.0.0.1:$lport/big.bin" | sha256sum | cut -d' ' -f1; }
# The inner pf.exe -W processes (Wine's processes are Linux processes;
# a zombie has no command line, so it is not counted).
inner_pids() { pgrep -f 'pf.exe -F config.txt -W' || true; }
alive() { [ -e /proc/"$1" ] && ! grep -q '^State:.*Z' /proc/"$1"/status 2>/dev/null; }

# 1. Each helper form, natively.
write_wcfg "connect -H $saddr:8888 %h %p"
run_pfw "$dir/w-http.log"
check "pf.exe connect -H: connected through tinyproxy" connected "$dir/w-http.log" 60
check "pf.exe connect -H: natively" grep -q "via the HTTP proxy $saddr:8888" "$dir/w-http.log"
check "pf.exe connect -H: forward up" wait_port_in "$cns" 127.0.0.1 "$lport" 10
check "pf.exe connect -H: a 3 MB download through the proxy is intact" test "$(download)" = "$want"
stop_pfw
n=0
for line in "connect -S $saddr:1080 %h %p|SOCKS5" "nc -X connect -x $saddr:8888 %h %p|HTTP" \
	"nc -X 5 -x $saddr:1080 %h %p|SOCKS5"; do
	n=$((n + 1))
	write_wcfg "${line%|*}"
	run_pfw "$dir/w-form$n.log"
	check "pf.exe ${line%% $saddr*}: connected" connected "$dir/w-form$n.log"
	check "pf.exe ${line%% $saddr*}: natively" grep -q "via the ${line#*|} proxy" "$dir/w-form$n.log"
	stop_pfw
done
write_wcfg "ncat --proxy $saddr:1081 --proxy-type socks5 --proxy-auth alice %h %p"
run_pfw "$dir/w-s5auth.log" SOCKS5_PASSWD=al1ce-pw
check "pf.exe ncat socks5 + login: connected" connected "$dir/w-s5auth.log"
check "pf.exe ncat socks5 + login: alice logged in" grep -q "login ok alice" "$dir/socks5auth.log"
stop_pfw

# 2. A password for the proxy, typed: wrong, then right; a proxy restart.
printf 'not-it\r\ns3cret-pw\r\n' >"$dir/answers"
write_wcfg "connect -H bob@$saddr:8889 %h %p" "  ServerAliveInterval 1"
run_pfw "$dir/w-basic.log"
check "pf.exe Basic auth: connected after a wrong password" connected "$dir/w-basic.log"
check "pf.exe Basic auth: asked twice, naming the proxy" \
	test "$(grep -c "Password for bob on the HTTP proxy $saddr:8889" "$dir/w-basic.log")" = 2
check "pf.exe Basic auth: the password is in no log" bash -c "! grep -q s3cret-pw $dir/w-basic.log"
kill "$tiny_8889"
wait "$tiny_8889" 2>/dev/null || true
tiny_start 8889
check "pf.exe Basic auth: reconnecting after the proxy restarted" wait_log "$dir/w-basic.log" "Reconnecting in" 20
check "pf.exe Basic auth: connected again" bash -c "for i in \$(seq 1 300); do [ \$(grep -c 'pf: test: Connected' $dir/w-basic.log) -ge 2 ] && exit 0; sleep 0.1; done; exit 1"
check "pf.exe Basic auth: nobody asked again" \
	test "$(grep -c "Password for bob on the HTTP proxy" "$dir/w-basic.log")" = 2
stop_pfw
rm -f "$dir/answers"

# 3. ProxyJump, the first hop through the HTTP proxy.
write_wcfg "" "  ProxyJump hop"
run_pfw "$dir/w-jump.log"
check "pf.exe ProxyJump via the HTTP proxy: connected" connected "$dir/w-jump.log"
check "pf.exe ProxyJump: the hop went through tinyproxy" grep -q "via the HTTP proxy $saddr:8888" "$dir/w-jump.log"
check "pf.exe ProxyJump: forward works" test "$(download)" = "$want"
stop_pfw

# 4. A general ProxyCommand: pf.exe -W, found in the kit folder.
write_wcfg "pf -F config.txt -W %h:%p hop"
run_pfw "$dir/w-general.log"
check "pf.exe -W as ProxyCommand: connected" connected "$dir/w-general.log"
check "pf.exe -W as ProxyCommand: run as a program" grep -q "via ProxyCommand" "$dir/w-general.log"
first=$(inner_pids)
check "pf.exe -W as ProxyCommand: one child runs ($first)" test "$(echo "$first" | wc -w)" = 1
check "pf.exe -W as ProxyCommand: forward works" test "$(download)" = "$want"
kill "$tiny_8888"
wait "$tiny_8888" 2>/dev/null || true
tiny_start 8888
check "pf.exe -W as ProxyCommand: connected again after the proxy restarted" \
	bash -c "for i in \$(seq 1 400); do [ \$(grep -c 'pf: test: Connected' $dir/w-general.log) -ge 2 ] && exit 0; sleep 0.1; done; exit 1"
second=$(inner_pids)
replaced() { [ -n "$second" ] && [ "$(echo "$second" | wc -w)" = 1 ] && [ "$first" != "$second" ] && ! alive "$first"; }
check "pf.exe -W as ProxyCommand: the old child is gone, one new ($first -> $second)" replaced
stop_pfw
for _ in $(seq 1 50); do [ -z "$(inner_pids)" ] && break; sleep 0.1; done
check "pf.exe -W as ProxyCommand: no child left after pf.exe was killed" test -z "$(inner_pids)"

# pf.exe -W itself, its standard input and output pipes: an HTTP request
# through the same general ProxyCommand; it ends when the server closes,
# a clean stop that ends and waits for its own child.
rc=0
printf 'GET /big.bin HTTP/1.0\r\n\r\n' | ip netns exec "$cns" timeout 90 wine "$kit/pf.exe" \
	-F "$(winpath "$kit/config.txt")" -o StrictHostKeyChecking=accept-new \
	-W "127.0.0.1:$http_port" test >"$dir/w-stdio.out" 2>"$dir/w-stdio.log" || rc=$?
check "pf.exe -W through pf.exe -W: exit status 0 (got $rc)" test "$rc" = 0
check "pf.exe -W through pf.exe -W: the 3 MB answer on standard output, intact" \
	test "$(tail -c 3000000 "$dir/w-stdio.out" | sha256sum | cut -d' ' -f1)" = "$want"
check "pf.exe -W through pf.exe -W: its child ended with it" test -z "$(inner_pids)"

# 5. Commands that fail at once: pf.exe gives up with one message.
# fail_run <log> <ProxyCommand line>: sets rc.
fail_run() {
	write_wcfg "$2"
	rc=0
	ip netns exec "$cns" timeout 60 wine "$kit/pf.exe" -F "$(winpath "$kit/config.txt")" \
		-o StrictHostKeyChecking=accept-new -N test >"$1" 2>&1 </dev/null || rc=$?
	cat "$1"
}
fail_run "$dir/w-fail.log" "cmd /c \"echo no route to the moon 1>&2 & exit 3\""
check "pf.exe failing command: gives up (exit $rc)" test "$rc" != 0
check "pf.exe failing command: one message with the exit code and its last line" \
	grep -q "ended before the SSH server answered (exit code 3): \"no route to the moon\"" "$dir/w-fail.log"
fail_run "$dir/w-unsup.log" "connect -w 10 -H $saddr:8888 %h %p"
check "pf.exe helper option not done natively, no such program: names the option" \
	grep -q "connect -w is not done by PortForwarder itself, and running the program failed: The program \"connect\" was not found" "$dir/w-unsup.log"
fail_run "$dir/w-none.log" "no-such-helper %h %p"
check "pf.exe missing program: gives up (exit $rc)" test "$rc" != 0
check "pf.exe missing program: says where it looked" \
	grep -q "\"no-such-helper\" was not found in the kit folder" "$dir/w-none.log"
finish
