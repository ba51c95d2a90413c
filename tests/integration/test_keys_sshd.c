/* (tests/integration/test_keys_sshd.c: "test_keys" is the unit test's target name.)
 * Key files made at run time by this machine's ssh-keygen, openssl and
 * puttygen, loaded by pf_key_load, classified exactly, and each correctly
 * loaded key proven against a real OpenSSH sshd (ssh_userauth_publickey on
 * a fresh connection, libssh used directly). The probe's public key must be
 * accepted by the server before any passphrase is known. */
#include <libssh/libssh.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pf/keys.h"
#include "pf/mem.h"
#include "pf/platform.h"
#include "pf/version.h"
#include "sshd_fixture.h"

#define PASS "Pf test passphrase 1"
#define UNI  "\xE3\x83\xA1\xE3\x83\xBC\xE3\x83\xAB\xE8\xA8\xAD\xE5\xAE\x9A" /* メール設定 */

static sshd_fixture f;
static char kdir[700];

typedef struct key_spec {
	const char *name; /* file in kdir */
	const char *make; /* shell command; %1$s = kdir, %2$s = passphrase */
	const char *pass; /* NULL: not encrypted */
	pf_key_format format;
	const char *label;
	int bits;
	int pub_without_pass; /* the probe offers a public key before decryption */
} key_spec;

/* Every key users have, in every format we read. The .pub that ssh-keygen
 * writes stays beside the key (the session offers it first); keys made by
 * openssl have none. */
static const key_spec specs[] = {
	/* OpenSSH format */
	{"o_ed25519", "ssh-keygen -q -t ed25519 -N '' -C c1 -f %1$s/o_ed25519", NULL,
	 PF_KEY_FORMAT_OPENSSH, "ED25519", 256, 1},
	{"oe_ed25519", "ssh-keygen -q -t ed25519 -N '%2$s' -C c2 -f %1$s/oe_ed25519", PASS,
	 PF_KEY_FORMAT_OPENSSH, "ED25519", 256, 1},
	{"o_ecdsa256", "ssh-keygen -q -t ecdsa -b 256 -N '' -f %1$s/o_ecdsa256", NULL,
	 PF_KEY_FORMAT_OPENSSH, "ECDSA", 256, 1},
	{"oe_ecdsa256", "ssh-keygen -q -t ecdsa -b 256 -N '%2$s' -f %1$s/oe_ecdsa256", PASS,
	 PF_KEY_FORMAT_OPENSSH, "ECDSA", 256, 1},
	{"o_ecdsa384", "ssh-keygen -q -t ecdsa -b 384 -N '' -f %1$s/o_ecdsa384", NULL,
	 PF_KEY_FORMAT_OPENSSH, "ECDSA", 384, 1},
	{"oe_ecdsa384", "ssh-keygen -q -t ecdsa -b 384 -N '%2$s' -f %1$s/oe_ecdsa384", PASS,
	 PF_KEY_FORMAT_OPENSSH, "ECDSA", 384, 1},
	{"o_ecdsa521", "ssh-keygen -q -t ecdsa -b 521 -N '' -f %1$s/o_ecdsa521", NULL,
	 PF_KEY_FORMAT_OPENSSH, "ECDSA", 521, 1},
	{"oe_ecdsa521", "ssh-keygen -q -t ecdsa -b 521 -N '%2$s' -f %1$s/oe_ecdsa521", PASS,
	 PF_KEY_FORMAT_OPENSSH, "ECDSA", 521, 1},
	{"o_rsa3072", "ssh-keygen -q -t rsa -b 3072 -N '' -f %1$s/o_rsa3072", NULL,
	 PF_KEY_FORMAT_OPENSSH, "RSA", 3072, 1},
	{"oe_rsa3072", "ssh-keygen -q -t rsa -b 3072 -N '%2$s' -f %1$s/oe_rsa3072", PASS,
	 PF_KEY_FORMAT_OPENSSH, "RSA", 3072, 1},
	/* ssh-keygen -m PEM (ed25519 has no PEM form there: it stays OpenSSH) */
	{"p_ed25519", "ssh-keygen -q -m PEM -t ed25519 -N '%2$s' -f %1$s/p_ed25519", PASS,
	 PF_KEY_FORMAT_OPENSSH, "ED25519", 256, 1},
	{"p_ecdsa256", "ssh-keygen -q -m PEM -t ecdsa -b 256 -N '' -f %1$s/p_ecdsa256", NULL,
	 PF_KEY_FORMAT_PEM_SEC1, "ECDSA", 256, 1},
	{"pe_ecdsa256", "ssh-keygen -q -m PEM -t ecdsa -b 256 -N '%2$s' -f %1$s/pe_ecdsa256", PASS,
	 PF_KEY_FORMAT_PEM_SEC1, "ECDSA", 256, 1},
	{"p_ecdsa384", "ssh-keygen -q -m PEM -t ecdsa -b 384 -N '' -f %1$s/p_ecdsa384", NULL,
	 PF_KEY_FORMAT_PEM_SEC1, "ECDSA", 384, 1},
	{"pe_ecdsa384", "ssh-keygen -q -m PEM -t ecdsa -b 384 -N '%2$s' -f %1$s/pe_ecdsa384", PASS,
	 PF_KEY_FORMAT_PEM_SEC1, "ECDSA", 384, 1},
	{"p_ecdsa521", "ssh-keygen -q -m PEM -t ecdsa -b 521 -N '' -f %1$s/p_ecdsa521", NULL,
	 PF_KEY_FORMAT_PEM_SEC1, "ECDSA", 521, 1},
	{"pe_ecdsa521", "ssh-keygen -q -m PEM -t ecdsa -b 521 -N '%2$s' -f %1$s/pe_ecdsa521", PASS,
	 PF_KEY_FORMAT_PEM_SEC1, "ECDSA", 521, 1},
	{"p_rsa3072", "ssh-keygen -q -m PEM -t rsa -b 3072 -N '' -f %1$s/p_rsa3072", NULL,
	 PF_KEY_FORMAT_PEM_PKCS1, "RSA", 3072, 1},
	{"pe_rsa3072", "ssh-keygen -q -m PEM -t rsa -b 3072 -N '%2$s' -f %1$s/pe_rsa3072", PASS,
	 PF_KEY_FORMAT_PEM_PKCS1, "RSA", 3072, 1},
	/* legacy "Proc-Type: 4,ENCRYPTED" PEM as Tera Term / old OpenSSH wrote it */
	{"leg_rsa_des3",
	 "openssl genrsa -traditional -des3 -passout 'pass:%2$s' -out %1$s/leg_rsa_des3 3072 "
	 "2>/dev/null",
	 PASS, PF_KEY_FORMAT_PEM_PKCS1, "RSA", 3072, 0},
	{"leg_rsa_aes256",
	 "openssl genrsa -traditional -aes256 -passout 'pass:%2$s' -out %1$s/leg_rsa_aes256 2048 "
	 "2>/dev/null",
	 PASS, PF_KEY_FORMAT_PEM_PKCS1, "RSA", 2048, 0},
	{"leg_ec_des3",
	 "openssl ecparam -name secp384r1 -genkey -noout | openssl pkey -traditional -des3 "
	 "-passout 'pass:%2$s' -out %1$s/leg_ec_des3",
	 PASS, PF_KEY_FORMAT_PEM_SEC1, "ECDSA", 384, 0},
	{"leg_ec_aes256",
	 "openssl ecparam -name prime256v1 -genkey -noout | openssl pkey -traditional -aes256 "
	 "-passout 'pass:%2$s' -out %1$s/leg_ec_aes256",
	 PASS, PF_KEY_FORMAT_PEM_SEC1, "ECDSA", 256, 0},
	{"leg_ec_aes128",
	 "openssl ecparam -name secp521r1 -genkey -noout | openssl pkey -traditional -aes128 "
	 "-passout 'pass:%2$s' -out %1$s/leg_ec_aes128",
	 PASS, PF_KEY_FORMAT_PEM_SEC1, "ECDSA", 521, 0},
	/* PKCS#8 */
	{"p8_rsa",
	 "openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:2048 -out %1$s/p8_rsa "
	 "2>/dev/null",
	 NULL, PF_KEY_FORMAT_PEM_PKCS8, "RSA", 2048, 1},
	{"p8e_rsa",
	 "openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:3072 -aes-256-cbc "
	 "-pass 'pass:%2$s' -out %1$s/p8e_rsa 2>/dev/null",
	 PASS, PF_KEY_FORMAT_PEM_PKCS8_ENC, "RSA", 3072, 0},
	{"p8e_ecdsa", "ssh-keygen -q -m PKCS8 -t ecdsa -b 384 -N '%2$s' -f %1$s/p8e_ecdsa", PASS,
	 PF_KEY_FORMAT_PEM_PKCS8_ENC, "ECDSA", 384, 1},
	{"p8e_ed25519",
	 "openssl genpkey -algorithm ed25519 | openssl pkcs8 -topk8 -v2 aes-256-cbc "
	 "-passout 'pass:%2$s' -out %1$s/p8e_ed25519",
	 PASS, PF_KEY_FORMAT_PEM_PKCS8_ENC, "ED25519", 256, 0},
	{"p8e_rsa_v1_3des",
	 "openssl genrsa 2048 2>/dev/null | openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES "
	 "-passout 'pass:%2$s' -out %1$s/p8e_rsa_v1_3des",
	 PASS, PF_KEY_FORMAT_PEM_PKCS8_ENC, "RSA", 2048, 0},
	/* CRLF copies (Notepad) and a Unicode folder */
	{"crlf_oe_ed25519", "sed 's/$/\\r/' %1$s/oe_ed25519 > %1$s/crlf_oe_ed25519", PASS,
	 PF_KEY_FORMAT_OPENSSH, "ED25519", 256, 1},
	{"crlf_leg_rsa_des3", "sed 's/$/\\r/' %1$s/leg_rsa_des3 > %1$s/crlf_leg_rsa_des3", PASS,
	 PF_KEY_FORMAT_PEM_PKCS1, "RSA", 3072, 0},
	{"crlf_p_ecdsa256", "sed 's/$/\\r/' %1$s/p_ecdsa256 > %1$s/crlf_p_ecdsa256", NULL,
	 PF_KEY_FORMAT_PEM_SEC1, "ECDSA", 256, 1},
	{UNI "/id_ed25519",
	 "mkdir -p %1$s/" UNI " && ssh-keygen -q -t ed25519 -N '%2$s' -f %1$s/" UNI "/id_ed25519",
	 PASS, PF_KEY_FORMAT_OPENSSH, "ED25519", 256, 1},
	{UNI "/id_rsa",
	 "openssl genrsa -traditional -des3 -passout 'pass:%2$s' -out %1$s/" UNI "/id_rsa 2048 "
	 "2>/dev/null",
	 PASS, PF_KEY_FORMAT_PEM_PKCS1, "RSA", 2048, 0},
};

/* The public key of a key file in authorized_keys form: from ssh-keygen
 * (which reads every format here but OpenSSL's PKCS#8 ed25519), else from
 * libssh directly. Both are independent of the module under test. */
static int authorize(const key_spec *k)
{
	char path[900];
	ssh_key priv = NULL;
	char *b64 = NULL;
	FILE *out;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/%s", kdir, k->name);
	if (fixture_run("ssh-keygen -y -P '%s' -f '%s' >> '%s/authorized_keys' 2>/dev/null",
			k->pass ? k->pass : "", path, f.dir) == 0)
		return 0;
	if (ssh_pki_import_privkey_file(path, k->pass ? k->pass : "", NULL, NULL, &priv) !=
		    SSH_OK ||
	    ssh_pki_export_pubkey_base64(priv, &b64) != SSH_OK)
		goto out;
	snprintf(path, sizeof(path), "%s/authorized_keys", f.dir);
	out = fopen(path, "a");
	if (out != NULL) {
		fprintf(out, "%s %s\n", ssh_key_type_to_char(ssh_key_type(priv)), b64);
		fclose(out);
		rc = 0;
	}
out:
	ssh_string_free_char(b64);
	ssh_key_free(priv);
	return rc;
}

/* `tmpl` with %1$s replaced by the key folder and %2$s by the passphrase. */
static int run_template(const char *tmpl)
{
	char cmd[2048];
	size_t o = 0;
	const char *p;

	for (p = tmpl; *p != '\0' && o + 1 < sizeof(cmd); p++) {
		const char *with = NULL;

		if (strncmp(p, "%1$s", 4) == 0)
			with = kdir;
		else if (strncmp(p, "%2$s", 4) == 0)
			with = PASS;
		if (with != NULL) {
			size_t n = strlen(with);

			if (o + n >= sizeof(cmd))
				return -1;
			memcpy(cmd + o, with, n);
			o += n;
			p += 3;
		} else {
			cmd[o++] = *p;
		}
	}
	cmd[o] = '\0';
	return fixture_run("%s", cmd);
}

static void test_key(const key_spec *k)
{
	char path[900], fp[64];
	pf_key_info info, pinfo;
	pf_error err;
	ssh_key key = NULL, pub = NULL;
	pf_key_result r;

	snprintf(path, sizeof(path), "%s/%s", kdir, k->name);
	fprintf(stderr, "-- %s\n", k->name);

	/* Right passphrase (or none needed): loads, and the server agrees. */
	r = pf_key_load(path, k->pass, &key, &info, &err);
	if (!CHECK_INT(r, PF_KEY_OK)) {
		fprintf(stderr, "  %s: %s\n", k->name, err.message);
		return;
	}
	CHECK_INT(info.format, k->format);
	CHECK_INT(info.encrypted, k->pass != NULL);
	CHECK_STR(info.label, k->label);
	CHECK_INT(info.bits, k->bits);
	CHECK_INT(pf_key_fingerprint(key, fp, sizeof(fp)), PF_OK);
	CHECK_STR(fp, info.fingerprint);
	CHECK_INT(info.pub_file_mismatch, 0);
	CHECK(sshd_fixture_accepts(&f, key, 1));
	ssh_key_free(key);
	key = NULL;

	/* The probe: no passphrase; the public key when available before
	 * decryption, and the server accepts the offer. */
	r = pf_key_probe(path, &pub, &pinfo, &err);
	CHECK_INT(r, k->pass ? PF_KEY_NEEDS_PASSPHRASE : PF_KEY_OK);
	CHECK_INT(pinfo.have_public, k->pub_without_pass);
	CHECK_INT(pub != NULL, k->pub_without_pass);
	if (pub != NULL) {
		CHECK_STR(pinfo.fingerprint, fp);
		CHECK(sshd_fixture_accepts(&f, pub, 0));
	}
	ssh_key_free(pub);

	if (k->pass == NULL)
		return;
	/* No passphrase, an empty one, a wrong one: precise results. */
	CHECK_INT(pf_key_load(path, NULL, &key, &info, &err), PF_KEY_NEEDS_PASSPHRASE);
	CHECK(key == NULL);
	CHECK(strstr(err.message, path) != NULL &&
	      strstr(err.message, "is protected by a passphrase") != NULL);
	CHECK_INT(pf_key_load(path, "", &key, &info, &err), PF_KEY_NEEDS_PASSPHRASE);
	CHECK_INT(pf_key_load(path, "wrong " PASS, &key, &info, &err), PF_KEY_WRONG_PASSPHRASE);
	CHECK(key == NULL);
	CHECK(strstr(err.message, "The passphrase for") != NULL &&
	      strstr(err.message, path) != NULL && strstr(err.message, "is not correct") != NULL);
	CHECK_INT(err.code, PF_E_AUTH);
	CHECK_INT(pf_key_load(path, PASS "x", &key, &info, &err), PF_KEY_WRONG_PASSPHRASE);
}

typedef struct bad_spec {
	const char *name;
	const char *make; /* %1$s = kdir; NULL: the file exists already */
	pf_key_result want;
	const char *msg;
} bad_spec;

static const bad_spec bads[] = {
	{"o_ed25519.pub", NULL, PF_KEY_NOT_A_KEY,
	 "o_ed25519.pub is not a private key file (it is a public key: use the file without "
	 ".pub"},
	/* .ppk files load since issue 8 (test_ppk_sshd); a cut one is damaged */
	{"key.ppk",
	 "puttygen %1$s/o_ed25519 -O private -o %1$s/full.ppk 2>/dev/null && "
	 "sed 's/^Private-Lines: 1/Private-Lines: 9/' %1$s/full.ppk > %1$s/key.ppk || "
	 "printf 'PuTTY-User-Key-File-3: ssh-ed25519\\nEncryption: none\\n' > "
	 "%1$s/key.ppk",
	 PF_KEY_DAMAGED, "key.ppk is damaged"},
	{"empty", ": > %1$s/empty", PF_KEY_NOT_A_KEY, "empty is empty, not a private key file"},
	{"truncated", "head -c 1000 %1$s/o_rsa3072 > %1$s/truncated", PF_KEY_DAMAGED,
	 "truncated is damaged: the END line is missing"},
	{"truncated_pem", "head -c 700 %1$s/leg_rsa_des3 > %1$s/truncated_pem", PF_KEY_DAMAGED,
	 "truncated_pem is damaged"},
	{"dsa",
	 "ssh-keygen -q -t dsa -N '' -f %1$s/dsa 2>/dev/null || printf "
	 "'-----BEGIN DSA PRIVATE KEY-----\\nAA==\\n-----END DSA PRIVATE KEY-----\\n' > %1$s/dsa",
	 PF_KEY_UNSUPPORTED, "dsa is a DSA key; DSA keys are not supported"},
	{"rsa1", "printf 'SSH PRIVATE KEY FILE FORMAT 1.1\\n\\000\\000' > %1$s/rsa1",
	 PF_KEY_UNSUPPORTED, "rsa1 is an SSH-1 (RSA1) key"},
	{"missing", NULL, PF_KEY_NOT_FOUND, "missing does not exist"},
};

static void test_bad(const bad_spec *b)
{
	char path[900];
	pf_key_info info;
	pf_error err;
	ssh_key key = NULL;
	pf_key_result r;

	if (b->make != NULL)
		CHECK(run_template(b->make) == 0);
	snprintf(path, sizeof(path), "%s/%s", kdir, b->name);
	r = pf_key_load(path, PASS, &key, &info, &err);
	if (!CHECK_INT(r, b->want))
		fprintf(stderr, "  %s: %s\n", b->name, err.message);
	CHECK(key == NULL);
	if (!CHECK(strstr(err.message, path) != NULL && strstr(err.message, b->msg) != NULL))
		fprintf(stderr, "  %s: message \"%s\"\n", b->name, err.message);
	CHECK_INT(pf_key_probe(path, NULL, &info, &err), b->want);
}

/* The control: a good key the server does not know is refused, so the
 * successes above mean something. (sshd 9.x refuses ssh-rsa SHA-1
 * signatures by default, so the RSA successes used rsa-sha2-256/512.) */
static void test_unauthorized(void)
{
	char path[900];
	ssh_key key = NULL;

	snprintf(path, sizeof(path), "%s/stranger", kdir);
	CHECK(fixture_run("ssh-keygen -q -t ed25519 -N '' -f '%s'", path) == 0);
	CHECK_INT(pf_key_load(path, NULL, &key, NULL, NULL), PF_KEY_OK);
	if (key != NULL)
		CHECK(!sshd_fixture_accepts(&f, key, 1));
	ssh_key_free(key);
}

int main(void)
{
	size_t i;
	int ok = 1;

	if (pf_lib_init() != 0 || sshd_fixture_init(&f, "keys", NULL) != 0)
		return 1;
	snprintf(kdir, sizeof(kdir), "%s/k", f.dir);
	if (fixture_run("mkdir -p '%s'", kdir) != 0)
		return 1;
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		if (!CHECK(run_template(specs[i].make) == 0) || !CHECK(authorize(&specs[i]) == 0)) {
			fprintf(stderr, "cannot make %s\n", specs[i].name);
			ok = 0;
		}
	}
	if (ok && sshd_fixture_start(&f) == 0) {
		for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
			test_key(&specs[i]);
		for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++)
			test_bad(&bads[i]);
		test_unauthorized();
	} else {
		CHECK(!"sshd started with every key authorized");
	}
	sshd_fixture_stop(&f);
	pf_lib_cleanup();
	return check_summary("test_keys (integration)");
}
