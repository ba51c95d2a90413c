; PortForwarder setup: per-user by default (no administrator rights),
; all users with /ALLUSERS (run as administrator). scripts/package.sh runs
;   makensis -INPUTCHARSET UTF8 -DVERSION=x.y.z -DVERSION4=x.y.z.0
;            -DSTAGE=<folder with the files> -DICON=<app.ico> -DOUTFILE=<setup.exe>
;
; Command line (besides NSIS's own /S silent and /D=<folder>, which must be last):
;   /ALLUSERS    install for every user of the PC under Program Files
;   /AUTOSTART   also start PortForwarder at logon, in the tray (Startup-folder
;                shortcut "PortForwarder.exe -tray", the one the program's tray
;                menu item "Start with Windows" makes and removes too)
;   /NOSTARTMENU no Start-menu shortcut
;
; An upgrade installs into the folder of the earlier install (its uninstall
; entry's InstallLocation) unless /D= names another; it first makes sure the
; programs there are not running. The Startup-folder shortcut is the record
; of the autostart choice: when it exists the option starts checked and an
; upgrade keeps the shortcut as it is (it may name the Host the person chose
; in the program); without it, an upgrade makes none unless /AUTOSTART.
; The finish page starts PortForwarder as the signed-in user, never
; elevated (even after an all-users install).
;
; Optional code signing (scripts/package.sh, PF_SIGN_PKCS12): -DSIGN_CMD=<command>
; signs the uninstaller and the installer as makensis writes them.
;
; The uninstaller removes exactly the files listed in PF_FILES, its own
; shortcuts and its uninstall entry; anything else in the folder (config.txt,
; keys, known_hosts, PortForwarder.ini) stays, and so does the folder then.
; The app's own settings in %APPDATA%\PortForwarder are the user's and stay too.

Unicode true
Target amd64-unicode
SetCompressor /SOLID lzma
SetDateSave off
CRCCheck on
RequestExecutionLevel user
ManifestDPIAware true
ManifestSupportedOS all

!ifndef VERSION | VERSION4 | STAGE | ICON | OUTFILE
!error "define VERSION, VERSION4, STAGE, ICON and OUTFILE (see scripts/package.sh)"
!endif

!ifdef SIGN_CMD
!uninstfinalize '${SIGN_CMD} "%1"'
!finalize '${SIGN_CMD} "%1"'
!endif

!define APP "PortForwarder"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP}"

; Everything the installer puts into $INSTDIR, and nothing else.
!macro PF_FILES DO
  !insertmacro ${DO} "PortForwarder.exe"
  !insertmacro ${DO} "pf.exe"
  !insertmacro ${DO} "config-sample.txt"
  !insertmacro ${DO} "README.txt"
  !insertmacro ${DO} "README-ja.txt"
  !insertmacro ${DO} "LICENSE.txt"
  !insertmacro ${DO} "THIRD_PARTY_NOTICES.txt"
!macroend
!macro PF_INSTALL_FILE NAME
  File "${STAGE}\${NAME}"
!macroend
!macro PF_DELETE_FILE NAME
  Delete "$INSTDIR\${NAME}"
!macroend

Name "${APP} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${APP}"
BrandingText "${APP} ${VERSION}"
ShowInstDetails nevershow
ShowUninstDetails nevershow

VIProductVersion "${VERSION4}"
VIFileVersion "${VERSION4}"
VIAddVersionKey /LANG=0 "ProductName" "${APP}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileDescription" "${APP} ${VERSION} setup"
VIAddVersionKey /LANG=0 "LegalCopyright" "Copyright (c) 2026, the PortForwarder authors"
VIAddVersionKey /LANG=0 "CompanyName" "the PortForwarder authors"

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"
!include "nsDialogs.nsh"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_COMPONENTSPAGE_NODESC
; Run through Explorer: the program starts in the user's own, unelevated
; session even when this installer runs as administrator.
!define MUI_FINISHPAGE_RUN
!define MUI_FINISHPAGE_RUN_FUNCTION RunUnelevated
!define MUI_FINISHPAGE_SHOWREADME "$INSTDIR\$(README_FILE)"
!define MUI_FINISHPAGE_SHOWREADME_NOTCHECKED

!insertmacro MUI_PAGE_COMPONENTS
Page custom ModePage ModePageLeave
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "Japanese"

LangString SEC_APP ${LANG_ENGLISH} "PortForwarder and pf (console)"
LangString SEC_APP ${LANG_JAPANESE} "PortForwarder と pf（コンソール版）"
LangString SEC_MENU ${LANG_ENGLISH} "Start menu shortcut"
LangString SEC_MENU ${LANG_JAPANESE} "スタートメニューのショートカット"
LangString SEC_LOGON ${LANG_ENGLISH} "Start PortForwarder when I sign in"
LangString SEC_LOGON ${LANG_JAPANESE} "サインイン時に PortForwarder を起動する"
LangString README_FILE ${LANG_ENGLISH} "README.txt"
LangString README_FILE ${LANG_JAPANESE} "README-ja.txt"
LangString NEED_ADMIN ${LANG_ENGLISH} "Installing for all users needs administrator rights. Right-click the setup program, choose $\"Run as administrator$\", or install for yourself only (without /ALLUSERS)."
LangString NEED_ADMIN ${LANG_JAPANESE} "すべてのユーザー向けのインストールには管理者権限が必要です。セットアップを右クリックして「管理者として実行」を選ぶか、/ALLUSERS を付けずに自分用にインストールしてください。"
LangString STILL_RUNNING ${LANG_ENGLISH} "$INSTDIR\PortForwarder.exe is in use. Exit PortForwarder (tray icon, Exit) and press Retry."
LangString STILL_RUNNING ${LANG_JAPANESE} "$INSTDIR\PortForwarder.exe は使用中です。PortForwarder を終了して（トレイアイコンの「終了」）、「再試行」を押してください。"

LangString IN_USE ${LANG_ENGLISH} "PortForwarder is running from $INSTDIR. Exit it (tray icon, Exit; close pf.exe windows) and press Retry."
LangString IN_USE ${LANG_JAPANESE} "$INSTDIR の PortForwarder が実行中です。終了して（トレイアイコンの「終了」、pf.exe のウィンドウも閉じる）、「再試行」を押してください。"

LangString MODE_TITLE ${LANG_ENGLISH} "Install for"
LangString MODE_TITLE ${LANG_JAPANESE} "インストール先のユーザー"
LangString MODE_SUB ${LANG_ENGLISH} "Only you, or everyone who uses this PC?"
LangString MODE_SUB ${LANG_JAPANESE} "自分だけか、この PC のすべてのユーザーか"
LangString MODE_ME ${LANG_ENGLISH} "Just me (no administrator rights needed)"
LangString MODE_ME ${LANG_JAPANESE} "自分だけ（管理者権限は不要）"
LangString MODE_ALL ${LANG_ENGLISH} "Everyone on this PC (asks for administrator rights)"
LangString MODE_ALL ${LANG_JAPANESE} "この PC のすべてのユーザー（管理者権限が必要）"

Var AllUsers
Var CmdAllUsers ; /ALLUSERS given: no question asked
Var RadioAll

; An upgrade keeps the folder of the earlier install of the same kind (its
; uninstall entry), unless /D= named another one.
Function KeepFolder
  ${If} $INSTDIR == "$LOCALAPPDATA\Programs\${APP}"
  ${OrIf} $INSTDIR == "$PROGRAMFILES64\${APP}"
    ReadRegStr $R2 SHCTX "${UNINST_KEY}" "InstallLocation"
    ${If} $R2 != ""
    ${AndIf} ${FileExists} "$R2\PortForwarder.exe"
      StrCpy $INSTDIR $R2
    ${EndIf}
  ${EndIf}
FunctionEnd

Function SetMode
  ${If} $AllUsers == 1
    SetShellVarContext all
  ${Else}
    SetShellVarContext current
  ${EndIf}
FunctionEnd


Function RunUnelevated
  Exec '"$WINDIR\explorer.exe" "$INSTDIR\PortForwarder.exe"'
FunctionEnd

; A running program's exe cannot be replaced: ask to exit it first (an
; exe that Windows is running cannot be opened for writing).
!macro PF_CHECK_NOT_RUNNING NAME ID
  ${If} ${FileExists} "$INSTDIR\${NAME}"
  check_${ID}:
    ClearErrors
    FileOpen $R0 "$INSTDIR\${NAME}" a
    ${If} ${Errors}
      IfSilent +2
      MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "$(IN_USE)" IDRETRY check_${ID}
      SetErrorLevel 32 ; ERROR_SHARING_VIOLATION
      Quit
    ${EndIf}
    FileClose $R0
  ${EndIf}
!macroend

Section "$(SEC_APP)" SecApp
  SectionIn RO
  !insertmacro PF_CHECK_NOT_RUNNING "PortForwarder.exe" gui
  !insertmacro PF_CHECK_NOT_RUNNING "pf.exe" cli
  SetOutPath "$INSTDIR"
  ; An earlier install's Start-menu shortcut goes; SecMenu recreates it when
  ; chosen. The Startup one is SecLogon's and LogonOff's business.
  Delete "$SMPROGRAMS\${APP}.lnk"
  !insertmacro PF_FILES PF_INSTALL_FILE
  WriteUninstaller "$INSTDIR\Uninstall.exe"

  WriteRegStr SHCTX "${UNINST_KEY}" "DisplayName" "${APP}"
  WriteRegStr SHCTX "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr SHCTX "${UNINST_KEY}" "Publisher" "the PortForwarder authors"
  WriteRegStr SHCTX "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\PortForwarder.exe,0"
  WriteRegStr SHCTX "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr SHCTX "${UNINST_KEY}" "UninstallString" '"$INSTDIR\Uninstall.exe"'
  WriteRegStr SHCTX "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\Uninstall.exe" /S'
  WriteRegDWORD SHCTX "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD SHCTX "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD SHCTX "${UNINST_KEY}" "EstimatedSize" "$0"
SectionEnd

Section "$(SEC_MENU)" SecMenu
  CreateDirectory "$SMPROGRAMS" ; CreateShortcut does not make folders
  CreateShortcut "$SMPROGRAMS\${APP}.lnk" "$INSTDIR\PortForwarder.exe"
SectionEnd

; Hidden in the tray at logon (-tray). An existing shortcut stays as it is.
Section /o "$(SEC_LOGON)" SecLogon
  ${IfNot} ${FileExists} "$SMSTARTUP\${APP}.lnk"
    CreateDirectory "$SMSTARTUP"
    CreateShortcut "$SMSTARTUP\${APP}.lnk" "$INSTDIR\PortForwarder.exe" "-tray" \
      "$INSTDIR\PortForwarder.exe" 0
  ${EndIf}
SectionEnd

; The option unchecked: no shortcut (also one an earlier install made).
Section "-LogonOff"
  ${IfNot} ${SectionIsSelected} ${SecLogon}
    Delete "$SMSTARTUP\${APP}.lnk"
  ${EndIf}
SectionEnd

; Who to install for; skipped when /ALLUSERS already decided it.
Function ModePage
  ${If} $CmdAllUsers == 1
    Abort
  ${EndIf}
  !insertmacro MUI_HEADER_TEXT "$(MODE_TITLE)" "$(MODE_SUB)"
  nsDialogs::Create 1018
  Pop $R9
  ${NSD_CreateRadioButton} 0 0 100% 14u "$(MODE_ME)"
  Pop $R8
  ${NSD_CreateRadioButton} 0 20u 100% 14u "$(MODE_ALL)"
  Pop $RadioAll
  ${If} $AllUsers == 1
    ${NSD_Check} $RadioAll
  ${Else}
    ${NSD_Check} $R8
  ${EndIf}
  nsDialogs::Show
FunctionEnd

Function ModePageLeave
  ${NSD_GetState} $RadioAll $R0
  ${If} $R0 == ${BST_CHECKED}
    UserInfo::GetAccountType
    Pop $R1
    ${If} $R1 == "Admin"
      StrCpy $AllUsers 1
      ${If} $INSTDIR == "$LOCALAPPDATA\Programs\${APP}"
        StrCpy $INSTDIR "$PROGRAMFILES64\${APP}"
      ${EndIf}
      Call SetMode
      Call KeepFolder
    ${Else}
      ; Start over elevated (UAC asks); this copy ends.
      ExecShell "runas" "$EXEPATH" "/ALLUSERS"
      Quit
    ${EndIf}
  ${ElseIf} $AllUsers == 1 ; back to "just me" after choosing everyone
    StrCpy $AllUsers 0
    ${If} $INSTDIR == "$PROGRAMFILES64\${APP}"
      StrCpy $INSTDIR "$LOCALAPPDATA\Programs\${APP}"
    ${EndIf}
    Call SetMode
    Call KeepFolder
  ${EndIf}
FunctionEnd

; After the sections: it selects them by their index defines.
Function .onInit
  SetRegView 64
  StrCpy $AllUsers 0
  StrCpy $CmdAllUsers 0
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/ALLUSERS" $R1
  ${IfNot} ${Errors}
    StrCpy $AllUsers 1
    StrCpy $CmdAllUsers 1
  ${EndIf}
  ${If} $AllUsers == 1
    UserInfo::GetAccountType
    Pop $R1
    ${If} $R1 != "Admin"
      IfSilent +2
      MessageBox MB_ICONSTOP "$(NEED_ADMIN)"
      SetErrorLevel 740 ; ERROR_ELEVATION_REQUIRED
      Quit
    ${EndIf}
    ; Only replace the default folder, never one given with /D=.
    ${If} $INSTDIR == "$LOCALAPPDATA\Programs\${APP}"
      StrCpy $INSTDIR "$PROGRAMFILES64\${APP}"
    ${EndIf}
  ${EndIf}
  Call SetMode
  Call KeepFolder
  ClearErrors
  ${GetOptions} $R0 "/AUTOSTART" $R1
  ${IfNot} ${Errors}
    !insertmacro SelectSection ${SecLogon}
  ${EndIf}
  ; Remembered: an earlier install's (or the program's) Startup shortcut.
  ${If} ${FileExists} "$SMSTARTUP\${APP}.lnk"
    !insertmacro SelectSection ${SecLogon}
  ${EndIf}
  ClearErrors
  ${GetOptions} $R0 "/NOSTARTMENU" $R1
  ${IfNot} ${Errors}
    !insertmacro UnselectSection ${SecMenu}
  ${EndIf}
FunctionEnd

Function un.onInit
  SetRegView 64
  ; The all-users install is the one whose uninstall entry under HKLM names
  ; this folder; anything else was installed for the current user.
  StrCpy $AllUsers 0
  ReadRegStr $R0 HKLM "${UNINST_KEY}" "InstallLocation"
  ${If} $R0 == $INSTDIR
    StrCpy $AllUsers 1
    UserInfo::GetAccountType
    Pop $R1
    ${If} $R1 != "Admin"
      IfSilent +2
      MessageBox MB_ICONSTOP "$(NEED_ADMIN)"
      SetErrorLevel 740
      Quit
    ${EndIf}
  ${EndIf}
  ${If} $AllUsers == 1
    SetShellVarContext all
  ${Else}
    SetShellVarContext current
  ${EndIf}
FunctionEnd

Section "Uninstall"
  ; A running PortForwarder.exe cannot be deleted: ask to exit it first.
retry:
  ClearErrors
  Delete "$INSTDIR\PortForwarder.exe"
  ${If} ${Errors}
    IfSilent +2
    MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "$(STILL_RUNNING)" IDRETRY retry
    SetErrorLevel 32 ; ERROR_SHARING_VIOLATION
    Abort
  ${EndIf}
  !insertmacro PF_FILES PF_DELETE_FILE
  Delete "$INSTDIR\Uninstall.exe"
  RMDir "$INSTDIR" ; only when empty: the user's files keep the folder
  Delete "$SMPROGRAMS\${APP}.lnk"
  Delete "$SMSTARTUP\${APP}.lnk"
  DeleteRegKey SHCTX "${UNINST_KEY}"
SectionEnd
