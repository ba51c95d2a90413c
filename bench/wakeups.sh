#!/usr/bin/env bash
# Wake-ups of an idle forwarder (issue 19), on demand, not a ctest.
#
# pf -N and ssh -N side by side, the same forwards (one LocalForward, one
# DynamicForward), connected to a real sshd on loopback and left idle, without
# and with ServerAliveInterval 15: per minute, the context switches of every
# thread (voluntary + involuntary, summed over /proc/PID/task/*/status) in
# one window, and the system calls (strace -c -f) in a second window (strace
# itself adds context switches, so the two are not taken together). Then the
# Windows programs under Wine in one prefix: pf.exe with the same forwards,
# PortForwarder.exe connected at start and hidden in the tray (its ini says
# AutomaticallyHide=1; its LogFile shows the "still running" note, proof
# that it hid), the same on demand (ConnectWhenFirstUsed: listening, not
# connected, hidden), and, as the yardstick of what Wine does by itself,
# its own notepad.exe idle: the process's context switches from /proc (its
# wineserver calls show there). Goal: pf <= ssh + 1 per keepalive
# interval; PortForwarder.exe no more than notepad.exe.
#
#   bench/wakeups.sh [--secs N] [--native DIR] [--win64 DIR] [--no-wine] [--keep]
#
# Prints a Markdown table on stdout, progress on stderr. Builds nothing.
# Everything listens on 127.0.0.1; everything started here is stopped by PID
# (Wine: `wineserver -k` for its own prefix) and the folder removed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
secs=60 N=$root/build/native W=$root/build/win64 wine=1 keep=0
while [ $# -gt 0 ]; do
	case $1 in
	--secs) secs=$2; shift ;;
	--native) N=$2; shift ;;
	--win64) W=$2; shift ;;
	--no-wine) wine=0 ;;
	--keep) keep=1 ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "unknown argument: $1" >&2; exit 2 ;;
	esac
	shift
done
case $secs in '' | *[!0-9]* | 0) echo "--secs wants a number >= 1" >&2; exit 2 ;; esac
pf=$N/app/cli/pf
[ -x "$pf" ] || { echo "missing $pf: cmake --build --preset native first" >&2; exit 2; }
for c in /usr/sbin/sshd ssh ssh-keygen strace socat python3; do
	command -v "$c" >/dev/null || { echo "missing $c" >&2; exit 2; }
done

. "$root/tests/cli/lib.sh" "$pf" "${TMPDIR:-/tmp}"
prefix=$dir/wineprefix
stop_wine() { [ -d "$prefix" ] && WINEPREFIX=$prefix wineserver -k 2>/dev/null || true; }
bench_cleanup() {
	stop_wine
	cleanup
	if [ "$keep" = 1 ]; then echo "kept: $dir" >&2; else rm -rf "$dir"; fi
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM
log() { echo "[wakeups] $*" >&2; }

ssh-keygen -q -t ed25519 -N '' -C wakeups -f "$dir/id_ed25519"
cp "$dir/id_ed25519.pub" "$dir/authorized_keys"
start_sshd
echo "[127.0.0.1]:$ssh_port $(cut -d' ' -f1-2 "$dir/host_key.pub")" >"$dir/known_hosts"
echo_port=$(free_port)
python3 "$root/tests/cli/echo.py" "$echo_port" &
pids+=($!)
wait_port "$echo_port"
cp "$pf" "$dir/pf"
# Copies now: a rebuild during the run changes nothing.
if [ "$wine" = 1 ]; then
	for f in "$W/app/cli/pf.exe" "$W/app/win32/PortForwarder.exe"; do
		[ -f "$f" ] || { echo "missing $f: cmake --build --preset win64 first (or --no-wine)" >&2; exit 2; }
	done
	mkdir -p "$dir/kit"
	cp "$W/app/cli/pf.exe" "$W/app/win32/PortForwarder.exe" "$dir/kit/"
fi
cfg() { # file ServerAliveInterval
	printf '%s\r\n' "Host bench" "  HostName 127.0.0.1" "  Port $ssh_port" "  User $(id -un)" \
		"  IdentityFile $2" "  UserKnownHostsFile $3" "  StrictHostKeyChecking yes" \
		"  BatchMode yes" "  ServerAliveInterval $4" \
		"  LocalForward 127.0.0.1:$5 127.0.0.1:$echo_port" "  DynamicForward 127.0.0.1:$6" >"$1"
}

ctxt() { # pid: voluntary+involuntary context switches of all its threads
	cat /proc/"$1"/task/*/status 2>/dev/null |
		awk '/^(non)?voluntary_ctxt_switches/ {n += $2} END {print n + 0}'
}
# up PORT: one line echoed through the forward (the forwarder is connected)
up() {
	local i
	for i in $(seq 1 100); do
		[ "$(printf 'up\n' | socat -t 2 - TCP:127.0.0.1:"$1" 2>/dev/null)" = up ] && return 0
		sleep 0.2
	done
	return 1
}
# measure PID: sets cs (context switches per minute) and sc (system calls
# per minute, empty when not asked for with a second argument "strace").
measure() {
	local pid=$1 a b
	sleep 2 # the last status update after the echo
	a=$(ctxt "$pid")
	sleep "$secs"
	b=$(ctxt "$pid")
	cs=$(((b - a) * 60 / secs))
	sc=''
	if [ "${2:-}" = strace ]; then
		timeout -s INT "$secs" strace -c -f -q -p "$pid" -o "$dir/strace.$pid" 2>/dev/null || true
		# "% time seconds usecs/call calls [errors] syscall": the calls of the total line
		sc=$(awk '$NF == "total" {print $4}' "$dir/strace.$pid")
		sc=$((sc * 60 / secs))
	fi
}

rows=()
native() { # name ka command...
	local name=$1 ka=$2 pid lport=$3 rc=0
	shift 3
	"$@" 2>"$dir/$name.$ka.log" &
	pid=$!
	pids+=("$pid")
	if ! up "$lport"; then
		log "$name (ServerAliveInterval $ka) did not come up:"
		cat "$dir/$name.$ka.log" >&2
		kill "$pid" 2>/dev/null || true
		return 1
	fi
	log "$name, ServerAliveInterval $ka: measuring ${secs} s + ${secs} s (strace)"
	measure "$pid" strace
	rows+=("| $name -N | $ka | $cs | $sc |")
	# TERM: a background job of a script has SIGINT ignored, and ssh keeps it so
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || rc=$?
}

for ka in 0 15; do
	l=$(free_port) d=$(free_port)
	cfg "$dir/pf.$ka.txt" "$dir/id_ed25519" "$dir/known_hosts" "$ka" "$l" "$d"
	native pf "$ka" "$l" "$dir/pf" -F "$dir/pf.$ka.txt" -N bench
	l=$(free_port) d=$(free_port)
	native ssh "$ka" "$l" ssh -F none -N -o BatchMode=yes -o StrictHostKeyChecking=yes \
		-o UserKnownHostsFile="$dir/known_hosts" -o ServerAliveInterval="$ka" \
		-i "$dir/id_ed25519" -p "$ssh_port" -L "127.0.0.1:$l:127.0.0.1:$echo_port" \
		-D "127.0.0.1:$d" "$(id -un)@127.0.0.1"
done

wrows=()
if [ "$wine" = 1 ]; then
	command -v Xvfb >/dev/null || { echo "missing Xvfb (or --no-wine)" >&2; exit 2; }
	kit=$dir/kit
	mkdir -p "$kit"
	cp "$dir/id_ed25519" "$dir/known_hosts" "$kit/"
	Xvfb -displayfd 3 -screen 0 1024x768x24 -nolisten tcp 3>"$dir/display" 2>"$dir/xvfb.log" &
	pids+=($!)
	for i in $(seq 1 100); do [ -s "$dir/display" ] && break; sleep 0.1; done
	export DISPLAY=:$(head -n1 "$dir/display") WINEPREFIX=$prefix WINEARCH=win64 WINEDEBUG=-all
	export WINEDLLOVERRIDES="mscoree,mshtml="
	log "creating the Wine prefix (~15 s)"
	wineboot --init >/dev/null 2>&1 || true
	wineserver -w
	# wpid NAME.exe: the Linux PID of the Windows process in our prefix: the
	# one whose program (argv[0]) is NAME.exe, not a helper that merely names
	# it (`wine notepad.exe` runs "start.exe /exec notepad.exe" first)
	wpid() {
		local p
		for p in /proc/[0-9]*; do
			{ tr '\0' '\n' <"$p/cmdline" | head -n1; } 2>/dev/null | grep -qi "\(^\|[\\/]\)$1\$" || continue
			{ tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -qx "WINEPREFIX=$prefix" || continue
			echo "${p#/proc/}"
			return 0
		done
		return 1
	}
	# gui_ini FILE [on-demand]: hide to the tray once connected (the note
	# said once, into the log file), the bench Host maybe on demand
	gui_ini() {
		printf '%s\r\n' "[PortForwarder]" "ConfigFile=config.txt" "AutomaticallyHide=1" \
			"LastHost=bench" "LogFile=gui.log" "LogLevel=info" >"$1"
		if [ -n "${2:-}" ]; then printf '%s\r\n' "[Host bench]" "ConnectWhenFirstUsed=1" >>"$1"; fi
		rm -f "$kit/gui.log"
	}
	hidden() { # the "still running in the tray" note is in the log file
		local i
		for i in $(seq 1 100); do
			grep -q "keeps PortForwarder" "$kit/gui.log" 2>/dev/null && return 0
			sleep 0.2
		done
		log "PortForwarder.exe did not hide to the tray:"
		cat "$kit/gui.log" >&2 2>/dev/null || true
		return 1
	}
	windows() { # label exe-name lport-or-empty command...
		local label=$1 exe=$2 lport=$3 pid='' i
		shift 3
		(cd "$kit" && exec "$@" >"$dir/$exe.log" 2>&1) &
		pids+=($!)
		for i in $(seq 1 150); do pid=$(wpid "$exe") && break; sleep 0.2; done
		if [ -z "$pid" ]; then log "$exe did not start"; return 1; fi
		if [ -n "$lport" ] && ! up "$lport"; then log "$label did not come up"; cat "$dir/$exe.log" >&2; fi
		after || label="$label (NOT AS SAID)"
		sleep 5 # start-up settles
		log "$label: measuring ${secs} s"
		measure "$pid"
		wrows+=("| $label | $cs |")
		wineserver -k 2>/dev/null || true
		sleep 1
	}
	after() { :; }
	l=$(free_port) d=$(free_port)
	cfg "$kit/config.txt" id_ed25519 known_hosts 0 "$l" "$d"
	windows "pf.exe -N (connected)" pf.exe "$l" wine pf.exe -F config.txt -N bench
	l=$(free_port) d=$(free_port)
	cfg "$kit/config.txt" id_ed25519 known_hosts 0 "$l" "$d"
	gui_ini "$kit/PortForwarder.ini"
	after() { hidden; }
	windows "PortForwarder.exe (connected, hidden in the tray, idle)" PortForwarder.exe "$l" \
		wine PortForwarder.exe -F config.txt bench
	l=$(free_port) d=$(free_port)
	cfg "$kit/config.txt" id_ed25519 known_hosts 0 "$l" "$d"
	gui_ini "$kit/PortForwarder.ini" on-demand
	# Listening, not connected: nothing may touch the forward (a client would
	# be the first use); AutomaticallyHide hides it once listening.
	after() { hidden && grep -q "Listening, not connected" "$kit/gui.log"; }
	windows "PortForwarder.exe (on demand: listening, not connected, hidden in the tray)" \
		PortForwarder.exe '' wine PortForwarder.exe -F config.txt bench
	after() { :; }
	windows "notepad.exe (Wine's own, idle)" notepad.exe '' wine notepad.exe
fi

echo "## Idle wake-ups ($(date -u '+%F %H:%M UTC'), ${secs} s windows, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo
echo "pf $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'), $(ssh -V 2>&1), $(nproc) cores."
echo
echo "| forwarder | ServerAliveInterval | context switches / min | system calls / min |"
echo "|---|---|---|---|"
printf '%s\n' "${rows[@]}"
if [ "${#wrows[@]}" -gt 0 ]; then
	echo
	echo "Under Wine ($(wine --version 2>/dev/null || echo wine)), one prefix, the process's context switches:"
	echo
	echo "| program | context switches / min |"
	echo "|---|---|"
	printf '%s\n' "${wrows[@]}"
fi
