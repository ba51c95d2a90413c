#!/usr/bin/env bash
# Release packages, reproducibly, from the win64 build:
#
#   dist/PortForwarder-<version>-win64-portable.zip  the floppy kit: PortForwarder.exe,
#        sample config.txt, README.txt, README-ja.txt, LICENSE.txt, THIRD_PARTY_NOTICES.txt
#   dist/PortForwarder-<version>-win64-cli.zip       pf.exe and the same papers
#   dist/PortForwarder-<version>-setup.exe           NSIS installer (both programs)
#   dist/PortForwarder-<version>-source.tar.gz       the corresponding source: the
#        project's tree at this commit, the Debian source packages of libssh and
#        OpenSSL that were built, our libssh patches, README.txt (rebuild, relink)
#
#   scripts/package.sh [--build-dir DIR] [--out DIR] [--no-build] [--no-source]
#                      [--allow-fallback]
#
# The version is the first line of VERSION. Times come from SOURCE_DATE_EPOCH
# (default: the last commit's time; in an unpacked source bundle, the
# bundle's .source-date-epoch), so two runs on the same commit give
# byte-identical files. --build-dir defaults to build/win64 (configured with
# the win64 preset when missing); another folder is configured the same way.
# THIRD_PARTY_NOTICES.txt is generated from what cmake/deps.sh really built
# (the prefix's built.env). A release is always built from the pins: a
# fallback build (deps.sh could not get a pinned version) is refused unless
# --allow-fallback (test packages only).
#
# Code signing (optional): with PF_SIGN_PKCS12=<certificate and key, .p12/.pfx>
# (PF_SIGN_PASSWORD_FILE=<file with its password>, PF_SIGN_TIMESTAMP_URL=<RFC
# 3161 server> optional), both exes, the installer and its uninstaller are
# signed with osslsigncode (installer/sign.sh). Unsigned packages are the
# reproducible ones.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Our tree is a git checkout only when it is the top of one: a tree exported
# into a build folder (the reproducibility test, an unpacked source bundle
# kept in a checkout) must not take the surrounding repository's HEAD.
root_is_git() { [ "$(git -C "$root" rev-parse --show-toplevel 2>/dev/null)" = "$root" ]; }
build=$root/build/win64
out=$root/dist
do_build=1
do_source=1
allow_fallback=0
FLOPPY=1457664

die() {
	printf 'package.sh: error: %s\n' "$*" >&2
	exit 1
}
say() { printf '[package] %s\n' "$*" >&2; }

while [ $# -gt 0 ]; do
	case $1 in
	--build-dir) build=${2:?--build-dir needs a folder}; shift 2 ;;
	--out) out=${2:?--out needs a folder}; shift 2 ;;
	--no-build) do_build=0; shift ;;
	--no-source) do_source=0; shift ;;
	--allow-fallback) allow_fallback=1; shift ;;
	-h | --help) sed -n '2,32p' "$0"; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
mkdir -p "$build" "$out"
build=$(cd "$build" && pwd)
out=$(cd "$out" && pwd)

version=$(head -n1 "$root/VERSION" | tr -d '[:space:]')
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
	die "$root/VERSION: first line '$version' is not MAJOR.MINOR.PATCH"
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	if [ -f "$root/.source-date-epoch" ]; then # an unpacked source bundle
		SOURCE_DATE_EPOCH=$(cat "$root/.source-date-epoch")
	else
		SOURCE_DATE_EPOCH=$(root_is_git && git -C "$root" log -1 --format=%ct 2>/dev/null) ||
			die "no SOURCE_DATE_EPOCH and no git history in $root to take it from"
	fi
fi
export SOURCE_DATE_EPOCH TZ=UTC LC_ALL=C.UTF-8
umask 022

for tool in x86_64-w64-mingw32-strip makensis python3; do
	command -v $tool >/dev/null || die "$tool not found (run scripts/setup.sh)"
done

# --- build ------------------------------------------------------------------
if [ $do_build = 1 ]; then
	if [ ! -f "$build/CMakeCache.txt" ]; then
		if [ "$build" = "$root/build/win64" ]; then
			(cd "$root" && cmake --preset win64) >&2
		else
			# Same settings as the win64 preset, another folder.
			cmake -S "$root" -B "$build" -G Ninja \
				-DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchain-mingw64.cmake" \
				-DCMAKE_BUILD_TYPE=MinSizeRel >&2
		fi
	fi
	# CMake reads VERSION at configure time only: reconfigure when it moved on.
	cached=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
	if [ "$cached" != "$version" ]; then
		say "VERSION is $version but $build was configured for '$cached': reconfiguring"
		cmake "$build" >&2
	fi
	cmake --build "$build" --target PortForwarder pf >&2
fi
[ -f "$build/CMakeCache.txt" ] ||
	die "$build is not a configured build folder: run without --no-build to build it"
cached=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
[ "$cached" = "$version" ] ||
	die "$build was built as version '$cached' but VERSION says $version: rebuild it (drop --no-build)"
gui=$build/app/win32/PortForwarder.exe
cli=$build/app/cli/pf.exe
[ -f "$gui" ] && [ -f "$cli" ] || die "$gui or $cli missing: build the win64 tree first"

# What cmake/deps.sh really built for this tree (versions, patches, options).
deps=$(sed -n 's/^PF_DEPS_PREFIX:INTERNAL=//p' "$build/CMakeCache.txt")
[ -n "$deps" ] && [ -f "$deps/built.env" ] ||
	die "$build names no dependency prefix with a built.env ('$deps'): configure it again (cmake $build)"
# shellcheck disable=SC1091
. "$deps/built.env"
if [ -n "$PF_BUILT_FALLBACK" ]; then
	[ $allow_fallback = 1 ] ||
		die "the dependencies are a FALLBACK build ($PF_BUILT_FALLBACK), not the pins in cmake/deps.env. A release is always built from the pins: update cmake/deps.env (version and .dsc SHA-256) and rebuild"
	say "warning: packaging a FALLBACK build ($PF_BUILT_FALLBACK): a test package, not a release"
fi

# --- stage ------------------------------------------------------------------
base_name=PortForwarder-$version
stage=$out/.stage
rm -rf "$stage"
mkdir -p "$stage"
trap 'rm -rf "$stage" "$out/.bundle"' EXIT

# Stripped copies; strip writes SOURCE_DATE_EPOCH as the PE time stamp.
x86_64-w64-mingw32-strip --strip-all -o "$stage/PortForwarder.exe" "$gui"
x86_64-w64-mingw32-strip --strip-all -o "$stage/pf.exe" "$cli"

# Versions of what is linked in, for the notices.
. "$root/cmake/deps.env"
deb_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo unknown; }
zlib_deb=$(deb_version libz-mingw-w64-dev)
mingw_deb=$(deb_version mingw-w64-x86-64-dev)
upstream() { local v=${1#*:}; v=${v%%-*}; echo "${v%%+*}"; }
ssh_up=$PF_BUILT_LIBSSH_UPSTREAM
ossl_up=$PF_BUILT_OPENSSL_UPSTREAM
srcdir=$PF_BUILT_SOURCES

# The license texts, from the source packages that were built.
license_from() { # tarball member name
	tar -xOf "$1" "$2" >"$stage/$3.lic" 2>/dev/null ||
		die "cannot read $2 from $1 (the sources deps.sh built from): configure again to fetch them"
}
license_from "$srcdir/libssh_$ssh_up.orig.tar.xz" "libssh-$ssh_up/COPYING" LGPL-2.1
license_from "$srcdir/openssl_$ossl_up.orig.tar.gz" "openssl-$ossl_up/LICENSE.txt" Apache-2.0

# The libssh functions the programs call that upstream libssh does not
# declare in its public headers (a relinked libssh must provide them): the
# symbols our objects import from libssh.a, minus upstream's API.
nm=x86_64-w64-mingw32-nm
objs=$(find "$build/core" "$build/app" -name '*.obj' | sort)
# shellcheck disable=SC2086
wanted=$($nm -u $objs 2>/dev/null | awk 'NF == 2 && $1 == "U" { print $2 }' | sort -u)
have=$($nm --defined-only "$deps/lib/libssh.a" 2>/dev/null | awk '$2 ~ /^[TDBR]$/ { print $3 }' | sort -u)
# (The headers libssh installs; include/libssh/ also holds its internal ones.)
# shellcheck disable=SC2046
public=$(tar -xJOf "$srcdir/libssh_$ssh_up.orig.tar.xz" \
	$(printf "libssh-$ssh_up/include/libssh/%s.h " libssh callbacks legacy server sftp ssh2) |
	grep -oE '\b[A-Za-z_][A-Za-z0-9_]*\b' | sort -u)
private_syms=$(comm -12 <(echo "$wanted") <(echo "$have") | comm -23 - <(echo "$public") | tr '\n' ' ')
private_syms=${private_syms% }

# Our libssh patches, each with its one-line purpose (the patch's first line).
patch_list=
for p in $PF_BUILT_PATCHES; do
	patch_list+="  - $p: $(head -n1 "$root/cmake/patches/$p" | sed 's/^libssh: //')"$'\n'
done
indent() { fold -s -w 70 | sed 's/^/    /'; }

kit=$root/resources/kit
bundle=$base_name-source.tar.gz
subst=(VERSION="$version" LIBSSH_DEB_VERSION="$PF_BUILT_LIBSSH_DEB" LIBSSH_UPSTREAM="$ssh_up"
	OPENSSL_DEB_VERSION="$PF_BUILT_OPENSSL_DEB" OPENSSL_UPSTREAM="$ossl_up"
	DEBIAN_SUITE="$PF_BUILT_SUITE" ZLIB_VERSION="$(upstream "$zlib_deb")"
	ZLIB_DEB_VERSION="$zlib_deb" MINGW_DEB_VERSION="$mingw_deb"
	LIBSSH_PATCHES="${patch_list%$'\n'}"
	LIBSSH_OPTIONS="$(indent <<<"$PF_BUILT_LIBSSH_OPTIONS")"
	OPENSSL_OPTIONS="$(indent <<<"$PF_BUILT_OPENSSL_OPTIONS")"
	LIBSSH_PRIVATE_SYMBOLS="${private_syms:-(none)}" SOURCE_BUNDLE="$bundle")
text() { python3 "$root/installer/kittext.py" "$@" "${subst[@]}"; }
text "$kit/config.txt" "$stage/config.txt"
text "$kit/README.txt" "$stage/README.txt"
text "$kit/README-ja.txt" "$stage/README-ja.txt"
text "$root/LICENSE" "$stage/LICENSE.txt"
text "$kit/THIRD_PARTY_NOTICES.txt.in" "$stage/THIRD_PARTY_NOTICES.txt" \
	"+$stage/LGPL-2.1.lic" "+$stage/Apache-2.0.lic"
cp "$stage/config.txt" "$stage/config-sample.txt"
rm -f "$stage"/*.lic
touch -d "@$SOURCE_DATE_EPOCH" "$stage"/*

# --- code signing (optional) -------------------------------------------------
sign=()
if [ -n "${PF_SIGN_PKCS12:-}" ]; then
	sign=(bash "$root/installer/sign.sh")
	"${sign[@]}" "$stage/PortForwarder.exe"
	"${sign[@]}" "$stage/pf.exe"
	touch -d "@$SOURCE_DATE_EPOCH" "$stage/PortForwarder.exe" "$stage/pf.exe"
fi

# --- zips -------------------------------------------------------------------
base=$base_name
papers=(README.txt README-ja.txt LICENSE.txt THIRD_PARTY_NOTICES.txt)
zipit() {
	local zip=$1
	shift
	local args=() f
	for f in "$@"; do args+=("$f=$stage/$f"); done
	python3 "$root/installer/mkzip.py" "$zip" "${args[@]}"
}
portable=$out/$base-win64-portable.zip
zipit "$portable" PortForwarder.exe config.txt "${papers[@]}"
zipit "$out/$base-win64-cli.zip" pf.exe config.txt "${papers[@]}"

# --- installer --------------------------------------------------------------
setup=$out/$base-setup.exe
nsis_sign=()
[ ${#sign[@]} -eq 0 ] || nsis_sign=(-DSIGN_CMD="bash $root/installer/sign.sh")
makensis -V2 -INPUTCHARSET UTF8 -DVERSION="$version" -DVERSION4="$version.0" \
	-DSTAGE="$stage" -DICON="$root/resources/icons/app.ico" -DOUTFILE="$setup" \
	"${nsis_sign[@]}" "$root/installer/PortForwarder.nsi" >&2 || die "makensis failed"

# --- the corresponding source -------------------------------------------------
# The project's tree at this commit, the Debian source packages built, our
# patches, the toolchain's versions, and how to rebuild and relink.
if [ $do_source = 1 ]; then
	bs=$out/.bundle
	rm -rf "$bs"
	mkdir -p "$bs/portforwarder" "$bs/debian-sources" "$bs/patches"
	if root_is_git && commit=$(git -C "$root" rev-parse HEAD 2>/dev/null); then
		[ -z "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ] ||
			say "warning: $root has uncommitted changes: the source bundle holds commit $commit, not them"
		git -C "$root" archive --format=tar "$commit" | tar -x -C "$bs/portforwarder"
	else # an unpacked source bundle, rebuilt: the tree as it came
		commit=$(cat "$root/.source-commit" 2>/dev/null || echo unknown)
		(cd "$root" && tar -c --exclude=./build --exclude=./dist .) | tar -x -C "$bs/portforwarder"
	fi
	echo "$commit" >"$bs/portforwarder/.source-commit"
	echo "$SOURCE_DATE_EPOCH" >"$bs/portforwarder/.source-date-epoch"
	for dsc in $PF_BUILT_DSCS; do
		ln -s "$srcdir/$dsc" "$bs/debian-sources/$dsc"
		for f in $(sed -n '/^Checksums-Sha256:/,/^[^ ]/p' "$srcdir/$dsc" | awk 'NF == 3 { print $3 }'); do
			[ -f "$srcdir/$f" ] || die "$srcdir/$f (listed in $dsc) is missing"
			ln -sf "$srcdir/$f" "$bs/debian-sources/$f"
		done
	done
	for p in $PF_BUILT_PATCHES; do cp "$root/cmake/patches/$p" "$bs/patches/"; done
	{
		echo "Toolchain of the build this bundle comes from (Debian package versions):"
		for pkg in gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 mingw-w64-x86-64-dev \
			libz-mingw-w64-dev cmake ninja-build nsis dpkg-dev python3; do
			printf '  %-28s %s\n' "$pkg" "$(deb_version "$pkg")"
		done
		printf '  %-28s %s\n' "x86_64-w64-mingw32-gcc" "$PF_BUILT_COMPILER"
	} >"$bs/TOOLCHAIN.txt"
	sed -e "s/@VERSION@/$version/g" -e "s/@COMMIT@/$commit/g" \
		-e "s/@LIBSSH_DEB_VERSION@/$PF_BUILT_LIBSSH_DEB/g" -e "s/@OPENSSL_DEB_VERSION@/$PF_BUILT_OPENSSL_DEB/g" \
		-e "s/@LIBSSH_PRIVATE_SYMBOLS@/${private_syms:-(none)}/g" -e "s/@EPOCH@/$SOURCE_DATE_EPOCH/g" \
		"$root/installer/source-README.txt.in" >"$bs/README.txt"
	python3 "$root/installer/mktar.py" "$out/$bundle" "$bs" "$base-source"
	rm -rf "$bs"
fi

# --- report -----------------------------------------------------------------
size() { stat -c %s "$1"; }
say "PortForwarder.exe $(size "$stage/PortForwarder.exe") bytes (stripped), pf.exe $(size "$stage/pf.exe")"
for f in "$portable" "$out/$base-win64-cli.zip" "$setup" "$out/$bundle"; do
	[ -f "$f" ] || continue
	say "$(basename "$f"): $(size "$f") bytes"
done
if [ "$(size "$portable")" -gt $FLOPPY ]; then
	say "warning: the portable zip is $(size "$portable") bytes, over the floppy's $FLOPPY" \
		"by $(($(size "$portable") - FLOPPY)); see x86_64-w64-mingw32-nm --size-sort $gui"
fi
sums=("$base-win64-portable.zip" "$base-win64-cli.zip" "$base-setup.exe")
[ $do_source = 0 ] || sums+=("$bundle")
(cd "$out" && sha256sum "${sums[@]}" >"$base-SHA256SUMS.txt")
echo "$out"
