#!/usr/bin/env bash
# Code signing round trip: a throwaway self-signed code-signing certificate
# (made here, never leaves the scratch folder), package.sh with
# PF_SIGN_PKCS12 signs PortForwarder.exe, pf.exe, the uninstaller and the
# installer; osslsigncode verifies each against that certificate, and fails
# against another one. The unsigned packages (package.build) stay the
# reproducible ones.
#
#   sign-test.sh <source root> <win64 build dir> <package.build's dist> <version> <scratch>
set -euo pipefail
root=$(cd "$1" && pwd)
w64=$2 dist=$3 version=$4 work=$5
command -v osslsigncode >/dev/null || { echo "SKIPPED: osslsigncode not installed (scripts/setup.sh)"; exit 77; }
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
failed=0
ok() { echo "ok: $*"; }
bad() {
	echo "FAILED: $*"
	failed=$((failed + 1))
}

mkcert() { # name
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=PortForwarder test signing $1" \
		-addext "extendedKeyUsage=codeSigning" -addext "keyUsage=digitalSignature" \
		-keyout "$work/$1.key" -out "$work/$1.pem" 2>/dev/null
}
mkcert one
mkcert other
head -c 18 /dev/urandom | base64 >"$work/pass"
openssl pkcs12 -export -inkey "$work/one.key" -in "$work/one.pem" -out "$work/one.p12" \
	-passout "file:$work/pass"

if PF_SIGN_PKCS12=$work/one.p12 PF_SIGN_PASSWORD_FILE=$work/pass PF_SIGN_CAFILE=$work/one.pem \
	PF_SIGN_LOG=$work/signed.log bash "$root/scripts/package.sh" --no-build --no-source --allow-fallback \
	--build-dir "$w64" --out "$work/dist" >"$work/package.log" 2>&1; then
	ok "package.sh with a signing certificate"
else
	bad "package.sh with a signing certificate: $(tail -n 5 "$work/package.log")"
fi
cat "$work/signed.log" 2>/dev/null | sed 's/^/  | /'
[ "$(grep -c '^signed and verified: ' "$work/signed.log" 2>/dev/null)" = 4 ] &&
	ok "4 files signed and verified (PortForwarder.exe, pf.exe, the uninstaller, the installer)" ||
	bad "signed: $(wc -l <"$work/signed.log" 2>/dev/null) files, expected 4"

mkdir -p "$work/x"
unzip -q -o "$work/dist/PortForwarder-$version-win64-portable.zip" PortForwarder.exe -d "$work/x"
unzip -q -o "$work/dist/PortForwarder-$version-win64-cli.zip" pf.exe -d "$work/x"
cp "$work/dist/PortForwarder-$version-setup.exe" "$work/x/setup.exe"
for f in PortForwarder.exe pf.exe setup.exe; do
	if osslsigncode verify -CAfile "$work/one.pem" -in "$work/x/$f" >"$work/verify-$f.log" 2>&1; then
		ok "$f: the signature verifies"
	else
		bad "$f: the signature does not verify: $(tail -n 3 "$work/verify-$f.log")"
	fi
	if osslsigncode verify -CAfile "$work/other.pem" -in "$work/x/$f" >/dev/null 2>&1; then
		bad "$f verifies against a certificate that did not sign it"
	else
		ok "$f does not verify against another certificate"
	fi
done
# The unsigned package of the same build has no signature.
unzip -q -o "$dist/PortForwarder-$version-win64-portable.zip" PortForwarder.exe -d "$work/unsigned"
if osslsigncode verify -CAfile "$work/one.pem" -in "$work/unsigned/PortForwarder.exe" >/dev/null 2>&1; then
	bad "the unsigned package's PortForwarder.exe verifies"
else
	ok "the unsigned package's PortForwarder.exe carries no signature"
fi
echo "$failed failed"
[ $failed = 0 ] && rm -rf "$work"
[ $failed = 0 ]
