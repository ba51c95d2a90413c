#!/usr/bin/env bash
# PortForwarder.exe's start-up under Wine + Xvfb (issue 10), on demand, not a ctest:
#   window   exe start (CreateProcess) to the main window visible
#   connect  Connect click to the status "Connected", on loopback, against a real sshd
# measured by pftest-driver.exe's "startup" scenario (tests/e2e/driver.c), one
# driver run per sample, so every sample is a fresh start of the exe. The first
# run is reported apart as "cold" (the first start of the exe in a fresh Wine
# prefix); the others as "warm". For comparison: `ssh -N -L` (and the native
# `pf -N` when built), spawn to the first byte echoed through the forward.
#
#   bench/gui_startup.sh [-n RUNS] [--win64 DIR] [--native DIR] [--prefix DIR]
#                        [--no-compare] [--keep]
#
# Builds nothing. Everything listens on 127.0.0.1; everything started here is
# stopped by PID at exit and the temporary folder removed (unless --keep).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

runs=5 W=$root/build/win64 N=$root/build/native prefix='' compare=1 keep=0
usage() {
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit "${1:-0}"
}
while [ $# -gt 0 ]; do
	case $1 in
	-n | --runs) runs=$2; shift ;;
	--win64) W=$2; shift ;;
	--native) N=$2; shift ;;
	--prefix) prefix=$2; shift ;;
	--no-compare) compare=0 ;;
	--keep) keep=1 ;;
	-h | --help) usage 0 ;;
	*) echo "unknown argument: $1" >&2; usage 2 >&2 ;;
	esac
	shift
done
case $runs in '' | *[!0-9]* | 0) echo "-n wants a number >= 1" >&2; exit 2 ;; esac
W=$(cd "$W" && pwd)
exe=$W/app/win32/PortForwarder.exe
driver=$W/tests/pftest-driver.exe
for f in "$exe" "$driver"; do
	[ -f "$f" ] || { echo "missing $f: cmake --build --preset win64 first" >&2; exit 2; }
done
for c in wine wineserver Xvfb /usr/sbin/sshd ssh ssh-keygen socat python3 timeout; do
	command -v "$c" >/dev/null || { echo "missing $c (scripts/setup.sh installs it)" >&2; exit 2; }
done

# The scratch folder, start_sshd, free_port, wait_port, pids and cleanup (by PID).
. "$root/tests/cli/lib.sh" "$exe" "${TMPDIR:-/tmp}"
own_prefix=0
if [ -z "$prefix" ]; then
	prefix=$dir/wineprefix
	own_prefix=1
fi
stop_wine() { WINEPREFIX=$prefix wineserver -k 2>/dev/null || true; }
run_pid=''
bench_cleanup() {
	if [ -n "$run_pid" ]; then # a driver run under way
		kill "$run_pid" 2>/dev/null || true
		stop_wine
		wait "$run_pid" 2>/dev/null || true
	fi
	stop_wine
	cleanup
	if [ "$keep" = 1 ]; then
		echo "kept: $dir" >&2
	else
		rm -rf "$dir"
		[ "$own_prefix" = 1 ] && rm -f "$prefix.lock"
	fi
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM
log() { echo "[gui_startup] $*" >&2; }

log "build dir: $W (PortForwarder.exe $(date -r "$exe" '+%F %T'), sha256 $(sha256sum "$exe" | cut -c1-16))"
log "wine prefix: $prefix$([ "$own_prefix" = 1 ] && echo ' (fresh, removed at the end)')"
log "work folder: $dir"

# sshd on loopback, a key without passphrase, a known_hosts that trusts it.
start_sshd || { log "sshd did not start"; cat "$dir/sshd.log" >&2; exit 1; }
kit=$dir/kit
mkdir -p "$kit" "$dir/shots"
cp "$exe" "$kit/" # a rebuild during the run changes nothing
ssh-keygen -q -t ed25519 -N '' -C gui-startup -f "$kit/id_ed25519"
cat "$kit/id_ed25519.pub" >"$dir/authorized_keys"
echo "[127.0.0.1]:$ssh_port $(cut -d' ' -f1-2 "$dir/host_key.pub")" >"$kit/known_hosts"
echo_port=$(free_port)
socat TCP-LISTEN:"$echo_port",bind=127.0.0.1,reuseaddr,fork EXEC:cat &
pids+=($!)
wait_port "$echo_port" || { log "echo server did not start"; exit 1; }
lport=$(free_port)
printf '%s\r\n' "Host bench" "  HostName 127.0.0.1" "  Port $ssh_port" "  User $(id -un)" \
	"  IdentityFile id_ed25519" "  UserKnownHostsFile known_hosts" \
	"  StrictHostKeyChecking yes" "  BatchMode yes" \
	"  LocalForward 127.0.0.1:$lport 127.0.0.1:$echo_port" >"$kit/config.txt"

# One X server for every run (wine-run.sh uses it through PF_WINE_DISPLAY).
Xvfb -displayfd 3 -screen 0 1024x768x24 -nolisten tcp 3>"$dir/display" 2>"$dir/xvfb.log" &
pids+=($!)
for i in $(seq 1 100); do [ -s "$dir/display" ] && break; sleep 0.1; done
[ -s "$dir/display" ] || { log "Xvfb did not start"; exit 1; }
PF_WINE_DISPLAY=:$(head -n1 "$dir/display")
export PF_WINE_DISPLAY

lines=()
for i in $(seq 1 "$runs"); do
	[ "$i" = 1 ] && [ "$own_prefix" = 1 ] && log "run 1 creates the Wine prefix first (~15 s, not timed)"
	rc=0
	# In the background, so that Ctrl-C stops the bench at once.
	timeout -k 10 240 bash "$root/tests/e2e/wine-run.sh" "$prefix" "$dir/shots" "$driver" startup \
		"$kit/PortForwarder.exe" "$dir/shots" "$kit" >"$dir/run$i.log" 2>&1 &
	run_pid=$!
	wait "$run_pid" || rc=$?
	run_pid='' # gone: its PID may be reused, never signal it again
	[ "$rc" = 0 ] || stop_wine # a timed-out run may leave Wine processes behind
	line=$(grep -a '^STARTUP ' "$dir/run$i.log" | tr -d '\r' || true)
	if [ "$rc" != 0 ] || [ -z "$line" ]; then
		log "run $i failed (rc $rc):"
		cat "$dir/run$i.log" >&2
		exit 1
	fi
	log "run $i: $line"
	lines+=("run=$i $line")
done
logins=$(grep -c 'Accepted publickey' "$dir/sshd.log" || true)
[ "$logins" = "$runs" ] || { log "sshd saw $logins logins for $runs runs"; exit 1; }

# For comparison: spawn to the first byte echoed through the forward.
cmp_lines=()
if [ "$compare" = 1 ]; then
	measure() { # label cwd command... -> "<label> ms=..." on stdout
		python3 - "$@" <<-'PY'
			import os, socket, subprocess, sys, time
			label, cwd, port, cmd = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
			t0 = time.perf_counter()
			p = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL,
			                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
			ms = None
			try:
			    while time.perf_counter() - t0 < 30 and p.poll() is None:
			        try:
			            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
			                s.sendall(b"x")
			                if s.recv(1) == b"x":
			                    ms = (time.perf_counter() - t0) * 1000
			                    break
			        except OSError:
			            pass
			        time.sleep(0.002)
			finally:
			    p.terminate()
			    try:
			        p.wait(5)
			    except subprocess.TimeoutExpired:
			        p.kill()
			        p.wait()
			if ms is None:
			    sys.exit(f"{label}: no byte came back through the forward in 30 s")
			print(f"{label} ms={ms:.1f}")
		PY
	}
	pf_native=$N/app/cli/pf
	for i in $(seq 1 "$runs"); do
		l2=$(free_port)
		cmp_lines+=("$(measure ssh "$kit" "$l2" ssh -F none -N -p "$ssh_port" -i "$kit/id_ed25519" \
			-o IdentitiesOnly=yes -o UserKnownHostsFile="$kit/known_hosts" \
			-o StrictHostKeyChecking=yes -o BatchMode=yes -o ExitOnForwardFailure=yes \
			-L "127.0.0.1:$l2:127.0.0.1:$echo_port" "$(id -un)@127.0.0.1")")
		if [ -x "$pf_native" ]; then
			# pf's config binds $lport; nothing else holds it now.
			cmp_lines+=("$(measure pf "$kit" "$lport" "$pf_native" -F "$kit/config.txt" -N bench)")
		fi
	done
	for l in "${cmp_lines[@]}"; do log "$l"; done
fi

# The table.
wine_ver=$(wine --version 2>/dev/null | head -n1)
printf '%s\n' "${lines[@]}" "${cmp_lines[@]}" | python3 -c '
import statistics, sys
runs, cmp = [], {}
for line in sys.stdin:
    f = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
    if line.startswith("run="):
        runs.append({k: float(v) for k, v in f.items() if k.endswith("_ms")})
    elif line.strip():
        cmp.setdefault(line.split()[0], []).append(float(f["ms"]))
def row(name, xs):
    if not xs:
        return f"| {name} | 0 | - | - | - |"
    return (f"| {name} | {len(xs)} | {min(xs):.1f} | {statistics.median(xs):.1f} "
            f"| {max(xs):.1f} |")
print("| measurement (ms) | n | min | median | max |")
print("|---|---:|---:|---:|---:|")
for key, what in (("window_ms", "exe start -> window shown"),
                  ("connect_ms", "Connect click -> Connected"),
                  ("exit_ms", "Exit click -> process ended"),
                  ("notepad_ms", "Wine\x27s notepad.exe start -> window shown")):
    print(row(what + ", cold (run 1)", [r[key] for r in runs[:1]]))
    print(row(what + ", warm (runs 2..)", [r[key] for r in runs[1:]]))
names = {"ssh": "ssh -N -L (native), spawn -> first byte echoed",
         "pf": "pf -N (native CLI), spawn -> first byte echoed"}
for k, xs in cmp.items():
    print(row(names.get(k, k), xs))
'
echo
echo "raw:"
printf '  %s\n' "${lines[@]}" "${cmp_lines[@]}"
echo "$wine_ver; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
