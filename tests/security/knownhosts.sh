#!/usr/bin/env bash
# Host key trust through the real pf against a real sshd (issue 18):
#  item 1  every UserKnownHostsFile is consulted, in OpenSSH's order:
#          @revoked anywhere refuses, a match anywhere accepts, a mismatch
#          anywhere refuses; new keys go to the first file only
#  item 5  a name with a wildcard (HostKeyAlias *.corp.example) is never
#          written to known_hosts: one message
#  item 6  accept-new with a known_hosts that cannot be written: connected,
#          and one loud message per connection that the key will be
#          accepted again
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../cli/lib.sh"

start_sshd
ssh-keygen -q -t ed25519 -N '' -f "$dir/id_ed25519"
cat "$dir/id_ed25519.pub" >"$dir/authorized_keys"
name="[127.0.0.1]:$ssh_port"
real_key=$(cut -d' ' -f1,2 "$dir/host_key.pub")
ssh-keygen -q -t ed25519 -N '' -f "$dir/other_key"
other_key=$(cut -d' ' -f1,2 "$dir/other_key.pub")

# One connection (pf_login): 0 when logged in (host key accepted), else 1.
# Extra -o options follow the known_hosts files.
connect() { # log known_hosts-files strict [-o ...]
	local log=$1 files=$2 strict=$3
	shift 3
	pf_login "$log" -o "StrictHostKeyChecking=$strict" -o "UserKnownHostsFile=$files" "$@"
}
refused() { ! connect "$@"; }

k=$dir/kh
mkdir -p "$k"

# --- item 1 -------------------------------------------------------------------
# A changed key pinned in the second file: refused (it used to look
# unknown, be accepted and be saved to the first file).
: >"$k/a1"
echo "$name $other_key" >"$k/b1"
check "a mismatch in the second known_hosts file refuses (accept-new)" \
	refused "$dir/i1a.log" "$k/a1 $k/b1" accept-new
check "... with the CHANGED message naming the second file" grep -q "CHANGED.*$k/b1 line 1" "$dir/i1a.log"
check "... and nothing is saved to the first file" test ! -s "$k/a1"
check "a mismatch in the second file refuses under StrictHostKeyChecking=no too" \
	refused "$dir/i1b.log" "$k/a1 $k/b1" no
check "... nothing saved" test ! -s "$k/a1"

# The key pinned only in the second file: accepted even with yes.
: >"$k/a2"
echo "$name $real_key" >"$k/b2"
check "a match in the second file accepts (StrictHostKeyChecking=yes)" \
	connect "$dir/i1c.log" "$k/a2 $k/b2" yes
check "... and nothing is added to the first file" test ! -s "$k/a2"

# A match in one file beats a mismatch in another (OpenSSH's order).
echo "$name $other_key" >"$k/a3"
echo "$name $real_key" >"$k/b3"
check "a match in the second file wins over a mismatch in the first" \
	connect "$dir/i1d.log" "$k/a3 $k/b3" yes

# @revoked anywhere refuses, even with a match in the first file.
echo "$name $real_key" >"$k/a4"
echo "@revoked * $real_key" >"$k/b4"
check "@revoked in the second file refuses despite a match in the first" \
	refused "$dir/i1e.log" "$k/a4 $k/b4" yes
check "... with the revoked message" grep -q "@revoked in $k/b4" "$dir/i1e.log"

# Unknown everywhere: saved to the first file only.
: >"$k/a5"
: >"$k/b5"
check "an unknown key is accepted under accept-new" connect "$dir/i1f.log" "$k/a5 $k/b5" accept-new
check "... saved to the first file" grep -qF "$name $real_key" "$k/a5"
check "... and not to the second" test ! -s "$k/b5"

# --- item 5 -------------------------------------------------------------------
: >"$k/w"
connect "$dir/i5.log" "$k/w" accept-new -o 'HostKeyAlias=*.corp.example' || true
check "HostKeyAlias *.corp.example: no pattern line is written" test ! -s "$k/w"
check "... one message says why" test "$(grep -c 'contains a wildcard' "$dir/i5.log")" = 1
for alias in 'a?.example' 'x,y.example' '!neg.example'; do
	connect "$dir/i5b.log" "$k/w" accept-new -o "HostKeyAlias=$alias" || true
	check "HostKeyAlias $alias: nothing written" test ! -s "$k/w"
done

# --- item 6 -------------------------------------------------------------------
check "accept-new with known_hosts in a missing folder still connects" \
	connect "$dir/i6.log" "$dir/missing/known_hosts" accept-new
check "... one loud message: the key cannot be saved, it will be accepted again" \
	test "$(grep -c "cannot be saved.*will be accepted again" "$dir/i6.log")" = 1
check "... at ERROR level (shown without -v)" grep -q "cannot be saved" "$dir/i6.log"
check "... nothing was created" test ! -e "$dir/missing"
echo "not a folder" >"$k/file"
check "accept-new with known_hosts under a file still connects" \
	connect "$dir/i6b.log" "$k/file/known_hosts" accept-new
check "... one loud message" test "$(grep -c "cannot be saved.*will be accepted again" "$dir/i6b.log")" = 1
finish
