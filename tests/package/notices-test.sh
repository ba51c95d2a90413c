#!/usr/bin/env bash
# THIRD_PARTY_NOTICES.txt is generated from what cmake/deps.sh built (the
# prefix's built.env): the libssh and OpenSSL versions, each libssh patch
# with its one-line purpose, the build options, the libssh functions beyond
# the public API, and the written offer naming the source bundle, which
# holds the Debian source packages and patches. And package.sh refuses to
# make release packages from a fallback build.
#
#   notices-test.sh <source root> <package.build's dist> <version> <win64 build dir> <scratch>
set -euo pipefail
root=$(cd "$1" && pwd)
dist=$2 version=$3 w64=$4 work=$5
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
failed=0
ok() { echo "ok: $*"; }
bad() {
	echo "FAILED: $*"
	failed=$((failed + 1))
}
has() { # what text
	if grep -qF -- "$2" "$work/notices.txt"; then ok "$1"; else bad "$1 (no '$2')"; fi
}

prefix=$(sed -n 's/^PF_DEPS_PREFIX:INTERNAL=//p' "$w64/CMakeCache.txt")
# shellcheck disable=SC1091
. "$prefix/built.env"
unzip -p "$dist/PortForwarder-$version-win64-portable.zip" THIRD_PARTY_NOTICES.txt | tr -d '\r' >"$work/notices.txt"
has "libssh's version as built" "libssh $PF_BUILT_LIBSSH_UPSTREAM -- GNU Lesser General Public License"
grep -qF "$PF_BUILT_LIBSSH_DEB" "$work/notices.txt" && ok "names libssh $PF_BUILT_LIBSSH_DEB" || bad "no libssh $PF_BUILT_LIBSSH_DEB"
grep -qF "$PF_BUILT_OPENSSL_DEB" "$work/notices.txt" && ok "names openssl $PF_BUILT_OPENSSL_DEB" || bad "no openssl $PF_BUILT_OPENSSL_DEB"
has "OpenSSL's version as built" "OpenSSL $PF_BUILT_OPENSSL_UPSTREAM (libcrypto) -- Apache License 2.0"
n=0
for p in "$root"/cmake/patches/libssh-*.patch; do
	has "patch $(basename "$p") with its purpose" "  - $(basename "$p"): $(head -n1 "$p" | sed 's/^libssh: //')"
	n=$((n + 1))
done
[ "$n" = "$(wc -w <<<"$PF_BUILT_PATCHES")" ] && ok "every patch built is listed ($n)" || bad "$n patches in cmake/patches, built: $PF_BUILT_PATCHES"
grep -qi "unmodified" "$work/notices.txt" && bad "still says 'unmodified'" || ok "does not claim libssh is unmodified"
has "the socket read size as built" "-DMAX_BUF_SIZE=262144"
has "libssh's build options" "-DWITH_SERVER=OFF"
has "OpenSSL's build options" "no-autoload-config"
has "the written offer names the source bundle" "PortForwarder-$version-source.tar.gz"
has "the relinking steps name the non-public libssh function" "ssh_session_set_channel_window"
grep -q "bcrypt_pbkdf" "$work/notices.txt" && bad "names bcrypt_pbkdf (no longer used)" || ok "bcrypt_pbkdf is not needed"
# Each function named is in our libssh.a and not in upstream's installed headers.
line=$(grep -A1 "libssh must provide them too:" "$work/notices.txt" | tail -n1 | xargs)
defined=$(x86_64-w64-mingw32-nm --defined-only "$prefix/lib/libssh.a" 2>/dev/null | awk '$2 == "T" { print $3 }')
# shellcheck disable=SC2046
up=$(tar -xJOf "$PF_BUILT_SOURCES/libssh_$PF_BUILT_LIBSSH_UPSTREAM.orig.tar.xz" \
	$(printf "libssh-$PF_BUILT_LIBSSH_UPSTREAM/include/libssh/%s.h " libssh callbacks legacy server sftp ssh2))
for f in $line; do
	if grep -qw "$f" <<<"$up"; then
		bad "$f is named as non-public, but upstream libssh declares it"
	elif ! grep -qx "$f" <<<"$defined"; then
		bad "$f is named, but our libssh.a does not define it"
	else
		ok "non-public libssh function named: $f"
	fi
done
[ -n "$line" ] || bad "no non-public libssh functions named (ssh_session_set_channel_window at least)"

# The source bundle: tree, Debian source packages, patches, README.
tar -tzf "$dist/PortForwarder-$version-source.tar.gz" >"$work/bundle.lst"
s=PortForwarder-$version-source
for want in "$s/README.txt" "$s/TOOLCHAIN.txt" "$s/portforwarder/cmake/deps.sh" "$s/portforwarder/.source-commit" \
	"$s/debian-sources/libssh_$PF_BUILT_LIBSSH_DEB.dsc" "$s/debian-sources/openssl_$PF_BUILT_OPENSSL_DEB.dsc" \
	"$s/debian-sources/libssh_$PF_BUILT_LIBSSH_UPSTREAM.orig.tar.xz" \
	"$s/debian-sources/openssl_$PF_BUILT_OPENSSL_UPSTREAM.orig.tar.gz"; do
	grep -qxF "$want" "$work/bundle.lst" && ok "bundle holds $want" || bad "bundle lacks $want"
done
for p in $PF_BUILT_PATCHES; do
	grep -qxF "$s/patches/$p" "$work/bundle.lst" && ok "bundle holds patches/$p" || bad "bundle lacks patches/$p"
done
tar -xzOf "$dist/PortForwarder-$version-source.tar.gz" "$s/README.txt" >"$work/readme.txt"
grep -q "PF_DEPS_SOURCES" "$work/readme.txt" && grep -q "ssh_session_set_channel_window" "$work/readme.txt" &&
	ok "bundle README says how to rebuild and relink" || bad "bundle README lacks the rebuild or relink steps"

# A fallback build is no release.
fake=$work/fallback-build
mkdir -p "$fake/app/win32" "$fake/app/cli" "$work/fallback-prefix"
sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=.*/&/p' "$w64/CMakeCache.txt" >"$fake/CMakeCache.txt"
echo "PF_DEPS_PREFIX:INTERNAL=$work/fallback-prefix" >>"$fake/CMakeCache.txt"
sed "s/^PF_BUILT_FALLBACK=.*/PF_BUILT_FALLBACK='libssh $PF_BUILT_LIBSSH_DEB -> $PF_BUILT_LIBSSH_DEB+9'/" \
	"$prefix/built.env" >"$work/fallback-prefix/built.env"
cp "$w64/app/win32/PortForwarder.exe" "$fake/app/win32/"
cp "$w64/app/cli/pf.exe" "$fake/app/cli/"
if bash "$root/scripts/package.sh" --no-build --no-source --build-dir "$fake" --out "$work/out" >"$work/fallback.log" 2>&1; then
	bad "package.sh made packages from a fallback build"
else
	grep -q "FALLBACK build (libssh .* -> .*+9), not the pins" "$work/fallback.log" &&
		[ -z "$(find "$work/out" -maxdepth 1 -type f 2>/dev/null)" ] &&
		ok "package.sh refuses a fallback build, with one message, and writes nothing" ||
		bad "package.sh failed, but not with the fallback message: $(tail -n 2 "$work/fallback.log")"
fi
echo "$failed failed"
[ $failed = 0 ] && rm -rf "$work"
[ $failed = 0 ]
