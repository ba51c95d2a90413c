#!/usr/bin/env bash
# A PortForwarder 2.9 user's kit, as it sits on their stick, with the new
# PortForwarder.exe dropped in (issue 20): 2.9's PortForwarder.ini in
# Shift_JIS whose ConfigFolder names a drive letter this PC does not have,
# the config folder メール設定 with a config.txt that ends in "[EOF]", the
# known_hosts 2.9 kept there, and the key in a subfolder, used by both Hosts.
# Against a real sshd: the settings come back, Connect asks no host key
# question and the passphrase once for both hosts, again only after
# "Forget passphrases" or when the key file changed; the 2.9 ini is kept
# byte for byte as PortForwarder.ini.2.9.bak; known_hosts stays as it was.
#   kit29.sh <win64 build dir> <scratch dir> <wine prefix> <screenshot dir>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/kit.sh" "$@"
cfgdir="$kit/メール設定"
mkdir -p "$cfgdir/keys"
cp "$W/app/win32/PortForwarder.exe" "$kit/"
kit_key 'pf kit passphrase' "$cfgdir/keys/id_ed25519"
# The known_hosts 2.9 wrote in the config folder already trusts the server.
kit_trust "$cfgdir/known_hosts"
cp "$cfgdir/known_hosts" "$dir/known_hosts.before"
# The manual's example: both servers in one config.txt, one key pair,
# CRLF, and the editor's end marker copied along.
printf '%s\r\n' \
	"Host IMR" "  HostName 127.0.0.1" "  Port $ssh_port" "  User $(id -un)" "  Cipher 3des" \
	"  IdentityFile keys/id_ed25519" "" \
	"Host CMS-SSH" "  HostName 127.0.0.1" "  Port $ssh_port" "  User $(id -un)" \
	"  IdentityFile keys/id_ed25519" "[EOF]" >"$cfgdir/config.txt"
# 2.9's ini: Shift_JIS, CRLF, no final newline, the kit on drive Q: back then.
winkit=$(printf 'Z:%s' "${kit//\//\\}")
printf 'RecentHost CMS-SSH\r\nRecentHost IMR\r\nConfigFolder Q:%s\\メール設定\r\nConfigFile config.txt\r\nAutomaticallyHide true' \
	"${winkit#Z:}" | iconv -f UTF-8 -t CP932 >"$kit/PortForwarder.ini"
cp "$kit/PortForwarder.ini" "$dir/ini.2.9"
check "the 2.9 ini is really Shift_JIS (not valid UTF-8)" bash -c "! iconv -f UTF-8 -t UTF-8 '$kit/PortForwarder.ini' >/dev/null 2>&1"

# The same kit for the Japanese run, before the first run changes it. Its
# folders have ASCII names: without a ja_JP locale on the host, Wine in
# Japanese cannot reach non-ASCII Unix file names.
kja="$dir/kit-ja"
mkdir -p "$kja"
cp "$kit/PortForwarder.exe" "$kja/"
cp -a "$cfgdir" "$kja/settings"
printf 'RecentHost CMS-SSH\r\nRecentHost IMR\r\nConfigFolder Q:%s\\settings\r\nConfigFile config.txt\r\nAutomaticallyHide true' \
	"$(printf '%s' "${kja//\//\\}")" | iconv -f UTF-8 -t CP932 >"$kja/PortForwarder.ini"
cp "$kja/PortForwarder.ini" "$dir/ini-ja.2.9"

rc=0
bash "$here/wine-run.sh" "$prefix" "$shots" "$driver" kit29 \
	"$(winpath "$kit/PortForwarder.exe")" "$(winpath "$shots")" "$(winpath "$kit")" \
	>"$dir/kit29.log" 2>&1 || rc=$?
cat "$dir/kit29.log"
check "the kit scenario passed" test "$rc" = 0
check "PortForwarder.ini.2.9.bak equals 2.9's file byte for byte" cmp -s "$dir/ini.2.9" "$kit/PortForwarder.ini.2.9.bak"
check "the ini itself was rewritten in the new format" grep -q '^\[PortForwarder\]' "$kit/PortForwarder.ini"
check "known_hosts in the config folder byte for byte as before" cmp -s "$dir/known_hosts.before" "$cfgdir/known_hosts"
check "no second known_hosts beside the key (nothing was asked)" test ! -e "$cfgdir/keys/known_hosts"
check "no temporary files left in the kit" bash -c "! ls '$kit' | grep -q tmp"

# The log for the administrator: LogFile= (rotated at 1 MB) and "Save log...";
# the passphrase in neither (the secrets check for the GUI's log files).
printf 'LogFile=pf.log\r\n' >>"$kit/PortForwarder.ini"
head -c 1100000 /dev/zero | tr '\0' 'x' >"$kit/pf.log"
rc=0
bash "$here/wine-run.sh" "$prefix" "$shots" "$driver" kit29-log \
	"$(winpath "$kit/PortForwarder.exe")" "$(winpath "$shots")" "$(winpath "$kit")" \
	>"$dir/kit29-log.log" 2>&1 || rc=$?
cat "$dir/kit29-log.log"
check "the log scenario passed" test "$rc" = 0
check "LogFile: over 1 MB, the old file became pf.log.1" test "$(stat -c %s "$kit/pf.log.1" 2>/dev/null)" = 1100000
check "LogFile: pf.log starts anew and holds the run" grep -q "CMS-SSH: Connected" "$kit/pf.log"
check "Save log: UTF-8 with a BOM" bash -c "head -c 3 '$kit/saved-log.txt' | od -An -tx1 | grep -q 'ef bb bf'"
check "Save log: holds the run" grep -q "CMS-SSH: Connected" "$kit/saved-log.txt"
check "no passphrase in pf.log" bash -c "! grep -q 'pf kit passphrase' '$kit/pf.log'"
check "no passphrase in the saved log" bash -c "! grep -q 'pf kit passphrase' '$kit/saved-log.txt'"
check "the ini keeps LogFile=" grep -q '^LogFile=pf.log' "$kit/PortForwarder.ini"

# In Japanese: the same import, the new buttons and the tray menu item.
rc=0
PF_TEST_LOCALE=ja_JP.UTF-8 bash "$here/wine-run.sh" "$prefix" "$shots" "$driver" kit29-ja \
	"$(winpath "$kja/PortForwarder.exe")" "$(winpath "$shots")" "$(winpath "$kja")" \
	>"$dir/kit29-ja.log" 2>&1 || rc=$?
cat "$dir/kit29-ja.log"
check "the Japanese kit scenario passed" test "$rc" = 0
check "its PortForwarder.ini.2.9.bak equals 2.9's file too" cmp -s "$dir/ini-ja.2.9" "$kja/PortForwarder.ini.2.9.bak"

echo "screenshots: $shots"
finish
