#!/usr/bin/env bash
# Reproducibility: the committed sources (git archive HEAD) exported to two
# different folders, each configured, built and packaged in its own build
# folder with the same SOURCE_DATE_EPOCH (the commit's time). The exes, both
# zips and the setup must be byte-identical. The pinned dependencies come
# from the shared cache (same key), so only the project itself is built.
#
#   repro-test.sh <source root> <scratch folder>
set -euo pipefail
root=$(cd "$1" && pwd)
work=$2
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
# Once: others may commit meanwhile. Not a git checkout: nothing to compare.
commit=$(git -C "$root" rev-parse HEAD 2>/dev/null) || { echo "SKIPPED: $root is not a git checkout"; exit 77; }
epoch=$(git -C "$root" log -1 --format=%ct "$commit")
echo "commit $commit, SOURCE_DATE_EPOCH=$epoch"

for n in one two; do
	src=$work/$n/src-$n # different source and build paths on purpose
	mkdir -p "$src"
	git -C "$root" archive --format=tar "$commit" | tar -x -C "$src"
	echo "$commit" >"$src/.source-commit" # as in a source bundle: not a checkout
	t0=$(date +%s)
	SOURCE_DATE_EPOCH=$epoch bash "$src/scripts/package.sh" --allow-fallback \
		--build-dir "$work/$n/build-$n" --out "$work/$n/dist" >"$work/$n.log" 2>&1 ||
		{ tail -n 30 "$work/$n.log"; echo "FAILED: build $n"; exit 1; }
	echo "build $n: $(($(date +%s) - t0)) s"
done

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
for f in "$work/one/dist"/*; do
	cmp_one "$(basename "$f")" "$f" "$work/two/dist/$(basename "$f")"
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
echo "$failed failed"
[ $failed = 0 ] && rm -rf "$work/one/build-one" "$work/two/build-two" "$work/one/src-one" "$work/two/src-two"
[ $failed = 0 ]
