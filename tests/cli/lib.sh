# Shared set-up for the CLI tests: a scratch folder, a real sshd on a free
# loopback port (its own host key, our key in authorized_keys), helpers.
# Everything started here is stopped by PID on exit, also on failure.
set -euo pipefail
PF=$1
base=${2:-/tmp}
mkdir -p "$base"
dir=$(mktemp -d "$base/cli.XXXXXX")
pids=()
# Only our own children get the signal: a PID recorded for a process that
# ended (and was reaped) long ago may belong to another test's process by
# now (pid_max is 32768 on the CI machines).
cleanup() {
	for p in "${pids[@]}"; do
		[ "$(ps -o ppid= -p "$p" 2>/dev/null | tr -d ' ')" = "$$" ] || continue
		kill "$p" 2>/dev/null || true
	done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); echo "ok: $*"; }
bad() { fails=$((fails + 1)); echo "FAILED: $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
finish() { echo "$passes passed, $fails failed"; [ "$fails" -eq 0 ]; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { # port [seconds]
	local i
	for i in $(seq 1 $((${2:-10} * 10))); do
		(exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

start_sshd() {
	ssh_port=$(free_port)
	[ -f "$dir/host_key" ] || ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key"
	cat >"$dir/sshd_config" <<CFG
Port $ssh_port
ListenAddress 127.0.0.1
HostKey $dir/host_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowTcpForwarding yes
LogLevel VERBOSE
CFG
	[ "$(id -u)" = 0 ] && mkdir -p /run/sshd
	/usr/sbin/sshd -D -e -f "$dir/sshd_config" 2>>"$dir/sshd.log" &
	sshd_pid=$!
	pids+=("$sshd_pid")
	wait_port "$ssh_port"
}

# wait_connected LOG [SECONDS]: until pf's LOG says "Connected to" (0), or
# 1 after SECONDS (default 15).
wait_connected() {
	local i
	for i in $(seq 1 $((${2:-15} * 10))); do
		grep -q "^Connected to" "$1" && return 0
		sleep 0.1
	done
	return 1
}

# start_account_sshd DIR NAME:UID:PASSWORD...: a second sshd (after
# start_sshd; its port in $account_port, its log DIR/sshd.log) with PAM,
# keyboard-interactive and password logins, for accounts NAME (home DIR/NAME)
# that exist only in its own mount namespace: copies of /etc/passwd, shadow
# and group with them added, bound over the real ones. Needs root.
start_account_sshd() {
	local k=$1 a name uid pw
	shift
	cp /etc/passwd /etc/shadow /etc/group "$k/"
	for a in "$@"; do
		IFS=: read -r name uid pw <<<"$a"
		mkdir -p "$k/$name"
		chown "$uid:$uid" "$k/$name"
		echo "$name:x:$uid:$uid:PortForwarder test:$k/$name:/bin/sh" >>"$k/passwd"
		echo "$name:x:$uid:" >>"$k/group"
		echo "$name:$(openssl passwd -6 "$pw"):19000:0:99999:7:::" >>"$k/shadow"
	done
	account_port=$(free_port)
	sed -e "s/^Port .*/Port $account_port/" -e "s/^UsePAM .*/UsePAM yes/" \
		-e "s/^KbdInteractiveAuthentication .*/KbdInteractiveAuthentication yes/" \
		-e "s/^PasswordAuthentication .*/PasswordAuthentication yes/" \
		-e "s|^PidFile .*|PidFile $k/sshd.pid|" "$dir/sshd_config" >"$k/sshd_config"
	unshare -m --propagation private sh -c "mount --bind '$k/passwd' /etc/passwd &&
		mount --bind '$k/shadow' /etc/shadow && mount --bind '$k/group' /etc/group &&
		exec /usr/sbin/sshd -D -e -f '$k/sshd_config'" 2>>"$k/sshd.log" &
	pids+=($!)
	wait_port "$account_port"
}

# One pf connection to start_sshd's server as $(id -un) with the key
# $dir/id_ed25519 (no config file; more -o options after the log path):
# 0 once pf logged in ("Connected to": the host key was accepted), 1 when
# it gave up first (a refused host key ends it) or after 15 s. The
# forward's port alone says nothing: pf listens before it connects.
pf_login() { # log [pf options...]
	local log=$1 lport i rc=1 pf_pid
	shift
	lport=$(free_port)
	: >"$dir/empty.conf"
	timeout 30 "$PF" -F "$dir/empty.conf" -o "IdentityFile=$dir/id_ed25519" \
		-o IdentitiesOnly=yes -o BatchMode=yes "$@" \
		-L "$lport:127.0.0.1:$ssh_port" -N -p "$ssh_port" "$(id -un)@127.0.0.1" \
		>"$log" 2>&1 </dev/null &
	pf_pid=$!
	pids+=("$pf_pid")
	for i in $(seq 1 150); do
		if grep -q "^Connected to" "$log"; then
			rc=0
			break
		fi
		kill -0 "$pf_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill "$pf_pid" 2>/dev/null || true
	wait "$pf_pid" 2>/dev/null || true
	return $rc
}

# host_entry PATTERN: a Host entry for the sshd above, logging in with
# $dir/id_ed25519 and pinning its key in $dir/known_hosts; more lines may
# follow it in the same file.
host_entry() {
	printf '%s\n' "Host $1" "  HostName 127.0.0.1" "  Port $ssh_port" "  User $(id -un)" \
		"  IdentityFile $dir/id_ed25519" "  UserKnownHostsFile $dir/known_hosts" \
		"  StrictHostKeyChecking accept-new"
}

# start_sink: a loopback server that reads and drops whatever its clients
# send; its port in $sinkport, the number of clients accepted so far in
# $dir/sink-accepted.
start_sink() {
	sinkport=$(free_port)
	/usr/bin/python3 -c '
import os, socket, sys, threading
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
def drain(c):
    try:
        while c.recv(65536):
            pass
    except OSError:
        pass
    c.close()
n = 0
while True:
    c, _ = s.accept()
    n += 1
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write("%d\n" % n)
    os.replace(sys.argv[2] + ".tmp", sys.argv[2])
    threading.Thread(target=drain, args=(c,), daemon=True).start()
' "$sinkport" "$dir/sink-accepted" &
	pids+=($!)
	wait_port "$sinkport"
}

# A server that stops reading: freeze_sshd stops start_sshd's processes
# serving connections (its descendants, by PID, listed in $dir/frozen) with
# SIGSTOP; thaw resumes them. Callers run thaw on exit too.
kids() { # PID...: the descendants of these processes
	local p c
	for p in "$@"; do
		for c in $(ps -o pid= --ppid "$p" 2>/dev/null); do
			echo "$c"
			kids "$c"
		done
	done
}
freeze_sshd() {
	kids "$sshd_pid" >"$dir/frozen"
	[ -s "$dir/frozen" ] || return 1
	kill -STOP $(cat "$dir/frozen")
}
thaw() {
	local p
	[ -f "$dir/frozen" ] || return 0
	for p in $(cat "$dir/frozen"); do
		[ "$(ps -o comm= -p "$p" 2>/dev/null)" = sshd ] && kill -CONT "$p" 2>/dev/null || true
	done
	rm -f "$dir/frozen"
}
