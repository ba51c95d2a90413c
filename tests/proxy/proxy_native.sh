#!/usr/bin/env bash
# pf behind a proxy (issue 17), with real proxies from Debian's packages:
# two network namespaces this test makes ("client" with pf, "server" with
# sshd, the proxies and a web server), joined by a veth pair. sshd listens
# only on the server namespace's own loopback, so the client can reach it
# through a proxy and in no other way: a direct connection cannot pass by
# accident.
#  - ProxyCommand connect -H proxy %h %p: tinyproxy, done natively (no
#    program runs), a download through a LocalForward intact;
#  - nc -X 5 -x: dante (SOCKS5, no auth), natively;
#  - ncat --proxy --proxy-type socks5 --proxy-auth user: a small SOCKS5 test
#    server with RFC 1929 login, the password from SOCKS5_PASSWD;
#  - tinyproxy with Basic auth: the password asked once through
#    SSH_ASKPASS, wrong, then right on the second try; a reconnect after the
#    proxy restarts asks nobody;
#  - a general ProxyCommand (socat through tinyproxy) run by /bin/sh, its
#    child gone after pf exits (no orphan);
#  - a command that fails at once: one message with its exit code and last
#    line of standard error;
#  - a proxy that refuses the destination (CONNECT to a port tinyproxy does
#    not allow): one message naming the proxy, the config line and the
#    proxy's status line.
# Exit 77 (skipped) where network namespaces or the proxies are missing.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/netns.sh"

# write_pcfg <ProxyCommand line> [extra lines]
write_pcfg() {
	cat >"$kit/config.txt" <<CFG
Host test
  HostName 127.0.0.1
  Port $ssh_port
  User $(id -un)
  IdentityFile id_ed25519
  ProxyCommand $1
  LocalForward $lport 127.0.0.1:$http_port
  ConnectTimeout 10
${2:-}
CFG
}
# run_pf <log> [env...]: pf -N test in the client namespace, pid in pf_pid.
run_pf() {
	local log=$1
	shift
	ip netns exec "$cns" env "$@" "$PF" -F "$kit/config.txt" -o StrictHostKeyChecking=accept-new \
		-v -N test >"$log" 2>&1 </dev/null &
	pf_pid=$!
	pids+=("$pf_pid")
}
stop_pf() {
	kill "$pf_pid" 2>/dev/null || true
	wait "$pf_pid" 2>/dev/null || true
}
download() { ip netns exec "$cns" curl -sS --max-time 30 "http://127.0.0.1:$lport/big.bin" | sha256sum | cut -d' ' -f1; }

# 1. connect -H (HTTP CONNECT, tinyproxy), natively.
write_pcfg "connect -H $saddr:8888 %h %p"
run_pf "$dir/pf-http.log"
check "connect -H: connected through tinyproxy" wait_log "$dir/pf-http.log" "pf: test: Connected" 20
check "connect -H: done natively (via the HTTP proxy)" grep -q "via the HTTP proxy $saddr:8888" "$dir/pf-http.log"
check "connect -H: the status says via which proxy" grep -q "Connected to 127.0.0.1:$ssh_port via HTTP proxy $saddr:8888 as" "$dir/pf-http.log"
check "connect -H: no child process" test -z "$(descendants "$pf_pid")"
check "connect -H: forward up" wait_port_in "$cns" 127.0.0.1 "$lport" 10
check "connect -H: a 3 MB download through the proxy is intact" test "$(download)" = "$want"
check "connect -H: tinyproxy saw the CONNECT" grep -q "CONNECT" "$dir/tinyproxy-8888.log"
stop_pf

# 2. nc -X 5 -x (SOCKS5, dante), natively.
write_pcfg "nc -X 5 -x $saddr:1080 %h %p"
run_pf "$dir/pf-socks5.log"
check "nc -X 5: connected through dante" wait_log "$dir/pf-socks5.log" "pf: test: Connected" 20
check "nc -X 5: natively (via the SOCKS5 proxy)" grep -q "via the SOCKS5 proxy" "$dir/pf-socks5.log"
stop_pf

# 3. ncat --proxy-auth with SOCKS5_PASSWD (the SOCKS5 login test server).
write_pcfg "ncat --proxy $saddr:1081 --proxy-type socks5 --proxy-auth alice %h %p"
run_pf "$dir/pf-s5auth.log" SOCKS5_PASSWD=al1ce-pw
check "ncat socks5 + login: connected" wait_log "$dir/pf-s5auth.log" "pf: test: Connected" 20
check "ncat socks5 + login: the server saw alice log in" grep -q "login ok alice" "$dir/socks5auth.log"
stop_pf

# 4. tinyproxy with Basic auth: asked through SSH_ASKPASS, wrong then right.
cat >"$dir/askpass" <<ASK
#!/bin/sh
echo "\$1" >>"$dir/asked"
n=\$(wc -l <"$dir/asked")
if [ "\$n" = 1 ]; then echo not-it; else echo s3cret-pw; fi
ASK
chmod +x "$dir/askpass"
: >"$dir/asked"
write_pcfg "connect -H bob@$saddr:8889 %h %p" "  ServerAliveInterval 1
  ServerAliveCountMax 3"
run_pf "$dir/pf-basic.log" SSH_ASKPASS="$dir/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY=:0
check "Basic auth: connected after a wrong password" wait_log "$dir/pf-basic.log" "pf: test: Connected" 30
check "Basic auth: asked twice (wrong, then right), naming the proxy" \
	test "$(grep -c "Password for bob on the HTTP proxy $saddr:8889" "$dir/asked")" = 2
check "Basic auth: the password is in no log" bash -c "! grep -q s3cret-pw $dir/pf-basic.log $dir/tinyproxy-8889.log"
# The proxy restarts: the connection drops, pf reconnects, asking nobody.
kill "$tiny_8889"
wait "$tiny_8889" 2>/dev/null || true
tiny_start 8889
check "Basic auth: reconnecting after the proxy restarted" wait_log "$dir/pf-basic.log" "Reconnecting in" 20
check "Basic auth: connected again" bash -c "for i in \$(seq 1 300); do [ \$(grep -c 'pf: test: Connected' $dir/pf-basic.log) -ge 2 ] && exit 0; sleep 0.1; done; exit 1"
check "Basic auth: nobody asked again" test "$(wc -l <"$dir/asked")" = 2
stop_pf

# 5. A general ProxyCommand: socat through tinyproxy, run by /bin/sh.
write_pcfg "socat - PROXY:$saddr:%h:%p,proxyport=8888"
run_pf "$dir/pf-socat.log"
check "socat: connected" wait_log "$dir/pf-socat.log" "pf: test: Connected" 20
kids=$(descendants "$pf_pid")
check "socat: runs as pf's child ($kids)" test -n "$kids"
check "socat: forward works" test "$(download)" = "$want"
stop_pf
gone=1
for k in $kids; do [ -e /proc/"$k" ] && gone=0; done
check "socat: the child is gone after pf exits (no orphan)" test "$gone" = 1

# 6. A command that fails at once.
write_pcfg "sh -c 'echo no route to the moon >&2; exit 3'"
rc=0
ip netns exec "$cns" timeout 30 "$PF" -F "$kit/config.txt" -o StrictHostKeyChecking=accept-new \
	-N test >"$dir/pf-fail.log" 2>&1 </dev/null || rc=$?
cat "$dir/pf-fail.log"
check "failing command: pf gives up (exit $rc)" test "$rc" != 0
check "failing command: one message with the exit code and its last line" \
	grep -q "ended before the SSH server answered (exit code 3): \"no route to the moon\"" "$dir/pf-fail.log"
check "failing command: the message names the config line" grep -q "config.txt line 6" "$dir/pf-fail.log"

# 7. The proxy refuses the destination: its status line in the message.
write_pcfg "connect -H $saddr:8888 %h 2223"
sed -i "s/^  Port $ssh_port/  Port 2223/" "$kit/config.txt"
rc=0
ip netns exec "$cns" timeout 30 "$PF" -F "$kit/config.txt" -o StrictHostKeyChecking=accept-new \
	-N test >"$dir/pf-refused.log" 2>&1 </dev/null || rc=$?
cat "$dir/pf-refused.log"
check "refused: pf gives up (exit $rc)" test "$rc" != 0
check "refused: names the proxy, the line and the proxy's answer" \
	grep -q "HTTP proxy $saddr:8888 (ProxyCommand in .*config.txt line 6) did not connect to 127.0.0.1 port 2223: the proxy answered \"HTTP/1.[01] 403" "$dir/pf-refused.log"
finish
