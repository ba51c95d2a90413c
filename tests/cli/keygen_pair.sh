#!/usr/bin/env bash
# Issue 18 item 12: `pf keygen` replacing a pair writes both files to
# temporaries first and renames the public key last, so a .pub that cannot
# be written leaves the old pair as it was (before, the private key was
# already replaced: a new private key beside the old public key).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

kit=$dir/kit
mkdir -p "$kit"
"$PF" keygen -f "$kit/id" -N old -C old@test >/dev/null 2>&1 || bad "the first pair"
cp "$kit/id" "$dir/id.before"

# The .pub is a folder, then a FIFO: the write of the .pub fails, after the
# private key's temporary was written.
for kind in folder fifo; do
	rm -f "$kit/id.pub"
	case $kind in
	folder) mkdir "$kit/id.pub" ;;
	fifo) mkfifo "$kit/id.pub" ;;
	esac
	rc=0
	printf 'y\n' | timeout 60 "$PF" keygen -f "$kit/id" -N new -C new@test >"$dir/$kind.log" 2>&1 || rc=$?
	cat "$dir/$kind.log"
	check ".pub is a $kind: pf keygen fails" test "$rc" != 0
	check ".pub is a $kind: one message names the .pub" grep -qF "$kit/id.pub" "$dir/$kind.log"
	check ".pub is a $kind: the old private key is unchanged byte for byte" cmp "$dir/id.before" "$kit/id"
	check ".pub is a $kind: ... and still opens with the old passphrase" ssh-keygen -y -P old -f "$kit/id"
	check ".pub is a $kind: no temporary file left" test -z "$(find "$kit" -name '*.tmp*')"
	rm -rf "$kit/id.pub"
done

# A working replacement still replaces both, and leaves no temporaries.
ssh-keygen -y -P old -f "$kit/id" >"$kit/id.pub"
printf 'y\n' | "$PF" keygen -f "$kit/id" -N new -C new@test >"$dir/ok.log" 2>&1 || bad "the replacement"
check "a replacement writes the new private key" ssh-keygen -y -P new -f "$kit/id"
check "... and the matching public key" \
	test "$(ssh-keygen -y -P new -f "$kit/id" | cut -d' ' -f1,2)" = "$(cut -d' ' -f1,2 "$kit/id.pub")"
check "... private key mode 600" test "$(stat -c %a "$kit/id")" = 600
check "... no temporary file left" test -z "$(find "$kit" -name '*.tmp*')"
finish
