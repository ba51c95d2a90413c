#!/usr/bin/env bash
# Atomic writes never replace what is not a regular file (issue 18 item 7):
# a character device (a private copy of /dev/null, made with mknod in this
# test's own folder) keeps nothing and stays a device, a FIFO or a folder is
# refused with one message, a symbolic link is followed (its target gets the
# content, the link stays). Through the real pf: known_hosts written under
# StrictHostKeyChecking=accept-new against a real sshd, and `pf keygen -f`.
# Needs root for mknod: skipped (77) otherwise.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../cli/lib.sh"

if [ "$(id -u)" != 0 ]; then
	echo "skipped: mknod of a character device needs root"
	exit 77
fi
t=$dir/targets
mkdir -p "$t"
mknod -m 666 "$t/null" c 1 3
mkfifo "$t/fifo"
mkdir "$t/folder"
mkdir "$t/synced"
: >"$t/synced/known_hosts"
ln -s synced/known_hosts "$t/kh-link"
ln -s null "$t/null-link"
is_dev() { test -c "$1" && test "$(stat -c %t:%T "$1")" = 1:3; }

start_sshd
ssh-keygen -q -t ed25519 -N '' -f "$dir/id_ed25519"
cat "$dir/id_ed25519.pub" >"$dir/authorized_keys"
# One connection that accepts the new key and saves it to `$1`.
connect() { # known_hosts-path log
	pf_login "$2" -o StrictHostKeyChecking=accept-new -o "UserKnownHostsFile=$1" -v
}

# known_hosts on the private device node: connected, nothing saved, a
# verbose note, and the node is still the same device.
check "accept-new with known_hosts on a device node connects" connect "$t/null" "$dir/null.log"
check "... the device node is still a character device 1:3" is_dev "$t/null"
check "... a verbose note says the key is not saved" grep -q "keeps nothing.*not saved" "$dir/null.log"
check "... no temporary left beside it" bash -c "! ls '$t' | grep -q tmp"
check "a link to the device node discards too" connect "$t/null-link" "$dir/nulllink.log"
check "... both survive" bash -c "test -L '$t/null-link' && test -c '$t/null'"

# A FIFO: refused with one message, the FIFO survives, pf does not hang.
connect "$t/fifo" "$dir/fifo.log" || true
check "known_hosts on a FIFO: the FIFO survives" test -p "$t/fifo"
check "... one message names it" grep -q "fifo.*named pipe" "$dir/fifo.log"

# A symlink (known_hosts kept in a synced folder): the key goes into the
# target, the link stays a link.
check "known_hosts through a symlink connects" connect "$t/kh-link" "$dir/link.log"
check "... the link is still a link" test -L "$t/kh-link"
check "... to the same target" test "$(readlink "$t/kh-link")" = synced/known_hosts
check "... and the key was saved in the target" grep -q "ssh-ed25519" "$t/synced/known_hosts"

# pf keygen -f on each.
"$PF" keygen -f "$t/null" -N '' -C x >"$dir/kg-null.out" 2>&1 || bad "keygen -f device node exits 0"
check "keygen -f device node: still a device" is_dev "$t/null"
check "... no .pub beside it" test ! -e "$t/null.pub"
check "... the public key is still printed" grep -q "^ssh-ed25519 " "$dir/kg-null.out"
check "... and it says nothing was written" grep -q "keeps nothing" "$dir/kg-null.out"
rc=0
"$PF" keygen -f "$t/fifo" -N '' >"$dir/kg-fifo.out" 2>&1 || rc=$?
check "keygen -f FIFO fails" test "$rc" != 0
check "... the FIFO survives" test -p "$t/fifo"
check "... with one message" grep -q "named pipe (FIFO), not a file" "$dir/kg-fifo.out"
rc=0
"$PF" keygen -f "$t/folder" -N '' >"$dir/kg-dir.out" 2>&1 || rc=$?
check "keygen -f folder fails and the folder survives" test "$rc" != 0 -a -d "$t/folder"
ln -s synced/id_link "$t/key-link"
"$PF" keygen -f "$t/key-link" -N '' >"$dir/kg-link.out" 2>&1 || bad "keygen -f symlink exits 0"
check "keygen -f symlink: the link survives" test -L "$t/key-link"
check "... the key is in its target" grep -q "BEGIN OPENSSH PRIVATE KEY" "$t/synced/id_link"
check "... mode 600" test "$(stat -c %a "$t/synced/id_link")" = 600
check "the machine's /dev/null is a character device" is_dev /dev/null
finish
