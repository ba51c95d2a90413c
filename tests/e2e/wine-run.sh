#!/usr/bin/env bash
# Run a Windows program under Wine on a private X display (Xvfb), with a
# Wine prefix of the build tree's own, and a fresh wineserver bound to that
# display (a wineserver started without DISPLAY makes GUI programs exit 255).
#
#   wine-run.sh <wine prefix> <screenshot folder> <program.exe> [args...]
#
# Arguments after the program that are existing Linux paths are passed as
# Windows paths (Z:\...). BMP screenshots left in the folder become PNGs.
set -euo pipefail
prefix=$1 shots=$2
shift 2
mkdir -p "$shots" "$(dirname "$prefix")"
prefix=$(cd "$(dirname "$prefix")" && pwd)/$(basename "$prefix")
shots=$(cd "$shots" && pwd)

export WINEPREFIX=$prefix WINEARCH=win64 WINEDEBUG=${WINEDEBUG:--all}
export WINEDLLOVERRIDES="mscoree,mshtml=" LC_ALL=${PF_TEST_LOCALE:-C.UTF-8}

winpath() { printf 'Z:%s' "${1//\//\\}"; }

args=()
for a in "$@"; do
	if [ -e "$a" ]; then
		args+=("$(winpath "$(cd "$(dirname "$a")" && pwd)/$(basename "$a")")")
	else
		args+=("$a")
	fi
done

# One Wine session per prefix at a time (ctest may run tests in parallel).
exec 9>"$prefix.lock"
flock 9

inner() {
	wineserver -k 2>/dev/null || true
	if [ ! -f "$WINEPREFIX/.pf-ready" ]; then
		echo "[wine] creating prefix $WINEPREFIX (once per build tree)"
		wineboot --init >/dev/null 2>&1 || true
		wineserver -w
		fonts="$WINEPREFIX/drive_c/windows/Fonts"
		mkdir -p "$fonts"
		cp /usr/share/wine/fonts/*.ttf "$fonts/" 2>/dev/null || true
		# A virtual desktop: window frames, a taskbar holding tray icons.
		wine reg add 'HKCU\Software\Wine\Explorer' /v Desktop /d Default /f >/dev/null 2>&1
		wine reg add 'HKCU\Software\Wine\Explorer\Desktops' /v Default /d 1024x768 /f >/dev/null 2>&1
		wineserver -w
		touch "$WINEPREFIX/.pf-ready"
	fi
	set +e
	wine "${args[@]}"
	rc=$?
	set -e
	wineserver -k 2>/dev/null || true
	return $rc
}

rc=0
if [ "${PF_WINE_DISPLAY:-}" != "" ]; then
	DISPLAY=$PF_WINE_DISPLAY inner || rc=$?
else
	# -a: the first free display; the server dies with the command. The
	# lock (fd 9) stays with this script only: an Xvfb or wineserver that
	# outlives a killed run must not hold the prefix for the next one.
	xvfb-run -a -s "-screen 0 1024x768x24 -nolisten tcp" \
		bash -c "$(declare -p args); $(declare -f inner); inner" 9>&- || rc=$?
fi

for b in "$shots"/*.bmp; do
	[ -e "$b" ] || break
	if command -v convert >/dev/null && convert "$b" "${b%.bmp}.png" 2>/dev/null; then
		rm -f "$b"
	fi
done
ls "$shots"/*.png >/dev/null 2>&1 && echo "[wine] screenshots in $shots"
exit $rc
