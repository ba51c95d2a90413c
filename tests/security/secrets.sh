#!/usr/bin/env bash
# A known passphrase, a keyboard-interactive answer and an HTTP proxy's
# Basic auth password, typed into pf running at the highest log level, may
# not appear in pf's output, sshd's log, or a core dump of the running pf
# (taken with gcore after the login, while the tunnel carries data): the
# credential cache keeps the unlocked key, not the passphrase.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../cli/lib.sh"
PASS='PF-CANARY-passphrase-93c1e7'

# askpass_says FILE ANSWER: an SSH_ASKPASS program that answers ANSWER.
askpass_says() {
	printf '#!/bin/sh\necho "%s"\n' "$2" >"$1"
	chmod +x "$1"
}

# core_check WHAT PID MARKER DIR CANARY...: a core dump of the running pf
# (gcore) holds its memory (MARKER, e.g. the config's path, is in it) but
# none of the CANARY strings.
core_check() {
	local what=$1 pid=$2 marker=$3 cdir=$4 core n c
	shift 4
	if ! command -v gcore >/dev/null; then
		echo "skipped: gcore not installed"
		return 0
	fi
	gcore -o "$cdir/core" "$pid" >/dev/null 2>&1 || true
	core=$(ls "$cdir"/core.* 2>/dev/null | head -n1)
	check "$what: a core dump of the running pf was taken" test -n "$core"
	[ -n "$core" ] || return 0
	check "$what: the core dump holds pf's memory" grep -q -a -F "$marker" "$core"
	n=0
	for c in "$@"; do
		n=$((n + $(grep -c -a -F -- "$c" "$core" || true)))
	done
	check "$what: not in the core dump (found $n)" test "$n" = 0
	rm -f "$core"
}

start_sshd
kit=$dir/kit
mkdir -p "$kit"
ssh-keygen -q -t ed25519 -N "$PASS" -C canary -f "$kit/id_ed25519"
cat "$kit/id_ed25519.pub" >"$dir/authorized_keys"
askpass_says "$dir/askpass" "$PASS"
echo_port=$(free_port)
lport=$(free_port)
socat TCP-LISTEN:"$echo_port",bind=127.0.0.1,reuseaddr,fork EXEC:cat &
pids+=($!)
printf 'Host test\n  HostName 127.0.0.1\n  Port %s\n  User %s\n  IdentityFile id_ed25519\n  LocalForward %s 127.0.0.1:%s\n  LogLevel DEBUG3\n' \
	"$ssh_port" "$(id -un)" "$lport" "$echo_port" >"$kit/config.txt"

SSH_ASKPASS=$dir/askpass SSH_ASKPASS_REQUIRE=force \
	"$PF" -vvv -F "$kit/config.txt" -o StrictHostKeyChecking=accept-new -N test >"$dir/pf.out" 2>&1 &
pf_pid=$!
pids+=("$pf_pid")
check "connected (forward listening)" wait_port "$lport" 20
reply=$(printf 'some data\n' | socat -t 5 - TCP:127.0.0.1:"$lport")
check "the tunnel carries data" test "$reply" = "some data"

core_check "the passphrase" "$pf_pid" "$kit/config.txt" "$dir" "$PASS"
kill -INT "$pf_pid"
wait "$pf_pid" || true
check "pf logged at the highest level" grep -q "Connecting to" "$dir/pf.out"
check "the passphrase is not in pf's output" bash -c "! grep -q -F '$PASS' '$dir/pf.out'"
check "nor in sshd's log" bash -c "! grep -q -F '$PASS' '$dir/sshd.log'"

# A keyboard-interactive answer (issue 18, Tests): an account that exists
# only for a second sshd (PAM, its own /etc/passwd and /etc/shadow bound in
# its own mount namespace), the answer typed through SSH_ASKPASS, then pf's
# output at DEBUG3, sshd's log and a core dump of the running pf searched.
KBD='PF-CANARY-kbdint-answer-5d20a4'
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null && command -v openssl >/dev/null; then
	k=$dir/kbd
	mkdir -p "$k"
	start_account_sshd "$k" "pfkbd:4242:$KBD"
	kport=$account_port
	askpass_says "$k/askpass" "$KBD"
	klport=$(free_port)
	printf 'Host kbd\n  HostName 127.0.0.1\n  Port %s\n  User pfkbd\n  PreferredAuthentications keyboard-interactive\n  LocalForward %s 127.0.0.1:%s\n  LogLevel DEBUG3\n' \
		"$kport" "$klport" "$echo_port" >"$k/config.txt"
	SSH_ASKPASS=$k/askpass SSH_ASKPASS_REQUIRE=force "$PF" -vvv -F "$k/config.txt" \
		-o StrictHostKeyChecking=accept-new -N kbd >"$k/pf.out" 2>&1 &
	kpf=$!
	pids+=("$kpf")
	check "logged in with keyboard-interactive" wait_connected "$k/pf.out" 20
	core_check "the keyboard-interactive answer" "$kpf" "$k/config.txt" "$k" "$KBD"
	kill -INT "$kpf"
	wait "$kpf" || true
	check "the answer is not in pf's output" bash -c "! grep -q -F '$KBD' '$k/pf.out'"
	check "nor in sshd's log" bash -c "! grep -q -F '$KBD' '$k/sshd.log'"
else
	echo "skipped: the keyboard-interactive canary needs root and mount namespaces"
fi

# A proxy password (issue 17's HTTP proxy with Basic auth): tinyproxy on
# loopback asks for it, pf reads it through SSH_ASKPASS (not from the
# environment, which a core dump holds anyway), logs in to sshd through the
# proxy at DEBUG3; then pf's output, the proxy's log and a core dump of the
# running pf are searched.
PROXYPW='PF-CANARY-proxy-password-7b41f2'
if command -v tinyproxy >/dev/null; then
	p=$dir/proxy
	mkdir -p "$p"
	chmod 755 "$dir" "$p"
	pport=$(free_port)
	cat >"$p/tinyproxy.conf" <<CFG
Port $pport
Listen 127.0.0.1
Timeout 60
MaxClients 20
LogLevel Info
Allow 127.0.0.1
ConnectPort $ssh_port
BasicAuth bob $PROXYPW
CFG
	tinyproxy -d -c "$p/tinyproxy.conf" >"$p/tinyproxy.log" 2>&1 &
	pids+=($!)
	wait_port "$pport"
	askpass_says "$p/askpass" "$PROXYPW"
	plport=$(free_port)
	printf 'Host viaproxy\n  HostName 127.0.0.1\n  Port %s\n  User %s\n  IdentityFile %s\n  ProxyCommand connect -H bob@127.0.0.1:%s %%h %%p\n  LocalForward %s 127.0.0.1:%s\n  LogLevel DEBUG3\n' \
		"$ssh_port" "$(id -un)" "$dir/id_plain" "$pport" "$plport" "$echo_port" >"$p/config.txt"
	ssh-keygen -q -t ed25519 -N '' -f "$dir/id_plain"
	cat "$dir/id_plain.pub" >>"$dir/authorized_keys"
	SSH_ASKPASS=$p/askpass SSH_ASKPASS_REQUIRE=force "$PF" -vvv -F "$p/config.txt" \
		-o StrictHostKeyChecking=accept-new -N viaproxy >"$p/pf.out" 2>&1 &
	ppf=$!
	pids+=("$ppf")
	check "logged in through the proxy with Basic auth" wait_connected "$p/pf.out" 20
	check "the proxy saw the CONNECT" grep -q CONNECT "$p/tinyproxy.log"
	reply=$(printf 'via proxy\n' | socat -t 5 - TCP:127.0.0.1:"$plport")
	check "the tunnel through the proxy carries data" test "$reply" = "via proxy"
	basic=$(printf 'bob:%s' "$PROXYPW" | base64 -w0)
	core_check "the proxy password (plain or as its Basic header)" "$ppf" "$p/config.txt" "$p" \
		"$PROXYPW" "$basic"
	kill -INT "$ppf"
	wait "$ppf" || true
	check "the proxy password is not in pf's output" bash -c "! grep -q -F '$PROXYPW' '$p/pf.out'"
	check "nor its base64 (Basic) form" bash -c "! grep -q -F '$basic' '$p/pf.out'"
else
	echo "skipped: the proxy password canary needs tinyproxy (scripts/setup.sh installs it)"
fi
finish
