#!/usr/bin/env bash
# Fetch the pinned libssh and OpenSSL sources (cmake/deps.env) from Debian's
# source packages and build them as static libraries, cached outside the tree.
#
#   cmake/deps.sh mingw64   OpenSSL + libssh for x86_64-w64-mingw32
#   cmake/deps.sh native    the same OpenSSL + libssh for Linux (the tests)
#   cmake/deps.sh check     warn (never fail) when Debian has a newer version
#                           of the same series than a pin
#
# Both targets build the same versions with the same patches and options, so
# the native tests exercise the crypto that ships. The last line printed is
# the install prefix; it holds built.env (what was really built: versions,
# fallback, patches, options), read by Deps.cmake and scripts/package.sh.
# A prefix is rebuilt only when its key (deps.env, this script without its
# comment lines, the patches, the toolchain file and the compiler version)
# changes: a comment edited here never rebuilds anything.
#
# Sources: Debian $DEBIAN_SOURCE_SUITE and $DEBIAN_SOURCE_SUITE-security deb-src,
# through a private apt configuration (signed index, every file's hash), and
# each pinned .dsc against its SHA-256 in deps.env. When Debian no longer
# serves a pin (it keeps only the current version of a package in a suite),
# the newest version of the same upstream series is built instead, with one
# loud line; scripts/package.sh refuses to make a release from that.
#
# Environment (all optional):
#   PF_DEPS_CACHE              cache root (default ${XDG_CACHE_HOME:-~/.cache}/portforwarder-deps)
#   PF_JOBS                    parallel compile jobs (default: nproc)
#   PF_DEBIAN_MIRROR           Debian archive URL (default: the one this machine's apt uses)
#   PF_DEBIAN_SECURITY_MIRROR  security archive URL, or "none"
#   PF_DEBIAN_KEYRING          keyring the archive's index is checked against
#   PF_DEPS_SOURCES            a folder with the source packages (the source
#                              bundle's debian-sources/): nothing is fetched
#   PF_DEPS_STOP_AFTER_PATCH=1 stop once the sources are verified, unpacked and
#                              patched; prints the work folder (tests)
set -euo pipefail

target=${1:?usage: deps.sh mingw64|native|check}
case $target in mingw64 | native | check) ;; *) echo "usage: deps.sh mingw64|native|check" >&2; exit 2 ;; esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=deps.env
. "$here/deps.env"

cache=${PF_DEPS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portforwarder-deps}
jobs=${PF_JOBS:-$(nproc 2>/dev/null || echo 2)}
host=x86_64-w64-mingw32
keyring=${PF_DEBIAN_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}

# A caller's compiler settings (CMake exports CC when it runs us) must not
# leak into the dependency builds.
unset CC CXX CPP AR RANLIB LD NM CFLAGS CXXFLAGS CPPFLAGS LDFLAGS MAKEFLAGS MFLAGS
export LC_ALL=C TZ=UTC

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
# RSA, DH; SHA-1/2, HMAC, KDFs incl. Argon2 for PuTTY's .ppk v3 (core/ppk.c);
# PEM, PKCS#8, PBES2, PKCS#12 PBE): the release
# kit must fit on a 1.44 MB floppy (scripts/package.sh). no-autoload-config:
# never read an openssl.cnf found on the user's PC. -UECP_NISTZ256_ASM: P-256
# through the generic constant-time code, without 150 KB of precomputed tables.
openssl_opts=(no-shared no-module no-tests no-docs no-apps no-ui-console
	no-quic no-comp no-srtp no-ct no-ocsp no-cms no-ts no-psk no-srp
	no-gost no-idea no-seed no-rc2 no-rc4 no-rc5 no-md4 no-mdc2 no-whirlpool
	no-camellia no-aria no-sm2 no-sm3 no-sm4 no-siphash no-cmp no-http
	no-dgram no-sctp no-ssl3 no-tls1 no-tls1_1 no-dtls no-legacy
	no-engine no-winstore no-ml-dsa no-ml-kem no-slh-dsa
	no-multiblock no-cast no-bf no-ocb no-siv no-cmac no-ec2m no-sm2-precomp
	no-rmd160 no-rfc3779 no-dso no-async no-sock no-autoload-config
	no-filenames no-thread-pool no-ssl-trace no-dsa -DOPENSSL_SMALL_FOOTPRINT -UECP_NISTZ256_ASM)
# Fixed, not the cache's path: OpenSSL writes its prefix and OPENSSLDIR into
# the library (OpenSSL_version), and two builders must get the same bytes. On
# Windows a folder under C:\Windows, which only an administrator can create
# (OpenSSL never reads it here: no-autoload-config, no-module, no-engine).
case $target in
mingw64) openssl_dirs=(--prefix=C:/Windows/PortForwarder-deps --openssldir=ssl) ;; # under the prefix
*) openssl_dirs=(--prefix=/usr/local/portforwarder-deps --openssldir=/usr/local/portforwarder-deps/ssl) ;;
esac
# libssh: client only, for size (-Os, sections for --gc-sections); 256 KB socket
# reads (MAX_BUF_SIZE: larger reads than libssh's own made downloads faster
# and cost less CPU per GB, bench/results/2026-11-24-c.md); no exec (libssh's
# ProxyCommand and Match exec: PortForwarder reads the config itself and runs
# a ProxyCommand with core/proxycmd.c); no cache path in the objects.
libssh_opts=(-DBUILD_SHARED_LIBS=OFF -DWITH_EXAMPLES=OFF -DWITH_SERVER=OFF
	-DWITH_GSSAPI=OFF -DWITH_SFTP=OFF -DWITH_PCAP=OFF -DWITH_NACL=OFF
	-DWITH_ZLIB=ON -DWITH_SYMBOL_VERSIONING=OFF -DWITH_DEBUG_CALLTRACE=OFF
	-DUNIT_TESTING=OFF -DCLIENT_TESTING=OFF -DSERVER_TESTING=OFF
	-DWITH_EXEC=OFF -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DCMAKE_BUILD_TYPE=MinSizeRel
	-DCMAKE_INSTALL_LIBDIR=lib)
libssh_cflags="-Os -ffunction-sections -fdata-sections -DMAX_BUF_SIZE=262144"

# --- where the sources come from ---------------------------------------------
# The Debian mirror this machine's apt uses: one-line entries ("deb [options]
# URL suite ...") and deb822 stanzas (URIs:/Suites:), in *.list and *.sources
# files only (apt ignores other names), any URL path (not only .../debian),
# a suite that is a Debian release, not its security suite.
apt_mirror() {
	local files=() f uri
	[ -f /etc/apt/sources.list ] && files+=(/etc/apt/sources.list)
	for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && files+=("$f")
	done
	[ ${#files[@]} -gt 0 ] || die "no /etc/apt/sources.list*: set PF_DEBIAN_MIRROR to a Debian mirror's URL"
	uri=$(awk -v want="${1:-main}" '
		function debian(s) { sub(/-(updates|backports|proposed-updates|security)$/, "", s)
			sub(/\/updates$/, "", s)
			return s ~ /^(buzz|rex|bo|hamm|slink|potato|woody|sarge|etch|lenny|squeeze|wheezy|jessie|stretch|buster|bullseye|bookworm|trixie|forky|duke|sid|stable|oldstable|oldoldstable|testing|unstable)$/ }
		function pick(uri, suite) {
			if (uri !~ /^(https?|file):/ || !debian(suite)) return
			sec = (suite ~ /-security$/ || suite ~ /\/updates$/)
			if ((want == "security") == sec && found == "") found = uri
		}
		function stanza() { n = split(uris, u, " "); m = split(suites, s, " ")
			if (types ~ /deb/ && enabled != "no") for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) pick(u[i], s[j])
			types = uris = suites = enabled = "" }
		FNR == 1 && NR > 1 { stanza() }
		FILENAME ~ /\.sources$/ {
			if ($0 ~ /^[[:space:]]*$/) { stanza(); next }
			if ($0 ~ /^#/) next
			key = tolower($1)
			if (key == "types:") { $1 = ""; types = $0 }
			else if (key == "uris:") { $1 = ""; uris = $0 }
			else if (key == "suites:") { $1 = ""; suites = $0 }
			else if (key == "enabled:") enabled = tolower($2)
			next
		}
		/^[[:space:]]*deb(-src)?[[:space:]]/ {
			line = $0; sub(/^[[:space:]]*deb(-src)?[[:space:]]+/, "", line)
			if (line ~ /^\[/) sub(/^\[[^]]*\][[:space:]]*/, "", line)
			split(line, w, /[[:space:]]+/); pick(w[1], w[2])
		}
		END { stanza(); print found }' "${files[@]}")
	echo "${uri%/}"
}

mirror=${PF_DEBIAN_MIRROR:-}
secmirror=${PF_DEBIAN_SECURITY_MIRROR:-}
resolve_mirrors() {
	[ -n "$mirror" ] || mirror=$(apt_mirror main)
	[ -n "$mirror" ] || die "no Debian mirror found in /etc/apt/sources.list*: set PF_DEBIAN_MIRROR"
	mirror=${mirror%/}
	if [ -z "$secmirror" ]; then
		secmirror=$(apt_mirror security)
		if [ -z "$secmirror" ]; then
			case $mirror in
			*/debian) secmirror=${mirror%/debian}/debian-security ;;
			*) secmirror=http://security.debian.org/debian-security ;;
			esac
		fi
	fi
	secmirror=${secmirror%/}
}

# One private apt configuration per suite (the machine's own sources stay
# untouched): $cache/apt-<suite>. Sets apt_o for that suite.
apt_o=()
apt_use() { # suite
	local d=$cache/apt-$1
	apt_o=(-o "Dir::Etc::SourceList=$d/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache"
		-o APT::Sandbox::User=root -qq)
}
suites=()
# Fetch the suites' signed source indexes. The main suite must answer; a
# security suite that does not is only a warning.
apt_update() {
	local s url d
	command -v apt-get >/dev/null || die "apt-get is needed to fetch the sources"
	[ -r "$keyring" ] || die "keyring $keyring not found (apt-get install debian-archive-keyring, or set PF_DEBIAN_KEYRING)"
	resolve_mirrors
	suites=("$DEBIAN_SOURCE_SUITE")
	[ "$secmirror" = none ] || suites+=("$DEBIAN_SOURCE_SUITE-security")
	for s in "${suites[@]}"; do
		url=$mirror
		[ "$s" = "$DEBIAN_SOURCE_SUITE" ] || url=$secmirror
		d=$cache/apt-$s
		mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
		echo "deb-src [signed-by=$keyring] $url $s main" >"$d/sources.list"
		apt_use "$s"
		say "fetching the $s source index from $url (signature checked by apt)"
		if ! apt-get "${apt_o[@]}" update >&2; then
			[ "$s" = "$DEBIAN_SOURCE_SUITE" ] &&
				die "apt-get update for $s sources at $url failed (network? keyring $keyring?)"
			say "warning: no $s source index from $url: using $DEBIAN_SOURCE_SUITE only"
		fi
	done
}

upstream_of() { # Debian version -> upstream version
	local v=${1#*:}
	echo "${v%-*}"
}
in_series() { # version series
	local up
	up=$(upstream_of "$1")
	[[ $up == "$2".* ]]
}

# "version suite" lines of package $1 in series $2, newest first.
candidates() {
	local pkg=$1 series=$2 s v out=() i j t
	for s in "${suites[@]}"; do
		apt_use "$s"
		while read -r v; do
			[ -n "$v" ] && in_series "$v" "$series" && out+=("$v $s")
		done < <(apt-cache "${apt_o[@]}" showsrc --only-source "$pkg" 2>/dev/null | sed -n 's/^Version: //p' | sort -u)
	done
	# newest first; for one version, the suites in the order above
	for ((i = 1; i < ${#out[@]}; i++)); do
		for ((j = i; j > 0; j--)); do
			dpkg --compare-versions "${out[j]%% *}" gt "${out[j - 1]%% *}" || break
			t=${out[j]}
			out[j]=${out[j - 1]}
			out[j - 1]=$t
		done
	done
	[ ${#out[@]} -eq 0 ] || printf '%s\n' "${out[@]}"
}

# Download source package $1 version $2 from suite $3 into $cache/src.
# apt checks the signed index and the hashes of every file. 1 when the
# archive does not serve it (a 404 from a pool is not an error here).
download() {
	local pkg=$1 ver=$2 s=$3 tmp
	tmp=$cache/src/.dl-$pkg
	rm -rf "$tmp"
	mkdir -p "$tmp"
	apt_use "$s"
	if ! (cd "$tmp" && apt-get "${apt_o[@]}" source --download-only "$pkg=$ver" >&2); then
		say "$pkg $ver is listed in $s but its files could not be fetched: trying the next candidate"
		rm -rf "$tmp"
		return 1
	fi
	mv -f "$tmp"/* "$cache/src/"
	rm -rf "$tmp"
}

dsc_sha256() { sha256sum "$1" | cut -d' ' -f1; }

# Sets chosen_<var> to the version to build (the pin whenever it is there).
# pkg: libssh|openssl; pin, series, pinned .dsc SHA-256.
chosen_libssh='' chosen_openssl=''
fallback_note=''
choose() {
	local pkg=$1 pin=$2 series=$3 sha=$4 dsc line v s got=''
	dsc=$cache/src/${pkg}_${pin#*:}.dsc
	if [ -n "${PF_DEPS_SOURCES:-}" ]; then
		local from=$PF_DEPS_SOURCES f
		if [ -f "$from/${pkg}_${pin#*:}.dsc" ]; then
			got=$pin
		else
			# The newest of the series in the folder (a bundle made from a fallback build).
			for f in "$from/${pkg}"_*.dsc; do
				[ -f "$f" ] || continue
				v=$(sed -n 's/^Version: //p' "$f" | head -n1)
				in_series "$v" "$series" || continue
				if [ -z "$got" ] || dpkg --compare-versions "$v" gt "$got"; then got=$v; fi
			done
			[ -n "$got" ] || die "$from has no ${pkg}_*.dsc of the $series series"
		fi
		f=$from/${pkg}_${got#*:}.dsc
		mkdir -p "$cache/src"
		cp -f "$f" "$cache/src/"
		sed -n '/^Checksums-Sha256:/,/^[^ ]/p' "$f" | awk 'NF == 3 { print $3 }' |
			while read -r part; do
				cp -f "$from/$part" "$cache/src/" || die "$from/$part (listed in $(basename "$f")) is missing"
			done
	elif [ -f "$dsc" ] && [ "$(dsc_sha256 "$dsc")" = "$sha" ]; then
		got=$pin
	else
		[ ${#suites[@]} -gt 0 ] || apt_update
		local list
		list=$(candidates "$pkg" "$series")
		# The pin first, from whichever suite serves its files.
		while read -r v s; do
			[ -n "$v" ] && [ "$v" = "$pin" ] && download "$pkg" "$v" "$s" && { got=$v; break; }
		done <<<"$list"
		if [ -z "$got" ]; then
			while read -r v s; do
				[ -n "$v" ] || continue
				[ "$v" = "$pin" ] && continue
				download "$pkg" "$v" "$s" && { got=$v; break; }
			done <<<"$list"
		fi
		[ -n "$got" ] || die "Debian $DEBIAN_SOURCE_SUITE serves neither $pkg $pin nor another $pkg $series.x:
       check the network and the mirror ($mirror), then 'apt-cache showsrc $pkg' against $DEBIAN_SOURCE_SUITE"
	fi
	if [ "$got" = "$pin" ]; then
		[ "$(dsc_sha256 "$dsc")" = "$sha" ] ||
			die "$dsc does not match the SHA-256 pinned in cmake/deps.env ($sha): not building it"
	else
		line="$pkg: the pinned $pin is no longer served; building $got instead (the newest $series.x)"
		printf '[deps] %s\n[deps] !!! FALLBACK: %s. Not for a release: update cmake/deps.env. !!!\n[deps] %s\n' \
			'!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!' "$line" \
			'!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!' >&2
		fallback_note+="${fallback_note:+; }$pkg $pin -> $got"
	fi
	printf -v "chosen_$pkg" '%s' "$got"
}

# Unpack (dpkg-source checks every file against the .dsc hashes) into $2.
unpack() {
	local dsc=$cache/src/$1 dest=$2
	rm -rf "$dest"
	dpkg-source --no-copy -x "$dsc" "$dest" >&2 || die "dpkg-source could not unpack $dsc"
}

# --- check: is there anything newer than the pins? -------------------------
if [ "$target" = check ]; then
	# Never fails: a warning when the check cannot be made.
	die() {
		printf '[deps] warning: %s (pins not checked)\n' "$*" >&2
		exit 0
	}
	mkdir -p "$cache"
	exec 8>"$cache/.check-lock"
	flock -w 120 8 || die "another check holds $cache/.check-lock"
	cache=$cache/check # its own apt folders: a build may be using the others
	apt_update
	for pkg in libssh openssl; do
		if [ $pkg = libssh ]; then pin=$LIBSSH_DEB_VERSION series=$LIBSSH_SERIES; else pin=$OPENSSL_DEB_VERSION series=$OPENSSL_SERIES; fi
		top=$(candidates "$pkg" "$series" 2>/dev/null | head -n1 || true)
		if [ -z "$top" ]; then
			say "warning: could not list $pkg versions in $DEBIAN_SOURCE_SUITE (offline?): pins not checked"
		elif dpkg --compare-versions "${top%% *}" gt "$pin"; then
			say "warning: Debian ${top#* } has $pkg ${top%% *}, newer than the pin $pin: update cmake/deps.env (version and .dsc SHA-256)"
		else
			say "$pkg: the pin $pin is the newest $series.x in $DEBIAN_SOURCE_SUITE"
		fi
	done
	exit 0
fi

# --- build ------------------------------------------------------------------
if [ "$target" = mingw64 ]; then
	cc_version=$($host-gcc -dumpfullversion 2>/dev/null) ||
		die "$host-gcc not found (apt-get install gcc-mingw-w64-x86-64)"
else
	cc_version=$(gcc -dumpfullversion 2>/dev/null) || die "gcc not found (apt-get install build-essential)"
fi
key=$( {
	cat "$here/deps.env"
	grep -v '^[[:space:]]*#' "$here/deps.sh"
	cat "$here/toolchain-mingw64.cmake" "$here"/patches/*.patch
	echo "$target $cc_version"
} | sha256sum | cut -c1-16)
prefix=$cache/$target-$key

if [ -f "$prefix/.complete" ] && [ -z "${PF_DEPS_STOP_AFTER_PATCH:-}" ]; then
	say "$target: cached in $prefix"
	echo "$prefix"
	exit 0
fi

mkdir -p "$cache"
# One build at a time per cache (two presets may configure at once).
exec 9>"$cache/.lock"
flock 9
if [ -f "$prefix/.complete" ] && [ -z "${PF_DEPS_STOP_AFTER_PATCH:-}" ]; then
	echo "$prefix"
	exit 0
fi
command -v dpkg-source >/dev/null || die "dpkg-source is needed (apt-get install dpkg-dev)"

choose libssh "$LIBSSH_DEB_VERSION" "$LIBSSH_SERIES" "$LIBSSH_DSC_SHA256"
choose openssl "$OPENSSL_DEB_VERSION" "$OPENSSL_SERIES" "$OPENSSL_DSC_SHA256"
stage "sources ready: libssh $chosen_libssh, openssl $chosen_openssl"

work=$cache/build-$target-$key
rm -rf "$work" "$prefix.tmp"
mkdir -p "$work"
unpack "openssl_${chosen_openssl#*:}.dsc" "$work/openssl"
unpack "libssh_${chosen_libssh#*:}.dsc" "$work/libssh"
# Our own small changes to libssh (cmake/patches, each says why): fewer
# copies of every forwarded byte, and a channel window the engine can bound.
patches=()
for p in "$here"/patches/libssh-*.patch; do
	patch -d "$work/libssh" -p1 --forward --batch --quiet <"$p" >&2 ||
		die "cannot apply $(basename "$p") to libssh $chosen_libssh: update the patch with the version"
	patches+=("$(basename "$p")")
done
stage "sources verified, unpacked and patched (${#patches[@]} libssh patches)"
if [ -n "${PF_DEPS_STOP_AFTER_PATCH:-}" ]; then
	printf 'libssh=%s openssl=%s fallback=%s\n' "$chosen_libssh" "$chosen_openssl" "${fallback_note:-none}" >"$work/chosen"
	echo "$work"
	exit 0
fi

# The dependencies' own time: the date of their Debian changelog entry
# (OpenSSL writes its build date into the library).
changelog_epoch() { dpkg-parsechangelog -l "$1/debian/changelog" -S Timestamp; }

# --- OpenSSL (libcrypto only) ------------------------------------------------
(
	cd "$work/openssl"
	SOURCE_DATE_EPOCH=$(changelog_epoch .)
	export SOURCE_DATE_EPOCH
	if [ "$target" = mingw64 ]; then
		conf=(mingw64 "--cross-compile-prefix=$host-")
	else
		conf=(linux-x86_64)
	fi
	./Configure "${conf[@]}" "${openssl_dirs[@]}" --libdir=lib "${openssl_opts[@]}" \
		-Os -ffunction-sections -fdata-sections >"$work/openssl-configure.log" 2>&1 ||
		{ tail -n 40 "$work/openssl-configure.log" >&2; exit 1; }
	{ make -j"$jobs" build_generated && make -j"$jobs" libcrypto.a; } >"$work/openssl-build.log" 2>&1 ||
		{ tail -n 40 "$work/openssl-build.log" >&2; exit 1; }
	mkdir -p "$prefix.tmp/include/openssl" "$prefix.tmp/lib"
	cp include/openssl/*.h "$prefix.tmp/include/openssl/"
	cp libcrypto.a "$prefix.tmp/lib/"
) || die "OpenSSL build failed (logs in $work)"
stage "OpenSSL built"

# --- libssh -----------------------------------------------------------------
# OPENSSL_USE_STATIC_LIBS makes FindOpenSSL add the libraries libcrypto.a
# needs (mingw: ws2_32, crypt32), so libssh's function probes link and tell
# the truth. -ffile-prefix-map: no cache path in the objects.
ssh_cmake=(-S "$work/libssh" -B "$work/libssh-build" -G "Unix Makefiles"
	-DCMAKE_INSTALL_PREFIX="$prefix.tmp" "${libssh_opts[@]}"
	-DCMAKE_C_FLAGS="$libssh_cflags -ffile-prefix-map=$cache=/deps"
	-DOPENSSL_ROOT_DIR="$prefix.tmp" -DOPENSSL_USE_STATIC_LIBS=TRUE)
if [ "$target" = mingw64 ]; then
	ssh_cmake+=(-DCMAKE_TOOLCHAIN_FILE="$here/toolchain-mingw64.cmake" -DPF_DEPS_PREFIX="$prefix.tmp"
		"-DZLIB_LIBRARY=/usr/$host/lib/libz.a" "-DZLIB_INCLUDE_DIR=/usr/$host/include")
	[ -f /usr/$host/lib/libz.a ] || die "static zlib for $host missing (apt-get install libz-mingw-w64-dev)"
else
	ssh_cmake+=(-DOPENSSL_INCLUDE_DIR="$prefix.tmp/include"
		-DOPENSSL_CRYPTO_LIBRARY="$prefix.tmp/lib/libcrypto.a")
fi
SOURCE_DATE_EPOCH=$(changelog_epoch "$work/libssh") cmake "${ssh_cmake[@]}" \
	>"$work/libssh-configure.log" 2>&1 ||
	{ tail -n 40 "$work/libssh-configure.log" >&2; die "libssh configure failed"; }

# Prove that libssh found our OpenSSL's EVP features instead of its own fallbacks...
# (FindOpenSSL names it OPENSSL_CRYPTO_LIBRARY, on Windows LIB_EAY.)
grep -qE "^(OPENSSL_CRYPTO_LIBRARY|LIB_EAY):FILEPATH=$prefix.tmp/lib/libcrypto.a\$" "$work/libssh-build/CMakeCache.txt" ||
	die "libssh configure did not pick $prefix.tmp/lib/libcrypto.a (see $work/libssh-build/CMakeCache.txt)"
cfg=$work/libssh-build/config.h
for def in HAVE_OPENSSL_EVP_CHACHA20 HAVE_OPENSSL_EVP_KDF_CTX HAVE_OPENSSL_ECC HAVE_LIBCRYPTO; do
	grep -q "^#define $def 1" "$cfg" ||
		die "libssh configure did not find $def (see $work/libssh-configure.log and CMakeFiles/CMakeConfigureLog.yaml)"
done
SOURCE_DATE_EPOCH=$(changelog_epoch "$work/libssh") cmake --build "$work/libssh-build" -j"$jobs" \
	>"$work/libssh-build.log" 2>&1 ||
	{ tail -n 40 "$work/libssh-build.log" >&2; die "libssh build failed"; }
cmake --install "$work/libssh-build" >"$work/libssh-install.log" 2>&1 ||
	die "libssh install failed"
rm -rf "$prefix.tmp/lib/cmake" "$prefix.tmp/lib/pkgconfig"
lib=$prefix.tmp/lib/libssh.a
[ -f "$lib" ] || die "libssh.a was not installed"
# ...and that the objects really call the EVP interfaces.
nm_tool="nm"
[ "$target" = mingw64 ] && nm_tool=$host-nm
syms=$($nm_tool "$lib" 2>/dev/null | awk '$1 == "U" { print $2 }' | sort -u)
for sym in EVP_chacha20 EVP_KDF_CTX_new EVP_DigestSign EVP_DigestVerify; do
	grep -qx "$sym" <<<"$syms" || die "libssh.a does not call $sym: it fell back to its own crypto"
done
stage "libssh built and verified (EVP chacha20, KDF, DigestSign in use)"

# What was really built, for Deps.cmake (pf --version checks), the notices
# and the source bundle (scripts/package.sh).
{
	q() { # KEY='value': read by bash (source) and CMake (Deps.cmake)
		case $2 in *"'"* | *$'\n'*) die "cannot record $1=$2" ;; esac
		printf "%s='%s'\n" "$1" "$2"
	}
	q PF_BUILT_TARGET "$target"
	q PF_BUILT_LIBSSH_DEB "$chosen_libssh"
	q PF_BUILT_LIBSSH_UPSTREAM "$(upstream_of "$chosen_libssh")"
	q PF_BUILT_OPENSSL_DEB "$chosen_openssl"
	q PF_BUILT_OPENSSL_UPSTREAM "$(upstream_of "$chosen_openssl")"
	q PF_BUILT_FALLBACK "$fallback_note"
	q PF_BUILT_SUITE "$DEBIAN_SOURCE_SUITE"
	q PF_BUILT_SOURCES "$cache/src"
	q PF_BUILT_DSCS "libssh_${chosen_libssh#*:}.dsc openssl_${chosen_openssl#*:}.dsc"
	q PF_BUILT_PATCHES "${patches[*]}"
	q PF_BUILT_LIBSSH_OPTIONS "${libssh_opts[*]} $libssh_cflags"
	q PF_BUILT_OPENSSL_OPTIONS "${openssl_opts[*]} ${openssl_dirs[*]}"
	q PF_BUILT_COMPILER "$cc_version"
} >"$prefix.tmp/built.env"
cp "$here/deps.env" "$prefix.tmp/deps.env"
touch "$prefix.tmp/.complete"
rm -rf "$prefix"
mv "$prefix.tmp" "$prefix"
rm -rf "$work"
say "$target: installed in $prefix"
echo "$prefix"
