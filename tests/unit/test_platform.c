/* Platform layer: paths, whole-file reads, atomic replacement, folders. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef _WIN32
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#endif

#include "check.h"
#include "pf/mem.h"
#include "pf/platform.h"

#ifdef _WIN32
#define SEP "\\"
#else
#define SEP "/"
#endif

static char *tmpdir_path(const char *name)
{
	const char *base = getenv("PF_TEST_TMPDIR");
	char *dir;

	/* Never the current folder: it may be the source tree. */
	if (base == NULL)
		base = getenv("TMPDIR");
	if (base == NULL)
		base = getenv("TEMP");
	if (base == NULL)
		base = "/tmp";
	dir = pf_path_join(base, name);
	return dir;
}

static void test_paths(void)
{
	char *s;

	s = pf_path_dirname("a" SEP "b" SEP "config.txt");
	CHECK_STR(s, "a" SEP "b");
	free(s);
	s = pf_path_dirname("config.txt");
	CHECK_STR(s, ".");
	free(s);
	CHECK_STR(pf_path_basename("a" SEP "b" SEP "id_ed25519"), "id_ed25519");
	s = pf_path_join("dir", "known_hosts");
	CHECK_STR(s, "dir" SEP "known_hosts");
	free(s);
	s = pf_path_join("dir" SEP, "known_hosts");
	CHECK_STR(s, "dir" SEP "known_hosts");
	free(s);
#ifdef _WIN32
	CHECK(pf_path_is_absolute("C:\\Users\\x"));
	CHECK(pf_path_is_absolute("\\\\server\\share"));
	CHECK(!pf_path_is_absolute("config.txt"));
	s = pf_path_dirname("E:\\config.txt");
	CHECK_STR(s, "E:\\");
	free(s);
	s = pf_path_join("E:\\PF", "C:\\keys\\id_rsa");
	CHECK_STR(s, "C:\\keys\\id_rsa");
	free(s);
#else
	CHECK(pf_path_is_absolute("/etc/ssh"));
	CHECK(!pf_path_is_absolute("config.txt"));
	s = pf_path_dirname("/config.txt");
	CHECK_STR(s, "/");
	free(s);
	s = pf_path_absolute("/a/./b/../c//d");
	CHECK_STR(s, "/a/c/d");
	free(s);
#endif
}

static void test_files(void)
{
	/* A Japanese folder name (UTF-8 here, UTF-16 on Windows underneath),
	 * unique per run: tests may run in parallel. */
	unsigned char rnd[4];
	char name[64], *dir, *file;
	char *data = NULL, **names = NULL;
	size_t len = 0, n = 0;
	pf_error err;
	FILE *f;

	pf_random_bytes(rnd, sizeof(rnd));
	snprintf(name, sizeof(name),
		 "\xe3\x83\xa1\xe3\x83\xbc\xe3\x83\xab\xe8\xa8\xad\xe5\xae\x9a-%02x%02x%02x%02x",
		 rnd[0], rnd[1], rnd[2], rnd[3]);
	dir = tmpdir_path(name);
	file = pf_path_join(dir, "known_hosts");

#ifdef _WIN32
	{
		wchar_t *w = pf_utf8_to_wide(dir);
		_wmkdir(w);
		free(w);
	}
#else
	{
		char *cmd = pf_asprintf("mkdir -p '%s'", dir);
		CHECK(system(cmd) == 0);
		free(cmd);
	}
#endif
	CHECK(pf_dir_exists(dir));
	CHECK_INT(pf_file_write_atomic(file, "line 1\r\nline 2\n", 15, &err), PF_OK);
	CHECK(pf_file_exists(file));
	CHECK_INT(pf_file_read(file, 1024, &data, &len, &err), PF_OK);
	CHECK_INT(len, 15);
	CHECK_STR(data, "line 1\r\nline 2\n");
	free(data);
	/* Replacing keeps exactly the new content and leaves no temporaries. */
	CHECK_INT(pf_file_write_atomic(file, "new\n", 4, &err), PF_OK);
	CHECK_INT(pf_file_read(file, 1024, &data, &len, &err), PF_OK);
	CHECK_STR(data, "new\n");
	free(data);
	CHECK_INT(pf_dir_list(dir, &names, &n, &err), PF_OK);
	CHECK_INT(n, 1);
	if (n == 1)
		CHECK_STR(names[0], "known_hosts");
	pf_strv_free(names, n);
	/* The file's identity (the key cache's "same file"): stable while the
	 * file is left alone, another one once it is replaced. */
	{
		pf_file_id a, b;
		char *other = pf_path_join(dir, "missing-too");

		CHECK_INT(pf_file_identity(file, &a), PF_OK);
		CHECK_INT(pf_file_identity(file, &b), PF_OK);
		CHECK(pf_file_id_equal(&a, &b));
		CHECK_INT(a.size, 4);
		CHECK_INT(pf_file_write_atomic(file, "newer\n", 6, &err), PF_OK);
		CHECK_INT(pf_file_identity(file, &b), PF_OK);
		CHECK(!pf_file_id_equal(&a, &b));
		CHECK_INT(b.size, 6);
		CHECK_INT(pf_file_identity(other, &b), PF_E_NOTFOUND);
		CHECK(pf_file_identity(dir, &b) != PF_OK); /* a folder is not a key file */
		free(other);
	}
	/* Over the limit: refused, not truncated. */
	CHECK_INT(pf_file_read(file, 3, &data, &len, &err), PF_E_TOOBIG);
	CHECK(data == NULL);
	f = pf_fopen(file, "rb");
	CHECK(f != NULL);
	if (f != NULL)
		fclose(f);
	free(file);
	file = pf_path_join(dir, "missing");
	CHECK_INT(pf_file_read(file, 1024, &data, &len, &err), PF_E_NOTFOUND);
	CHECK(strstr(err.message, "missing") != NULL);
	free(file);
	free(dir);
}

/* Atomic writes replace only regular files (issue 18 item 7): a character
 * device discards, a folder or FIFO is refused, a link's target is
 * replaced and the link stays. */
static void test_special_targets(void)
{
	pf_error err;
	char *data = NULL;
	size_t len = 0;

#ifdef _WIN32
	/* NUL: nothing written, no error, and no file called NUL appears. */
	CHECK(pf_file_discards("NUL"));
	CHECK_INT(pf_file_write_atomic("NUL", "x\n", 2, &err), PF_OK);
	CHECK_INT(pf_file_write_secret("NUL", "x\n", 2, &err), PF_OK);
	{
		char *dir = tmpdir_path(""), *f = pf_path_join(dir, "NUL");

		CHECK(pf_file_discards(f));
		CHECK_INT(pf_file_write_atomic(f, "x\n", 2, &err), PF_OK);
		free(f);
		CHECK_INT(pf_file_write_atomic(dir, "x\n", 2, &err), PF_E_INVAL);
		CHECK(strstr(err.message, "a folder, not a file") != NULL);
		CHECK(pf_dir_exists(dir));
		free(dir);
	}
	(void)data;
	(void)len;
#else
	unsigned char rnd[4];
	char name[64], *dir, *cmd, *p, *link;
	struct stat st;

	pf_random_bytes(rnd, sizeof(rnd));
	snprintf(name, sizeof(name), "special-%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3]);
	dir = tmpdir_path(name);
	cmd = pf_asprintf("mkdir -p '%s/sub/folder' && mkfifo '%s/fifo' && "
			  "ln -s sub/kh '%s/link' && ln -s fifo '%s/fifolink'",
			  dir, dir, dir, dir);
	CHECK(system(cmd) == 0);
	free(cmd);

	/* The machine's /dev/null: discards, and is still a device after. */
	CHECK(pf_file_discards("/dev/null"));
	CHECK(!pf_file_discards(dir));
	p = pf_path_join(dir, "fifo");
	CHECK(!pf_file_discards(p));
	CHECK_INT(pf_file_write_atomic(p, "x\n", 2, &err), PF_E_INVAL);
	CHECK(strstr(err.message, "named pipe (FIFO)") != NULL);
	CHECK_INT(pf_file_write_secret(p, "x\n", 2, &err), PF_E_INVAL);
	CHECK(lstat(p, &st) == 0 && S_ISFIFO(st.st_mode));
	/* Reading one does not wait for a writer. */
	CHECK_INT(pf_file_read(p, 1024, &data, &len, &err), PF_E_INVAL);
	free(p);
	p = pf_path_join(dir, "fifolink");
	CHECK_INT(pf_file_write_atomic(p, "x\n", 2, &err), PF_E_INVAL);
	CHECK(lstat(p, &st) == 0 && S_ISLNK(st.st_mode));
	free(p);
	p = pf_path_join(dir, "sub" SEP "folder");
	CHECK_INT(pf_file_write_atomic(p, "x\n", 2, &err), PF_E_INVAL);
	CHECK(strstr(err.message, "a folder, not a file") != NULL);
	CHECK(pf_dir_exists(p));
	free(p);

	/* A link to a file that does not exist yet, then to one that does. */
	link = pf_path_join(dir, "link");
	CHECK_INT(pf_file_write_atomic(link, "one\n", 4, &err), PF_OK);
	CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode));
	CHECK_INT(pf_file_write_secret(link, "two\n", 4, &err), PF_OK);
	CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode));
	p = pf_path_join(dir, "sub" SEP "kh");
	CHECK_INT(pf_file_read(p, 1024, &data, &len, &err), PF_OK);
	CHECK_STR(data, "two\n");
	free(data);
	CHECK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0600);
	free(p);
	free(link);

	/* A private character device (root only: mknod). */
	p = pf_path_join(dir, "null");
	if (mknod(p, S_IFCHR | 0666, makedev(1, 3)) == 0) {
		CHECK(pf_file_discards(p));
		CHECK_INT(pf_file_write_atomic(p, "x\n", 2, &err), PF_OK);
		CHECK_INT(pf_file_write_secret(p, "x\n", 2, &err), PF_OK);
		CHECK(lstat(p, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3));
	} else {
		check_skip("a character device as the target (mknod needs root)");
	}
	free(p);
	{
		char **names = NULL;
		size_t n = 0, i;
		int tmps = 0;

		CHECK_INT(pf_dir_list(dir, &names, &n, &err), PF_OK);
		for (i = 0; i < n; i++)
			tmps += strstr(names[i], ".tmp") != NULL;
		CHECK_INT(tmps, 0);
		pf_strv_free(names, n);
	}
	CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
	cmd = pf_asprintf("rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
	free(cmd);
	free(dir);
#endif
}

#ifdef _WIN32
#include <windows.h>
#include <aclapi.h>
#include <sddl.h>

/* Issue 18 item 11: a private key gets a protected DACL with one ACE, full
 * access for this user; an ordinary file keeps what the folder gives.
 * Wine 8 keeps no security descriptor on a file: it turns the DACL into
 * Unix mode bits and back, always adding SYSTEM and dropping the protected
 * flag. There an ACE for SYSTEM is allowed and the flag not asked for; an
 * ACE for anyone else (Everyone, from a 0644 file) still fails. */
static int under_wine(void)
{
	HMODULE nt = GetModuleHandleA("ntdll.dll");

	return nt != NULL && GetProcAddress(nt, "wine_get_version") != NULL;
}

static int owner_only(const char *path, int *aces)
{
	wchar_t *w = pf_utf8_to_wide(path);
	PSECURITY_DESCRIPTOR sd = NULL;
	PACL dacl = NULL;
	SECURITY_DESCRIPTOR_CONTROL ctl = 0;
	DWORD rev = 0, i;
	PSID user = NULL;
	HANDLE tok = NULL;
	TOKEN_USER *tu = NULL;
	DWORD n = 0;
	ACCESS_ALLOWED_ACE *ace = NULL;
	int ok = 0, mine = 0, wine = under_wine();
	char *text = NULL;

	*aces = -1;
	if (w == NULL ||
	    GetNamedSecurityInfoW(w, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, NULL, NULL, &dacl,
				  NULL, &sd) != ERROR_SUCCESS ||
	    dacl == NULL || !GetSecurityDescriptorControl(sd, &ctl, &rev))
		goto out;
	if (ConvertSecurityDescriptorToStringSecurityDescriptorA(
		    sd, SDDL_REVISION_1, DACL_SECURITY_INFORMATION, &text, NULL)) {
		printf("%s: %s\n", path, text);
		LocalFree(text);
	}
	*aces = dacl->AceCount;
	if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok))
		goto out;
	GetTokenInformation(tok, TokenUser, NULL, 0, &n);
	tu = n ? malloc(n) : NULL;
	if (tu == NULL || !GetTokenInformation(tok, TokenUser, tu, n, &n))
		goto out;
	user = tu->User.Sid;
	if (!wine && (!(ctl & SE_DACL_PROTECTED) || dacl->AceCount != 1))
		goto out;
	for (i = 0; i < dacl->AceCount; i++) {
		if (!GetAce(dacl, i, (void **)&ace) ||
		    ace->Header.AceType != ACCESS_ALLOWED_ACE_TYPE)
			goto out;
		if (EqualSid((PSID)&ace->SidStart, user) &&
		    (ace->Mask & FILE_ALL_ACCESS) == FILE_ALL_ACCESS)
			mine++;
		else if (!(wine && IsWellKnownSid((PSID)&ace->SidStart, WinLocalSystemSid)))
			goto out;
	}
	ok = mine == 1;
out:
	free(tu);
	if (tok != NULL)
		CloseHandle(tok);
	if (sd != NULL)
		LocalFree(sd);
	free(w);
	return ok;
}

static void test_secret_dacl(void)
{
	char *dir = tmpdir_path("dacl"), *key = NULL, *pub = NULL;
	pf_error err;
	int aces = 0;

	CHECK(pf_dir_exists(dir) || CreateDirectoryA(dir, NULL));
	key = pf_path_join(dir, "id_test");
	pub = pf_path_join(dir, "id_test.pub");
	CHECK_INT(pf_file_write_secret(key, "secret\n", 7, &err), PF_OK);
	CHECK(owner_only(key, &aces));
	printf("private key: %d ACE(s)\n", aces);
	/* Replacing it keeps it so (a new temporary, renamed over). */
	CHECK_INT(pf_file_write_secret(key, "again\n", 6, &err), PF_OK);
	CHECK(owner_only(key, &aces));
	CHECK_INT(pf_file_write_atomic(pub, "public\n", 7, &err), PF_OK);
	CHECK(!owner_only(pub, &aces));
	printf("public key: %d ACE(s) (inherited from the folder)\n", aces);
	DeleteFileA(key);
	DeleteFileA(pub);
	RemoveDirectoryA(dir);
	free(key);
	free(pub);
	free(dir);
}
#endif

static void test_time_random(void)
{
	uint64_t t0 = pf_time_ms();
	unsigned char a[16] = {0}, b[16] = {0};

	pf_sleep_ms(20);
	CHECK(pf_time_ms() - t0 >= 15);
	CHECK_INT(pf_random_bytes(a, sizeof(a)), PF_OK);
	CHECK_INT(pf_random_bytes(b, sizeof(b)), PF_OK);
	CHECK(memcmp(a, b, sizeof(a)) != 0);
}

static int counter;
static void bump(void *arg)
{
	pf_mutex *m = arg;

	pf_mutex_lock(m);
	counter++;
	pf_mutex_unlock(m);
}

static void test_threads(void)
{
	pf_mutex *m = pf_mutex_new();
	pf_cond *c = pf_cond_new();
	pf_thread *t[4];
	int i;

	for (i = 0; i < 4; i++)
		CHECK_INT(pf_thread_start(&t[i], bump, m), PF_OK);
	for (i = 0; i < 4; i++)
		pf_thread_join(t[i]);
	CHECK_INT(counter, 4);
	pf_mutex_lock(m);
	CHECK_INT(pf_cond_wait(c, m, 10), 1);
	pf_mutex_unlock(m);
	pf_cond_free(c);
	pf_mutex_free(m);
}

int main(void)
{
	test_paths();
	test_files();
	test_special_targets();
#ifdef _WIN32
	test_secret_dacl();
#endif
	test_time_random();
	test_threads();
	return check_summary("test_platform");
}
