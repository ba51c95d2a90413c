#!/usr/bin/env bash
# Fetch the pinned libssh and OpenSSL sources (cmake/deps.env) from Debian's
# source packages and build them as static libraries, cached outside the tree.
#
#   cmake/deps.sh mingw64   OpenSSL + libssh for x86_64-w64-mingw32
#   cmake/deps.sh native    libssh for Linux, against the system's OpenSSL
#
# The last line printed is the install prefix. A prefix is rebuilt only when
# its key (the versions, this script and the toolchain file) changes.
# Cache root: $PF_DEPS_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/portforwarder-deps.
set -euo pipefail

target=${1:?usage: deps.sh mingw64|native}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=deps.env
. "$here/deps.env"

cache=${PF_DEPS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portforwarder-deps}
jobs=${PF_JOBS:-$(nproc 2>/dev/null || echo 2)}
host=x86_64-w64-mingw32

# A caller's compiler settings (CMake exports CC when it runs us) must not
# leak into the dependency builds.
unset CC CXX CPP AR RANLIB LD NM CFLAGS CXXFLAGS CPPFLAGS LDFLAGS MAKEFLAGS MFLAGS

say() { printf '[deps] %s\n' "$*" >&2; }
die() {
	printf '[deps] error: %s\n' "$*" >&2
	exit 1
}
stage_start=$(date +%s)
stage() {
	local now
	now=$(date +%s)
	say "$1 ($((now - stage_start)) s)"
	stage_start=$now
}

# Compile-time choices for the dependencies; part of the cache key.
# OpenSSL: static libcrypto with only what libssh and core/keys.c use (EVP
# AES CTR/CBC/GCM, ChaCha20-Poly1305, 3DES; EC P-256/384/521, X25519, Ed25519,
# RSA, DH; SHA-1/2, HMAC, KDFs; PEM, PKCS#8, PBES2, PKCS#12 PBE): the release
# kit must fit on a 1.44 MB floppy (scripts/package.sh). no-autoload-config:
# never read an openssl.cnf found on the user's PC. -UECP_NISTZ256_ASM: P-256
# through the generic constant-time code, without 150 KB of precomputed tables.
openssl_opts=(no-shared no-module no-tests no-docs no-apps no-ui-console
	no-quic no-comp no-srtp no-ct no-ocsp no-cms no-ts no-psk no-srp
	no-gost no-idea no-seed no-rc2 no-rc4 no-rc5 no-md4 no-mdc2 no-whirlpool
	no-camellia no-aria no-sm2 no-sm3 no-sm4 no-siphash no-cmp no-http
	no-dgram no-sctp no-ssl3 no-tls1 no-tls1_1 no-dtls no-legacy
	no-engine no-winstore no-ml-dsa no-ml-kem no-slh-dsa no-blake2 no-argon2
	no-multiblock no-cast no-bf no-ocb no-siv no-cmac no-ec2m no-sm2-precomp
	no-rmd160 no-rfc3779 no-dso no-async no-sock no-autoload-config
	no-filenames no-thread-pool no-ssl-trace no-dsa -DOPENSSL_SMALL_FOOTPRINT -UECP_NISTZ256_ASM)
# libssh: client only, for size (-Os, sections for --gc-sections); 256 KB socket
# reads (TOOLCHAIN.md: 64 KB made downloads 1.7x faster than libssh's 4 KB;
# 256 KB gave another ~15 % and 15 % less CPU per GB, bench/results); no exec (ProxyCommand, Match
# exec: PortForwarder reads the config itself); no cache path in the objects.
libssh_opts=(-DBUILD_SHARED_LIBS=OFF -DWITH_EXAMPLES=OFF -DWITH_SERVER=OFF
	-DWITH_GSSAPI=OFF -DWITH_SFTP=OFF -DWITH_PCAP=OFF -DWITH_NACL=OFF
	-DWITH_ZLIB=ON -DWITH_SYMBOL_VERSIONING=OFF -DWITH_DEBUG_CALLTRACE=OFF
	-DUNIT_TESTING=OFF -DCLIENT_TESTING=OFF -DSERVER_TESTING=OFF
	-DWITH_EXEC=OFF -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DCMAKE_BUILD_TYPE=MinSizeRel
	-DCMAKE_INSTALL_LIBDIR=lib)
libssh_cflags="-Os -ffunction-sections -fdata-sections -DMAX_BUF_SIZE=262144 -ffile-prefix-map=$cache=/deps"

key=$( {
	cat "$here/deps.env" "$here/deps.sh" "$here/toolchain-mingw64.cmake" "$here"/patches/*.patch
	echo "$target"
	if [ "$target" = native ]; then
		gcc -dumpfullversion
		openssl version 2>/dev/null || true
	else
		$host-gcc -dumpfullversion
	fi
} | sha256sum | cut -c1-16)
prefix=$cache/$target-$key

if [ -f "$prefix/.complete" ]; then
	say "$target: cached in $prefix"
	echo "$prefix"
	exit 0
fi

mkdir -p "$cache"
# One build at a time per cache (two presets may configure at once).
exec 9>"$cache/.lock"
flock 9
if [ -f "$prefix/.complete" ]; then
	echo "$prefix"
	exit 0
fi

# --- fetch ------------------------------------------------------------------
# A private apt configuration lists only trixie's deb-src; the machine's own
# sources stay untouched. The mirror is the one this machine's apt already uses.
apt_mirror() {
	local uri
	uri=$(grep -rhoE '^(URIs:|deb)[[:space:]]+[^ ]*https?://[^ ]+/debian/?([[:space:]]|$)' \
		/etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
		grep -oE 'https?://[^ ]+' | grep -v security | head -n1 || true)
	[ -n "$uri" ] || die "no Debian mirror found in /etc/apt/sources.list*: cannot fetch sources"
	echo "${uri%/}"
}

fetch_sources() {
	local srcdir=$cache/src apt=$cache/apt mirror
	local want_ssh="libssh_${LIBSSH_DEB_VERSION}.dsc"
	local want_ossl="openssl_${OPENSSL_DEB_VERSION}.dsc"
	mkdir -p "$srcdir"
	if [ -f "$srcdir/$want_ssh" ] && [ -f "$srcdir/$want_ossl" ]; then
		return 0
	fi
	command -v apt-get >/dev/null || die "apt-get is needed to fetch the pinned sources"
	command -v dpkg-source >/dev/null || die "dpkg-source is needed (apt-get install dpkg-dev)"
	mirror=$(apt_mirror)
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
	echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $DEBIAN_SOURCE_SUITE main" \
		>"$apt/sources.list"
	local o=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
		-o APT::Sandbox::User=root -qq)
	say "fetching the $DEBIAN_SOURCE_SUITE source index (signature checked by apt)"
	apt-get "${o[@]}" update >&2 ||
		die "apt-get update for $DEBIAN_SOURCE_SUITE sources failed (network? keyring?)"
	(cd "$srcdir" && apt-get "${o[@]}" source --download-only \
		"libssh=$LIBSSH_DEB_VERSION" "openssl=$OPENSSL_DEB_VERSION" >&2) ||
		die "cannot fetch libssh=$LIBSSH_DEB_VERSION and openssl=$OPENSSL_DEB_VERSION from $DEBIAN_SOURCE_SUITE.
       Debian may have replaced them with a newer point release: run
       'apt-cache showsrc libssh openssl' against $DEBIAN_SOURCE_SUITE and update cmake/deps.env."
}

# Unpack (dpkg-source checks every file against the .dsc hashes) into $2.
unpack() {
	local dsc=$cache/src/$1 dest=$2
	rm -rf "$dest"
	dpkg-source -x "$dsc" "$dest" >&2 || die "dpkg-source could not unpack $dsc"
}

fetch_sources
stage "sources ready"

work=$cache/build-$target-$key
rm -rf "$work" "$prefix.tmp"
mkdir -p "$work"

# --- OpenSSL (mingw64 only; native uses the system's libssl-dev) ---------------
if [ "$target" = mingw64 ]; then
	command -v $host-gcc >/dev/null || die "$host-gcc not found (apt-get install gcc-mingw-w64-x86-64)"
	unpack "openssl_${OPENSSL_DEB_VERSION}.dsc" "$work/openssl"
	(
		cd "$work/openssl"
		./Configure mingw64 --cross-compile-prefix=$host- \
			--prefix="$prefix.tmp" --libdir=lib "${openssl_opts[@]}" \
			-Os -ffunction-sections -fdata-sections >&2
		make -j"$jobs" build_libs >"$work/openssl-build.log" 2>&1 ||
			{ tail -n 40 "$work/openssl-build.log" >&2; exit 1; }
		make install_dev >"$work/openssl-install.log" 2>&1 ||
			{ tail -n 40 "$work/openssl-install.log" >&2; exit 1; }
	) || die "OpenSSL build failed (logs in $work)"
	rm -f "$prefix.tmp"/lib/libssl* # libssh needs libcrypto only
	stage "OpenSSL built"
fi

# --- libssh -----------------------------------------------------------------
unpack "libssh_${LIBSSH_DEB_VERSION}.dsc" "$work/libssh"
# Our own small changes to libssh (cmake/patches, each says why): fewer
# copies of every forwarded byte, and a channel window the engine can bound.
for p in "$here"/patches/libssh-*.patch; do
	patch -d "$work/libssh" -p1 --forward --batch --quiet <"$p" >&2 ||
		die "cannot apply $(basename "$p") to libssh $LIBSSH_DEB_VERSION: update the patch with the version"
done
ssh_cmake=(-S "$work/libssh" -B "$work/libssh-build" -G "Unix Makefiles"
	-DCMAKE_INSTALL_PREFIX="$prefix.tmp" "${libssh_opts[@]}"
	-DCMAKE_C_FLAGS="$libssh_cflags")
if [ "$target" = mingw64 ]; then
	# OPENSSL_USE_STATIC_LIBS makes FindOpenSSL add ws2_32 and crypt32 to
	# OpenSSL::Crypto, so libssh's function probes link and tell the truth.
	ssh_cmake+=(-DCMAKE_TOOLCHAIN_FILE="$here/toolchain-mingw64.cmake"
		-DPF_DEPS_PREFIX="$prefix.tmp" -DOPENSSL_ROOT_DIR="$prefix.tmp"
		-DOPENSSL_USE_STATIC_LIBS=TRUE
		-DZLIB_LIBRARY=/usr/$host/lib/libz.a -DZLIB_INCLUDE_DIR=/usr/$host/include)
	[ -f /usr/$host/lib/libz.a ] || die "static zlib for $host missing (apt-get install libz-mingw-w64-dev)"
fi
cmake "${ssh_cmake[@]}" >"$work/libssh-configure.log" 2>&1 ||
	{ tail -n 40 "$work/libssh-configure.log" >&2; die "libssh configure failed"; }

# Prove that libssh found OpenSSL's EVP features instead of its own fallbacks.
cfg=$work/libssh-build/config.h
for def in HAVE_OPENSSL_EVP_CHACHA20 HAVE_OPENSSL_EVP_KDF_CTX HAVE_OPENSSL_ECC HAVE_LIBCRYPTO; do
	grep -q "^#define $def 1" "$cfg" ||
		die "libssh configure did not find $def (see $work/libssh-configure.log and CMakeFiles/CMakeConfigureLog.yaml)"
done
cmake --build "$work/libssh-build" -j"$jobs" >"$work/libssh-build.log" 2>&1 ||
	{ tail -n 40 "$work/libssh-build.log" >&2; die "libssh build failed"; }
cmake --install "$work/libssh-build" >"$work/libssh-install.log" 2>&1 ||
	die "libssh install failed"
lib=$prefix.tmp/lib/libssh.a
[ -f "$lib" ] || die "libssh.a was not installed"
# ...and that the objects really call the EVP interfaces.
nm_tool=nm
[ "$target" = mingw64 ] && nm_tool=$host-nm
syms=$($nm_tool "$lib" 2>/dev/null | awk '$1 == "U" { print $2 }' | sort -u)
for sym in EVP_chacha20 EVP_KDF_CTX_new EVP_DigestSign EVP_DigestVerify; do
	grep -qx "$sym" <<<"$syms" || die "libssh.a does not call $sym: it fell back to its own crypto"
done
stage "libssh built and verified (EVP chacha20, KDF, DigestSign in use)"

cp "$here/deps.env" "$prefix.tmp/deps.env"
touch "$prefix.tmp/.complete"
rm -rf "$prefix"
mv "$prefix.tmp" "$prefix"
rm -rf "$work"
say "$target: installed in $prefix"
echo "$prefix"
