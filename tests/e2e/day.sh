#!/usr/bin/env bash
# The user's day (PRODUCT.md) with the real PortForwarder.exe under Wine,
# driven by pftest-driver.exe, against a real sshd on loopback: choose the
# config file and the second Host, Connect, trust and save the host key, a
# wrong then the right passphrase, Connected and hidden to the tray; both
# forwards checked from Linux (socat, curl); Exit from the tray; known_hosts
# next to the key with one entry; the ini with a relative path. Then: Cancel
# at the passphrase keeps the app usable; resume from sleep during a long
# reconnect back-off reconnects at once; a changed host key is refused and
# known_hosts stays byte for byte.
#   day.sh <win64 build dir> <scratch dir> <wine prefix> <screenshot dir> [portable zip]
# With a portable zip, the kit is that zip unpacked (the release a user
# copies to the stick) instead of the build's exe.
set -euo pipefail
W=$1 base=$2 prefix=$3 shots=$4 zip=${5:-}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../cli/lib.sh" "$W/app/win32/PortForwarder.exe" "$base"
driver=$W/tests/pftest-driver.exe
mkdir -p "$shots"

start_sshd
kit="$dir/USB-メール設定"
mkdir -p "$kit" "$dir/www"
if [ -n "$zip" ]; then
	unzip -q "$zip" -d "$kit"
	# The kit may sit in a folder of its own inside the zip.
	if [ ! -f "$kit/PortForwarder.exe" ]; then
		inner=$(dirname "$(find "$kit" -name PortForwarder.exe | head -n1)")
		[ -n "$inner" ] && [ "$inner" != . ] && mv "$inner"/* "$kit/"
	fi
	check "the portable zip holds PortForwarder.exe" test -f "$kit/PortForwarder.exe"
else
	cp "$W/app/win32/PortForwarder.exe" "$kit/"
fi
ssh-keygen -q -t ed25519 -N 'pf day passphrase' -C day -f "$kit/id_ed25519"
cat "$kit/id_ed25519.pub" >"$dir/authorized_keys"
echo "mail server says hi" >"$dir/www/index.html"
echo_port=$(free_port)
http_port=$(free_port)
l1=$(free_port)
l2=$(free_port)
socat TCP-LISTEN:"$echo_port",bind=127.0.0.1,reuseaddr,fork EXEC:cat &
pids+=($!)
(cd "$dir/www" && exec python3 -m http.server --bind 127.0.0.1 "$http_port" >/dev/null 2>&1) &
pids+=($!)
wait_port "$echo_port"
wait_port "$http_port"
# As users write it: CRLF, two profiles, the SSH-1 Cipher line.
printf '%s\r\n' \
	"Host IMR" "  HostName ssh.example.ac.jp" "  Port 22" "  User ohba" "  Cipher 3des" \
	"  LocalForward 10025 smtp.example.ac.jp:25" "  LocalForward 10110 pop.example.ac.jp:110" "" \
	"Host CMS-SSH" "  HostName 127.0.0.1" "  Port $ssh_port" "  User $(id -un)" "  Cipher 3des" \
	"  IdentityFile id_ed25519" "  LocalForward $l1 127.0.0.1:$echo_port" \
	"  LocalForward $l2 127.0.0.1:$http_port" >"$kit/config.txt"

winpath() { printf 'Z:%s' "${1//\//\\}"; }
run_driver() { # scenario
	bash "$here/wine-run.sh" "$prefix" "$shots" "$driver" "$1" \
		"$(winpath "$kit/PortForwarder.exe")" "$(winpath "$shots")" "$(winpath "$kit")"
}

# 1. The day.
run_driver day >"$dir/day.log" 2>&1 &
drv=$!
pids+=("$drv")
for i in $(seq 1 900); do
	[ -e "$kit/step-connected" ] && break
	kill -0 "$drv" 2>/dev/null || break
	sleep 0.2
done
result=fail
if [ -e "$kit/step-connected" ]; then
	r1=$(printf 'HELO client\r\nQUIT\r\n' | socat -t 5 - TCP:127.0.0.1:"$l1" || true)
	r2=$(curl -sS --max-time 10 "http://127.0.0.1:$l2/" || true)
	check "first forward (a mail-like dialogue) from Linux" test "$r1" = "$(printf 'HELO client\r\nQUIT\r')"
	check "second forward (HTTP) from Linux" test "$r2" = "mail server says hi"
	[ "$fails" -eq 0 ] && result=ok
fi
echo "$result" >"$kit/step-checked"
rc=0
wait "$drv" || rc=$?
cat "$dir/day.log"
check "the day's driver passed" test "$rc" = 0
check "the forwards closed with the program" bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$l1) 2>/dev/null"
check "known_hosts next to the key, one entry" test "$(wc -l <"$kit/known_hosts" 2>/dev/null)" = 1
grep -q "^\[127.0.0.1\]:$ssh_port ssh-ed25519 " "$kit/known_hosts" && ok "known_hosts names the server's port" || bad "known_hosts names the server's port"

# 2. Cancel at the passphrase, then connect after all.
rm -f "$kit/step-connected" "$kit/step-checked"
rc=0
run_driver day-cancel >"$dir/cancel.log" 2>&1 || rc=$?
cat "$dir/cancel.log"
check "cancel scenario passed" test "$rc" = 0

# 2b. Resume from sleep during a long reconnect back-off: at once.
restart_sshd() {
	/usr/sbin/sshd -D -e -f "$dir/sshd_config" 2>>"$dir/sshd.log" &
	sshd_pid=$!
	pids+=("$sshd_pid")
	wait_port "$ssh_port"
}
stop_sshd() { # the listener and every session it forked
	pkill -KILL -P "$sshd_pid" 2>/dev/null || true
	kill "$sshd_pid" 2>/dev/null || true
	wait "$sshd_pid" 2>/dev/null || true
}
rm -f "$kit"/step-resume-*
run_driver day-resume >"$dir/resume.log" 2>&1 &
drv=$!
pids+=("$drv")
for i in $(seq 1 600); do [ -e "$kit/step-resume-1" ] || ! kill -0 "$drv" 2>/dev/null && break; sleep 0.2; done
if [ -e "$kit/step-resume-1" ]; then
	stop_sshd
	for i in $(seq 1 600); do [ -e "$kit/step-resume-2" ] || ! kill -0 "$drv" 2>/dev/null && break; sleep 0.2; done
	restart_sshd
	echo back >"$kit/step-resume-3"
fi
rc=0
wait "$drv" || rc=$?
cat "$dir/resume.log"
check "resume scenario passed" test "$rc" = 0

# 3. The server gets a new host key on the same port: refused.
cp "$kit/known_hosts" "$dir/known_hosts.before"
stop_sshd
rm -f "$dir/host_key" "$dir/host_key.pub"
ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key"
restart_sshd
rc=0
run_driver day-changed >"$dir/changed.log" 2>&1 || rc=$?
cat "$dir/changed.log"
check "changed host key scenario passed" test "$rc" = 0
check "known_hosts byte for byte as before" cmp -s "$dir/known_hosts.before" "$kit/known_hosts"
echo "screenshots: $shots"
finish
