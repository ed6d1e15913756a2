"""RegionResolver: database first, then the national list, then local codes."""

from __future__ import annotations

import pytest

from fupin_desktop.models import Region
from fupin_desktop.services import regions as R
from fupin_desktop.services.regions import RegionResolver, national, setup_county
from tests.factories import TOWNSHIP, VILLAGE, add_regions

WANGMO = "522326000000"
WANGMU = "522326001000"  # 王母街道


def _village(name: str, town: str = WANGMU) -> str:
    return next(v.code for v in national().children(town) if v.name == name)


@pytest.fixture
def county_db(db):
    with db.session() as s:
        setup_county(s, "望谟县", ["王母街道"])
    return db


def test_names_with_their_usual_variants(county_db):
    code = _village("河东社区")
    with county_db.session() as s:
        resolver = RegionResolver(s)
        for county, town, village in [
            ("望谟县", "王母街道", "河东社区"),
            ("望谟", "王母", "河东社区居委会"),
            (None, "王母街道办事处", "河东社区居民委员会"),
            ("望谟县", None, "河东\u3000社区"),
            (" 望谟县 ", "王母街道", " 河东社区 "),
        ]:
            found = resolver.resolve(county=county, township=town, village=village)
            assert (found.code, found.missing, found.error) == (code, (), None), (county, town, village)


def test_a_code_column_an_existing_code(county_db):
    code = _village("王母村")
    with county_db.session() as s:
        resolver = RegionResolver(s)
        assert resolver.resolve(code=code).code == code
        assert resolver.resolve(code=int(code)).code == code  # a number cell
        assert resolver.resolve(code=f" {code}.0").code == code
        bad = resolver.resolve(code="52232600120")
        assert bad.code is None and "12位数字" in bad.error


def test_a_national_village_the_database_lacks_comes_with_its_parents(county_db):
    """乐元镇 is not set up: its village resolves to the national code, the township first."""
    town = next(t for t in national().children(WANGMO) if t.name == "乐元镇")
    village = national().children(town.code)[0]
    with county_db.session() as s:
        resolver = RegionResolver(s)
        for found in (resolver.resolve(code=village.code),
                      resolver.resolve(county="望谟县", township="乐元镇", village=village.name + "委会")):
            assert found.error is None
            assert found.code == village.code
            assert [(m.level, m.code, m.parent_code, m.national) for m in found.missing] == [
                ("township", town.code, WANGMO, True), ("village", village.code, town.code, True)]


def test_another_county_brings_the_county_too(county_db):
    with county_db.session() as s:
        found = RegionResolver(s).resolve(county="册亨县", township="者楼街道", village="纳福村")
    assert found.error is None
    levels = [m.level for m in found.missing]
    assert levels[:2] == ["county", "township"]
    assert found.missing[0].parent_code == "522300000000"  # the prefecture already in the database


def test_a_household_number_whose_first_digits_are_a_village_code(county_db):
    code = _village("平绕村")
    with county_db.session() as s:
        resolver = RegionResolver(s)
        assert resolver.resolve(household_no=code + "0007").code == code
        # With a village name that does not agree, the number is not used.
        assert resolver.resolve(household_no=code + "0007", township="王母街道", village="河东社区").code == \
            _village("河东社区")
        # A number that is no village code tells nothing.
        assert resolver.resolve(household_no="9" * 16) == R.Resolution(None, (), None)


def test_an_unknown_village_under_a_known_township_gets_a_stable_local_code(county_db):
    with county_db.session() as s:
        resolver = RegionResolver(s)
        a = resolver.resolve(township="王母街道", village="新开村委会")
        again = resolver.resolve(county="望谟县", township="王母", village="新开村")
        other = resolver.resolve(township="王母街道", village="另一村")
    assert a.code == again.code
    assert a.code != other.code
    for found in (a, other):
        assert found.code.startswith(WANGMU[:9])
        assert R.is_local_code(found.code)
        assert national().get(found.code) is None
        (missing,) = found.missing
        assert (missing.level, missing.parent_code, missing.national) == ("village", WANGMU, False)
    assert a.missing[0].name == "新开村"


def test_local_codes_skip_those_already_in_the_database(county_db):
    with county_db.session() as s:
        s.add(Region(code=WANGMU[:9] + "800", name="老本地村", level="village", parent_code=WANGMU))
        s.flush()
        found = RegionResolver(s).resolve(township="王母街道", village="新开村")
        old = RegionResolver(s).resolve(township="王母街道", village="老本地村委会")
    assert found.code == WANGMU[:9] + "801"
    assert (old.code, old.missing) == (WANGMU[:9] + "800", ())


def test_created_regions_are_then_found_in_the_database(county_db):
    with county_db.session() as s:
        found = RegionResolver(s).resolve(county="望谟县", township="乐元镇", village="谭龙村")
        created = R.create_regions(s, found.missing)
        assert [e.level for e in created] == ["township", "village"]
        assert R.create_regions(s, found.missing) == []  # idempotent
    with county_db.session() as s:
        again = RegionResolver(s).resolve(county="望谟县", township="乐元镇", village="谭龙村")
        assert (again.code, again.missing) == (found.code, ())


def test_errors(county_db):
    with county_db.session() as s:
        resolver = RegionResolver(s)
        ambiguous = resolver.resolve(county="朝阳区", township="x", village="y")
        assert "110105000000" in ambiguous.error and "220104000000" in ambiguous.error
        assert "找不到" in resolver.resolve(county="没有这个县", township="x", village="y").error
        assert "找不到" in resolver.resolve(township="没有这个镇", village="y").error
        no_town = resolver.resolve(village="不存在的村")
        assert no_town.code is None and "乡（镇）" in no_town.error
        assert resolver.resolve(county="望谟县").error
        assert resolver.resolve() == R.Resolution(None, (), None)


def test_an_empty_database_needs_a_county(db):
    with db.session() as s:
        resolver = RegionResolver(s)
        found = resolver.resolve(township="王母街道", village="河东社区")
        assert found.code is None and "init --county" in found.error
        by_county = resolver.resolve(county="望谟县", township="王母街道", village="河东社区")
        assert by_county.code == _village("河东社区")
        assert [m.level for m in by_county.missing] == ["province", "prefecture", "county", "township", "village"]
        assert by_county.missing[0].parent_code is None


def test_the_database_names_win_over_the_national_ones(db):
    """The test county is 522326 named 示例县 with a township the national list lacks."""
    with db.session() as s:
        add_regions(s)
        resolver = RegionResolver(s)
        found = resolver.resolve(county="示例县", township="城关镇", village="新寨村民委员会")
        assert (found.code, found.missing) == (VILLAGE, ())
        assert resolver.resolve(township="城关", village="新寨").code == VILLAGE
        assert resolver.resolve(village="新寨村").code == VILLAGE
        # Township only: the township itself (a township-wide project).
        assert resolver.resolve(township="城关镇").code == TOWNSHIP
        # The national townships of the same county are still reachable.
        lo = resolver.resolve(township="乐元镇", village="谭龙村")
        assert lo.error is None and lo.missing[0].code.startswith("522326101")


def test_resolve_is_memoised(county_db):
    with county_db.session() as s:
        resolver = RegionResolver(s)
        first = resolver.resolve(township="王母街道", village="河东社区")
        assert resolver.resolve(township="王母街道", village="河东社区居委会") is first


def test_a_recoded_or_merged_village_code_leads_to_its_current_code(county_db):
    import datetime as dt

    old = _village("祥乐村")
    with county_db.session() as s:
        R.rename_region(s, old, new_code=WANGMU[:9] + "850", effective=dt.date(2024, 1, 1), user="t")
    with county_db.session() as s:
        assert RegionResolver(s).resolve(code=old).code == WANGMU[:9] + "850"
        R.merge_region(s, WANGMU[:9] + "850", _village("王母村"), effective=dt.date(2024, 2, 1),
                       reported_month="2024-02", user="t")
    with county_db.session() as s:
        resolver = RegionResolver(s)
        assert resolver.resolve(code=old).code == _village("王母村")
        # The old name leads to the surviving village too.
        assert resolver.resolve(township="王母街道", village="祥乐村").code == _village("王母村")
        R.retire_region(s, _village("平绕村"), effective=dt.date(2024, 3, 1), user="t")
    with county_db.session() as s:
        retired = RegionResolver(s).resolve(township="王母街道", village="平绕村")
        assert retired.code is None and "已撤销" in retired.error


def test_townships_without_a_county_in_the_database(db):
    """An old database holding only its township and villages still resolves by names."""
    with db.session() as s:
        s.add(Region(code=TOWNSHIP, name="城关镇", level="township"))
        s.flush()
        s.add(Region(code=VILLAGE, name="新寨村委会", level="village", parent_code=TOWNSHIP))
        s.flush()
        resolver = RegionResolver(s)
        assert resolver.resolve(township="城关镇", village="新寨村").code == VILLAGE
        assert resolver.resolve(village="新寨").code == VILLAGE
        local = resolver.resolve(township="城关镇", village="新村")
        assert R.is_local_code(local.code) and local.missing[0].parent_code == TOWNSHIP


def test_names_the_database_knows_do_not_read_the_national_list(db, monkeypatch):
    with db.session() as s:
        add_regions(s)
        monkeypatch.setattr(R, "_NATIONAL", None)
        resolver = RegionResolver(s)
        assert resolver.resolve(county="示例县", township="城关", village="新寨村委会").code == VILLAGE
        assert resolver.resolve(code=VILLAGE).code == VILLAGE
        assert R._NATIONAL is None
