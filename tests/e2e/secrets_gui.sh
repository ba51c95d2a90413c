#!/usr/bin/env bash
# Secrets typed into the GUI are in no file it writes (issue 18, Tests): the
# real PortForwarder.exe with LogLevel=debug (the highest the GUI offers)
# and LogFile=pf.log logs in to a real sshd (PAM) as two accounts that exist
# only in that sshd's mount namespace: KBD with keyboard-interactive, PW
# with a password, both typed into the prompt dialog by the driver
# (scenario secrets-gui); then "Save log...". The answers (plain or base64)
# may be in no file of the kit (ini, pf.log, known_hosts, ...), nor in the
# saved log. The CLI's counterpart is tests/security/secrets.sh.
#   secrets_gui.sh <win64 build dir> <scratch dir> <wine prefix> <screenshot dir>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null || ! command -v openssl >/dev/null; then
	echo "skipped: the test accounts need root, mount namespaces and openssl"
	exit 77
fi
. "$here/kitlib.sh" "$@"
# The driver's SECRETS_KBD and SECRETS_PW.
KBD='PF-CANARY-gui-kbdint-3e9f51'
PW='PF-CANARY-gui-password-a7c604'

# The accounts, which exist only for this sshd (tests/cli/lib.sh).
k=$dir/accounts
mkdir -p "$k"
check "the sshd with the test accounts listens" \
	start_account_sshd "$k" "pfkbd:4243:$KBD" "pfpw:4244:$PW"
kport=$account_port

# The kit: the exe, settings/config.txt with both Hosts, a known_hosts that
# trusts the server, and the ini with the log at its most verbose.
mkdir -p "$kit/settings"
cp "$W/app/win32/PortForwarder.exe" "$kit/"
printf '[127.0.0.1]:%s %s\n' "$kport" "$(cut -d' ' -f1-2 "$dir/host_key.pub")" >"$kit/settings/known_hosts"
printf '%s\r\n' \
	"Host KBD" "  HostName 127.0.0.1" "  Port $kport" "  User pfkbd" \
	"  PreferredAuthentications keyboard-interactive" "  LogLevel DEBUG3" "" \
	"Host PW" "  HostName 127.0.0.1" "  Port $kport" "  User pfpw" \
	"  PreferredAuthentications password" "  LogLevel DEBUG3" >"$kit/settings/config.txt"
printf '[PortForwarder]\r\nLogLevel=debug\r\nLogFile=pf.log\r\n' >"$kit/PortForwarder.ini"

run secrets-gui "$kit"
check "sshd: pfkbd logged in with keyboard-interactive" \
	grep -q "Accepted keyboard-interactive/pam for pfkbd" "$k/sshd.log"
check "sshd: pfpw logged in with a password" grep -q "Accepted password for pfpw" "$k/sshd.log"
check "LogFile: pf.log holds both logins, with the session's verbose lines" \
	bash -c "grep -q 'KBD: Connected to .* as pfkbd' '$kit/pf.log' &&
		grep -q 'PW: Connected to .* as pfpw' '$kit/pf.log' && grep -q 'PW: Host key .* matches' '$kit/pf.log'"
check "Save log: holds the run" grep -q "PW: Connected" "$kit/saved-log.txt"
for s in "$KBD" "$PW"; do
	b64=$(printf '%s' "$s" | base64 -w0)
	check "$s: in no file of the kit (ini, pf.log, saved log, ...)" \
		bash -c "! grep -rqaF -e '$s' -e '$b64' '$kit'"
	check "$s: not in the saved log" bash -c "! grep -qaF -e '$s' -e '$b64' '$kit/saved-log.txt'"
done
echo "screenshots: $shots"
finish
