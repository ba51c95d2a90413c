#!/usr/bin/env bash
# deps.sh when Debian no longer serves a pin (cmake/deps.sh, item "durable
# pins"), against a local apt archive this test builds and signs with a
# throwaway key, served on a loopback port; nothing is fetched from outside.
#
#   archive  trixie           libssh 0.11.5-0+deb13u1+pftest1 only (the pinned
#                             source under a newer version: the pin is gone);
#                             openssl's pin listed, its files missing (404)
#   security trixie-security  openssl's pin, with its files
#
# Expected: libssh falls back to the newer version (one loud line naming both
# versions), is verified and patched; openssl's 404 is skipped and the pin
# comes from the security suite. Then: an index signed by another key, and a
# pinned .dsc that does not match its SHA-256, are both refused. deps.sh
# stops after verifying and patching (PF_DEPS_STOP_AFTER_PATCH): nothing is
# compiled.
#
#   fallback-test.sh <source root> <folder with the pinned source packages> <scratch>
set -euo pipefail
root=$(cd "$1" && pwd)
pinned=$2
work=$3
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
# shellcheck source=../../cmake/deps.env
. "$root/cmake/deps.env"
ssh_dsc=$pinned/libssh_$LIBSSH_DEB_VERSION.dsc
ossl_dsc=$pinned/openssl_$OPENSSL_DEB_VERSION.dsc
[ -f "$ssh_dsc" ] && [ -f "$ossl_dsc" ] || { echo "SKIPPED: no pinned sources in $pinned"; exit 77; }
for t in gpg dpkg-source dpkg-scansources python3; do
	command -v $t >/dev/null || { echo "SKIPPED: $t not installed"; exit 77; }
done

failed=0
ok() { echo "ok: $*"; }
bad() {
	echo "FAILED: $*"
	failed=$((failed + 1))
}
server=
cleanup() {
	[ -z "$server" ] || kill "$server" 2>/dev/null || true
	[ -z "${GNUPGHOME:-}" ] || gpgconf --kill all 2>/dev/null || true
}
trap cleanup EXIT

# --- a throwaway archive key --------------------------------------------------
export GNUPGHOME=$work/gnupg
mkdir -m 700 "$GNUPGHOME"
gen_key() { # uid keyring
	gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
		--quick-gen-key "$1" ed25519 sign never
	gpg --batch --quiet --export "$1" >"$2"
}
gen_key "PortForwarder test archive <archive@pf.invalid>" "$work/archive.gpg"
gen_key "Someone else <other@pf.invalid>" "$work/other.gpg"

# --- the fake newer libssh: the pinned source, a newer version -------------------
newer=$LIBSSH_DEB_VERSION+pftest1
mkdir -p "$work/make"
dpkg-source --no-check --no-copy -x "$ssh_dsc" "$work/make/libssh" >/dev/null
{
	printf 'libssh (%s) %s; urgency=medium\n\n' "$newer" "$DEBIAN_SOURCE_SUITE"
	printf '  * The pinned source under a newer version (PortForwarder fallback test).\n\n'
	printf ' -- PortForwarder test <archive@pf.invalid>  %s\n\n' "$(date -R -u)"
	cat "$work/make/libssh/debian/changelog"
} >"$work/make/changelog"
mv "$work/make/changelog" "$work/make/libssh/debian/changelog"
ln -s "$pinned/libssh_$(dpkg-parsechangelog -l "$work/make/libssh/debian/changelog" -S Version |
	sed 's/^[0-9]*://; s/-[^-]*$//').orig.tar.xz" "$work/make/"
(cd "$work/make" && dpkg-source -b libssh >/dev/null)
[ -f "$work/make/libssh_$newer.dsc" ] || { echo "FAILED: could not make libssh $newer"; exit 1; }

# --- the two suites -------------------------------------------------------------
files_of() { sed -n '/^Checksums-Sha256:/,/^[^ ]/p' "$1" | awk 'NF == 3 { print $3 }'; }
put() { # dsc-folder dsc pool-folder
	mkdir -p "$3"
	ln -s "$1/$2" "$3/$2"
	for f in $(files_of "$1/$2"); do ln -sf "$1/$f" "$3/$f"; done
}
release() { # archive suite
	local d=$1/dists/$2
	mkdir -p "$d/main/source"
	(cd "$1" && dpkg-scansources "pool/$2" 2>/dev/null) >"$d/main/source/Sources"
	{
		printf 'Origin: PortForwarder test\nSuite: %s\nCodename: %s\nDate: %s\n' "$2" "$2" "$(date -R -u)"
		printf 'Components: main\nArchitectures: source\nSHA256:\n'
		printf ' %s %s main/source/Sources\n' "$(sha256sum <"$d/main/source/Sources" | cut -d' ' -f1)" \
			"$(stat -c %s "$d/main/source/Sources")"
	} >"$d/Release"
	gpg --batch --quiet --yes --local-user "${3:-archive@pf.invalid}" --clearsign -o "$d/InRelease" "$d/Release"
}
srv=$work/srv
put "$work/make" "libssh_$newer.dsc" "$srv/archive/pool/$DEBIAN_SOURCE_SUITE/libssh"
put "$pinned" "openssl_$OPENSSL_DEB_VERSION.dsc" "$srv/archive/pool/$DEBIAN_SOURCE_SUITE/openssl"
release "$srv/archive" "$DEBIAN_SOURCE_SUITE"
rm -rf "$srv/archive/pool/$DEBIAN_SOURCE_SUITE/openssl" # listed, not served: 404
put "$pinned" "openssl_$OPENSSL_DEB_VERSION.dsc" "$srv/security/pool/$DEBIAN_SOURCE_SUITE-security/openssl"
release "$srv/security" "$DEBIAN_SOURCE_SUITE-security"

# --- serve them on a free loopback port ---------------------------------------------
python3 - "$srv" "$work/port" >"$work/http.log" 2>&1 <<'PY' &
import functools, http.server, sys
h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), h)
open(sys.argv[2] + ".tmp", "w").write(str(s.server_address[1]))
import os; os.rename(sys.argv[2] + ".tmp", sys.argv[2])
s.serve_forever()
PY
server=$!
for _ in $(seq 100); do [ -f "$work/port" ] && break; sleep 0.1; done
[ -f "$work/port" ] || { echo "FAILED: the test archive's web server did not start"; exit 1; }
url=http://127.0.0.1:$(cat "$work/port")

run_deps() { # name, then env assignments
	local name=$1
	shift
	env "$@" PF_DEPS_STOP_AFTER_PATCH=1 PF_JOBS=1 \
		PF_DEBIAN_MIRROR="$url/archive" PF_DEBIAN_SECURITY_MIRROR="$url/security" \
		bash "$root/cmake/deps.sh" native >"$work/$name.out" 2>"$work/$name.err"
}

# 1. the fallback
if run_deps fallback PF_DEPS_CACHE="$work/cache1" PF_DEBIAN_KEYRING="$work/archive.gpg"; then
	ok "deps.sh ran against the test archive"
	wdir=$(tail -n1 "$work/fallback.out")
	want="libssh=$newer openssl=$OPENSSL_DEB_VERSION fallback=libssh $LIBSSH_DEB_VERSION -> $newer"
	[ "$(cat "$wdir/chosen" 2>/dev/null)" = "$want" ] && ok "chose $want" ||
		bad "chose '$(cat "$wdir/chosen" 2>/dev/null)', wanted '$want'"
	n=$(grep -c "FALLBACK: libssh: the pinned $LIBSSH_DEB_VERSION is no longer served; building $newer instead" "$work/fallback.err" || true)
	[ "$n" = 1 ] && ok "one loud line names both versions" || bad "$n FALLBACK lines naming both versions"
	grep -q "openssl $OPENSSL_DEB_VERSION is listed in $DEBIAN_SOURCE_SUITE but its files could not be fetched" \
		"$work/fallback.err" && ok "openssl's 404 in $DEBIAN_SOURCE_SUITE was not an error" ||
		bad "no note of openssl's missing files in $DEBIAN_SOURCE_SUITE"
	for p in "$root"/cmake/patches/libssh-*.patch; do
		if patch -d "$wdir/libssh" -p1 -R --dry-run -f --quiet <"$p" >/dev/null 2>&1; then
			ok "$(basename "$p") applied to libssh $newer"
		else
			bad "$(basename "$p") is not applied in $wdir/libssh"
		fi
	done
	[ "$(dpkg-parsechangelog -l "$wdir/libssh/debian/changelog" -S Version)" = "$newer" ] &&
		ok "the unpacked libssh is $newer" || bad "the unpacked libssh is not $newer"
	grep -q "OpenSSL built\|libssh built" "$work/fallback.err" && bad "deps.sh compiled something" ||
		ok "nothing compiled (stopped after patching)"
else
	bad "deps.sh failed against the test archive: $(tail -n 5 "$work/fallback.err")"
fi

# deps.sh must fail, for the reason given.
refused() { # name what reason-regex env...
	local name=$1 what=$2 why=$3
	shift 3
	if run_deps "$name" "$@"; then
		bad "deps.sh accepted $what"
	elif grep -q "$why" "$work/$name.err"; then
		ok "$what is refused"
	else
		bad "$what: refused, but not for that reason: $(tail -n 3 "$work/$name.err")"
	fi
}

# 2. the same archive checked against another key: apt refuses the index
refused badkey "an index signed by another key" \
	"apt-get update for $DEBIAN_SOURCE_SUITE sources at $url/archive failed" \
	PF_DEPS_CACHE="$work/cache2" PF_DEBIAN_KEYRING="$work/other.gpg"

# 3. a pinned .dsc that does not match deps.env's SHA-256 (a local folder)
mkdir -p "$work/tampered"
for f in "$ossl_dsc" $(files_of "$ossl_dsc" | sed "s#^#$pinned/#") "$ssh_dsc" $(files_of "$ssh_dsc" | sed "s#^#$pinned/#"); do
	ln -s "$f" "$work/tampered/"
done
rm "$work/tampered/$(basename "$ssh_dsc")"
sed 's/^Maintainer: .*/Maintainer: Someone Else <x@pf.invalid>/' "$ssh_dsc" >"$work/tampered/$(basename "$ssh_dsc")"
refused tampered "a pinned .dsc that does not match its SHA-256" \
	"does not match the SHA-256 pinned in cmake/deps.env" \
	PF_DEPS_CACHE="$work/cache3" PF_DEPS_SOURCES="$work/tampered"

echo "$failed failed"
[ $failed = 0 ] && rm -rf "$work"/cache* "$work/make"
[ $failed = 0 ]
