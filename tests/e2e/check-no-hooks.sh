#!/usr/bin/env bash
# The release PortForwarder.exe carries no test hook (issue 16 item 5): none
# of testhook.c's switches, functions or scripted texts is in its bytes,
# ASCII or UTF-16 (the switches are wide strings). The test variant, built
# from the same sources with PF_TEST_HOOKS, is checked to have them: the
# same search finds them there, so this test can fail.
#
#   check-no-hooks.sh <PortForwarder.exe> <PortForwarder-test.exe>
set -uo pipefail
release=$1 variant=$2
failed=0
for f in "$release" "$variant"; do
	[ -f "$f" ] || { echo "FAILED: $f missing (build the win64 tree)"; exit 1; }
done
# What only testhook.c brings: its switches, its functions, its script's log lines.
marks=(--test- TestHook_ "test: connecting" "test: host key answer")
text_release=$(strings -a "$release"; strings -a -el "$release")
text_variant=$(strings -a "$variant"; strings -a -el "$variant")
found() { # text mark
	grep -F -q -- "$2" <<<"$1"
}
for m in "${marks[@]}"; do
	if found "$text_release" "$m"; then
		echo "FAILED: the release $(basename "$release") contains '$m':"
		grep -F -- "$m" <<<"$text_release" | head -n 3 | sed 's/^/  | /'
		failed=$((failed + 1))
	else
		echo "ok: the release exe has no '$m'"
	fi
	if found "$text_variant" "$m"; then
		echo "ok: the test variant has '$m' (the search works)"
	else
		echo "FAILED: the test variant $(basename "$variant") has no '$m': is it built with PF_TEST_HOOKS?"
		failed=$((failed + 1))
	fi
done
echo "$failed failed"
[ $failed = 0 ]
