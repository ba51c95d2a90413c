#!/usr/bin/env bash
# Build everything and run PortForwarder.exe under Wine against a throwaway
# demo server on loopback: an OpenSSH sshd and an echo service, both stopped
# again (by PID) when the program ends. On a machine without a display the
# program runs on a virtual one (Xvfb); a screenshot is saved and its path
# printed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

bash scripts/setup.sh
mkdir -p build
echo "[demo] building (the first run also builds the pinned OpenSSL + libssh)"
cmake --preset win64 >build/configure-win64.log 2>&1 || { cat build/configure-win64.log; exit 1; }
cmake --build --preset win64

demo=$root/build/demo
rm -rf "$demo"
mkdir -p "$demo/kit"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	WINEPREFIX=$demo/wineprefix wineserver -k 2>/dev/null || true
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ssh_port=$(free_port)
echo_port=$(free_port)
user=$(id -un)

# The demo server: its own host key, the kit's key in authorized_keys.
ssh-keygen -q -t ed25519 -N '' -C demo-host -f "$demo/ssh_host_ed25519_key"
ssh-keygen -q -t ed25519 -N demo -C demo-user -f "$demo/kit/id_ed25519"
cp "$demo/kit/id_ed25519.pub" "$demo/authorized_keys"
cat >"$demo/sshd_config" <<CFG
Port $ssh_port
ListenAddress 127.0.0.1
HostKey $demo/ssh_host_ed25519_key
PidFile $demo/sshd.pid
AuthorizedKeysFile $demo/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowTcpForwarding yes
CFG
[ "$(id -u)" = 0 ] && mkdir -p /run/sshd
/usr/sbin/sshd -D -e -f "$demo/sshd_config" 2>"$demo/sshd.log" &
pids+=($!)
socat TCP-LISTEN:"$echo_port",bind=127.0.0.1,reuseaddr,fork EXEC:cat &
pids+=($!)

# The kit a user carries: the program, config.txt, the key.
cp build/win64/app/win32/PortForwarder.exe "$demo/kit/"
printf 'Host demo\r\n  HostName 127.0.0.1\r\n  Port %s\r\n  User %s\r\n  IdentityFile id_ed25519\r\n  LocalForward 10110 127.0.0.1:%s\r\n' \
	"$ssh_port" "$user" "$echo_port" >"$demo/kit/config.txt"

echo "[demo] sshd on 127.0.0.1:$ssh_port, echo service on 127.0.0.1:$echo_port"
echo "[demo] kit: $demo/kit (config.txt, id_ed25519 with passphrase 'demo')"
echo "[demo] PortForwarder.exe connects to 'demo' at start: trust the host key, type 'demo',"
echo "[demo] then 127.0.0.1:10110 is an echo service through the tunnel (try: socat - TCP:127.0.0.1:10110)"

export WINEPREFIX=$demo/wineprefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
run_app() {
	if [ ! -f "$WINEPREFIX/.pf-ready" ]; then
		wineboot --init >/dev/null 2>&1 || true
		wineserver -w
		mkdir -p "$WINEPREFIX/drive_c/windows/Fonts"
		cp /usr/share/wine/fonts/*.ttf "$WINEPREFIX/drive_c/windows/Fonts/" 2>/dev/null || true
		# A virtual desktop: window frames and a taskbar for the tray icon.
		wine reg add 'HKCU\Software\Wine\Explorer' /v Desktop /d Default /f >/dev/null 2>&1
		wine reg add 'HKCU\Software\Wine\Explorer\Desktops' /v Default /d 1024x768 /f >/dev/null 2>&1
		wineserver -w
		touch "$WINEPREFIX/.pf-ready"
	fi
	cd "$demo/kit"
	# A host on the command line connects at start, like the original.
	wine PortForwarder.exe -F config.txt demo
}

if [ -n "${DISPLAY:-}" ] && xdotool getdisplaygeometry >/dev/null 2>&1; then
	echo "[demo] starting PortForwarder.exe on $DISPLAY; close its window to end the demo"
	run_app
else
	shot=$demo/screenshot.png
	# xvfb-run goes through /bin/sh, which drops exported functions: pass
	# the definition in the command itself.
	export demo
	xvfb-run -a -s "-screen 0 1024x768x24 -nolisten tcp" bash -c "$(declare -f run_app)"'
		run_app & app=$!
		for i in $(seq 1 60); do
			xdotool search --name "^PortForwarder" >/dev/null 2>&1 && break
			sleep 0.5
		done
		sleep 4 # the host key question appears
		import -window root "'"$shot"'"
		wineserver -k 2>/dev/null || true
		wait $app 2>/dev/null || true'
	echo "[demo] no display here: PortForwarder.exe ran under Xvfb"
	echo "[demo] screenshot: $shot"
fi
