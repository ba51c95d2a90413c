/* app/win32/ini.c: the ini's paths relative to the exe's folder and back
 * (a portable kit moved to another drive letter keeps its settings). A
 * Windows program, run under Wine by the native tree (win64.test_ini_paths);
 * it was the --test-relpath hook inside PortForwarder.exe. */
#include <windows.h>
#include <wchar.h>

#include "check.h"
#include "ini.h"

static void test_relative(void)
{
	static const struct {
		const wchar_t *base, *target, *want;
	} rel[] = {
		{L"E:\\PF", L"E:\\PF\\config.txt", L"config.txt"},
		{L"E:\\PF", L"e:\\pf\\sub\\config.txt", L"sub\\config.txt"},
		{L"E:\\PF\\bin", L"E:\\keys\\config.txt", L"..\\..\\keys\\config.txt"},
		{L"E:\\PF", L"E:\\keys\\config.txt", L"..\\keys\\config.txt"},
		{L"E:\\PF", L"C:\\Users\\me\\config.txt", L"C:\\Users\\me\\config.txt"},
		{L"E:\\", L"E:\\config.txt", L"config.txt"},
		{L"\\\\srv\\share\\PF", L"\\\\srv\\share\\PF\\c.txt", L"c.txt"},
		{L"\\\\srv\\share\\PF", L"\\\\other\\share\\c.txt", L"\\\\other\\share\\c.txt"},
		{L"E:\\PF", L"E:\\PF\\\u30e1\u30fc\u30eb\u8a2d\u5b9a\\config.txt",
		 L"\u30e1\u30fc\u30eb\u8a2d\u5b9a\\config.txt"},
	};
	wchar_t out[MAX_PATH];
	char what[64];
	size_t i;

	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(what, sizeof(what), "relative case %u", (unsigned)i);
		check_report(Ini_RelativePath(rel[i].base, rel[i].target, out, MAX_PATH) == 0 &&
				     wcscmp(out, rel[i].want) == 0,
			     __FILE__, __LINE__, what);
	}
	/* Too small a buffer fails instead of cutting. */
	CHECK(Ini_RelativePath(L"E:\\PF", L"E:\\PF\\config.txt", out, 4) != 0);
}

static void test_resolve(void)
{
	static const struct {
		const wchar_t *base, *path, *want;
	} res[] = {
		{L"F:\\PF", L"config.txt", L"F:\\PF\\config.txt"},
		{L"F:\\PF", L"..\\keys\\config.txt", L"F:\\keys\\config.txt"},
		{L"F:\\PF", L"C:\\x\\config.txt", L"C:\\x\\config.txt"},
		{L"F:\\PF", L"sub/config.txt", L"F:\\PF\\sub\\config.txt"},
	};
	wchar_t out[MAX_PATH];
	char what[64];
	size_t i;

	for (i = 0; i < sizeof(res) / sizeof(res[0]); i++) {
		snprintf(what, sizeof(what), "resolve case %u", (unsigned)i);
		check_report(Ini_ResolvePath(res[i].base, res[i].path, out, MAX_PATH) == 0 &&
				     wcscmp(out, res[i].want) == 0,
			     __FILE__, __LINE__, what);
	}
}

int main(void)
{
	test_relative();
	test_resolve();
	return check_summary("test_ini_paths");
}
