#!/usr/bin/env bash
# The portable kit, unzipped into a folder with a Japanese name (a USB stick
# folder such as メール設定), starts: the test driver's smoke scenario finds
# the main window with its version title and controls.
#
#   portable-test.sh <wine prefix> <shot folder> <portable.zip> <scratch folder>
#                    <pftest-driver.exe> <version>
set -euo pipefail
prefix=$1 shots=$2 zip=$3 work=$4 driver=$5 version=$6
here=$(cd "$(dirname "$0")" && pwd)
[ -f "$zip" ] || { echo "FAILED: $zip missing (fixture package.build)"; exit 1; }
kit=$work/メール設定
rm -rf "$work"
mkdir -p "$kit"
python3 - "$zip" "$kit" <<'PY'
import sys, zipfile
zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])
PY
ls -l "$kit"
[ -f "$kit/PortForwarder.exe" ] && [ -f "$kit/config.txt" ] || { echo "FAILED: kit incomplete"; exit 1; }
# The driver starts the exe from the Japanese-named folder (or a fresh copy
# below it). Here only starting and finding the window count; the rest of
# the smoke scenario is e2e.smoke's.
out=$(PF_TEST_LOCALE=C.UTF-8 bash "$here/../e2e/wine-run.sh" "$prefix" "$shots" \
	"$driver" smoke "$kit/PortForwarder.exe" "$shots" "$kit" 2>&1 | tr -d '\r') || true
printf '%s\n' "$out"
failed=0
for want in "ok: start PortForwarder.exe" "ok: main window shown" "ok: title names the version"; do
	grep -qxF "$want" <<<"$out" || { echo "FAILED: missing '$want'"; failed=$((failed + 1)); }
done
grep -qxF "title: PortForwarder $version" <<<"$out" ||
	{ echo "FAILED: the title does not name the kit's version"; failed=$((failed + 1)); }
echo "portable kit in $kit: $failed failed"
[ $failed = 0 ]
