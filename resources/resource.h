/* Resource identifiers, shared by the .rc files, PortForwarder.exe and the
 * test driver (which finds controls by these IDs). */
#ifndef PF_RESOURCE_H
#define PF_RESOURCE_H

/* The main window's class name (a dialog with its own class, so a second
 * instance and the test driver can find it). */
#define PF_MAIN_CLASS L"PortForwarderMain"

/* Window messages of the main window that the test driver may send too. */
#define WM_PF_TRAY      (0x8000 + 1) /* WM_APP + 1: the tray icon's callback (lParam = mouse msg) */
#define WM_PF_UI        (0x8000 + 2) /* WM_APP + 2: a pf_ui payload from a worker thread */
#define WM_PF_NEXT      (0x8000 + 3) /* WM_APP + 3: show the next queued question */
#define WM_PF_NETCHANGE (0x8000 + 4) /* WM_APP + 4: a network interface changed */
#define WM_PF_CONFIGCHANGED (0x8000 + 20) /* WM_APP + 20: the config file's folder changed */
#define WM_PF_RETIRED   (0x8000 + 27) /* WM_APP + 27: a replaced session was freed (wParam: slot, lParam: its generation) */

#ifndef IDC_STATIC
#define IDC_STATIC (-1)
#endif

#define IDI_APP              100
#define IDI_STATE_IDLE       101
#define IDI_STATE_CONNECTING 102
#define IDI_STATE_CONNECTED  103
#define IDI_STATE_ERROR      104
#define IDI_STATE_LISTENING  105 /* on demand: listening, not connected */

#define IDD_MAIN            200
#define IDD_PASSPHRASE      201
#define IDD_PROMPT          202
#define IDD_HOSTKEY_UNKNOWN 203
#define IDD_HOSTKEY_CHANGED 204
#define IDD_KEYGEN          205

/* Main window */
#define IDC_CONFIG_LABEL    1000
#define IDC_CONFIG_EDIT     1001
#define IDC_BROWSE          1002
#define IDC_HOST_LABEL      1003
#define IDC_HOST_COMBO      1004
#define IDC_AUTO_HIDE       1005
#define IDC_CONNECT         1006
#define IDC_HIDE            1007
#define IDC_EXIT            1008
#define IDC_STATUS          1009
#define IDC_DISCONNECT      1010
#define IDC_FWD_LABEL       1011
#define IDC_FWD_LIST        1012
#define IDC_LOG_LABEL       1013
#define IDC_LOG             1014
#define IDC_LOG_LEVEL_LABEL 1015
#define IDC_LOG_LEVEL       1016
#define IDC_GENKEY          1017 /* "Generate key..." */
#define IDC_FORGET_KEYS     1060 /* "Forget passphrases" (issue 20: 1060-1079) */
#define IDC_CONFIG_OPEN     1061 /* "Edit": the config file in the user's editor */
#define IDC_SAVE_LOG        1062 /* "Save log..." */
#define IDC_ON_DEMAND       1240 /* "Connect when first used" (issue 19: 1240-1259) */

/* Dialogs (IDOK / IDCANCEL for the usual buttons) */
#define IDC_DLG_ICON      1100
#define IDC_DLG_HEADER    1101 /* "Connecting to IMR" */
#define IDC_DLG_TEXT      1102 /* the key file / the server's prompt */
#define IDC_DLG_EDIT      1103 /* the secret */
#define IDC_DLG_CAPSLOCK  1104 /* "Caps Lock is on" */
#define IDC_DLG_REASON    1105 /* "Wrong passphrase, try again" */
#define IDC_DLG_INSTR     1106 /* keyboard-interactive instruction */
#define IDC_HK_HOST       1110
#define IDC_HK_PORT       1111
#define IDC_HK_TYPE       1112
#define IDC_HK_FP         1113
#define IDC_HK_OLD_TYPE   1114
#define IDC_HK_OLD_FP     1115
#define IDC_HK_FILE       1116 /* known_hosts file:line */
#define IDC_HK_SAVE       1117 /* "Trust and save" */
#define IDC_HK_ONCE       1118 /* "Connect once" */
#define IDC_HK_WARNING    1119
#define IDC_HK_HOST_LABEL 1120
#define IDC_HK_PORT_LABEL 1121
#define IDC_HK_TYPE_LABEL 1122
#define IDC_HK_FP_LABEL   1123
#define IDC_HK_OLD_LABEL  1124
#define IDC_HK_FILE_LABEL 1125
#define IDC_HK_QUESTION   1126
/* The key generation dialog (keygendlg.c) */
#define IDC_KG_TYPE       1130
#define IDC_KG_COMMENT    1131
#define IDC_KG_PASS1      1132
#define IDC_KG_PASS2      1133
#define IDC_KG_FILE       1134 /* where the key goes */
#define IDC_KG_GENERATE   1135
#define IDC_KG_PUBKEY     1136
#define IDC_KG_FP         1137
#define IDC_KG_SEND       1138 /* "Send ... .pub to your administrator." */
#define IDC_KG_COPY       1139

/* Tray menu */
#define IDM_TRAY_SHOW     3000
#define IDM_TRAY_EXIT     3001
#define IDM_TRAY_FORGET   3002 /* "Forget passphrases" */
#define IDM_TRAY_STARTUP  3020 /* "Start with Windows and connect <Host>" */
#define IDM_TRAY_HOST     3100 /* + host index: Connect or Disconnect that host */
#define IDM_TRAY_HOST_MAX 63

#define IDS_APP_TITLE             2000 /* "PortForwarder %s" (the version) */
#define IDS_STATUS_IDLE           2001
#define IDS_STATUS_CONNECTING     2002
#define IDS_STATUS_AUTHENTICATING 2003
#define IDS_STATUS_CONNECTED      2004
#define IDS_STATUS_RECONNECTING   2005
#define IDS_BROWSE_FILTER         2006
#define IDS_BROWSE_TITLE          2007
#define IDS_STATUS_FAILED         2008 /* "Failed: %s" */
#define IDS_STATUS_CLOSING        2009
#define IDS_COL_TYPE              2010
#define IDS_COL_LISTEN            2011
#define IDS_COL_DEST              2012
#define IDS_COL_STATE             2013
#define IDS_COL_ACTIVE            2014
#define IDS_COL_IN                2015
#define IDS_COL_OUT               2016
#define IDS_FWD_LOCAL             2020
#define IDS_FWD_REMOTE            2021
#define IDS_FWD_DYNAMIC           2022
#define IDS_FWD_REMOTE_DYNAMIC    2023
#define IDS_FWDST_STARTING        2025
#define IDS_FWDST_ACTIVE          2026
#define IDS_FWDST_WAITING         2027
#define IDS_FWDST_FAILED          2028
#define IDS_FWDST_STOPPED         2029
#define IDS_LEVEL_ERROR           2030
#define IDS_LEVEL_INFO            2031
#define IDS_LEVEL_VERBOSE         2032
#define IDS_LEVEL_DEBUG           2033
#define IDS_TRAY_SHOW             2040
#define IDS_TRAY_EXIT             2041
#define IDS_TRAY_CONNECT          2042 /* "Connect %s" */
#define IDS_TRAY_DISCONNECT       2043 /* "Disconnect %s" */
#define IDS_TIP_IDLE              2044 /* "PortForwarder: not connected" */
#define IDS_TIP_HOST              2045 /* "%s: %s (%u forwards)" */
#define IDS_TIP_PREFIX            2046 /* "PortForwarder — " */
#define IDS_HIDDEN_TITLE          2050
#define IDS_HIDDEN_TEXT           2051
#define IDS_BALLOON_CONNECTED     2052 /* "%s: connected (%u forwards)" */
#define IDS_BALLOON_LOST          2053 /* "%s: connection lost, reconnecting in %u s" */
#define IDS_BALLOON_FAILED        2054 /* "%s: %s" */
#define IDS_CONFIG_MISSING        2060 /* "Config file not found: %s. Choose it with ..." */
#define IDS_CONFIG_ERRORS         2061 /* "%s has %u errors: see the event log" */
#define IDS_CONFIG_LOADED         2062 /* "%s: %u host profiles" */
#define IDS_CONFIG_NONE           2063 /* "Choose your config file (...)" */
#define IDS_CONFIG_NOHOSTS        2064
#define IDS_NO_HOST               2065 /* "Choose a Host first." */
#define IDS_CONNECT_UNAVAILABLE   2066
#define IDS_STARTED               2067 /* "PortForwarder %s started" */
#define IDS_CMDLINE_HOST          2068 /* "Host from the command line: %s" */
#define IDS_CMDLINE_BAD           2069 /* "Unknown command-line option %s ..." */
#define IDS_INI_WRITE_FAILED      2070
#define IDS_PASS_HEADER           2080 /* "%s: the key is protected by a passphrase" */
#define IDS_PASS_KEYFILE          2081 /* "Key file: %s" */
#define IDS_PASS_REASON           2082 /* "%s. Try again (attempt %d)." */
#define IDS_PROMPT_HEADER_PW      2083 /* "%s: password" */
#define IDS_PROMPT_HEADER_KI      2084 /* "%s: the server asks" */
#define IDS_HK_PORT_FMT           2085 /* "%d" */
#define IDS_HK_FILE_FMT           2086 /* "%s, line %d" */
#define IDS_HK_UNKNOWN_Q          2087
#define IDS_HK_OTHER_Q            2088
#define IDS_LOG_STATE             2090 /* "%s: %s" */
#define IDS_CONNECT_NOT_READY     2091
#define IDS_DEFAULT_REASON        2092 /* "The answer was not accepted" */
#define IDS_NO_CONN_NAME          2093 /* "PortForwarder" (balloon title) */
#define IDS_LOG_TRAY_TIP          2094 /* "Tray: %ls" */
#define IDS_TIP_HOST_ONE          2095 /* IDS_TIP_HOST for one forward */
#define IDS_BALLOON_CONNECTED_ONE 2096
#define IDS_ERR_CONFIG_UNUSABLE   2097 /* the config file has errors: not connecting */
#define IDS_ERR_TOO_MANY_CONNS    2098
#define IDS_ERR_NET_INIT          2099 /* a message box at start, before any window */
#define IDS_ERR_MAIN_WINDOW       2620 /* a message box at start */
#define IDS_KG_TYPE_ED25519       2100 /* the type combo, in pf_keygen order */
#define IDS_KG_TYPE_RSA3072       2101
#define IDS_KG_TYPE_RSA4096       2102
#define IDS_KG_TYPE_ECDSA256      2103
#define IDS_KG_TYPE_ECDSA384      2104
#define IDS_KG_TYPE_ECDSA521      2105
#define IDS_KG_MISMATCH           2106
#define IDS_KG_EMPTY_WARN         2107
#define IDS_KG_OVERWRITE          2108 /* "%ls already exists. Replace it? ..." */
#define IDS_KG_FAILED             2109 /* "The key was not made: %ls" */
#define IDS_KG_SEND               2110 /* "Send %ls to your administrator." */
#define IDS_KG_LOG                2111 /* "New key %ls: %ls" (file, fingerprint) */
#define IDS_KG_TITLE              2112 /* message box title */

/* PortForwarder 2.9 users (issue 20): 2600-2699. */
#define IDS_INI29_IMPORTED    2600 /* "... (%ls encoding): config file %ls, %u recent hosts" */
#define IDS_INI29_AS_WRITTEN  2601 /* folder */
#define IDS_INI29_EXE_DRIVE   2602 /* folder as written, folder found */
#define IDS_INI29_NEXT_TO_EXE 2603 /* folder as written, folder found */
#define IDS_INI29_EXE_FOLDER  2604 /* folder as written, folder found */
#define IDS_INI29_NOT_FOUND   2605 /* folder as written */
#define IDS_INI29_JUNK        2606 /* %u lines */
#define IDS_INI29_KEPT        2607 /* the .2.9.bak's path */
#define IDS_INI29_NO_FOLDER   2608
#define IDS_TRAY_FORGET       2610 /* the tray menu's "Forget passphrases" */
#define IDS_KEYS_FORGOTTEN    2611
#define IDS_CONFIG_RELOADED   2612 /* "%ls changed: read again" */
#define IDS_CONN_STALE        2613 /* " (config changed: reconnect to apply)" */
#define IDS_EDIT_OPENED       2614 /* "%ls opened in the editor" */
#define IDS_EDIT_FAILED       2615 /* "Cannot open %ls in an editor (error %u)." */
#define IDS_LOGFILE_FAILED    2616 /* LogFile= cannot be written: path, error */
#define IDS_SAVELOG_FILTER    2617 /* "Text files (*.txt)|*.txt|All files|*.*|" */
#define IDS_SAVELOG_TITLE     2618
#define IDS_SAVELOG_DONE      2619 /* "Event log saved to %ls" */
#define IDS_SAVELOG_FAILED    2621 /* path, error (2620 is IDS_ERR_MAIN_WINDOW) */
#define IDS_COL_HOST          2622 /* the forwards list's first column */
#define IDS_ROW_CONNECTION    2623 /* a connection's own row in that list (Type column) */
#define IDS_STARTUP_MENU      2624 /* "Start with &Windows and connect %ls" (tray menu) */
#define IDS_STARTUP_MENU_TRAY 2625 /* the same without a host */
#define IDS_STARTUP_ADDED     2626 /* shortcut path, arguments */
#define IDS_STARTUP_REMOVED   2627 /* shortcut path */
#define IDS_STARTUP_FAILED    2628 /* shortcut path, error */
#define IDS_STARTUP_REMOVABLE 2629 /* the exe's drive is removable: create anyway? */
#define IDS_STARTUP_TITLE     2630 /* that question's title */
#define IDS_STARTED_IN_TRAY   2631 /* -tray: started hidden in the tray */
/* lead: IDS 2950-2969 */
#define IDS_STATUS_VIA 2950 /* " (%ls)": the route through a proxy, after the state */
#define IDS_PROMPT_HEADER_PROXY 2951 /* "%ls: the proxy asks" */

/* Connect on first use (issue 19): 2750-2799. */
#define IDS_STATUS_LISTENING 2750 /* "Listening, not connected" */
#define IDS_FWDST_LISTENING  2751 /* a forward's listener open, on demand */
#define IDS_ON_DEMAND_NEXT   2752 /* "%ls: ... applies from the next Connect." */
#define IDS_LOG_TRAY_ICON    2753 /* "Tray icon: %ls" (debug; the state's icon file name) */

/* Host-key dialogs that resist a wrong click (issue 20 item 9): IDC and
 * IDD 1220-1239, IDS 2700-2749. */
#define IDC_HK_REPLACE       1220 /* "Replace the recorded key..." in IDD_HOSTKEY_CHANGED */
#define IDC_HK_PASTE         1221 /* the pasted fingerprint */
#define IDC_HK_MATCH         1222 /* "matches" / "does not match" */
#define IDC_HK_DO_REPLACE    1223 /* "Replace", enabled only on a match */
#define IDD_HOSTKEY_REPLACE  1230
#define IDS_HK_OTHER_HEADER  2701
#define IDS_HK_OTHER_WARN    2702
#define IDS_HK_MATCH_EMPTY   2703
#define IDS_HK_MATCH_NO      2704
#define IDS_HK_MATCH_YES     2705
#define IDS_HK_UNATTENDED    2706 /* log: "%ls: a host key question ... Cancel is the default" */
#define IDS_HK_NOREPLACE_WARN 2707 /* a changed key that cannot be replaced (@revoked, ...) */

#endif
