#!/usr/bin/env bash
# Issue 18 item 22: `pf keygen -b` takes only sizes it can make; a number
# that does not fit (4294970368 became 3072 through an int cast) is refused.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

kit=$dir/kit
mkdir -p "$kit"
for args in "-t rsa -b 4294970368" "-t rsa -b 4294967296" "-t rsa -b 99999999999999999999" \
	"-t rsa -b -3072" "-t rsa -b 0" "-t ecdsa -b 4294967552" "-t rsa -b 3072x"; do
	rc=0
	# shellcheck disable=SC2086
	"$PF" keygen $args -f "$kit/id_bad" -N x >"$dir/bad.log" 2>&1 || rc=$?
	check "pf keygen $args: exit 2" test "$rc" = 2
	check "pf keygen $args: one message" test "$(wc -l <"$dir/bad.log")" = 1
	check "pf keygen $args: nothing written" test ! -e "$kit/id_bad" -a ! -e "$kit/id_bad.pub"
done
cat "$dir/bad.log"
check "an allowed size still works" "$PF" keygen -t ecdsa -b 384 -f "$kit/id_ok" -N x
finish
