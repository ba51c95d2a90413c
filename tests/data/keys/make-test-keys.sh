#!/bin/sh
# Regenerates the TEST-ONLY keys in this folder (never use them for anything
# else: they are public). Needs OpenSSH's ssh-keygen, openssl 3.x (with its
# legacy provider, for the DES-CBC samples) and puttygen. tests/unit/test_keys.c
# checks fingerprints, so update it after regenerating.
# Passphrase of every encrypted key: pf-test-passphrase
set -eu
cd "$(dirname "$0")"
P=pf-test-passphrase
rm -f test_*
# OpenSSH format (-a 2: few bcrypt rounds keep the tests fast)
ssh-keygen -q -t ed25519 -N '' -C pf-test-ed25519 -f test_ed25519
ssh-keygen -q -t ed25519 -N "$P" -a 2 -C pf-test-ed25519-enc -f test_ed25519_enc
ssh-keygen -q -t ecdsa -b 384 -N "$P" -a 2 -C pf-test-ecdsa384-enc -f test_ecdsa384_enc
ssh-keygen -q -t rsa -b 1024 -N '' -C pf-test-rsa1024 -f test_rsa1024
ssh-keygen -q -t dsa -N '' -C pf-test-dsa -f test_dsa
ssh-keygen -q -t ed25519 -N "$P" -a 2 -Z chacha20-poly1305@openssh.com -C pf-test-chacha -f test_ed25519_chacha
# PEM
ssh-keygen -q -t rsa -b 1024 -m PEM -N '' -C pf-test-rsa-pkcs1 -f test_rsa_pkcs1.pem
ssh-keygen -q -t ecdsa -b 256 -m PEM -N "$P" -C pf-test-ec-pem-aes128 -f test_ec_pem_aes128
openssl genrsa -traditional -des3 -passout "pass:$P" -out test_rsa_legacy_des3.pem 1024 2>/dev/null
openssl ecparam -name secp521r1 -genkey -noout | openssl pkey -traditional -aes256 -passout "pass:$P" -out test_ec521_legacy_aes256.pem
openssl genpkey -algorithm ed25519 -out test_ed25519_pkcs8.pem
openssl pkcs8 -topk8 -in test_ed25519_pkcs8.pem -passout "pass:$P" -out test_ed25519_pkcs8_enc.pem
openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES -in test_rsa_pkcs1.pem -passout "pass:$P" -out test_rsa_pkcs8_v1_3des.pem
openssl genrsa -traditional -des -provider legacy -provider default -passout "pass:$P" -out test_rsa_legacy_des_cbc.pem 1024 2>/dev/null
openssl ecparam -name secp256k1 -genkey -out test_ec_secp256k1.pem
puttygen test_ed25519 -O private -o test_ed25519.ppk
puttygen test_rsa1024 -O private-sshcom -o test_rsa_sshcom
printf 'SSH PRIVATE KEY FILE FORMAT 1.1\n\0\0\0\0' > test_rsa1
# KDF costs over our limits (refused before any decryption is tried)
openssl pkcs8 -topk8 -in test_ed25519_pkcs8.pem -iter 10000001 -passout "pass:$P" -out test_ed25519_pkcs8_iter_too_many.pem
# test_ed25519_enc with its bcrypt rounds field (after the salt in the KDF
# options) patched from 2 to 100000
python3 - <<'PY'
import base64, struct
lines = open('test_ed25519_enc').read().split('\n')
b = bytearray(base64.b64decode(''.join(lines[1:-2])))
def string(o):
    n = struct.unpack('>I', b[o:o + 4])[0]
    return o + 4, n
o = 15
for _ in range(2):
    s, n = string(o); o = s + n
s, n = string(o)
s2, sl = string(s)
b[s2 + sl:s2 + sl + 4] = struct.pack('>I', 100000)
e = base64.b64encode(bytes(b)).decode()
open('test_ed25519_rounds_too_many', 'w').write(
    '-----BEGIN OPENSSH PRIVATE KEY-----\n' +
    '\n'.join(e[i:i + 70] for i in range(0, len(e), 70)) +
    '\n-----END OPENSSH PRIVATE KEY-----\n')
PY
