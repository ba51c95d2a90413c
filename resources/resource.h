/* Resource identifiers, shared by the .rc files, PortForwarder.exe and the
 * test driver (which finds controls by these IDs). */
#ifndef PF_RESOURCE_H
#define PF_RESOURCE_H

/* The main window's class name (a dialog with its own class, so a second
 * instance and the test driver can find it). */
#define PF_MAIN_CLASS L"PortForwarderMain"

#define IDI_APP              100
#define IDI_STATE_IDLE       101
#define IDI_STATE_CONNECTING 102
#define IDI_STATE_CONNECTED  103
#define IDI_STATE_ERROR      104

#define IDD_MAIN 200

#define IDC_CONFIG_LABEL 1000
#define IDC_CONFIG_EDIT  1001
#define IDC_BROWSE       1002
#define IDC_HOST_LABEL   1003
#define IDC_HOST_COMBO   1004
#define IDC_AUTO_HIDE    1005
#define IDC_CONNECT      1006
#define IDC_HIDE         1007
#define IDC_EXIT         1008
#define IDC_STATUS       1009

#define IDS_APP_TITLE             2000 /* "PortForwarder %s" (the version) */
#define IDS_STATUS_IDLE           2001
#define IDS_STATUS_CONNECTING     2002
#define IDS_STATUS_AUTHENTICATING 2003
#define IDS_STATUS_CONNECTED      2004
#define IDS_STATUS_RECONNECTING   2005
#define IDS_BROWSE_FILTER         2006
#define IDS_BROWSE_TITLE          2007

#endif
