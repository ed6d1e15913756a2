"""``fupin init --county`` and ``fupin regions list``."""

from __future__ import annotations

import json

from fupin_desktop.cli import main
from fupin_desktop.services.regions import national
from tests.factories import add_household, add_regions


def test_init_with_a_county_and_townships(db, capsys):
    assert main(["--db", db.url, "init", "--county", "望谟县", "--township", "王母街道", "乐元"]) == 0
    out = capsys.readouterr().out
    villages = len(national().children("522326001000")) + len(national().children("522326101000"))
    assert f"新建 2 个乡（镇）、{villages} 个村（社区）" in out
    assert main(["--db", db.url, "init", "--county", "522326"]) == 0
    assert "新建 14 个乡（镇）" in capsys.readouterr().out
    assert main(["--db", db.url, "init", "--county", "522326"]) == 0
    assert "区划已存在" in capsys.readouterr().out
    assert main(["--db", db.url, "regions", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["level"] for r in rows[:4]] == ["province", "prefecture", "county", "township"]
    assert rows[2] == {"code": "522326000000", "name": "望谟县", "level": "county", "parent": "522300000000",
                       "households": 0, "valid": True}


def test_an_ambiguous_county_is_exit_2_and_creates_nothing(tmp_path, capsys):
    path = tmp_path / "a.db"
    assert main(["--db", str(path), "init", "--county", "城关区"]) == 2
    err = capsys.readouterr().err
    assert "540102000000" in err and "620102000000" in err and "西藏自治区 拉萨市 城关区" in err
    assert len(err.strip().splitlines()) == 1
    assert not path.exists()


def test_township_without_county_and_unknown_township(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "a.db"), "init", "--township", "王母街道"]) == 2
    assert "--county" in capsys.readouterr().err
    assert main(["--db", str(tmp_path / "a.db"), "init", "--county", "望谟县", "--township", "不存在镇"]) == 2
    assert "没有名为“不存在镇”的乡（镇）" in capsys.readouterr().err


def test_regions_list_text_with_households(db, capsys):
    with db.session() as s:
        add_regions(s)
        add_household(s)
    assert main(["--db", db.url, "regions", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    village = next(line for line in lines if "新寨村" in line)
    assert village.split()[:3] == ["522326100201", "村（社区）", "1"]


def test_regions_list_on_an_empty_database(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "a.db"), "regions", "list"]) == 0
    assert "fupin init --county" in capsys.readouterr().out
    assert main(["--db", str(tmp_path / "a.db"), "regions", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
