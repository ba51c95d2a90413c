/* The UI language: English or Japanese resources, chosen from the user's UI
 * language or the ini's Language=, loaded with that language explicitly
 * (FindResourceExW) so the choice does not depend on how the system maps
 * the thread's UI language, with English as the fallback for anything a
 * translation lacks. */
#include <windows.h>
#include <stdarg.h>
#include <stdio.h>
#include <wchar.h>

#include "app.h"

#define LANG_EN MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US)
#define LANG_JA MAKELANGID(LANG_JAPANESE, SUBLANG_DEFAULT)

LANGID Lang_Choose(const wchar_t *setting)
{
	LANGID ui;

	if (setting != NULL && _wcsicmp(setting, L"ja") == 0)
		return LANG_JA;
	if (setting != NULL && _wcsicmp(setting, L"en") == 0)
		return LANG_EN;
	ui = GetUserDefaultUILanguage();
	return PRIMARYLANGID(ui) == LANG_JAPANESE ? LANG_JA : LANG_EN;
}

/* A string from the table block of `lang`; 0 if that language lacks it.
 * Blocks hold 16 counted strings each. */
static int load_string_lang(HINSTANCE inst, LANGID lang, UINT id, wchar_t *buf, int size)
{
	HRSRC res = FindResourceExW(inst, RT_STRING, MAKEINTRESOURCEW(id / 16 + 1), lang);
	const WORD *p;
	HGLOBAL h;
	UINT i;
	int len;

	if (res == NULL || (h = LoadResource(inst, res)) == NULL || (p = LockResource(h)) == NULL)
		return 0;
	for (i = 0; i < (id & 15); i++)
		p += 1 + *p;
	len = *p;
	if (len == 0)
		return 0;
	if (len > size - 1)
		len = size - 1;
	memcpy(buf, p + 1, (size_t)len * sizeof(wchar_t));
	buf[len] = L'\0';
	return len;
}

const wchar_t *Lang_String(pf_app *app, UINT id, wchar_t *buf, int size)
{
	if (size <= 0)
		return buf;
	buf[0] = L'\0';
	if (load_string_lang(app->inst, app->lang, id, buf, size) > 0)
		return buf;
	if (load_string_lang(app->inst, LANG_EN, id, buf, size) > 0)
		return buf;
	if (LoadStringW(app->inst, id, buf, size) <= 0)
		buf[0] = L'\0';
	return buf;
}

wchar_t *Lang_Format(pf_app *app, wchar_t *buf, int size, UINT id, ...)
{
	wchar_t fmt[1024];
	va_list ap;

	Lang_String(app, id, fmt, 1024);
	va_start(ap, id);
	/* The formats are our own resources (%ls, %u, %d only). */
	if (_vsnwprintf(buf, (size_t)size, fmt, ap) < 0)
		buf[size - 1] = L'\0';
	va_end(ap);
	buf[size - 1] = L'\0';
	return buf;
}

static const DLGTEMPLATE *find_dialog(pf_app *app, UINT id)
{
	HRSRC res = FindResourceExW(app->inst, RT_DIALOG, MAKEINTRESOURCEW(id), app->lang);
	HGLOBAL h;

	if (res == NULL)
		res = FindResourceExW(app->inst, RT_DIALOG, MAKEINTRESOURCEW(id), LANG_EN);
	if (res == NULL || (h = LoadResource(app->inst, res)) == NULL)
		return NULL;
	return LockResource(h);
}

INT_PTR Lang_DialogBox(pf_app *app, UINT id, HWND owner, DLGPROC proc, LPARAM lp)
{
	const DLGTEMPLATE *t = find_dialog(app, id);

	if (t == NULL)
		return -1;
	return DialogBoxIndirectParamW(app->inst, t, owner, proc, lp);
}

HWND Lang_CreateDialog(pf_app *app, UINT id, HWND owner, DLGPROC proc, LPARAM lp)
{
	const DLGTEMPLATE *t = find_dialog(app, id);

	if (t == NULL)
		return NULL;
	return CreateDialogIndirectParamW(app->inst, t, owner, proc, lp);
}
