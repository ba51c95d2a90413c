#!/bin/sh
# TEST-ONLY PuTTY keys for tests/unit/test_ppk.c: made once with Debian's
# puttygen (putty-tools 0.78) and committed. Never use them for anything
# real: their private halves are public. Re-run to regenerate (the
# fingerprints in test_ppk.c then change: the test prints the new ones).
set -eu
cd "$(dirname "$0")"
printf '%s' 'pf-test-passphrase' > /tmp/pf-ppk-pass.$$
trap 'rm -f /tmp/pf-ppk-pass.$$' EXIT
gen() { # name type bits version passfile [extra --ppk-param]
	name=$1 type=$2 bits=$3 ver=$4 pass=$5
	shift 5
	set -- --ppk-param "version=$ver" "$@"
	if [ "$bits" != 0 ]; then set -- -b "$bits" "$@"; fi
	puttygen -t "$type" -C "pf-test-$name" -o "test_$name.ppk" --new-passphrase "$pass" "$@"
	puttygen -L "test_$name.ppk" --old-passphrase "$pass" > "test_$name.pub"
}
P=/tmp/pf-ppk-pass.$$
gen ed25519_v2 ed25519 0 2 /dev/null
gen ed25519_v2_enc ed25519 0 2 "$P"
gen ed25519_v3 ed25519 0 3 /dev/null
gen ed25519_v3_enc ed25519 0 3 "$P" --ppk-param kdf=argon2id,memory=1024,passes=2
gen ed25519_v3_argon2i ed25519 0 3 "$P" --ppk-param kdf=argon2i,memory=1024,passes=2,parallelism=2
gen ed25519_v3_argon2d ed25519 0 3 "$P" --ppk-param kdf=argon2d,memory=1024,passes=3
gen rsa_v2 rsa 1024 2 /dev/null
gen rsa_v2_enc rsa 1024 2 "$P"
gen rsa_v3 rsa 1024 3 /dev/null
gen rsa_v3_enc rsa 1024 3 "$P" --ppk-param memory=1024,passes=2
gen ecdsa256_v2_enc ecdsa 256 2 "$P"
gen ecdsa384_v3 ecdsa 384 3 /dev/null
gen ecdsa521_v3_enc ecdsa 521 3 "$P" --ppk-param memory=1024,passes=2
