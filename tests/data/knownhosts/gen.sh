#!/bin/bash
# Regenerates the known_hosts test files from the public keys in keys/
# (made once with ssh-keygen -t ed25519 / ecdsa -b 256 / -b 384 / rsa -b 2048;
# the private halves were thrown away). The expected fingerprints in
# tests/unit/test_knownhosts.c come from `ssh-keygen -l -E sha256 -f keys/X.pub`.
# `hashed` is made by OpenSSH's own `ssh-keygen -H`, so its salts change on
# every run (the test does not depend on them).
set -euo pipefail
cd "$(dirname "$0")"
k() { cut -d' ' -f1-2 "keys/$1.pub"; }
A=$(k ed25519_a) B=$(k ed25519_b) E256=$(k ecdsa256) E384=$(k ecdsa384) R=$(k rsa)

cat >plain <<END
# known_hosts for the unit test (plain host names)

alpha.example.com $A alpha
beta.example.com,192.0.2.10 $A
[gamma.example.com]:2222 $B
gamma.example.com $E256
*.wild.example.com,!bad.wild.example.com $B
host?.example.org $R
MixedCase.Example.COM $A
alias-one $B
delta.example.com $E384
epsilon.example.com $R
epsilon.example.com $B
END

cat >hashed <<END
alpha.example.com $A
beta.example.com,192.0.2.10 $A
[gamma.example.com]:2222 $B
gamma.example.com $E256
delta.example.com $E384
END
ssh-keygen -q -H -f hashed >/dev/null 2>&1
rm -f hashed.old

cat >revoked <<END
# revoked keys
@revoked * $B
revoked.example.com $B
fine.example.com $A
@revoked specific.example.com $E256
other.example.com $E256
END

printf '# written on Windows\r\n\r\ncrlf.example.com %s\r\n[crlf.example.com]:2022 %s comment\r\n' \
	"$A" "$B" >crlf
printf 'first.example.com %s\nlast.example.com %s' "$A" "$B" >nofinalnl
printf 'first.example.com %s\r\nlast.example.com %s' "$A" "$B" >nofinalnl_crlf

{
	echo '# garbage and broken lines'
	echo 'this is not a key line at all'
	echo 'onlyhost'
	echo 'badb64.example.com ssh-ed25519 AAAA!!!!'
	echo "mismatch.example.com ssh-rsa ${A#* }"
	echo "@cert-authority *.example.com $A"
	echo "@bogus host.example.com $A"
	echo 'old.example.com 1024 35 1234567890123456789'
	echo "|1|bad|hash $A"
	printf 'long.example.com ssh-ed25519 '; head -c 20000 /dev/zero | tr '\0' 'A'; echo
	echo "good.example.com $A"
	printf '\t  indented.example.com   %s   trailing comment words  \n' "$(k ed25519_b | sed 's/ /   /')"
	echo "truncated.example.com ${A%????????}"
} >garbage
