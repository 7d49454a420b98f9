; Inno Setup script: the Windows installer for TwExport, made from PyInstaller's folder dist\TwExport.
;
; NEVER RUN: there is no Windows machine here. Written from Inno Setup 6's documentation; the first Windows build
; should check each line. Build (on Windows, after `pyinstaller --noconfirm --clean packaging\twexport.spec`):
;     iscc /DAppVersion=0.1.0 packaging\windows\twexport.iss
; Output: dist\TwExport-<version>-setup.exe. It installs per user by default (no administrator needed), adds a Start
; menu entry and an uninstaller; uninstalling removes the program folder only: the user's data folder
; (%LOCALAPPDATA%\TwExport, see README "Where things are kept") and the secrets in Windows Credential Manager stay.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
; A fixed AppId: upgrades replace the installed version instead of installing a second copy. Never change it.
AppId={{5B0F5C3E-6E0B-4C55-9B8B-7A3B1C2D9E41}
AppName=TwExport
AppVersion={#AppVersion}
AppPublisher=TwExport
DefaultDirName={autopf}\TwExport
DefaultGroupName=TwExport
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=TwExport-{#AppVersion}-setup
SetupIconFile=..\..\resources\twexport.ico
UninstallDisplayIcon={app}\TwExport.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\..\dist\TwExport\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\TwExport"; Filename: "{app}\TwExport.exe"
Name: "{autodesktop}\TwExport"; Filename: "{app}\TwExport.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\TwExport.exe"; Description: "{cm:LaunchProgram,TwExport}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only what the app may have written inside its own program folder; never the user's data folder.
Type: filesandordirs; Name: "{app}"
