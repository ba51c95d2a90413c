#!/usr/bin/env bash
# The installer under Wine, silently, into a temporary folder (per user):
# files, shortcuts and uninstall entry appear; the installed pf.exe answers
# --version; an upgrade keeps the install folder; /AUTOSTART adds the Startup-folder shortcut
# (PortForwarder.exe -tray, read back with tests/e2e/lnk.py), an upgrade keeps it, and
# after it was removed (as the program's "Start with Windows" does) makes none;
# the installed (release) PortForwarder.exe, started and exited by
# pftest-driver.exe, writes its settings under %APPDATA% (or next to itself
# when an ini is there: portable mode); the silent
# uninstaller removes exactly what was installed and leaves the user's
# config.txt, key, known_hosts and PortForwarder.ini (and so the folder).
#
#   install-test.sh <wine prefix> <setup.exe> <scratch folder> <version> <pftest-driver.exe>
set -euo pipefail
prefix=$1 setup=$2 work=$3 version=$4 driver=$5
here=$(cd "$(dirname "$0")" && pwd)
[ -f "$setup" ] || { echo "FAILED: $setup missing (fixture package.build)"; exit 1; }
[ -f "$driver" ] || { echo "FAILED: $driver missing (build the win64 tree)"; exit 1; }
driver=$(cd "$(dirname "$driver")" && pwd)/$(basename "$driver")

# wine-run.sh creates the build tree's prefix once; let it.
if [ ! -f "$prefix/.pf-ready" ]; then
	bash "$here/../e2e/wine-run.sh" "$prefix" "$work/shots" cmd /c exit 0 >/dev/null
fi
prefix=$(cd "$prefix" && pwd)
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
setup=$(cd "$(dirname "$setup")" && pwd)/$(basename "$setup")

export WINEPREFIX=$prefix WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
export LC_ALL=C.UTF-8 PF_VERSION=$version PF_WORK=$work PF_SETUP=$setup PF_DRIVER=$driver
export PF_LNK_PY=$here/../e2e/lnk.py

session() {
	set -uo pipefail
	failed=0
	step() { # ok? what
		if [ "$1" = 0 ]; then echo "ok: $2"; else echo "FAILED: $2"; failed=$((failed + 1)); fi
	}
	winpath() { printf 'Z:%s' "${1//\//\\}"; }
	# (No space: Wine quotes such an argument, and NSIS wants /D= unquoted.)
	inst=$PF_WORK/Programs/PortForwarder
	instw=$(winpath "$inst")
	users=$WINEPREFIX/drive_c/users
	common=$WINEPREFIX/drive_c/ProgramData
	lnk() { find "$users" -ipath "*/$1/PortForwarder.lnk" 2>/dev/null | head -n1; }
	common_lnk() { find "$common" -ipath "*/$1/PortForwarder.lnk" 2>/dev/null | head -n1; }
	key='HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\PortForwarder'
	installed=(PortForwarder.exe pf.exe config-sample.txt README.txt README-ja.txt
		LICENSE.txt THIRD_PARTY_NOTICES.txt Uninstall.exe)
	# The installed exe as a person runs it: started, its window shown, then
	# Exit (which saves the settings), by pftest-driver.exe's "run" scenario.
	# run_app <log>: in the background until $PF_WORK/stop exists; 0 once
	# the window is there. start_exit: the whole round at once.
	run_app() {
		rm -f "$PF_WORK/stop"
		wine "$(winpath "$PF_DRIVER")" run "$instw\\PortForwarder.exe" "$(winpath "$PF_WORK/shots")" \
			"$(winpath "$PF_WORK/stop")" >"$1" 2>&1 &
		app_pid=$!
		local i
		for i in $(seq 1 600); do
			grep -q '^running' "$1" && return 0
			kill -0 $app_pid 2>/dev/null || break
			sleep 0.1
		done
		sed 's/^/  | /' "$1"
		return 1
	}
	stop_app() {
		touch "$PF_WORK/stop"
		wait $app_pid
	}
	start_exit() {
		run_app "$PF_WORK/run.log" || return 1
		stop_app
	}
	appdata_ini() { find "$users" -ipath '*/AppData/Roaming/PortForwarder/PortForwarder.ini' 2>/dev/null | head -n1; }
	mkdir -p "$PF_WORK/shots"

	wineserver -k 2>/dev/null || true
	# Shortcuts from an earlier run of this test would hide a failure.
	find "$users" "$common" -name PortForwarder.lnk -delete 2>/dev/null || true

	wine "$(winpath "$PF_SETUP")" /S /AUTOSTART "/D=$instw"
	rc=$?
	wineserver -w
	step $rc "setup.exe /S /AUTOSTART /D=... exits 0 (got $rc)"
	missing=()
	for f in "${installed[@]}"; do [ -f "$inst/$f" ] || missing+=("$f"); done
	step ${#missing[@]} "installed files present (missing: ${missing[*]:-none})"
	[ -n "$(lnk 'Start Menu/Programs')" ]
	step $? "Start-menu shortcut created"
	[ -n "$(lnk 'Startup')" ]
	step $? "Startup-folder shortcut created (/AUTOSTART)"
	# The same shortcut as the program's "Start with Windows": -tray.
	startup_is() { # what
		local f
		f=$(lnk 'Startup')
		[ -n "$f" ] && python3 "$PF_LNK_PY" "$f" >"$PF_WORK/lnk.txt" &&
			sed 's/^/  | /' "$PF_WORK/lnk.txt" &&
			grep -qixF "target: $instw\\PortForwarder.exe" "$PF_WORK/lnk.txt" &&
			grep -qxF "arguments: -tray" "$PF_WORK/lnk.txt" &&
			grep -qixF "workdir: $instw" "$PF_WORK/lnk.txt"
		step $? "$1"
	}
	startup_is "... it starts $instw\\PortForwarder.exe -tray in the install folder"
	wine reg query "$key" /v DisplayVersion 2>/dev/null | grep -q "$PF_VERSION"
	step $? "uninstall entry under HKCU names version $PF_VERSION"
	wine reg query 'HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\PortForwarder' >/dev/null 2>&1
	[ $? != 0 ]
	step $? "nothing under HKLM (per-user install)"

	out=$(wine "$instw\\pf.exe" --version 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^/  | /'
	printf '%s\n' "$out" | grep -q "^pf $PF_VERSION"
	step $? "installed pf.exe --version says pf $PF_VERSION (rc $rc)"

	# A running PortForwarder.exe is not installed over (issue 15 item 5):
	# the silent setup refuses with exit code 32 (ERROR_SHARING_VIOLATION)
	# before it writes anything, the wizard asks to exit it first; the
	# running copy goes on.
	touch -d 2000-01-01 "$inst/PortForwarder.exe" "$inst/README.txt"
	if run_app "$PF_WORK/running.log"; then
		wine "$(winpath "$PF_SETUP")" /S
		rc=$?
		[ $rc = 32 ] && [ "$(stat -c %Y "$inst/PortForwarder.exe")" = 946684800 ] &&
			[ "$(stat -c %Y "$inst/README.txt")" = 946684800 ]
		step $? "setup /S over a running PortForwarder.exe refuses (exit code $rc, want 32) and replaces nothing"
		# The wizard asks instead (Retry / Cancel); Cancel changes nothing either.
		out=$(wine "$(winpath "$PF_DRIVER")" setup-in-use "$(winpath "$PF_SETUP")" \
			"$(winpath "$PF_WORK/shots")" "$instw" 2>&1)
		rc=$?
		printf '%s\n' "$out" | tr -d '\r' | sed 's/^/  | /'
		[ $rc = 0 ] && [ "$(stat -c %Y "$inst/PortForwarder.exe")" = 946684800 ] &&
			[ "$(stat -c %Y "$inst/README.txt")" = 946684800 ]
		step $? "the wizard over it asks to exit PortForwarder (Retry asks again, Cancel quits) and replaces nothing"
		stop_app
		step $? "... and the running copy goes on until its Exit (code 0)"
	else
		step 1 "start the installed PortForwarder.exe"
	fi

	# The wizard (not silent) over the earlier install: its finish page's
	# "Run PortForwarder" starts the installed exe through Explorer, the
	# user's own unelevated shell, never as the installer's child (which
	# may run as administrator; Wine has no elevation to tell apart).
	out=$(wine "$(winpath "$PF_DRIVER")" setup-finish "$(winpath "$PF_SETUP")" \
		"$(winpath "$PF_WORK/shots")" "$instw" 2>&1)
	rc=$?
	printf '%s\n' "$out" | tr -d '\r' | sed 's/^/  | /'
	step $rc "the wizard's finish page starts PortForwarder through Explorer, not as its own child"

	# An upgrade without /D= goes into the earlier install's folder (its
	# uninstall entry), not into the default one.
	touch -d 2000-01-01 "$inst/README.txt"
	wine "$(winpath "$PF_SETUP")" /S
	rc=$?
	wineserver -w
	[ $rc = 0 ] && [ "$(stat -c %Y "$inst/README.txt")" -gt 946684800 ] &&
		[ -z "$(find "$users" -ipath '*/AppData/Local/Programs/PortForwarder' 2>/dev/null)" ]
	step $? "an upgrade without /D= installs into the earlier folder (rc $rc)"
	startup_is "the upgrade (no /AUTOSTART) keeps the Startup shortcut, -tray"
	# Removed since (the program's tray menu): the next upgrade makes none.
	rm -f "$(lnk 'Startup')"
	wine "$(winpath "$PF_SETUP")" /S
	rc=$?
	wineserver -w
	[ $rc = 0 ] && [ -z "$(lnk 'Startup')" ]
	step $? "a shortcut removed since stays removed after an upgrade (rc $rc)"

	# Installed: the settings go to %APPDATA%\PortForwarder, not next to the exe.
	find "$users" -ipath '*/AppData/Roaming/PortForwarder' -exec rm -rf {} + 2>/dev/null
	start_exit
	step $? "installed PortForwarder.exe starts and exits (Exit) with code 0"
	ini=$(appdata_ini)
	[ -n "$ini" ] && grep -q 'Written by PortForwarder.exe' "$ini"
	step $? "installed copy wrote its settings to %APPDATA%\\PortForwarder\\PortForwarder.ini (${ini#"$users"/})"
	[ ! -e "$inst/PortForwarder.ini" ]
	step $? "... and not into the install folder"

	# The user's own files in the folder must survive the uninstall.
	user=(config.txt id_ed25519 known_hosts PortForwarder.ini)
	for f in "${user[@]}"; do printf 'user data %s\r\n' "$f" >"$inst/$f"; done
	# A PortForwarder.ini next to the exe: portable mode wins.
	[ -n "$ini" ] && touch -d 2000-01-01 "$ini"
	start_exit
	grep -q 'Written by PortForwarder.exe' "$inst/PortForwarder.ini" &&
		[ -n "$ini" ] && [ "$(stat -c %Y "$ini")" = 946684800 ]
	step $? "an ini next to the installed exe wins (portable mode): the settings went there, %APPDATA%'s untouched"
	printf 'user data PortForwarder.ini\r\n' >"$inst/PortForwarder.ini"

	wine "$instw\\Uninstall.exe" /S
	rc=$?
	wineserver -w # the uninstaller reruns itself from %TEMP%; wait for it
	step $rc "Uninstall.exe /S exits 0 (got $rc)"
	left=$(cd "$inst" 2>/dev/null && ls -A | sort | tr '\n' ' ')
	want=$(printf '%s\n' "${user[@]}" | sort | tr '\n' ' ')
	[ "$left" = "$want" ]
	step $? "only the user's files are left: '$left'"
	for f in "${user[@]}"; do
		grep -q "user data $f" "$inst/$f" 2>/dev/null
		step $? "$f unchanged"
	done
	[ -z "$(lnk 'Start Menu/Programs')" ] && [ -z "$(lnk 'Startup')" ]
	step $? "shortcuts removed"
	wine reg query "$key" >/dev/null 2>&1
	[ $? != 0 ]
	step $? "uninstall entry removed"

	# An empty folder goes entirely: install and uninstall again without user files.
	rm -f "$inst"/*
	wine "$(winpath "$PF_SETUP")" /S "/D=$instw"
	wineserver -w
	wine "$instw\\Uninstall.exe" /S
	wineserver -w
	[ ! -e "$inst" ]
	step $? "without user files the install folder is removed too"

	# All users (/ALLUSERS; Wine's user counts as an administrator): HKLM
	# entry and the common Start menu, removed again by the uninstaller.
	all=$PF_WORK/AllUsers/PortForwarder
	allw=$(winpath "$all")
	hklm='HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\PortForwarder'
	wine "$(winpath "$PF_SETUP")" /S /ALLUSERS "/D=$allw"
	rc=$?
	wineserver -w
	step $rc "setup.exe /S /ALLUSERS exits 0 (got $rc)"
	[ -f "$all/PortForwarder.exe" ] && [ -f "$all/Uninstall.exe" ]
	step $? "all-users files present"
	wine reg query "$hklm" /v InstallLocation 2>/dev/null | grep -qi "AllUsers"
	step $? "uninstall entry under HKLM"
	[ -n "$(common_lnk 'Start Menu/Programs')" ] && [ -z "$(lnk 'Start Menu/Programs')" ]
	step $? "Start-menu shortcut for all users, none per user"
	wine "$allw\\Uninstall.exe" /S
	wineserver -w
	[ ! -e "$all" ] && [ -z "$(common_lnk 'Start Menu/Programs')" ]
	step $? "all-users uninstall removes folder and shortcut"
	wine reg query "$hklm" >/dev/null 2>&1
	[ $? != 0 ]
	step $? "HKLM uninstall entry removed"

	wineserver -k 2>/dev/null || true
	echo "$failed failed"
	[ $failed = 0 ]
}

exec 9>"$prefix.lock"
flock 9
xvfb-run -a -s "-screen 0 1024x768x24 -nolisten tcp" bash -c "$(declare -f session); session"
