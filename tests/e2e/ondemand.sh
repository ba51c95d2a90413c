#!/usr/bin/env bash
# Connect on first use (issue 19 item 4) with the real PortForwarder.exe
# under Wine, driven by pftest-driver.exe (scenario ondemand), against a
# real sshd on loopback: the person ticks "Connect when first used" for the
# Host (saved in the ini, in the Host's own section, beside the
# IdleDisconnectMinutes=0.05 this script put there) and presses Connect;
# the status, the tray (icon and tooltip) and the forwards list show
# "listening, not connected", and there is no TCP connection to sshd (ss,
# sshd's log). The first client (socat through the LocalForward) brings up
# the passphrase question (the key is encrypted); answered, the held client
# gets its echo over one connection. After 3 s without a client the
# connection is dropped (ss: none left) and the program listens again; the
# next client is served without a question (the key stays unlocked).
#   ondemand.sh <win64 build dir> <scratch dir> <wine prefix> <screenshot dir>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/kit.sh" "$@"
mkdir -p "$kit"
cp "$W/app/win32/PortForwarder.exe" "$kit/"
kit_key 'pf on demand passphrase' "$kit/id_ed25519"
kit_trust "$kit/known_hosts"
echo_port=$(free_port) l=$(free_port)
python3 "$here/../cli/echo.py" "$echo_port" &
pids+=($!)
wait_port "$echo_port"
# ConnectTimeout 60: the held client waits that long for the passphrase (a
# loaded machine makes Wine slow to show the question).
printf '%s\r\n' "Host OD" "  HostName 127.0.0.1" "  Port $ssh_port" "  User $(id -un)" \
	"  IdentityFile id_ed25519" "  ConnectTimeout 60" \
	"  LocalForward 127.0.0.1:$l 127.0.0.1:$echo_port" >"$kit/config.txt"
# The idle time has no field in the window: the ini carries it.
printf '%s\r\n' "[PortForwarder]" "ConfigFile=config.txt" "LastHost=OD" "RecentHost1=OD" \
	"LogLevel=debug" "HideNoteShown=1" "[Host OD]" "IdleDisconnectMinutes=0.05" >"$kit/PortForwarder.ini"

# sshd's "Connection from" lines since now (start_sshd's own probe is one)
sshd_conns() { echo $(($(grep -c "Connection from 127.0.0.1" "$dir/sshd.log" || true) - conns0)); }
conns0=0
conns0=$(sshd_conns)
established() { ss -Htn state established "( dport = :$ssh_port )" | wc -l; }
# (not wait_port: a connection would be the first use)
listens() { [ "$(ss -Hltn "( sport = :$l )" | wc -l)" -gt 0 ]; }
wait_step() { # file
	local i
	for i in $(seq 1 1500); do
		[ -e "$kit/$1" ] && return 0
		kill -0 "$drv" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}
# say FILE: "ok" when every check since the last say passed, else "failed"
say() {
	if [ "$fails" -eq "$fails_before" ]; then echo "ok $1" >"$kit/$1.tmp"; else echo "failed $1" >"$kit/$1.tmp"; fi
	mv "$kit/$1.tmp" "$kit/$1"
	fails_before=$fails
}
fails_before=0

bash "$here/wine-run.sh" "$prefix" "$shots" "$driver" ondemand \
	"$(winpath "$kit/PortForwarder.exe")" "$(winpath "$shots")" "$(winpath "$kit")" \
	>"$dir/driver.log" 2>&1 &
drv=$!
pids+=("$drv")

if wait_step od-listening; then
	check "the forward listens (ss)" listens
	check "no TCP connection to sshd before the first client (ss)" test "$(established)" = 0
	check "sshd saw no connection (its log)" test "$(sshd_conns)" = 0
	# The first client: held while the passphrase is asked for.
	printf 'first use\n' | socat -t 90 - TCP:127.0.0.1:"$l" >"$dir/client1.out" 2>&1 &
	client=$!
	pids+=("$client")
	if wait_step od-connected; then
		for i in $(seq 1 300); do kill -0 "$client" 2>/dev/null || break; sleep 0.2; done
		check "the first client's bytes came back" test "$(cat "$dir/client1.out")" = "first use"
		check "one TCP connection to sshd now (sshd's log)" test "$(sshd_conns)" = 1
		say od-checked
		if wait_step od-idle; then
			for i in $(seq 1 50); do [ "$(established)" = 0 ] && break; sleep 0.2; done
			check "after the idle time no connection to sshd is left (ss)" test "$(established)" = 0
			check "the forward still listens (ss)" listens
			check "the next client gets its echo" \
				python3 "$here/../cli/clients.py" echo "$l" second 60
			check "a second TCP connection to sshd (sshd's log)" test "$(sshd_conns)" = 2
			say od-checked2
		else
			bad "the driver reached the idle disconnect"
		fi
	else
		bad "the driver reached Connected"
	fi
else
	bad "the driver reached the listening state"
fi
rc=0
wait "$drv" || rc=$?
cat "$dir/driver.log"
check "the ondemand driver passed" test "$rc" = 0
check "the forward closed with the program" bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$l) 2>/dev/null"
echo "----- PortForwarder.ini"
cat "$kit/PortForwarder.ini"
echo "screenshots: $shots"
finish
