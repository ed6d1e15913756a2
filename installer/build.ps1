# Build the Windows installer: the PyInstaller one-folder bundle, then the Inno Setup setup.exe.
#
#   powershell -ExecutionPolicy Bypass -File installer\build.ps1
#
# Needs uv (https://docs.astral.sh/uv/) and Inno Setup 6.3 or later (iscc.exe; found on PATH,
# in the usual install folders, or given with -Iscc). Output: dist\fupin\ (the bundle) and
# dist\fupin-setup-<version>.exe.
param(
    [string]$Iscc = "",
    [switch]$SkipTests
)
$ErrorActionPreference = "Stop"
$Root = Split-Path -Parent $PSScriptRoot
Set-Location $Root
$Dist = Join-Path $Root "dist"
$Work = Join-Path $Root "build\pyinstaller"

function Step($text) { Write-Host "== $text" -ForegroundColor Cyan }

Step "Python environment (uv sync, with the installer group)"
uv sync --group installer
if ($LASTEXITCODE -ne 0) { throw "uv sync failed" }

$Version = (uv run python -c "import fupin_desktop; print(fupin_desktop.__version__)").Trim()
if ($LASTEXITCODE -ne 0 -or -not $Version) { throw "cannot read the package version" }
Step "fupin $Version"

Step "PyInstaller one-folder bundle"
if (Test-Path (Join-Path $Dist "fupin")) { Remove-Item -Recurse -Force (Join-Path $Dist "fupin") }
uv run pyinstaller --noconfirm --clean --distpath $Dist --workpath $Work installer\fupin.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }

if (-not $SkipTests) {
    Step "Smoke test of the bundle (fupin-cli.exe, a throw-away data folder)"
    $Tmp = Join-Path ([System.IO.Path]::GetTempPath()) ("fupin-smoke-" + [guid]::NewGuid())
    New-Item -ItemType Directory $Tmp | Out-Null
    $env:FUPIN_DATA_DIR = Join-Path $Tmp "data"
    $Cli = Join-Path $Dist "fupin\fupin-cli.exe"
    $Db = Join-Path $Tmp "smoke.sqlite3"
    & $Cli --version; if ($LASTEXITCODE -ne 0) { throw "--version failed" }
    & $Cli --db $Db demo --households 200 -q; if ($LASTEXITCODE -ne 0) { throw "demo failed" }
    & $Cli --db $Db print card --region 522326000000 -o (Join-Path $Tmp "card.pdf")
    if ($LASTEXITCODE -ne 0) { throw "print failed" }
    Remove-Item Env:\FUPIN_DATA_DIR
    Remove-Item -Recurse -Force $Tmp
}

Step "Inno Setup"
if (-not $Iscc) {
    $cmd = Get-Command iscc.exe -ErrorAction SilentlyContinue
    if ($cmd) { $Iscc = $cmd.Source }
}
if (-not $Iscc) {
    foreach ($dir in @("${env:ProgramFiles(x86)}\Inno Setup 6", "$env:ProgramFiles\Inno Setup 6",
                       "$env:LOCALAPPDATA\Programs\Inno Setup 6")) {
        if (Test-Path (Join-Path $dir "ISCC.exe")) { $Iscc = Join-Path $dir "ISCC.exe"; break }
    }
}
if (-not $Iscc) { throw "Inno Setup 6 (ISCC.exe) not found: install it or pass -Iscc path\to\ISCC.exe" }

# Chinese wizard texts: Inno Setup ships ChineseSimplified.isl among its unofficial
# translations; fetch it next to fupin.iss when the installation lacks it (English otherwise).
$Isl = Join-Path $PSScriptRoot "ChineseSimplified.isl"
$Installed = Join-Path (Split-Path $Iscc) "Languages\ChineseSimplified.isl"
if (-not (Test-Path $Isl) -and -not (Test-Path $Installed)) {
    try {
        Invoke-WebRequest -UseBasicParsing -OutFile $Isl `
            "https://raw.githubusercontent.com/jrsoftware/issrc/main/Files/Languages/Unofficial/ChineseSimplified.isl"
    } catch {
        Write-Warning "ChineseSimplified.isl not available; the setup wizard will be in English"
    }
}

& $Iscc "/DAppVersion=$Version" "/DDistDir=$Dist" "/DOutputDir=$Dist" installer\fupin.iss
if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }

$Setup = Join-Path $Dist "fupin-setup-$Version.exe"
$Bundle = (Get-ChildItem -Recurse (Join-Path $Dist "fupin") | Measure-Object -Sum Length).Sum / 1MB
Step ("Done: {0} ({1:N1} MB); bundle {2:N0} MB" -f $Setup, ((Get-Item $Setup).Length / 1MB), $Bundle)
