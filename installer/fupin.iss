; Inno Setup script: a per-user installer of the one-folder bundle (installer/fupin.spec).
;
;   iscc /DAppVersion=0.1.0 /DDistDir=..\dist installer\fupin.iss
;
; Installs into the user's own Programs folder without administrator rights, adds Start-menu
; and (optionally, ticked by default) desktop shortcuts, and claims no file types: .xlsx files
; keep opening in the clerk's spreadsheet program. Uninstalling removes the program only; the
; data folder (database, backups, logs) stays, and the last page says where it is.
; Saved as UTF-8 with a byte-order mark, which Inno Setup 6 needs for the Chinese texts.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef DistDir
  #define DistDir "..\dist"
#endif
#ifndef OutputDir
  #define OutputDir "..\dist"
#endif
#define AppName "乡镇扶贫数据管理"
#define AppExe "fupin.exe"
; platformdirs.user_data_dir("fupin_desktop", "fupin") on Windows (fupin_desktop/paths.py).
#define DataDir "{localappdata}\fupin\fupin_desktop"

[Setup]
AppId={{6F1B7C52-3E0A-4D8B-9C4E-2A5F0D9B1E63}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=fupin
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\fupin
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ChangesAssociations=no
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#OutputDir}
OutputBaseFilename=fupin-setup-{#AppVersion}
SetupIconFile={#DistDir}\app.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Languages]
#if FileExists(AddBackslash(SourcePath) + "ChineseSimplified.isl")
Name: "chs"; MessagesFile: "ChineseSimplified.isl"
#elif FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
Name: "chs"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#else
Name: "chs"; MessagesFile: "compiler:Default.isl"
#endif

[CustomMessages]
chs.DesktopIcon=在桌面上创建快捷方式
chs.ExtraIcons=快捷方式：
chs.LaunchApp=立即打开{#AppName}
chs.UninstallIcon=卸载{#AppName}
chs.DataKept=程序已卸载。您的数据（数据库、备份和日志）没有删除，仍在：%n%n%1%n%n重新安装后会自动使用这些数据；不再需要时可以自己删除这个文件夹。

[Tasks]
Name: "desktopicon"; Description: "{cm:DesktopIcon}"; GroupDescription: "{cm:ExtraIcons}"

[Files]
Source: "{#DistDir}\fupin\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"
Name: "{group}\{cm:UninstallIcon}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchApp}"; Flags: nowait postinstall skipifsilent

; No [Registry] section and no [UninstallDelete] entries: no file type is claimed, and
; nothing outside {app} is removed on uninstall.

[Code]
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Folder: String;
begin
  if CurUninstallStep = usPostUninstall then
  begin
    Folder := ExpandConstant('{#DataDir}');
    if DirExists(Folder) and not UninstallSilent() then
      MsgBox(FmtMessage(CustomMessage('DataKept'), [Folder]), mbInformation, MB_OK);
  end;
end;
