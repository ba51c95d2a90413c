#!/usr/bin/env bash
# Release packages, reproducibly, from the win64 build:
#
#   dist/PortForwarder-<version>-win64-portable.zip  the floppy kit: PortForwarder.exe,
#        sample config.txt, README.txt, README-ja.txt, LICENSE.txt, THIRD_PARTY_NOTICES.txt
#   dist/PortForwarder-<version>-win64-cli.zip       pf.exe and the same papers
#   dist/PortForwarder-<version>-setup.exe           NSIS installer (both programs)
#
#   scripts/package.sh [--build-dir DIR] [--out DIR] [--no-build]
#
# The version is the first line of VERSION. Times come from SOURCE_DATE_EPOCH
# (default: the last commit's time), so two runs on the same commit give
# byte-identical files. --build-dir defaults to build/win64 (configured with
# the win64 preset when missing); another folder is configured the same way.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$root/build/win64
out=$root/dist
do_build=1
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
	-h | --help) sed -n '2,14p' "$0"; exit 0 ;;
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
	SOURCE_DATE_EPOCH=$(git -C "$root" log -1 --format=%ct 2>/dev/null) ||
		die "no SOURCE_DATE_EPOCH and no git history in $root to take it from"
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

# --- stage ------------------------------------------------------------------
stage=$out/.stage
rm -rf "$stage"
mkdir -p "$stage"
trap 'rm -rf "$stage"' EXIT

# Stripped copies; strip writes SOURCE_DATE_EPOCH as the PE time stamp.
x86_64-w64-mingw32-strip --strip-all -o "$stage/PortForwarder.exe" "$gui"
x86_64-w64-mingw32-strip --strip-all -o "$stage/pf.exe" "$cli"

# Versions of what is linked in, for the notices.
. "$root/cmake/deps.env"
deb_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo unknown; }
zlib_deb=$(deb_version libz-mingw-w64-dev)
mingw_deb=$(deb_version mingw-w64-x86-64-dev)
upstream() { local v=${1#*:}; v=${v%%-*}; echo "${v%%+*}"; }

# The license texts, from the pinned source packages themselves.
cache=${PF_DEPS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portforwarder-deps}
license_from() { # tarball member fallback
	local tar=$1 member=$2 fallback=$3
	if [ -f "$tar" ] && tar -xOf "$tar" "$member" >"$stage/$(basename "$fallback").lic" 2>/dev/null; then
		return 0
	fi
	say "warning: $tar not found, using $fallback for the license text"
	cp "$fallback" "$stage/$(basename "$fallback").lic"
}
ssh_up=$(upstream "$LIBSSH_DEB_VERSION")
ossl_up=$(upstream "$OPENSSL_DEB_VERSION")
license_from "$cache/src/libssh_$ssh_up.orig.tar.xz" "libssh-$ssh_up/COPYING" \
	/usr/share/common-licenses/LGPL-2.1
license_from "$cache/src/openssl_$ossl_up.orig.tar.gz" "openssl-$ossl_up/LICENSE.txt" \
	/usr/share/common-licenses/Apache-2.0

kit=$root/resources/kit
subst=(VERSION="$version" LIBSSH_DEB_VERSION="$LIBSSH_DEB_VERSION" LIBSSH_UPSTREAM="$ssh_up"
	OPENSSL_DEB_VERSION="$OPENSSL_DEB_VERSION" OPENSSL_UPSTREAM="$ossl_up"
	DEBIAN_SUITE="$DEBIAN_SOURCE_SUITE" ZLIB_VERSION="$(upstream "$zlib_deb")"
	ZLIB_DEB_VERSION="$zlib_deb" MINGW_DEB_VERSION="$mingw_deb")
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

# --- zips -------------------------------------------------------------------
base=PortForwarder-$version
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
makensis -V2 -INPUTCHARSET UTF8 -DVERSION="$version" -DVERSION4="$version.0" \
	-DSTAGE="$stage" -DICON="$root/resources/icons/app.ico" -DOUTFILE="$setup" \
	"$root/installer/PortForwarder.nsi" >&2 || die "makensis failed"

# --- report -----------------------------------------------------------------
size() { stat -c %s "$1"; }
say "PortForwarder.exe $(size "$stage/PortForwarder.exe") bytes (stripped), pf.exe $(size "$stage/pf.exe")"
for f in "$portable" "$out/$base-win64-cli.zip" "$setup"; do
	say "$(basename "$f"): $(size "$f") bytes"
done
if [ "$(size "$portable")" -gt $FLOPPY ]; then
	say "warning: the portable zip is $(size "$portable") bytes, over the floppy's $FLOPPY" \
		"by $(($(size "$portable") - FLOPPY)); see x86_64-w64-mingw32-nm --size-sort $gui"
fi
(cd "$out" && sha256sum "$base-win64-portable.zip" "$base-win64-cli.zip" "$base-setup.exe" \
	>"$base-SHA256SUMS.txt")
echo "$out"
