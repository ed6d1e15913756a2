"""installer/: the Inno Setup script (no Inno Setup here, so it is parsed), the spec's
resources and the build script.

The .iss is read as Inno Setup reads it: sections of ``Key=Value`` lines ([Setup]) or of
``Name: "value"; Name: value`` entries, ``;`` comments, ISPP ``#`` lines and the [Code]
section skipped; ``{#Name}`` replaced with the script's own ``#define``s.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

INSTALLER = Path(__file__).resolve().parents[2] / "installer"
ENTRY = re.compile(r'(\w+):\s*("(?:[^"]|"")*"|[^;]*)\s*(?:;|$)')


def _parse_iss(path: Path) -> tuple[dict[str, str], dict[str, list]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Inno Setup needs a UTF-8 BOM to read Chinese text"
    text = raw.decode("utf-8-sig")
    defines = dict(re.findall(r'^\s*#define\s+(\w+)\s+"([^"]*)"', text, re.M))
    sections: dict[str, list] = {}
    current = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith((";", "#")):
            continue
        header = re.fullmatch(r"\[(\w+)\]", line)
        if header:
            current = header.group(1)
            sections.setdefault(current, [])
            continue
        if current == "Code":
            sections[current].append(line)
            continue
        line = re.sub(r"\{#(\w+)\}", lambda m: defines.get(m.group(1), m.group(0)), line)
        if current in ("Setup", "CustomMessages") or (":" not in line.split("=")[0] and "=" in line
                                                       and current not in ("Files", "Icons", "Run",
                                                                           "Tasks", "Languages")):
            key, _, value = line.partition("=")
            sections[current].append((key.strip(), value.strip()))
        else:
            entry = {k: v.strip().strip('"') for k, v in ENTRY.findall(line)}
            assert entry, f"cannot read line in [{current}]: {line}"
            sections[current].append(entry)
    return defines, sections


@pytest.fixture(scope="module")
def iss():
    return _parse_iss(INSTALLER / "fupin.iss")


def test_per_user_install_without_admin_and_no_file_types(iss):
    _defines, sections = iss
    setup = dict(sections["Setup"])
    assert setup["PrivilegesRequired"] == "lowest"
    assert setup["DefaultDirName"].startswith("{autopf}")  # the user's own Programs folder
    assert setup["ChangesAssociations"] == "no"
    assert "Registry" not in sections  # .xlsx (or any type) is not claimed
    assert setup["AppId"].startswith("{{")  # a fixed id: upgrades replace, not duplicate
    assert setup["MinVersion"] == "10.0"


def test_installs_the_whole_bundle_folder(iss):
    _defines, sections = iss
    (files,) = sections["Files"]
    assert files["Source"].endswith(r"\fupin\*")
    assert files["DestDir"] == "{app}"
    assert {"recursesubdirs", "createallsubdirs"} <= set(files["Flags"].split())


def test_start_menu_and_desktop_shortcuts_start_the_program(iss):
    defines, sections = iss
    icons = sections["Icons"]
    program = {i["Name"].split("\\")[0]: i for i in icons if i["Filename"] == r"{app}\fupin.exe"}
    assert set(program) == {"{group}", "{autodesktop}"}
    desktop = program["{autodesktop}"]
    tasks = {t["Name"] for t in sections["Tasks"]}
    assert desktop["Tasks"] in tasks
    assert any(i["Filename"] == "{uninstallexe}" for i in icons)
    assert defines["AppExe"] == "fupin.exe"


def test_uninstaller_keeps_the_data_folder_and_says_where(iss):
    defines, sections = iss
    assert "UninstallDelete" not in sections
    code = "\n".join(sections["Code"])
    assert "usPostUninstall" in code and "MsgBox" in code and "{#DataDir}" in code
    # the folder platformdirs gives fupin_desktop/paths.py on Windows
    from fupin_desktop.paths import APP_AUTHOR, APP_NAME

    assert defines["DataDir"] == rf"{{localappdata}}\{APP_AUTHOR}\{APP_NAME}"
    kept = dict(sections["CustomMessages"])["chs.DataKept"]
    assert "%1" in kept and "没有删除" in kept


def test_spec_bundles_every_resource_folder_and_the_migrations():
    spec = (INSTALLER / "fupin.spec").read_text(encoding="utf-8")
    resources = INSTALLER.parent / "resources"
    for folder in sorted(p.name for p in resources.iterdir() if p.is_dir()):
        assert f'"{folder}"' in spec, folder
    assert '"fupin_desktop/migrations"' in spec
    assert "collect_submodules(\"fupin_desktop\"" in spec


def test_build_script_builds_bundle_and_setup_with_uv():
    ps1 = (INSTALLER / "build.ps1").read_text(encoding="utf-8-sig")
    assert "uv run pyinstaller" in ps1 and "installer\\fupin.spec" in ps1
    assert "installer\\fupin.iss" in ps1 and "/DAppVersion=$Version" in ps1
