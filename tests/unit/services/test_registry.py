"""services.registry on SQLite and PostgreSQL: tree counts, search, save with history,
change actions and the two-clerks check."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from fupin_desktop.cli import main as cli_main
from fupin_desktop.errors import ConcurrentEditError, UserError
from fupin_desktop.models import ChangeEvent, Household, Member, MonitoringCase
from fupin_desktop.services import registry as svc
from fupin_desktop.services.checks import run_checks
from tests.factories import COUNTY, TOWNSHIP, VILLAGE, add_household, add_regions, make_id

TODAY = dt.date.today()
MONTH = TODAY.strftime("%Y-%m")
LAST_YEAR = TODAY.year - 1


@pytest.fixture
def filled(db):
    """Two households in 新寨村: 张三 (+李四) in 一组, 单明 (+王芳) in 二组."""
    with db.session() as s:
        add_regions(s)
        a = add_household(s, no="5223261002010001", head="张三", seq=1)
        a.group_name, a.phone = "一组", "13812345678"
        b = add_household(s, no="5223261002010002", head="单明", seq=2)
        b.group_name, b.phone = "二组", "13900001111"
        b.members[1].name = "王芳"
        s.flush()
        ids = (a.id, b.id)
    return db, ids


def _search(db, text, **kw):
    with db.session() as s:
        return svc.household_ids(s, svc.HouseholdFilter(text=text, **kw))


def test_region_tree_counts_follow_the_register(filled):
    db, (a, b) = filled
    with db.session() as s:
        roots = svc.region_tree(s)
    county = roots[0]
    assert county.region_code == COUNTY and (county.households, county.persons) == (2, 4)
    village = county.children[0].children[0]
    assert village.region_code == VILLAGE
    assert [(g.name, g.households, g.persons) for g in village.children] == [
        ("一组", 1, 2), ("二组", 1, 2)]
    with db.session() as s:
        ids = svc.household_ids(s, svc.HouseholdFilter(region_code=VILLAGE, group_name="二组"))
        assert ids == [b]
        assert svc.household_ids(s, svc.HouseholdFilter(region_code=TOWNSHIP)) == [a, b]


def test_search_by_name_initials_id_number_and_phone(filled):
    db, (a, b) = filled
    assert _search(db, "张") == [a]
    assert _search(db, "王芳") == [b]  # a member, not the head
    assert _search(db, "zs") == [a]
    assert _search(db, "ZS") == [a]
    # 单 reads shan or dan: either initials find 单明.
    assert _search(db, "dm") == [b] and _search(db, "sm") == [b]
    head_id = make_id(dt.date(1970, 5, 1), 5)  # 单明's id (seq 2 → 5)
    assert _search(db, head_id) == [b]
    assert _search(db, head_id[-4:]) == [b]
    assert _search(db, head_id[-6:]) == [b]
    assert _search(db, head_id[:17]) == [b]
    assert _search(db, head_id[:10]) == [a, b]  # same birth date
    assert _search(db, "5223261002010001") == [a]
    assert _search(db, "0002") == [b]  # last digits of the 户编号
    assert _search(db, "1381234") == [a]
    assert _search(db, "52") == []  # too short to mean anything
    assert _search(db, "z") == []
    assert _search(db, "李四") == [a]
    assert _search(db, "赵") == []


def test_list_rows_mask_nothing_themselves_and_sort(filled):
    db, (a, b) = filled
    with db.session() as s:
        rows = svc.household_rows(s, [b, a])
        assert [r.id for r in rows] == [b, a]
        assert rows[0].head_name == "单明" and rows[0].member_count == 2
        assert rows[0].masked_id.startswith("522326********")
        assert svc.household_ids(s, sort="head_name") == sorted([a, b], key=lambda i: {a: "张三", b: "单明"}[i])
        assert svc.household_ids(s, sort="household_no", descending=True) == [b, a]


def _load(db, hid):
    with db.session() as s:
        return svc.load_household(s, hid)


def test_save_records_field_level_history_and_bumps_version(filled):
    db, (a, _b) = filled
    base = _load(db, a)
    edited = base.copy()
    edited.household["phone"] = "13800000000"
    edited.members[1]["education"] = "03"
    with db.session() as s:
        result = svc.save_household(s, base, edited)
    assert result.saved and result.version == base.version + 1
    after = _load(db, a)
    assert after.household["phone"] == "13800000000"
    assert after.members[1]["education"] == "03"
    event = after.events[0]
    assert event["type"] == "信息变更" and event["recorded_by"] == "测试员"
    assert "户联系电话：13812345678 → 13800000000" in event["details"]
    assert "李四 文化程度：（空） → 初中" in event["details"]

    # A change of a member only still moves the household's version.
    again = after.copy()
    again.members[0]["phone"] = "13700000000"
    with db.session() as s:
        assert svc.save_household(s, after, again).version == after.version + 1


def test_identity_errors_block_the_save(filled):
    db, (a, _b) = filled
    base = _load(db, a)
    edited = base.copy()
    edited.members[1]["relation"] = "01"  # two 户主
    with db.session() as s:
        result = svc.save_household(s, base, edited)
    assert not result.saved
    assert any(p.rule == "household.two_heads" and p.identity for p in result.problems)
    edited = base.copy()
    edited.members[0]["id_number"] = edited.members[0]["id_number"][:-1] + "0"
    with db.session() as s:
        assert not svc.save_household(s, base, edited).saved
    assert _load(db, a).version == base.version


def test_years_compute_income_and_guarantee_confirmation(filled):
    db, (a, _b) = filled
    base = _load(db, a)
    edited = base.copy()
    edited.years[LAST_YEAR] = {s.name: None for s in svc.YEAR_FIELDS}
    edited.years[LAST_YEAR].update(wage_income="6000", business_income="6000", property_income="1180",
                                   transfer_income="4205", business_expense="1000", household_size=4,
                                   is_dangerous_house=True, safe_drinking_water=True)
    suggestion = svc.suggest_for_year(edited, LAST_YEAR)
    assert suggestion["housing"][0] is True and suggestion["water"][0] is False
    edited.guarantees[LAST_YEAR] = {s.name: None for s in svc.GUARANTEE_FIELDS}
    edited.guarantees[LAST_YEAR].update(housing_problem=True, water_problem=False, confirmed=True,
                                        suggested={k: v[0] for k, v in suggestion.items()})
    with db.session() as s:
        assert svc.save_household(s, base, edited).saved
    after = _load(db, a)
    year = after.years[LAST_YEAR]
    assert str(year["annual_income"]) == "17385.00" and str(year["per_capita_net_income"]) == "4096.25"
    assert after.guarantees[LAST_YEAR]["housing_problem"] is True
    assert after.guarantees[LAST_YEAR]["confirmed"] is True
    with db.session() as s:
        flt = svc.HouseholdFilter(guarantee_problems=("housing",))
        assert svc.household_ids(s, flt) == [a]


def test_birth_and_death_change_counts_and_history(filled):
    db, (a, _b) = filled
    baby_id = make_id(TODAY.replace(day=1) - dt.timedelta(days=40), 17)
    with db.session() as s:
        member = svc.add_member(s, a, svc.NewMember(name="张小宝", id_number=baby_id, relation="03"),
                                reason="出生", effective=TODAY, reported_month=MONTH)
        assert member.sex == "1" and member.birth_date is not None
    data = _load(db, a)
    assert len(data.present_members()) == 3
    spouse = next(m for m in data.members if m["name"] == "李四")
    with db.session() as s:
        svc.remove_member(s, a, spouse["id"], reason="21", effective=TODAY, reported_month=MONTH)
    data = _load(db, a)
    assert len(data.present_members()) == 2
    gone = data.member(spouse["id"])
    assert gone["status"] == "02" and gone["left_reason"] == "21" and gone["left_on"] == TODAY
    assert [e["type"] for e in data.events[:2]] == ["自然减少", "自然增加"]
    assert data.events[0]["reason"] == "死亡" and data.events[0]["reported_month"] == MONTH
    with db.session() as s:
        assert svc.region_tree(s)[0].persons == 4  # 3 + 2 - 1 … of both households
        assert s.scalar(select(Household.member_count).where(Household.id == a)) == 2


def test_member_actions_refuse_what_would_break_the_register(filled):
    db, (a, b) = filled
    data = _load(db, a)
    head = data.present_members()[0]
    other_id = _load(db, b).members[0]["id_number"]
    with db.session() as s, pytest.raises(UserError, match="已登记在户编号"):
        svc.add_member(s, a, svc.NewMember(name="重复", id_number=other_id, relation="03"),
                       reason="13", effective=TODAY, reported_month=MONTH)
    with db.session() as s, pytest.raises(UserError, match="校验码|证件号码"):
        svc.add_member(s, a, svc.NewMember(name="错号", id_number="522326201001010010", relation="03"),
                       reason="11", effective=TODAY, reported_month=MONTH)
    with db.session() as s, pytest.raises(UserError, match="新户主"):
        svc.remove_member(s, a, head["id"], reason="21", effective=TODAY, reported_month=MONTH)
    with db.session() as s, pytest.raises(UserError, match="报告月份"):
        svc.remove_member(s, a, head["id"], reason="21", effective=TODAY, reported_month="2020-01")
    # The head dies: the spouse becomes 户主.
    spouse = data.present_members()[1]
    with db.session() as s:
        svc.remove_member(s, a, head["id"], reason="21", effective=TODAY, reported_month=MONTH,
                          new_head_id=spouse["id"])
    after = _load(db, a)
    assert after.member(spouse["id"])["relation"] == "01"
    with db.session() as s:
        assert s.scalar(select(Household.head_name).where(Household.id == a)) == "李四"


def test_split_merge_and_close(filled):
    db, (a, b) = filled
    data = _load(db, a)
    spouse = data.present_members()[1]
    with db.session() as s:
        new = svc.split_household(s, a, [spouse["id"]], relations={spouse["id"]: "01"},
                                  household_no="5223261002010003", effective=TODAY,
                                  reported_month=MONTH)
        new_id = new.id
    assert len(_load(db, a).present_members()) == 1
    assert _load(db, new_id).present_members()[0]["relation"] == "01"
    with db.session() as s:
        svc.merge_households(s, a, new_id, relations={spouse["id"]: "02"}, effective=TODAY,
                             reported_month=MONTH)
    merged = _load(db, a)
    assert len(merged.present_members()) == 2
    assert {e["type"] for e in merged.events} >= {"分户", "并户"}
    assert _load(db, new_id).household["status"] == "03"
    with db.session() as s:
        svc.close_household(s, b, effective=TODAY, reported_month=MONTH)
        assert svc.household_ids(s) == [a]
        assert svc.region_tree(s)[0].households == 1
    with db.session() as s, pytest.raises(UserError, match="已销户"):
        svc.mark_exit(s, b, exit_year=2019, effective=TODAY, reported_month=MONTH)


def test_exit_return_monitoring_and_elimination(filled):
    db, (a, b) = filled
    with db.session() as s:
        svc.mark_return(s, a, return_cause="因病", effective=TODAY, reported_month=MONTH)
        s.get(Household, b).household_type = "02"
    with db.session() as s, pytest.raises(UserError, match="脱贫不稳定户只能是脱贫户"):
        svc.start_monitoring(s, b, category="01", risks=["01"], identified_ym=MONTH,
                             effective=TODAY, reported_month=MONTH)
    with db.session() as s:
        case = svc.start_monitoring(s, a, category="01", risks=["因病", "03"],
                                    identified_ym=(TODAY.replace(day=1) - dt.timedelta(days=70)).strftime("%Y-%m"),
                                    effective=TODAY, reported_month=MONTH)
        assert case.risks == ["01", "03"]
    with db.session() as s, pytest.raises(UserError, match="重复纳入"):
        svc.start_monitoring(s, a, category="01", risks=["01"], identified_ym=MONTH,
                             effective=TODAY, reported_month=MONTH)
    with db.session() as s:
        assert svc.household_ids(s, svc.HouseholdFilter(risks=("03",))) == [a]
        warnings = svc.elimination_warnings(s, a, mode="01", eliminated_on=TODAY,
                                            dev_measures_status="未实施")
        assert any("已实施" in w for w in warnings)
        svc.eliminate_risk(s, a, mode="帮扶消除", eliminated_on=TODAY, reported_month=MONTH,
                           dev_measures_status="已实施")
    data = _load(db, a)
    assert data.monitoring[0]["state"] == "风险已消除"
    assert data.household["monitoring_category"] == "01"
    assert {e["type"] for e in data.events} == {"风险消除", "新纳入监测", "返贫"}
    with db.session() as s:
        assert s.scalar(select(func.count(ChangeEvent.id)).where(ChangeEvent.household_id == a)) == 3
        assert s.scalar(select(MonitoringCase.elimination_mode)) == "01"


def test_concurrent_edit_is_detected_and_merged(filled):
    """Two clerks open the same household; the second save must not overwrite the first."""
    db, (a, _b) = filled
    base_1 = _load(db, a)
    base_2 = _load(db, a)
    first = base_1.copy()
    first.household["phone"] = "13811112222"
    first.members[1]["education"] = "02"
    with db.session() as s:
        assert svc.save_household(s, base_1, first).saved
    second = base_2.copy()
    second.household["address"] = "新寨村一组12号"
    second.members[1]["education"] = "04"  # both changed: theirs wins in a merge
    with db.session() as s, pytest.raises(svc.HouseholdChangedError) as caught:
        svc.save_household(s, base_2, second)
    err = caught.value
    assert isinstance(err, ConcurrentEditError)
    labels = {c.label for c in err.their_changes}
    assert {"户联系电话", "李四 文化程度"} <= labels
    assert [c.label for c in err.conflicts] == ["李四 文化程度"]
    merged, conflicts = svc.merge_edits(base_2, second, err.theirs)
    assert merged.household["address"] == "新寨村一组12号"
    assert merged.household["phone"] == "13811112222"
    assert merged.members[1]["education"] == "02"
    with db.session() as s:
        assert svc.save_household(s, err.theirs, merged).saved
    final = _load(db, a)
    assert final.household["address"] == "新寨村一组12号" and final.household["phone"] == "13811112222"


def test_action_with_stale_version_is_refused(filled):
    db, (a, _b) = filled
    data = _load(db, a)
    with db.session() as s:
        hh = s.get(Household, a)
        hh.phone = "13600000000"
    with db.session() as s, pytest.raises(ConcurrentEditError):
        svc.add_member(s, a, svc.NewMember(name="新人", id_number=make_id(dt.date(2000, 1, 1), 21),
                                           relation="99"),
                       reason="13", effective=TODAY, reported_month=MONTH,
                       expected_version=data.version)


def test_new_household_and_recheck(filled):
    db, (a, b) = filled
    with db.session() as s:
        hh = svc.register_household(
            s, region_code=VILLAGE, household_no="5223261002010009", group_name="三组",
            phone="13511112222", head=svc.NewMember(name="赵六", id_number=make_id(dt.date(1985, 2, 3), 31),
                                                    relation="01"),
            effective=TODAY, reported_month=MONTH)
        new_id = hh.id
    data = _load(db, new_id)
    assert data.events[0]["type"] == "新识别"
    with db.session() as s, pytest.raises(UserError, match="已被使用"):
        svc.register_household(s, region_code=VILLAGE, household_no="5223261002010009",
                               head=svc.NewMember(name="某", id_number=make_id(dt.date(1985, 2, 3), 33),
                                                  relation="01"),
                               effective=TODAY, reported_month=MONTH)
    with db.session() as s:
        assert run_checks(s, user="测试").households_checked == 3
        # The factory households lack ethnicity etc.: the filter lists households with errors.
        flagged = svc.household_ids(s, svc.HouseholdFilter(has_errors=True))
        rows = {r.id: r for r in svc.household_rows(s, [a, b, new_id])}
    assert flagged and set(flagged) <= {a, b, new_id}
    assert all(rows[i].error_count > 0 for i in flagged)
    assert all(rows[i].error_count == 0 for i in {a, b, new_id} - set(flagged))


def test_cli_search_and_show(filled, capsys):
    db, (a, _b) = filled
    url = db.url
    assert cli_main(["--db", url, "households", "search", "zs", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["total"] == 1 and out["rows"][0]["head_name"] == "张三"
    assert "********" in out["rows"][0]["head_id18"]
    assert cli_main(["--db", url, "households", "show", "5223261002010001"]) == 0
    text = capsys.readouterr().out
    assert "张三" in text and "李四" in text and "********" in text
    assert cli_main(["--db", url, "households", "show", "nope"]) == 2
    assert "没有找到" in capsys.readouterr().err


def test_cli_show_json_writes_sets_as_sorted_lists():
    from fupin_desktop.commands.registry import _jsonable

    assert _jsonable({"problems": frozenset({"b", "a"}), "when": dt.date(2026, 1, 2), "t": (1,)}) \
        == {"problems": ["a", "b"], "when": "2026-01-02", "t": [1]}
