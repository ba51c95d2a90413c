#!/usr/bin/env bash
# Reproducibility from scratch (issue 15 item 4): two builds from empty
# dependency caches in two home folders give byte-identical programs and
# packages (unsigned builds).
#
#   one: the source bundle package.build made (PortForwarder-<v>-source.tar.gz),
#        unpacked and rebuilt as its README says (PF_DEPS_SOURCES=debian-sources),
#        in a clean environment: its own HOME, so its own, empty dependency
#        cache (OpenSSL and libssh for mingw64 are built again), another
#        source and build path. This also proves the bundle rebuilds what
#        shipped.
#   two: package.build itself (the win64 tree and its dist), built by the
#        caller in the caller's home with the caller's cache: on a fresh
#        machine (CI, scripts/test.sh) that cache was empty too. Only when
#        the checkout is not at the bundle's commit or has uncommitted
#        changes (package.build's programs are then not the bundle's), a
#        second clean build from `git archive` of the commit in a home of
#        its own stands in for it, at the same time as one.
#
# PortForwarder.exe and pf.exe (unstripped, as linked), both zips, the
# setup and the source bundle must be byte-identical.
#
#   repro-test.sh <source root> <scratch folder> <package.build's dist> <version> <win64 tree>
set -euo pipefail
root=$(cd "$1" && pwd)
work=$2
dist=$(cd "$3" && pwd)
version=$4
w64=$(cd "$5" && pwd)
bundle=$dist/PortForwarder-$version-source.tar.gz
[ -f "$bundle" ] || { echo "FAILED: $bundle missing (fixture package.build)"; exit 1; }
rm -rf "$work"
mkdir -p "$work/one"
work=$(cd "$work" && pwd)
t_start=$(date +%s)

tar -xzf "$bundle" -C "$work/one"
b=$work/one/PortForwarder-$version-source
commit=$(cat "$b/portforwarder/.source-commit")
epoch=$(cat "$b/portforwarder/.source-date-epoch")
echo "bundle of commit $commit, SOURCE_DATE_EPOCH=$epoch"

build() { # name source-tree
	local n=$1 src=$2 t0
	t0=$(date +%s)
	mkdir -p "$work/$n/home"
	# A clean environment: its own home and so its own empty cache, nothing
	# of the caller's (no PF_DEPS_CACHE, no XDG_CACHE_HOME).
	env -i PATH="$PATH" HOME="$work/$n/home" LANG=C.UTF-8 PF_JOBS="${PF_JOBS:-2}" \
		PF_DEPS_SOURCES="$b/debian-sources" SOURCE_DATE_EPOCH="$epoch" \
		bash "$src/scripts/package.sh" --allow-fallback --build-dir "$work/$n/build-$n" \
		--out "$work/$n/dist" >"$work/$n.log" 2>&1 ||
		{ tail -n 30 "$work/$n.log"; echo "FAILED: build $n (log: $work/$n.log)"; return 1; }
	echo "build $n: $(($(date +%s) - t0)) s (OpenSSL, libssh, PortForwarder, packages)"
}
deps_prefix() { sed -n 's/^PF_DEPS_PREFIX:INTERNAL=//p' "$1/CMakeCache.txt"; }

if [ "$(git -C "$root" rev-parse HEAD 2>/dev/null)" = "$commit" ] &&
	[ -z "$(git -C "$root" status --porcelain --untracked-files=no)" ]; then
	echo "two: package.build ($w64, dependencies $(deps_prefix "$w64"))"
	build one "$b/portforwarder" || exit 1
	two_build=$w64 two_dist=$dist
else
	echo "note: $root is not at $commit or has uncommitted changes: two clean builds (the second from git archive $commit)"
	git -C "$root" cat-file -e "$commit^{commit}" 2>/dev/null ||
		{ echo "FAILED: the bundle's commit $commit is not in $root"; exit 1; }
	mkdir -p "$work/two/src-two/portforwarder"
	git -C "$root" archive --format=tar "$commit" | tar -x -C "$work/two/src-two/portforwarder"
	# As in a source bundle (not a checkout): the commit its bundle names.
	echo "$commit" >"$work/two/src-two/portforwarder/.source-commit"
	# Both at once (each -j${PF_JOBS:-2}): on 2 cores no slower than one after the other.
	build one "$b/portforwarder" &
	p1=$!
	build two "$work/two/src-two/portforwarder" &
	p2=$!
	rc=0
	wait $p1 || rc=1
	wait $p2 || rc=1
	[ $rc = 0 ] || exit 1
	two_build=$work/two/build-two two_dist=$work/two/dist
fi

failed=0
ok() { echo "ok: $*"; }
bad() {
	echo "FAILED: $*"
	failed=$((failed + 1))
}
cmp_one() { # what a b
	if cmp -s "$2" "$3"; then
		ok "$1 identical ($(stat -c %s "$2") bytes, sha256 $(sha256sum <"$2" | cut -c1-16))"
	else
		bad "$1 differs: $(cmp "$2" "$3" 2>&1 | head -n1)"
	fi
}
# Each build had its own dependency cache, built here from empty.
p1=$(deps_prefix "$work/one/build-one") p2=$(deps_prefix "$two_build")
case $p1 in
"$work/one/home/"*) [ -f "$p1/.complete" ] && ok "build one built its own dependencies ($p1)" ||
	bad "build one's dependency prefix $p1 is incomplete" ;;
*) bad "build one used dependencies outside its home: $p1" ;;
esac
[ -n "$p2" ] && [ "$p1" != "$p2" ] && ok "the other build's dependencies are another cache's ($p2)" ||
	bad "both builds used the same dependencies ($p1)"
[ "$(grep -c '^\[deps\] OpenSSL built' "$work/one.log")" = 1 ] && ok "build one compiled OpenSSL" ||
	bad "build one did not compile OpenSSL (see $work/one.log)"
# The same key (recipe, pins, patches, compiler): the libraries themselves
# must be the same bytes, whichever cache built them.
if [ "$(basename "$p1")" = "$(basename "$p2")" ]; then
	for a in libcrypto.a libssh.a; do
		cmp_one "$a (key $(basename "$p1"))" "$p1/lib/$a" "$p2/lib/$a"
	done
fi

for exe in app/win32/PortForwarder.exe app/cli/pf.exe; do
	cmp_one "$exe (unstripped)" "$work/one/build-one/$exe" "$two_build/$exe"
done
n=0
for f in "$work/one/dist"/*; do
	cmp_one "$(basename "$f")" "$f" "$two_dist/$(basename "$f")"
	n=$((n + 1))
done
[ $n -ge 4 ] || bad "only $n files in $work/one/dist"
python3 - "$work/one/dist" "$two_dist" <<'PY' || failed=$((failed + 1))
import glob, os, sys, zipfile
a, b = sys.argv[1], sys.argv[2]
bad = 0
for za in sorted(glob.glob(os.path.join(a, "*.zip"))):
    with zipfile.ZipFile(za) as x, zipfile.ZipFile(os.path.join(b, os.path.basename(za))) as y:
        for n in x.namelist():
            if x.read(n) != y.read(n):
                print("FAILED: %s: %s differs" % (os.path.basename(za), n)); bad += 1
        names = x.namelist()
        if names != sorted(names):
            print("FAILED: %s entries not sorted" % za); bad += 1
sys.exit(1 if bad else 0)
PY
echo "repro test: $(($(date +%s) - t_start)) s"
echo "$failed failed"
[ $failed = 0 ] && rm -rf "$work/one" "$work/two"
[ $failed = 0 ]
