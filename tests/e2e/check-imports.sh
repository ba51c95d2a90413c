#!/usr/bin/env bash
# Assert that a Windows executable imports only Windows system DLLs: the
# program is one self-contained file on a USB stick.
set -euo pipefail
exe=$1
objdump=${OBJDUMP:-x86_64-w64-mingw32-objdump}
allowed=' advapi32.dll bcrypt.dll comctl32.dll comdlg32.dll crypt32.dll gdi32.dll
 iphlpapi.dll kernel32.dll msvcrt.dll ole32.dll oleaut32.dll shell32.dll shlwapi.dll
 user32.dll uxtheme.dll version.dll winmm.dll ws2_32.dll dwmapi.dll ntdll.dll
 secur32.dll userenv.dll wtsapi32.dll powrprof.dll '
allowed=$(echo $allowed) # one line, single spaces
allowed=" $allowed "
dlls=$("$objdump" -p "$exe" | awk '/DLL Name:/ { print tolower($3) }' | sort -u)
[ -n "$dlls" ] || { echo "no imports found in $exe"; exit 1; }
bad=0
for d in $dlls; do
	case "$allowed" in
	*" $d "*) echo "ok: $d" ;;
	*) echo "NOT a system DLL: $d"; bad=1 ;;
	esac
done
exit $bad
