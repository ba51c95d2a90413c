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

# A real OpenSSH ssh-agent holding a new key ($dir/agent_key, also put in
# sshd's authorized_keys), on a loopback TCP port ($agent_port) through
# socat, since Wine has no AF_UNIX sockets. pftest-agentrelay.exe serves it
# on Windows' agent pipe or as Pageant.
start_agent_with_key() {
	ssh-keygen -q -t ed25519 -N '' -C agent-key -f "$dir/agent_key"
	cat "$dir/agent_key.pub" >"$dir/authorized_keys"
	ssh-agent -D -a "$dir/agent.sock" >/dev/null 2>&1 &
	pids+=($!)
	for _ in $(seq 1 50); do [ -S "$dir/agent.sock" ] && break; sleep 0.1; done
	SSH_AUTH_SOCK=$dir/agent.sock ssh-add -q "$dir/agent_key"
	agent_port=$(free_port)
	socat TCP-LISTEN:"$agent_port",bind=127.0.0.1,reuseaddr,fork UNIX-CONNECT:"$dir/agent.sock" &
	pids+=($!)
	wait_port "$agent_port"
}
