# Shared by the pf.exe-under-Wine tests: tests/cli/lib.sh (sshd, ports,
# checks), plus an absolute Wine prefix, Windows paths, and starting and
# ending a program in the background under tests/e2e/wine-run.sh.
#   . lib.sh <program for cli/lib.sh> <scratch dir> <wine prefix>
wine_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
prefix=$3
mkdir -p "$(dirname "$prefix")"
prefix=$(cd "$(dirname "$prefix")" && pwd)/$(basename "$prefix")
. "$wine_here/../cli/lib.sh" "$1" "$2"

winpath() { printf 'Z:%s' "${1//\//\\}"; }

# wine_start <log> <program.exe> [args...]: sets $wrapper.
wine_start() {
	local log=$1
	shift
	bash "$wine_here/../e2e/wine-run.sh" "$prefix" "$dir/shots" "$@" >"$log" 2>&1 &
	wrapper=$!
	pids+=("$wrapper")
}

# End everything running in the prefix, then the wrapper.
wine_stop() {
	local i
	WINEPREFIX=$prefix wineserver -k 2>/dev/null || true
	for i in $(seq 1 100); do kill -0 "$wrapper" 2>/dev/null || break; sleep 0.1; done
	kill "$wrapper" 2>/dev/null || true
	wait "$wrapper" 2>/dev/null || true
}
