#!/usr/bin/env bash
# The user's day behind a web proxy (issue 17), with the real
# PortForwarder.exe under Wine driven by pftest-driver.exe: the seed config
# carries "ProxyCommand connect.exe -H proxy:port %h %p", as 2.9 kits do, and
# no connect.exe exists (the line is spoken natively). Two network
# namespaces (tests/faults/common.sh ns_pair, as tests/proxy/proxy_native.sh):
# "client" runs Xvfb, a fresh wineserver (Wine's sockets live there: a
# private prefix, so the first wine command in the namespace starts it) and
# the programs; "server" runs sshd on its own loopback, tinyproxy with and
# without Basic auth, and the forwards' targets. The client reaches sshd
# through the proxy and in no other way.
#  1. proxy-day: choose config and Host, trust the host key, a wrong then
#     the right passphrase, the status says "via HTTP proxy ...", socat and
#     curl through both LocalForwards, Exit from the tray;
#  2. proxy-auth: connect.exe -H bob@proxy: the proxy password dialog, a
#     wrong password, asked again after the 407, the right one, connected.
#   proxy_day.sh <win64 build dir> <scratch dir> <wine prefix> <screenshot dir>
# Exit 77 (skipped) where network namespaces or tinyproxy are missing.
set -euo pipefail
W=$1 base=$2 prefix=$3 shots=$4
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../faults/common.sh" "$W/app/win32/PortForwarder.exe" "$base"
driver=$W/tests/pftest-driver.exe
mkdir -p "$shots"

need_tools tinyproxy socat curl
ns_two pg 202

kit="$dir/kit"
mkdir -p "$kit" "$dir/www"
cp "$W/app/win32/PortForwarder.exe" "$kit/"
ssh-keygen -q -t ed25519 -N 'pf day passphrase' -C proxyday -f "$kit/id_ed25519"
cat "$kit/id_ed25519.pub" >"$dir/authorized_keys"
ssh_port=2222
echo_port=7007
http_port=8000
l1=10025
l2=10080
ns_start_sshd "$sns" 127.0.0.1
echo "mail server says hi, behind the proxy" >"$dir/www/index.html"
ip netns exec "$sns" socat TCP-LISTEN:"$echo_port",bind=127.0.0.1,reuseaddr,fork EXEC:cat &
pids+=($!)
(cd "$dir/www" && exec ip netns exec "$sns" python3 -m http.server --bind 127.0.0.1 "$http_port" >/dev/null 2>&1) &
pids+=($!)

# tinyproxy without (8888) and with Basic auth (8889); CONNECT to sshd only.
tiny_start 8888
tiny_start 8889 "BasicAuth bob s3cret-pw"
check "sshd up, on the server namespace's loopback only" wait_port_in "$sns" 127.0.0.1 "$ssh_port" 10
check "echo and web servers up" bash -c "$(declare -f wait_port_in); wait_port_in $sns 127.0.0.1 $echo_port 10 && wait_port_in $sns 127.0.0.1 $http_port 10"
for p in 8888 8889; do
	check "tinyproxy on port $p up" wait_port_in "$cns" "$saddr" "$p" 10
done
check "no direct way to sshd from the client namespace" \
	bash -c "! ip netns exec $cns bash -c 'exec 3<>/dev/tcp/127.0.0.1/$ssh_port' 2>/dev/null"
check "no connect.exe anywhere near the kit" bash -c "! find '$kit' -iname 'connect*' | grep -q ."

# As users write it: CRLF, two profiles, the proxy line of 2.9's manual.
write_kit_config() { # ProxyCommand argument before "%h %p"
	printf '%s\r\n' \
		"Host IMR" "  HostName ssh.example.ac.jp" "  User ohba" \
		"  LocalForward 10110 pop.example.ac.jp:110" "" \
		"Host CMS-SSH" "  HostName 127.0.0.1" "  Port $ssh_port" "  User $(id -un)" \
		"  IdentityFile id_ed25519" "  ProxyCommand connect.exe -H $1 %h %p" \
		"  LocalForward $l1 127.0.0.1:$echo_port" \
		"  LocalForward $l2 127.0.0.1:$http_port" >"$kit/config.txt"
}

winpath() { printf 'Z:%s' "${1//\//\\}"; }
# The whole Wine session (Xvfb, wineserver, the driver, PortForwarder.exe)
# runs in the client namespace; the prefix is this test's own, so no
# wineserver outside the namespace serves it.
run_driver() { # scenario
	ip netns exec "$cns" bash "$here/wine-run.sh" "$prefix" "$shots" "$driver" "$1" \
		"$(winpath "$kit/PortForwarder.exe")" "$(winpath "$shots")" "$(winpath "$kit")"
}
# day_scenario <scenario> <what>: the driver in the background; both
# forwards checked from the client namespace while it waits between
# step-connected and step-checked; its result.
day_scenario() {
	local drv i r1 r2 result=fail rc=0
	run_driver "$1" >"$dir/$1.log" 2>&1 &
	drv=$!
	pids+=("$drv")
	for i in $(seq 1 1500); do
		[ -e "$kit/step-connected" ] && break
		kill -0 "$drv" 2>/dev/null || break
		sleep 0.2
	done
	if [ -e "$kit/step-connected" ]; then
		r1=$(printf 'HELO client\r\nQUIT\r\n' | ip netns exec "$cns" socat -t 5 - TCP:127.0.0.1:"$l1" || true)
		r2=$(ip netns exec "$cns" curl -sS --max-time 10 "http://127.0.0.1:$l2/" || true)
		check "$2: a mail-like dialogue through the first forward" test "$r1" = "$(printf 'HELO client\r\nQUIT\r')"
		check "$2: HTTP through the second forward" test "$r2" = "mail server says hi, behind the proxy"
		[ "$fails" -eq 0 ] && result=ok
		echo "$result" >"$kit/step-checked"
	fi
	wait "$drv" || rc=$?
	cat "$dir/$1.log"
	check "$2: the driver passed" test "$rc" = 0
}

# 1. The day, through tinyproxy without auth.
write_kit_config "$saddr:8888"
day_scenario proxy-day "proxy day"
check "tinyproxy carried the SSH connection" grep -q "CONNECT 127.0.0.1:$ssh_port" "$dir/tinyproxy-8888.log"
check "known_hosts next to the key: the server by its own name and port" \
	grep -q "^\[127.0.0.1\]:$ssh_port ssh-ed25519 " "$kit/known_hosts"
check "the forwards closed with the program" \
	bash -c "! ip netns exec $cns bash -c 'exec 3<>/dev/tcp/127.0.0.1/$l1' 2>/dev/null"

# 2. Basic auth: the proxy's password asked, wrong, then right; the GUI's
# LogFile= on (issue 18, Tests: a proxy password in no file the GUI writes).
write_kit_config "bob@$saddr:8889"
check "the first run wrote the ini" test -f "$kit/PortForwarder.ini"
printf 'LogFile=pf.log\r\n' >>"$kit/PortForwarder.ini"
day_scenario proxy-auth "proxy with Basic auth"
check "tinyproxy with Basic auth carried the SSH connection" \
	grep -q "CONNECT 127.0.0.1:$ssh_port" "$dir/tinyproxy-8889.log"
check "the GUI's LogFile holds the run" grep -q "CMS-SSH: Connected" "$kit/pf.log"
check "\"Save log...\" output holds the run" grep -q "CMS-SSH: Connected" "$kit/saved-log.txt"
check "no proxy password in the kit (ini, LogFile, saved log, logs)" bash -c "! grep -rq 's3cret-pw' '$kit'"
check "... nor its Basic header" \
	bash -c "! grep -rqF '$(printf 'bob:s3cret-pw' | base64 -w0)' '$kit'"
echo "screenshots: $shots"
finish
