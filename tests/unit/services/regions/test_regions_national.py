"""The bundled national division list and the place-name keys."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from fupin_desktop.models.region import level_of_code
from fupin_desktop.paths import resource_path
from fupin_desktop.services import regions as R
from fupin_desktop.services.regions import NationalRegions, national, normalise_place_name


def test_a_county_its_townships_and_villages():
    nat = national()
    county = nat.get("522326000000")
    assert county.name == "望谟县"
    assert county.level == "county"
    assert county.parent_code == "522300000000"
    towns = nat.children("522326000000")
    assert [t.code for t in towns] == sorted(t.code for t in towns)
    assert {t.level for t in towns} == {"township"}
    assert "王母街道" in [t.name for t in towns] and "油迈瑶族乡" in [t.name for t in towns]
    villages = nat.children("522326001000")
    assert villages and all(v.parent_code == "522326001000" and v.level == "village" for v in villages)
    # Committee forms are shortened to the names people write.
    assert not [v.name for v in villages if v.name.endswith(("委会", "委员会"))]


def test_path_and_full_name():
    nat = national()
    village = nat.children("522326001000")[0]
    path = nat.path(village.code)
    assert [e.level for e in path] == ["province", "prefecture", "county", "township", "village"]
    assert nat.full_name("522326000000") == "贵州省 黔西南布依族苗族自治州 望谟县"
    # A city without counties holds its towns itself.
    assert [e.name for e in nat.path("441900003000")] == ["广东省", "东莞市", "东城街道"]
    assert nat.is_county("441900000000")


@pytest.mark.parametrize("code", ["522326999999", "1234", "abcdefghijkl", "", "990000000000"])
def test_unknown_or_malformed_codes(code):
    assert national().get(code) is None
    assert national().path(code) == []
    assert national().children(code) == []


def test_a_fresh_instance_reads_a_village_without_its_county_first():
    nat = NationalRegions()
    entry = nat.get("522326001001")
    assert entry is not None and entry.parent_code == "522326001000"


@pytest.mark.parametrize(
    "text, expected",
    [("望谟县", "522326000000"), ("望谟", "522326000000"), ("wmx", "522326000000"),
     ("WM", "522326000000"), ("522326", "522326000000"), ("三都县", "522732000000"),
     ("三 都", "522732000000"), ("黔西南", "522326000000")],
)
def test_search_counties(text, expected):
    hits = national().search_counties(text)
    assert expected in [h.code for h in hits]
    assert all(national().is_county(h.code) for h in hits)


def test_search_counties_puts_the_exact_name_first_and_limits():
    hits = national().search_counties("朝阳区")
    assert [h.code for h in hits[:2]] == ["110105000000", "220104000000"]
    assert len(national().search_counties("52", limit=5)) == 5
    assert national().search_counties("   ") == []
    assert national().search_counties("没有这个县名") == []


@pytest.mark.parametrize(
    "variants",
    [
        ("新寨村", "新寨村委会", "新寨村民委员会", "新寨 村委会", "新寨\u3000村", " 新寨村 "),
        ("城北社区", "城北社区居委会", "城北社区居民委员会", "城北居委会", "城北居民委员会"),
        ("牌坊村", "牌坊村村民委员会", "牌坊村村委会"),
    ],
)
def test_normalise_place_name_unifies_committee_forms(variants):
    assert len({normalise_place_name(v) for v in variants}) == 1


def test_normalise_keeps_different_places_apart():
    assert normalise_place_name("新寨村") != normalise_place_name("新寨社区")
    assert normalise_place_name("城关镇") != normalise_place_name("城关乡")
    assert normalise_place_name(None) == ""


@pytest.mark.parametrize(
    "variants",
    [("城关镇", "城关"), ("三都水族自治县", "三都县", "三都"), ("油迈瑶族乡", "油迈乡", "油迈"),
     ("王母街道", "王母街道办事处", "王母"), ("新寨村委会", "新寨")],
)
def test_loose_keys_drop_the_level_word(variants):
    assert len({R.loose_place_key(v) for v in variants}) == 1


def test_local_codes_never_collide_with_any_national_code():
    """Every township and village part of the whole bundled list is below LOCAL_FIRST."""
    nat = NationalRegions()
    highest_town = highest_village = 0
    count = 0
    for county in nat.counties():
        for town in nat.children(county.code):
            assert level_of_code(town.code) == "township"
            highest_town = max(highest_town, int(town.code[6:9]))
            for village in nat.children(town.code):
                highest_village = max(highest_village, int(village.code[9:]))
                count += 1
    assert count > 600_000
    assert highest_town < R.LOCAL_FIRST and highest_village < R.LOCAL_FIRST
    assert not R.is_local_code("522326001201") and R.is_local_code("522326001800")


def test_next_local_code_skips_used_codes():
    used = {"522326001800", "522326001801"}
    assert R.next_local_code("522326001000", used) == "522326001802"
    assert R.next_local_code("522326000000", set()) == "522326800000"
    full = {f"522326001{n:03d}" for n in range(R.LOCAL_FIRST, R.LOCAL_LAST + 1)}
    with pytest.raises(R.UserError):
        R.next_local_code("522326001000", full)


def test_the_list_is_found_in_a_frozen_bundle(tmp_path, monkeypatch):
    bundle = tmp_path / "bundle"
    (bundle / "resources" / "regions").mkdir(parents=True)
    shutil.copyfile(resource_path("regions", R.OUTPUT_NAME), bundle / "resources" / "regions" / R.OUTPUT_NAME)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    assert resource_path("regions", R.OUTPUT_NAME).parent.parent.parent == bundle
    assert NationalRegions().get("522326000000").name == "望谟县"


def test_a_damaged_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"not the list")
    with pytest.raises(R.UserError, match="资源文件已损坏"):
        NationalRegions(bad)


def test_start_up_does_not_read_the_list():
    code = (
        "import sys; from fupin_desktop import cli; cli.build_parser(); "
        "import fupin_desktop.services.regions as r; print(r._NATIONAL is None)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "True", out.stderr
