#!/usr/bin/env bash
# Reproducibility from scratch: two builds in two home folders, each with
# its own, empty dependency cache (PF_DEPS_CACHE unset, HOME different), so
# OpenSSL and libssh are built twice too; only the Debian source packages
# (inputs, checked against the pinned hashes) are shared.
#
#   one: the source bundle package.build made (PortForwarder-<v>-source.tar.gz),
#        unpacked and rebuilt as its README says (PF_DEPS_SOURCES): the
#        bundle rebuilds the same programs
#   two: git archive of the bundle's commit in another folder
#
# PortForwarder.exe, pf.exe, both zips, the setup and the source bundle must
# be byte-identical between the two (unsigned builds), and, when the
# checkout has no uncommitted changes at that commit, the programs equal
# those in package.build's zips.
#
#   repro-test.sh <source root> <scratch folder> <package.build's dist> <version>
set -euo pipefail
root=$(cd "$1" && pwd)
work=$2
dist=$3
version=$4
bundle=$dist/PortForwarder-$version-source.tar.gz
[ -f "$bundle" ] || { echo "FAILED: $bundle missing (fixture package.build)"; exit 1; }
git -C "$root" rev-parse HEAD >/dev/null 2>&1 || { echo "SKIPPED: $root is not a git checkout"; exit 77; }
rm -rf "$work"
mkdir -p "$work/one" "$work/two"
work=$(cd "$work" && pwd)

tar -xzf "$bundle" -C "$work/one"
b=$work/one/PortForwarder-$version-source
commit=$(cat "$b/portforwarder/.source-commit")
epoch=$(cat "$b/portforwarder/.source-date-epoch")
echo "bundle of commit $commit, SOURCE_DATE_EPOCH=$epoch"
git -C "$root" cat-file -e "$commit^{commit}" 2>/dev/null ||
	{ echo "FAILED: the bundle's commit $commit is not in $root"; exit 1; }
mkdir -p "$work/two/src-two/portforwarder"
git -C "$root" archive --format=tar "$commit" | tar -x -C "$work/two/src-two/portforwarder"

build() { # n source-tree
	local n=$1 src=$2 t0
	t0=$(date +%s)
	mkdir -p "$work/$n/home"
	# A clean environment: its own home and cache, nothing of the caller's.
	env -i PATH="$PATH" HOME="$work/$n/home" LANG=C.UTF-8 PF_JOBS="${PF_JOBS:-2}" \
		PF_DEPS_SOURCES="$b/debian-sources" SOURCE_DATE_EPOCH="$epoch" \
		bash "$src/scripts/package.sh" --allow-fallback --build-dir "$work/$n/build-$n" --out "$work/$n/dist" \
		>"$work/$n.log" 2>&1 ||
		{ tail -n 30 "$work/$n.log"; echo "FAILED: build $n"; return 1; }
	echo "build $n: $(($(date +%s) - t0)) s (OpenSSL, libssh, PortForwarder, packages)"
}
# Both at once (each -j${PF_JOBS:-2}): on 2 cores no slower than one after the other.
build one "$b/portforwarder" &
p1=$!
build two "$work/two/src-two/portforwarder" &
p2=$!
rc=0
wait $p1 || rc=1
wait $p2 || rc=1
[ $rc = 0 ] || exit 1

failed=0
cmp_one() { # what a b
	if cmp -s "$2" "$3"; then
		echo "ok: $1 identical ($(stat -c %s "$2") bytes, sha256 $(sha256sum <"$2" | cut -c1-16))"
	else
		echo "FAILED: $1 differs: $(cmp "$2" "$3" 2>&1 | head -n1)"
		failed=$((failed + 1))
	fi
}
for exe in app/win32/PortForwarder.exe app/cli/pf.exe; do
	cmp_one "$exe (unstripped)" "$work/one/build-one/$exe" "$work/two/build-two/$exe"
done
n=0
for f in "$work/one/dist"/*; do
	cmp_one "$(basename "$f")" "$f" "$work/two/dist/$(basename "$f")"
	n=$((n + 1))
done
[ $n -ge 5 ] || { echo "FAILED: only $n files in $work/one/dist"; failed=$((failed + 1)); }
for h in one two; do
	[ -d "$work/$h/home/.cache/portforwarder-deps" ] && echo "ok: build $h built its own dependencies" ||
		{ echo "FAILED: build $h has no dependency cache of its own"; failed=$((failed + 1)); }
done
python3 - "$work/one/dist" "$work/two/dist" <<'PY' || failed=$((failed + 1))
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
# The bundle rebuilds what package.build shipped (the same commit, nothing uncommitted).
if [ "$(git -C "$root" rev-parse HEAD)" = "$commit" ] &&
	[ -z "$(git -C "$root" status --porcelain --untracked-files=no)" ]; then
	for z in win64-portable win64-cli; do
		cmp_one "PortForwarder-$version-$z.zip: rebuilt from the source bundle = package.build's" \
			"$work/one/dist/PortForwarder-$version-$z.zip" "$dist/PortForwarder-$version-$z.zip"
	done
else
	echo "note: $root has moved on or has uncommitted changes: package.build's programs not compared"
fi
echo "$failed failed"
[ $failed = 0 ] && rm -rf "$work/one" "$work/two"
[ $failed = 0 ]
