#!/usr/bin/env bash
# Start with Windows (issue 20 item 7), against a real sshd: the tray menu's
# "Start with Windows and connect ALPHA" makes PortForwarder.lnk in the
# Startup folder (read back by the driver through IShellLinkW and here from
# its bytes with lnk.py: target, arguments, working folder); opening it as
# Windows does at sign-in starts PortForwarder hidden in the tray and
# connects ALPHA; the menu removes it. From a removable drive (R:, a Wine
# "floppy" drive mapped to a copy of the kit) a warning comes first. In
# English and Japanese (screenshots).
#   autostart.sh <win64 build dir> <scratch dir> <wine prefix> <screenshot dir>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/kitlib.sh" "$@"
make_kit "$dir/kit"
make_kit "$dir/stick"

# The prefix (made once by wine-run.sh) gets drive R: = the stick, of type
# floppy (Wine's removable drive); wine-run.sh's lock keeps other runs out.
bash "$here/wine-run.sh" "$prefix" "$shots" cmd /c exit 0 >/dev/null
ln -sfn "$dir/stick" "$prefix/dosdevices/r:"
bash "$here/wine-run.sh" "$prefix" "$shots" reg add 'HKLM\Software\Wine\Drives' /v r: /d floppy /f >/dev/null
startup_lnks() { find "$prefix/drive_c/users" -ipath '*/Startup/PortForwarder.lnk' 2>/dev/null; }
# Nothing of an earlier run may start at this prefix's sign-in.
startup_lnks | while read -r f; do rm -f "$f"; done

run autostart "$dir/kit"
lnk=$dir/kit/startup-copy.lnk
python3 "$here/lnk.py" "$lnk" >"$dir/lnk.txt" 2>&1 || true
cat "$dir/lnk.txt"
wkit=$(winpath "$dir/kit")
check "lnk.py: the target is the kit's PortForwarder.exe" grep -qixF "target: $wkit\\PortForwarder.exe" "$dir/lnk.txt"
check "lnk.py: the arguments are -tray -F <config> ALPHA" grep -qixF "arguments: -tray -F \"$wkit\\settings\\config.txt\" ALPHA" "$dir/lnk.txt"
check "lnk.py: the working folder is the kit" grep -qixF "workdir: $wkit" "$dir/lnk.txt"
check "no shortcut left in the Startup folder" test -z "$(startup_lnks)"

run autostart-removable R:
run autostart-removable R: PF_TEST_LOCALE=ja_JP.UTF-8
check "still no shortcut in the Startup folder" test -z "$(startup_lnks)"
rm -f "$prefix/dosdevices/r:"
echo "screenshots: $shots"
finish
