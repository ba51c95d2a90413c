/* The SSH wire format, base64 and fingerprints (see sshwire.h). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "sshwire.h"
#include "pf/mem.h"

/* ---- base64 ---- */

static int b64_value(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

static int is_space(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\f' || ch == '\v';
}

int pfi_b64_decode_buf(const char *s, size_t n, unsigned flags, unsigned char *out, size_t *out_len)
{
	size_t i, o = 0;
	unsigned acc = 0;
	int bits = 0, pad = 0, quads = 0;

	*out_len = 0;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		int v;

		if ((flags & PFI_B64_SPACES) && is_space(ch))
			continue;
		if (ch == '=') {
			pad++;
			quads++;
			continue;
		}
		v = b64_value(ch);
		if (v < 0 || pad > 0)
			return -1;
		quads++;
		acc = (acc << 6 | (unsigned)v) & 0xffffu;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	/* 1 leftover character carries no whole byte; padding must complete a
	 * quad; at most 2 '='. */
	if (quads % 4 == 1 || pad > 2 || (pad > 0 && quads % 4 != 0))
		return -1;
	*out_len = o;
	return 0;
}

int pfi_b64_decode(const char *s, size_t n, unsigned char **out, size_t *out_len)
{
	unsigned char *buf = malloc(PFI_B64_DECODED_MAX(n));

	*out = NULL;
	*out_len = 0;
	if (buf == NULL)
		return -2;
	if (pfi_b64_decode_buf(s, n, PFI_B64_SPACES, buf, out_len) != 0) {
		pf_secure_zero(buf, PFI_B64_DECODED_MAX(n));
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

char *pfi_b64_encode(const unsigned char *p, size_t n, size_t wrap)
{
	size_t chars, i, o = 0;
	char *line, *s;

	if (n > (size_t)INT_MAX / 4 * 3 - 3)
		return NULL;
	chars = (n + 2) / 3 * 4;
	line = malloc(chars + 1);
	if (line == NULL)
		return NULL;
	EVP_EncodeBlock((unsigned char *)line, p, (int)n); /* padded, NUL-terminated */
	if (wrap == 0)
		return line;
	s = malloc(chars + chars / wrap + 2);
	if (s != NULL) {
		for (i = 0; i < chars; i++) {
			s[o++] = line[i];
			if ((i + 1) % wrap == 0)
				s[o++] = '\n';
		}
		if (chars % wrap != 0)
			s[o++] = '\n';
		s[o] = '\0';
	}
	pf_secure_zero(line, chars);
	free(line);
	return s;
}

/* ---- fingerprints ---- */

int pfi_fingerprint_format(const unsigned char md[32], char *buf, size_t size)
{
	char b64[45]; /* 44 characters, the last one '=' */

	if (size < PFI_FINGERPRINT_LEN)
		return -1;
	EVP_EncodeBlock((unsigned char *)b64, md, 32);
	b64[43] = '\0';
	snprintf(buf, size, "SHA256:%s", b64);
	return 0;
}

int pfi_fingerprint_blob(const unsigned char *blob, size_t n, char *buf, size_t size)
{
	unsigned char md[32];
	unsigned int mdlen = 0;

	if (size < PFI_FINGERPRINT_LEN ||
	    EVP_Digest(blob, n, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
		return -1;
	return pfi_fingerprint_format(md, buf, size);
}

/* ---- the wire format ---- */

void pfi_wire_text(char *dst, size_t size, const unsigned char *s, size_t n)
{
	size_t i;

	if (size == 0)
		return;
	if (n > size - 1)
		n = size - 1;
	for (i = 0; i < n; i++)
		dst[i] = (s[i] < 0x20 || s[i] == 0x7f) ? '?' : (char)s[i];
	dst[n] = '\0';
}

void pfi_wbuf_put(pfi_wbuf *b, const void *p, size_t n)
{
	if (b->failed || n == 0)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		unsigned char *nd;

		while (cap < b->len + n)
			cap *= 2;
		/* Not realloc: the old buffer may hold secrets and is wiped. */
		nd = malloc(cap);
		if (nd == NULL) {
			b->failed = 1;
			return;
		}
		if (b->len > 0)
			memcpy(nd, b->data, b->len);
		if (b->data != NULL) {
			pf_secure_zero(b->data, b->cap);
			free(b->data);
		}
		b->data = nd;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void pfi_wbuf_u32(pfi_wbuf *b, uint32_t v)
{
	unsigned char x[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
			      (unsigned char)(v >> 8), (unsigned char)v};

	pfi_wbuf_put(b, x, 4);
}

void pfi_wbuf_string(pfi_wbuf *b, const void *p, size_t n)
{
	pfi_wbuf_u32(b, (uint32_t)n);
	pfi_wbuf_put(b, p, n);
}

void pfi_wbuf_cstring(pfi_wbuf *b, const char *s)
{
	pfi_wbuf_string(b, s, strlen(s));
}

void pfi_wbuf_wipe(pfi_wbuf *b)
{
	if (b->data != NULL) {
		pf_secure_zero(b->data, b->cap);
		free(b->data);
	}
	memset(b, 0, sizeof(*b));
}
