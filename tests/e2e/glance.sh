#!/usr/bin/env bash
# All connections at a glance (issue 20 item 5), against a real sshd: two
# Hosts of one config connected at once are both listed, each with its state
# and its forwards (a Host column); the keyboard selects a row and so its
# host, and Disconnect then disconnects only that one. In English and in
# Japanese (screenshots of both).
#   glance.sh <win64 build dir> <scratch dir> <wine prefix> <screenshot dir>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/kitlib.sh" "$@"

make_kit "$dir/kit"
make_kit "$dir/kit-ja"

run glance "$dir/kit"
run glance-ja "$dir/kit-ja" PF_TEST_LOCALE=ja_JP.UTF-8
echo "screenshots: $shots"
finish
