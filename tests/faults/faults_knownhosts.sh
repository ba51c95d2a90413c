#!/usr/bin/env bash
# known_hosts that cannot be written, and known_hosts holding odd bytes:
#  - its folder read-only (pf run as nobody, since root ignores permissions)
#    while saving a new host key: the error is shown, the old file intact,
#    the connection proceeds;
#  - the disk full (a 16 KB tmpfs in a private mount namespace) while
#    saving: the same;
#  - a "folder" that is a file: the error is shown, the connection proceeds;
#  - garbage lines, CRLF line ends, a 100 KB line, no newline at the end:
#    with a matching entry among them pf connects and changes nothing;
#    without one the new key is appended, the old bytes kept as they were,
#    and the appended entry is found by the next run (StrictHostKeyChecking
#    yes).
. "$(cd "$(dirname "$0")" && pwd)/common.sh"

start_sshd
make_kit
echo_port=$(free_port)
lport=$(free_port)
python3 "$faults_dir/../cli/echo.py" "$echo_port" &
pids+=($!)
wait_port "$echo_port"
entry="[127.0.0.1]:$ssh_port $(cut -d' ' -f1,2 "$dir/host_key.pub")"
other="[example.invalid]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ6mC6M2XbqbJj3x2wDxwtQyUj8Fj2yo3Ch2G5vJ1m3A"

# connect_once <log> <known_hosts> [runner...]: pf until it is Connected and
# a line went through the forward, then Ctrl-C. True when both happened.
connect_once() {
	local log=$1 kh=$2 i ok=1
	shift 2
	write_config "  LocalForward $lport 127.0.0.1:$echo_port
  UserKnownHostsFile $kh"
	"$@" "$PF" -F "$kit/config.txt" -o StrictHostKeyChecking=accept-new -v -N test \
		>"$log" 2>&1 </dev/null &
	local p=$!
	pids+=("$p")
	wait_log "$log" "pf: test: Connected" 40 || ok=0
	if [ "$ok" = 1 ]; then
		wait_port "$lport" 10 && python3 "$faults_dir/tools.py" echo "$lport" "through" || ok=0
	fi
	kill -INT "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
	[ "$ok" = 1 ] || cat "$log"
	[ "$ok" = 1 ]
}

# 1. Read-only folder. Root ignores permissions, so as root pf runs as
# nobody (setpriv); the kit goes to a folder of its own under /tmp that
# nobody can read, its known_hosts folder read-only.
runner=()
if [ "$(id -u)" = 0 ]; then
	if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
		runner=(env HOME=/tmp setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups)
	else
		runner=(skip)
	fi
fi
if [ "${runner[0]:-}" != skip ]; then
	nob=$(mktemp -d /tmp/pf-faults.XXXXXX)
	trap 'cleanup; rm -rf "$nob"' EXIT
	chmod 755 "$nob"
	mkdir "$nob/kh"
	printf '%s\n' "$other" >"$nob/kh/known_hosts"
	chmod 644 "$nob/kh/known_hosts"
	chmod 555 "$nob/kh"
	cp "$kit/id_ed25519" "$nob/id_ed25519"
	[ "$(id -u)" != 0 ] || chown nobody "$nob/id_ed25519"
	chmod 600 "$nob/id_ed25519"
	cp "$nob/kh/known_hosts" "$dir/kh.before"
	saved_kit=$kit
	kit=$nob
	check "read-only folder: the connection proceeds" \
		connect_once "$dir/ro.log" "$nob/kh/known_hosts" "${runner[@]}"
	kit=$saved_kit
	grep -i "known_hosts\|save" "$dir/ro.log" || true
	check "read-only folder: the error is shown" \
		grep -q "Cannot save the host key in $nob/kh/known_hosts" "$dir/ro.log"
	check "read-only folder: the old known_hosts is intact" cmp "$dir/kh.before" "$nob/kh/known_hosts"
	check "read-only folder: no temporary file left" test "$(ls -A "$nob/kh")" = known_hosts
else
	echo "skipped: read-only folder (running as root without setpriv or a user nobody)"
fi

# 2. Disk full: a 16 KB tmpfs in a private mount namespace, 12 KB of it an
# existing known_hosts, the rest filled up.
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	mkdir -p "$dir/full"
	for i in $(seq 1 120); do printf '[h%d.example.invalid]:22 %s\n' "$i" "${other#* }"; done \
		>"$dir/kh.full.before"
	truncate -s 12000 "$dir/kh.full.before"
	write_config "  LocalForward $lport 127.0.0.1:$echo_port
  UserKnownHostsFile $dir/full/known_hosts"
	rc=0
	# The whole scene runs inside the namespace; the tmpfs goes with it.
	timeout 90 unshare -m bash -c "
		mount -t tmpfs -o size=16k tmpfs '$dir/full' || exit 3
		cp '$dir/kh.full.before' '$dir/full/known_hosts' || exit 3
		cat /dev/zero >'$dir/full/filler' 2>/dev/null
		df -k '$dir/full' | tail -1
		'$PF' -F '$kit/config.txt' -o StrictHostKeyChecking=accept-new -v -N test >'$dir/full.log' 2>&1 </dev/null &
		p=\$!
		for i in \$(seq 1 400); do grep -q 'pf: test: Connected' '$dir/full.log' && break; sleep 0.1; done
		ok=0
		python3 '$faults_dir/tools.py' echo '$lport' through && ok=1
		kill -INT \$p; wait \$p
		cp '$dir/full/known_hosts' '$dir/kh.full.after'
		ls -A '$dir/full' >'$dir/full.ls'
		[ \$ok = 1 ]
	" || rc=$?
	[ "$rc" = 0 ] || cat "$dir/full.log"
	check "disk full: the connection proceeds (rc $rc)" test "$rc" = 0
	grep -i "known_hosts\|save" "$dir/full.log" || true
	check "disk full: the error is shown" grep -q "Cannot save the host key in $dir/full/known_hosts" "$dir/full.log"
	check "disk full: the old known_hosts is intact" cmp "$dir/kh.full.before" "$dir/kh.full.after"
	check "disk full: no temporary file left" test "$(sort "$dir/full.ls" | tr '\n' ' ')" = "filler known_hosts "
else
	echo "skipped: disk full (needs root and unshare -m)"
fi

# 3. The folder is a file.
echo "not a folder" >"$dir/afile"
check "folder is a file: the connection proceeds" connect_once "$dir/afile.log" "$dir/afile/known_hosts"
check "folder is a file: the error is shown" grep -q "Cannot save the host key in $dir/afile/known_hosts: $dir/afile is a file, not a folder" "$dir/afile.log"
check "folder is a file: the file is untouched" test "$(cat "$dir/afile")" = "not a folder"

# 4. Odd bytes. The junk: garbage, CRLF lines, a 100 KB line, a NUL byte.
junk() {
	printf 'this is not a known_hosts line\r\n'
	printf '%s\r\n' "$other"
	printf '@cert-authority\n@revoked\n|1|garbage|hash ssh-ed25519 AAAA\n\n   \t\n#comment\r\n'
	head -c 100000 /dev/zero | tr '\0' 'A'
	printf '\n[127.0.0.1]:%s ssh-ed25519 !!notbase64!!\r\n' "$((ssh_port + 1))"
	printf 'x\0y ssh-ed25519 AAAA\n'
	printf '\xff\xfe binary junk \x01\x02\r\n'
}
{ junk; printf '%s\r\n' "$entry"; junk; printf 'no newline at the end'; } >"$dir/kh.odd"
cp "$dir/kh.odd" "$dir/kh.odd.before"
check "odd known_hosts with a matching CRLF entry: connects" connect_once "$dir/odd.log" "$dir/kh.odd"
check "  the entry is found" grep -q "matches $dir/kh.odd line" "$dir/odd.log"
check "  the file is unchanged" cmp "$dir/kh.odd.before" "$dir/kh.odd"

{ junk; printf 'no newline at the end'; } >"$dir/kh.new"
cp "$dir/kh.new" "$dir/kh.new.before"
check "odd known_hosts without the entry: connects" connect_once "$dir/new.log" "$dir/kh.new"
n=$(stat -c %s "$dir/kh.new.before")
check "  the old bytes are kept as they were" cmp -n "$n" "$dir/kh.new.before" "$dir/kh.new"
tail -c +$((n + 1)) "$dir/kh.new" >"$dir/kh.new.tail"
echo "appended: $(od -c "$dir/kh.new.tail" | head -3)"
new_line=$(tr -d '\r' <"$dir/kh.new.tail" | grep -v '^$' | head -1)
is_entry() { [ "$new_line" = "$entry" ] || [[ "$new_line" == "$entry "* ]]; }
check "  one entry appended, on a line of its own ($new_line)" is_entry
check "  and nothing else" test "$(tr -d '\r' <"$dir/kh.new.tail" | grep -cv '^$')" = 1
check "  the appended text ends with a newline" test "$(tail -c 1 "$dir/kh.new" | od -An -c | tr -d ' ')" = '\n'
write_config "  LocalForward $lport 127.0.0.1:$echo_port
  UserKnownHostsFile $dir/kh.new"
cp "$dir/kh.new" "$dir/kh.new.second"
rc=0
timeout 20 "$PF" -F "$kit/config.txt" -o StrictHostKeyChecking=yes -v -N test >"$dir/strict.log" 2>&1 </dev/null &
p=$!
pids+=("$p")
check "  the next run (StrictHostKeyChecking yes) finds the appended entry" \
	wait_log "$dir/strict.log" "pf: test: Connected" 20
kill -INT "$p" 2>/dev/null || true
wait "$p" 2>/dev/null || true
check "  and changes nothing" cmp "$dir/kh.new.second" "$dir/kh.new"
if [ "$fails" -ne 0 ]; then tail -20 "$dir/sshd.log"; fi
finish
