#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: packages, the pinned
# dependencies (cached outside the tree), both builds, then every test tier
# (unit, integration against a real sshd, Wine end-to-end, fuzzing for a
# bounded time), ending in ctest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$(date +%s)
stage_t=$t0
stage() {
	local now
	now=$(date +%s)
	printf '\n==> [%4ds, +%ds] %s\n' "$((now - t0))" "$((now - stage_t))" "$*"
	stage_t=$now
}

stage "packages"
bash scripts/setup.sh
stage "pinned dependencies: is Debian serving anything newer? (warns, never fails)"
bash cmake/deps.sh check || true
stage "win64: configure (builds the pinned OpenSSL + libssh once) and build"
mkdir -p build
cmake --preset win64 >build/configure-win64.log 2>&1 || { cat build/configure-win64.log; exit 1; }
cmake --build --preset win64
stage "native: configure and build"
cmake --preset native >build/configure-native.log 2>&1 || { cat build/configure-native.log; exit 1; }
cmake --build --preset native
stage "native-asan: configure and build (AddressSanitizer + UBSan)"
cmake --preset native-asan >build/configure-asan.log 2>&1 || { cat build/configure-asan.log; exit 1; }
cmake --build --preset native-asan
stage "fuzz targets: configure and build (clang, ASan + UBSan)"
cmake --preset fuzz >build/configure-fuzz.log 2>&1 || { cat build/configure-fuzz.log; exit 1; }
cmake --build --preset fuzz
stage "tests"
# The win64, native-asan and fuzz trees' programs run inside this one ctest
# run (PF_WIN64_BUILD_DIR, PF_ASAN_BUILD_DIR, PF_FUZZ_BUILD_DIR in
# CMakePresets.json).
ctest --preset native
