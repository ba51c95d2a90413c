#!/usr/bin/env bash
# Host-key dialogs that resist a wrong click (issue 20 item 9), with the
# real PortForwarder.exe under Wine, driven by pftest-driver.exe, against a
# real sshd on loopback whose key is not the one the kit's known_hosts
# records:
#   hostkey-replace     Connect: the warning (Close is the default) offers
#                       "Replace the recorded key..."; a wrong pasted
#                       fingerprint leaves Replace disabled, the right one
#                       (a whole ssh-keygen -lf line) enables it; Replace
#                       connects; known_hosts differs from before only in
#                       that line's key (checked here byte for byte).
#   hostkey-replace-ja  the same in Japanese (screenshots of both dialogs).
#   hostkey-reconnect   an unknown key, "Connect once", then the connection
#                       drops (the sessions are killed here): the question
#                       of the reconnect has Cancel as its default button and
#                       is not the foreground window (another program is);
#                       then "PortForwarder.exe CMS-SSH" (as a shortcut or the
#                       Startup folder starts it, no Connect pressed): its
#                       question is quiet too.
#   hostkey.sh <win64 build dir> <scratch dir> <wine prefix> <screenshot dir>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/kit.sh" "$@"
kit_key '' "$dir/id_ed25519"
# The key the kits recorded for the server (before the administrator
# replaced it): another ed25519 key.
ssh-keygen -q -t ed25519 -N '' -f "$dir/old_host_key"
old=$(cut -d' ' -f1-2 "$dir/old_host_key.pub")
new=$(cut -d' ' -f1-2 "$dir/host_key.pub")
# known_hosts as users keep it: CRLF, a comment, a hashed line, a marker,
# the server's line with a comment, another host after it.
known_hosts() { # the key on the server's line
	printf '# known hosts of the kit\r\n'
	printf '|1|ZTW9F+YFBfPd29HthiZ7XY4hrZk=|Ce+dWdY3ljRNFtdKliewQ76UcYI= %s\r\n' "$old"
	printf '@revoked revoked.example.com %s\r\n' "$old"
	printf '[127.0.0.1]:%s %s the mail server\r\n' "$ssh_port" "$1"
	printf 'other.example.com %s\r\n' "$old"
}
known_hosts "$old" >"$dir/known_hosts.before"
known_hosts "$new" >"$dir/known_hosts.expected"

make_kit() { # folder [known_hosts]: PortForwarder.exe, the key, config.txt
	mkdir -p "$1"
	cp "$W/app/win32/PortForwarder.exe" "$dir/id_ed25519" "$1/"
	printf '%s\r\n' \
		"Host IMR" "  HostName ssh.example.ac.jp" "  User ohba" "" \
		"Host CMS-SSH" "  HostName 127.0.0.1" "  Port $ssh_port" "  User $(id -un)" \
		"  IdentityFile id_ed25519" >"$1/config.txt"
	[ -z "${2:-}" ] || cp "$2" "$1/known_hosts"
	# What the administrator sends: ssh-keygen -lf on the server's key.
	ssh-keygen -lf "$dir/host_key.pub" >"$1/right-fp.txt"
	# A wrong one: the fingerprint of the key recorded before.
	ssh-keygen -lf "$dir/old_host_key.pub" | cut -d' ' -f2 >"$1/wrong-fp.txt"
}
run_driver() { # scenario kit
	bash "$here/wine-run.sh" "$prefix" "$shots" "$driver" "$1" \
		"$(winpath "$2/PortForwarder.exe")" "$(winpath "$shots")" "$(winpath "$2")"
}

# 1. A changed key, replaced with the administrator's fingerprint.
make_kit "$kit" "$dir/known_hosts.before"
rc=0
run_driver hostkey-replace "$kit" >"$dir/replace.log" 2>&1 || rc=$?
cat "$dir/replace.log"
check "the replace scenario passed" test "$rc" = 0
check "known_hosts: only the server's key changed, every other byte as before" \
	cmp "$dir/known_hosts.expected" "$kit/known_hosts"
check "no temporary file left beside known_hosts" bash -c "! ls '$kit' | grep -q tmp"

# 2. The same in Japanese (a kit with an ASCII path: Wine in Japanese
# cannot reach non-ASCII Unix file names without a ja_JP locale).
make_kit "$dir/kit-ja" "$dir/known_hosts.before"
rc=0
PF_TEST_LOCALE=ja_JP.UTF-8 run_driver hostkey-replace-ja "$dir/kit-ja" >"$dir/replace-ja.log" 2>&1 || rc=$?
cat "$dir/replace-ja.log"
check "the Japanese replace scenario passed" test "$rc" = 0
check "known_hosts (Japanese run): only the server's key changed" \
	cmp "$dir/known_hosts.expected" "$dir/kit-ja/known_hosts"

# 3. A question nobody asked for: the reconnect after "Connect once".
make_kit "$dir/kit-rc"
rc=0
run_driver hostkey-reconnect "$dir/kit-rc" >"$dir/reconnect.log" 2>&1 &
drv=$!
pids+=("$drv")
for i in $(seq 1 900); do
	[ -e "$dir/kit-rc/step-drop" ] && break
	kill -0 "$drv" 2>/dev/null || break
	sleep 0.2
done
if [ -e "$dir/kit-rc/step-drop" ]; then
	# Every connection of the server drops (the listener stays).
	pkill -KILL -P "$sshd_pid" 2>/dev/null || true
	echo dropped >"$dir/kit-rc/step-dropped"
fi
wait "$drv" || rc=$?
cat "$dir/reconnect.log"
check "the reconnect scenario passed" test "$rc" = 0
check "nothing was saved (Connect once, then Cancel)" test ! -e "$dir/kit-rc/known_hosts"
echo "screenshots: $shots"
finish
