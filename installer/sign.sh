#!/usr/bin/env bash
# Sign one Windows executable in place with osslsigncode (Authenticode,
# SHA-256): scripts/package.sh calls it for PortForwarder.exe and pf.exe,
# makensis (!finalize, !uninstfinalize) for the installer and its uninstaller.
#
#   sign.sh FILE
#
# PF_SIGN_PKCS12         certificate and private key (.p12 / .pfx)
# PF_SIGN_PASSWORD_FILE  a file holding its password (never on a command line)
# PF_SIGN_TIMESTAMP_URL  an RFC 3161 time-stamping server (optional)
# PF_SIGN_CAFILE         when set, each signature is verified against it
# PF_SIGN_LOG            when set, one line per signed file is appended
set -euo pipefail
file=${1:?usage: sign.sh FILE}
die() {
	printf 'sign.sh: error: %s\n' "$*" >&2
	exit 1
}
command -v osslsigncode >/dev/null || die "osslsigncode not found (apt-get install osslsigncode)"
[ -f "${PF_SIGN_PKCS12:-}" ] || die "PF_SIGN_PKCS12 ('${PF_SIGN_PKCS12:-}') is not a file"
args=(sign -pkcs12 "$PF_SIGN_PKCS12" -h sha256 -n PortForwarder)
[ -z "${PF_SIGN_PASSWORD_FILE:-}" ] || args+=(-readpass "$PF_SIGN_PASSWORD_FILE")
[ -z "${PF_SIGN_TIMESTAMP_URL:-}" ] || args+=(-ts "$PF_SIGN_TIMESTAMP_URL")
rm -f "$file.signed"
osslsigncode "${args[@]}" -in "$file" -out "$file.signed" >"$file.signlog" 2>&1 ||
	{ cat "$file.signlog" >&2; rm -f "$file.signed" "$file.signlog"; die "signing $file failed"; }
mv -f "$file.signed" "$file"
rm -f "$file.signlog"
what=signed
if [ -n "${PF_SIGN_CAFILE:-}" ]; then
	osslsigncode verify -CAfile "$PF_SIGN_CAFILE" -in "$file" >/dev/null 2>&1 ||
		die "the signature of $file does not verify against $PF_SIGN_CAFILE"
	what="signed and verified"
fi
[ -z "${PF_SIGN_LOG:-}" ] || echo "$what: $file" >>"$PF_SIGN_LOG"
echo "[sign] $what: $(basename "$file")" >&2
