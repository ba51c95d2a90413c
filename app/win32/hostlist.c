/* The Host combo: the config file's Host profiles (pf_config_profiles, the
 * same parser the connection uses) followed by the recent hosts from the
 * ini. The combo is editable, so user@host works too. A missing, moved or
 * broken config file is a message in the status line and the log. */
#include <windows.h>
#include <stdlib.h>
#include <wchar.h>

#include "app.h"
#include "pf/config.h"
#include "pf/mem.h"
#include "pf/platform.h"
#include "resource.h"

static void add_unique(HWND combo, const wchar_t *name)
{
	if (name[0] == L'\0')
		return;
	if (SendMessageW(combo, CB_FINDSTRINGEXACT, (WPARAM)-1, (LPARAM)name) == CB_ERR)
		SendMessageW(combo, CB_ADDSTRING, 0, (LPARAM)name);
}

static pf_log_level diag_log_level(pf_diag_level l)
{
	switch (l) {
	case PF_DIAG_ERROR: return PF_LOG_ERROR;
	case PF_DIAG_WARNING:
	case PF_DIAG_NOTE: return PF_LOG_INFO;
	default: return PF_LOG_VERBOSE;
	}
}

/* Every diagnostic into the log ("config.txt:7:3: error: ..."). */
static void log_diags(pf_app *app, const pf_diags *d)
{
	size_t i;

	for (i = 0; i < d->count; i++) {
		char *s = pf_diag_format(&d->items[i]);
		wchar_t *w = s != NULL ? pf_utf8_to_wide(s) : NULL;

		if (w != NULL)
			LogView_Add(app, diag_log_level(d->items[i].level), NULL, w);
		free(w);
		free(s);
	}
}

static void set_status(pf_app *app, const wchar_t *text)
{
	if (app->main != NULL)
		SetDlgItemTextW(app->main, IDC_STATUS, text);
}

int HostList_Fill(pf_app *app, HWND combo, const wchar_t *config, const wchar_t *select)
{
	wchar_t msg[1024], keep[PF_HOST_LEN];
	pf_config *cfg = NULL;
	pf_diags diags;
	pf_host_profile *profiles = NULL;
	size_t nprof = 0, i;
	char *path = NULL;
	pf_rc rc;
	int result = -1, r;
	const wchar_t *base;

	pf_diag_init(&diags);
	/* What the person typed stays when nothing else is to be selected. */
	GetWindowTextW(combo, keep, PF_HOST_LEN);
	SendMessageW(combo, CB_RESETCONTENT, 0, 0);

	if (config == NULL || config[0] == L'\0') {
		set_status(app, Lang_String(app, IDS_CONFIG_NONE, msg, 1024));
		goto recent;
	}
	base = wcsrchr(config, L'\\');
	base = base != NULL ? base + 1 : config;
	path = pf_wide_to_utf8(config);
	if (path == NULL)
		goto recent;
	rc = pf_config_load(path, NULL, &cfg, &diags);
	if (rc == PF_E_NOTFOUND ||
	    (cfg == NULL && GetFileAttributesW(config) == INVALID_FILE_ATTRIBUTES)) {
		Lang_Format(app, msg, 1024, IDS_CONFIG_MISSING, config);
		set_status(app, msg);
		LogView_Add(app, PF_LOG_ERROR, NULL, msg);
		goto recent;
	}
	log_diags(app, &diags);
	if (cfg == NULL) {
		/* Unreadable: the first diagnostic says why. */
		char *s = diags.count > 0 ? pf_diag_format(&diags.items[0]) : NULL;
		wchar_t *w = s != NULL ? pf_utf8_to_wide(s) : NULL;

		set_status(app, w != NULL ? w : config);
		free(w);
		free(s);
		goto recent;
	}
	if (pf_config_profiles(cfg, &profiles, &nprof) != PF_OK)
		nprof = 0;
	for (i = 0; i < nprof; i++) {
		wchar_t *w = pf_utf8_to_wide(profiles[i].name);

		if (w != NULL)
			add_unique(combo, w);
		free(w);
	}
	result = (int)nprof;
	if (rc == PF_E_CONFIG) {
		Lang_Format(app, msg, 1024, IDS_CONFIG_ERRORS, base, (unsigned)diags.errors);
		set_status(app, msg);
	} else if (nprof == 0) {
		Lang_Format(app, msg, 1024, IDS_CONFIG_NOHOSTS, base);
		set_status(app, msg);
		LogView_Add(app, PF_LOG_INFO, NULL, msg);
	} else {
		LogView_AddId(app, PF_LOG_INFO, NULL, IDS_CONFIG_LOADED, base, (unsigned)nprof);
		if (app->nconns == 0)
			set_status(app, Lang_String(app, IDS_STATUS_IDLE, msg, 1024));
	}

recent:
	for (r = 0; r < app->set.nrecent; r++)
		add_unique(combo, app->set.recent[r]);
	if (select != NULL && select[0] != L'\0') {
		LRESULT at = SendMessageW(combo, CB_FINDSTRINGEXACT, (WPARAM)-1, (LPARAM)select);

		if (at != CB_ERR)
			SendMessageW(combo, CB_SETCURSEL, (WPARAM)at, 0);
		else
			SetWindowTextW(combo, select);
	} else if (keep[0] != L'\0') {
		SetWindowTextW(combo, keep);
	} else if (SendMessageW(combo, CB_GETCOUNT, 0, 0) > 0) {
		SendMessageW(combo, CB_SETCURSEL, 0, 0);
	}
	pf_host_profiles_free(profiles, nprof);
	pf_config_free(cfg);
	pf_diag_free(&diags);
	free(path);
	return result;
}
