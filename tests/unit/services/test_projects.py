"""项目库 service: CRUD, the state machine with its refusals, 十制, funds and figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from fupin_desktop.models import Project, ProjectStatusLog, Region
from fupin_desktop.services import projects as P
from tests.factories import TOWNSHIP, VILLAGE, add_household, add_regions

VILLAGE2 = "522326100202"
TOWNSHIP2 = "522326101000"
VILLAGE3 = "522326101201"
D = dt.date


def add_more_regions(session) -> None:
    session.add_all(
        [
            Region(code=VILLAGE2, name="老寨村", level="village", parent_code=TOWNSHIP),
            Region(code=TOWNSHIP2, name="桑郎镇", level="township", parent_code="522326000000"),
            Region(code=VILLAGE3, name="纳包村", level="village", parent_code=TOWNSHIP2),
        ]
    )
    session.flush()


def road(**kw) -> P.ProjectInput:
    """A 乡村建设 road project with funds and 绩效目标: admissible as it is."""
    data = P.ProjectInput(
        year=2024, name="新寨村通组路硬化项目", region_code=VILLAGE, category="23",
        subcategory="2301", competent_dept="县交通运输局", implementer="新寨村民委员会",
        total_funds="500000",
        fundings=[P.FundingInput("01", "300000", "01", "黔财农〔2024〕1号"),
                  P.FundingInput("04", "200000", "02")],
        indicators=[P.IndicatorInput("01", "硬化道路长度", "2", None, "公里"),
                    P.IndicatorInput("03", "受益群众满意度", "≥95", None, "%")],
        declared_on=D(2023, 10, 8), declared_doc_no="新寨〔2023〕3号",
    )  # fmt: skip
    for k, v in kw.items():
        setattr(data, k, v)
    return data


def walk(session, pid: int, to: str, day: dt.date, **kw):
    return P.transition(session, pid, to, date=day, doc_no=kw.pop("doc_no", f"文{to}"),
                        today=D(2030, 1, 1), **kw)  # fmt: skip


def walk_to(session, pid: int, target: str, start: dt.date, step_days: int = 10) -> dt.date:
    """Move along the chain up to ``target``; returns the date of the last step."""
    day = start
    project = P.get_project(session, pid)
    for status in P.CHAIN[P.chain_index(project.status) + 1 : P.chain_index(target) + 1]:
        day = day + dt.timedelta(days=step_days)
        if status == P.CLOSED and P.get_project(session, pid).status == P.SETTLED:
            walk(session, pid, P.HANDED_OVER, day)
        walk(session, pid, status, day)
    return day


@pytest.fixture
def session(db):
    with db.session() as s:
        add_regions(s)
        add_more_regions(s)
        yield s


# --------------------------------------------------------------------------- CRUD


def test_create_numbers_the_project_and_logs_the_declaration(session):
    p = P.create_project(session, road())
    assert p.status == P.DECLARED
    assert p.project_no == "52232620240001"
    assert p.total_funds == Decimal("500000.00")
    assert [(log.from_status, log.to_status, log.date) for log in p.status_logs] == [
        (None, "01", D(2023, 10, 8))
    ]
    second = P.create_project(session, road(name="老寨村饮水工程", region_code=VILLAGE2))
    assert second.project_no == "52232620240002"


def test_save_lists_every_problem_at_once(session):
    bad = road(name=" ", region_code="522326999999", total_funds="400000", start_ym="2024-13",
               beneficiaries_poor_hh=10, beneficiaries_poor_persons=5)  # fmt: skip
    with pytest.raises(P.ProjectError) as err:
        P.create_project(session, bad)
    text = str(err.value)
    assert "项目名称不能为空" in text
    assert "区划代码“522326999999”不在区划表中" in text
    assert "不是有效年月" in text
    assert "分级资金合计 500,000.00 元与项目总投资 400,000.00 元不相等" in text
    assert "受益脱贫人口(人)少于受益脱贫户(户)" in text
    assert session.scalar(select(func.count(Project.id))) == 0


def test_subcategory_must_belong_to_category_and_codes_accept_labels(session):
    with pytest.raises(P.ProjectError, match="不属于项目类别"):
        P.create_project(session, road(category="21", subcategory="2301"))
    p = P.create_project(session, road(category="乡村建设行动", subcategory="进村道路硬化",
                                       construction_nature="新建", start_ym="2024年3月"))
    assert (p.category, p.subcategory, p.construction_nature, p.start_ym) == ("23", "2301", "01", "2024-03")


def test_blank_total_takes_the_sum_of_funds(session):
    p = P.create_project(session, road(total_funds=None))
    assert p.total_funds == Decimal("500000.00")


def test_update_keeps_status_and_replaces_children(session):
    p = P.create_project(session, road())
    data = P.ProjectInput.from_project(p)
    data.name = "新寨村通组路硬化项目（调整）"
    data.indicators = data.indicators[:1]
    P.update_project(session, p.id, data)
    again = P.get_project(session, p.id)
    assert again.name.endswith("（调整）") and len(again.indicators) == 1
    assert again.status == P.DECLARED


def test_delete_only_before_township_review(session):
    p = P.create_project(session, road())
    walk_to(session, p.id, P.TOWNSHIP_REVIEW, D(2023, 10, 8))
    with pytest.raises(P.ProjectError, match="不能删除"):
        P.delete_project(session, p.id)
    q = P.create_project(session, road(name="另一个项目"))
    P.delete_project(session, q.id)
    assert session.get(Project, q.id) is None


# --------------------------------------------------------------------------- the chain


def test_whole_chain_from_declaration_to_closure(session):
    p = P.create_project(session, road())
    day = D(2023, 10, 8)
    seen = []
    for status in P.CHAIN[1:]:
        project = P.get_project(session, p.id)
        assert status in P.allowed_transitions(project)
        day += dt.timedelta(days=7)
        if status in (P.STARTED,):
            P.add_disbursement(session, p.id, kind="01", date=day - dt.timedelta(days=3),
                               amount="500000", doc_no="望财农〔2024〕9号")  # fmt: skip
        walk(session, p.id, status, day, actor="经办人")
        seen.append(status)
    project = P.get_project(session, p.id)
    assert project.status == P.CLOSED
    assert P.allowed_transitions(project) == []
    assert [log.to_status for log in project.status_logs] == list(P.CHAIN)
    assert all(log.doc_no and log.date for log in project.status_logs)
    assert project.start_ym is not None and project.end_ym is not None
    with pytest.raises(P.TransitionError, match="已是最终状态"):
        walk(session, p.id, P.REMOVED, day, note="x")


def test_illegal_transition_names_what_is_allowed(session):
    p = P.create_project(session, road())
    with pytest.raises(P.TransitionError) as err:
        walk(session, p.id, P.IN_LIBRARY, D(2023, 11, 1))
    assert "当前状态为“村级申报”，不能直接转为“已入库”。当前只能转为：村级公示。" in str(err.value)
    assert P.get_project(session, p.id).status == P.DECLARED
    assert session.scalar(select(func.count(ProjectStatusLog.id))) == 1


def test_transition_needs_date_doc_no_and_order(session):
    p = P.create_project(session, road())
    with pytest.raises(P.TransitionError, match="请填写文号"):
        P.transition(session, p.id, "02", date=D(2023, 10, 9), doc_no=" ")
    with pytest.raises(P.TransitionError, match="日期"):
        P.transition(session, p.id, "02", date=None, doc_no="x")
    with pytest.raises(P.TransitionError, match="早于上一步“村级申报”的日期 2023-10-08"):
        P.transition(session, p.id, "02", date=D(2023, 10, 1), doc_no="x")
    with pytest.raises(P.TransitionError, match="晚于今天"):
        P.transition(session, p.id, "02", date=D(2024, 1, 2), doc_no="x", today=D(2024, 1, 1))


def test_return_needs_reason_and_goes_back_to_where_it_was(session):
    p = P.create_project(session, road())
    walk_to(session, p.id, P.TOWNSHIP_REVIEW, D(2023, 10, 8))
    with pytest.raises(P.TransitionError, match="退回必须写明退回原因"):
        walk(session, p.id, P.RETURNED, D(2023, 11, 20))
    walk(session, p.id, P.RETURNED, D(2023, 11, 20), note="投资概算不实")
    project = P.get_project(session, p.id)
    assert project.status == P.RETURNED
    assert P.returned_from(project) == P.TOWNSHIP_REVIEW
    assert P.allowed_transitions(project) == [P.TOWNSHIP_REVIEW, P.DECLARED, P.REMOVED]
    walk(session, p.id, P.TOWNSHIP_REVIEW, D(2023, 11, 28))
    assert P.get_project(session, p.id).status == P.TOWNSHIP_REVIEW


def test_library_entry_refused_without_performance_targets(session):
    p = P.create_project(session, road(indicators=[]))
    walk_to(session, p.id, P.APPROVED, D(2023, 10, 8))
    with pytest.raises(P.TransitionError) as err:
        walk(session, p.id, P.IN_LIBRARY, D(2024, 1, 5))
    assert "不符合入库条件" in str(err.value) and "没有填写绩效目标" in str(err.value)
    assert P.get_project(session, p.id).status == P.APPROVED


def test_library_entry_refused_for_industry_without_benefit_linkage(session):
    p = P.create_project(session, road(name="新寨村茶叶基地", category="21", subcategory="2101"))
    walk_to(session, p.id, P.APPROVED, D(2023, 10, 8))
    with pytest.raises(P.TransitionError, match="产业类项目必须有联农带农"):
        walk(session, p.id, P.IN_LIBRARY, D(2024, 1, 5))
    data = P.ProjectInput.from_project(P.get_project(session, p.id))
    data.benefit_linkage = "脱贫户以土地入股，按年保底分红"
    P.update_project(session, p.id, data)
    walk(session, p.id, P.IN_LIBRARY, D(2024, 1, 5))
    assert P.get_project(session, p.id).status == P.IN_LIBRARY


def test_removal_needs_reason_and_is_final(session):
    p = P.create_project(session, road())
    day = walk_to(session, p.id, P.IN_LIBRARY, D(2023, 10, 8))
    with pytest.raises(P.TransitionError, match="出库必须写明出库原因"):
        walk(session, p.id, P.REMOVED, day)
    walk(session, p.id, P.REMOVED, day, note="已由其他资金实施")
    assert P.allowed_transitions(P.get_project(session, p.id)) == []


def test_undo_last_transition(session):
    p = P.create_project(session, road())
    walk(session, p.id, P.VILLAGE_NOTICE, D(2023, 10, 9))
    P.undo_last_transition(session, p.id)
    project = P.get_project(session, p.id)
    assert project.status == P.DECLARED and len(project.status_logs) == 1
    with pytest.raises(P.TransitionError, match="没有可以撤销"):
        P.undo_last_transition(session, p.id)


# --------------------------------------------------------------------------- 十制


def test_checklist_due_items_and_missing_list(session):
    p = P.create_project(session, road())
    assert not any(r.due for r in P.checklist(P.get_project(session, p.id)))
    day = walk_to(session, p.id, P.IN_PLAN, D(2023, 10, 8))
    rows = {r.label: r for r in P.checklist(P.get_project(session, p.id))}
    assert rows["公示制"].missing and rows["法人负责制"].missing
    assert not rows["招投标制"].due
    missing = P.missing_checklist(session, year=2024)
    assert [(m.project_id, m.missing) for m in missing] == [(p.id, ("01", "02"))]
    with pytest.raises(P.ProjectError, match="请填写佐证文号"):
        P.set_checklist_item(session, p.id, "公示制", done=True, date=day)
    P.set_checklist_item(session, p.id, "01", done=True, date=day, doc_no="新寨公示〔2023〕1号")
    P.set_checklist_item(session, p.id, "02", done=True, date=day, note="不适用：村委会实施")
    assert P.missing_checklist(session, year=2024) == []
    assert P.missing_checklist(session, year=2023) == []


# --------------------------------------------------------------------------- funds


def test_money_refusals(session):
    p = P.create_project(session, road())
    with pytest.raises(P.ProjectError, match="列入年度计划后才能登记"):
        P.add_disbursement(session, p.id, kind="01", date=D(2024, 1, 1), amount=1, doc_no="x")
    day = walk_to(session, p.id, P.IN_PLAN, D(2023, 10, 8))  # plan on 2023-12-17
    with pytest.raises(P.ProjectError, match="必须填写下达文号"):
        P.add_disbursement(session, p.id, kind="下达", date=day, amount="300000")
    with pytest.raises(P.ProjectError, match="早于项目列入年度计划的日期"):
        P.add_disbursement(session, p.id, kind="下达", date=day - dt.timedelta(days=1),
                           amount="1", doc_no="x")  # fmt: skip
    P.add_disbursement(session, p.id, kind="下达", date=D(2024, 2, 1), amount="300000", doc_no="望财农〔2024〕1号")
    with pytest.raises(P.ProjectError, match="拨付不能超过已下达的资金"):
        P.add_disbursement(session, p.id, kind="拨付", date=D(2024, 3, 1), amount="300000.01")
    P.add_disbursement(session, p.id, kind="拨付", date=D(2024, 3, 1), amount="200000")
    with pytest.raises(P.ProjectError, match="支出（报账）不能超过已拨付的资金"):
        P.add_disbursement(session, p.id, kind="支出", date=D(2024, 4, 1), amount="250000")
    # A payment dated before the allocation that would cover it is refused too.
    with pytest.raises(P.ProjectError, match="截至 2024-01-20，累计拨付 100,000.00 元超过累计下达 0.00 元"):
        P.add_disbursement(session, p.id, kind="拨付", date=D(2024, 1, 20), amount="100000")
    with pytest.raises(P.ProjectError, match="超过项目总投资"):
        P.add_disbursement(session, p.id, kind="下达", date=D(2024, 3, 2), amount="200000.01", doc_no="y")
    with pytest.raises(P.ProjectError, match="金额必须大于 0"):
        P.add_disbursement(session, p.id, kind="支出", date=D(2024, 4, 1), amount="0")
    spend = P.add_disbursement(session, p.id, kind="支出", date=D(2024, 4, 1), amount="150000")
    totals = P.fund_totals(P.get_project(session, p.id))
    assert (totals.allocated, totals.paid, totals.spent) == (
        Decimal("300000.00"), Decimal("200000.00"), Decimal("150000.00"))
    pay = next(d for d in P.get_project(session, p.id).disbursements if d.kind == P.PAYMENT)
    with pytest.raises(P.ProjectError, match="不能删除"):
        P.delete_disbursement(session, pay.id)
    P.delete_disbursement(session, spend.id)
    P.delete_disbursement(session, pay.id)
    assert P.fund_totals(P.get_project(session, p.id)).paid == 0


# --------------------------------------------------------------------------- beneficiaries


def test_linked_households_give_beneficiary_counts(session):
    a = add_household(session, no="5223261002010001", head="张三", seq=1)
    b = add_household(session, no="5223261002010002", head="王五", seq=2)
    b.household_type, b.monitoring_category = "02", "02"
    c = add_household(session, no="5223261002010003", head="赵六", seq=3)
    c.household_type = "02"
    session.flush()
    p = P.create_project(session, road())
    P.set_beneficiary_households(session, p.id, [a.id, b.id, c.id, a.id])
    assert [h.head_name for h in P.beneficiary_households(session, p.id)] == ["张三", "王五", "赵六"]
    counts = P.beneficiary_counts_from_households(session, p.id)
    assert counts == P.BeneficiaryCounts(1, 2, 1, 2, 1, 2)
    assert [h.head_name for h in P.search_households(session, "王", region_code=TOWNSHIP)] == ["王五"]
    # the 户籍管理 search: 拼音首字母, 户编号 last digits, a member's ID number
    assert [h.head_name for h in P.search_households(session, "ww")] == ["王五"]
    assert [h.head_name for h in P.search_households(session, "0003")] == ["赵六"]
    member = next(m for m in a.members if m.relation != "01")
    assert [h.head_name for h in P.search_households(session, member.id_number)] == ["张三"]
    assert len(P.search_households(session, "", limit=2)) == 2
    P.set_beneficiary_households(session, p.id, [c.id])
    assert [h.head_name for h in P.beneficiary_households(session, p.id)] == ["赵六"]


# --------------------------------------------------------------------------- list


def test_list_filters_and_state_summary(session):
    a = P.create_project(session, road())
    P.create_project(session, road(name="老寨村茶园", region_code=VILLAGE2, category="21",
                                   subcategory=None, total_funds="100000",
                                   fundings=[P.FundingInput("01", "100000")]))  # fmt: skip
    P.create_project(session, road(name="纳包村饮水", region_code=VILLAGE3, year=2023))
    walk_to(session, a.id, P.IN_PLAN, D(2023, 10, 8))
    P.add_disbursement(session, a.id, kind="01", date=D(2024, 2, 1), amount="500000", doc_no="x")
    rows = P.list_projects(session, P.ProjectFilter(year=2024))
    assert [r.name for r in rows] == ["新寨村通组路硬化项目", "老寨村茶园"]
    assert rows[0].status == "已列入年度计划" and rows[0].allocated == Decimal("500000.00")
    assert rows[0].region_name == "城关镇·新寨村"
    assert [r.name for r in P.list_projects(session, P.ProjectFilter(category="21"))] == ["老寨村茶园"]
    assert len(P.list_projects(session, P.ProjectFilter(region_code=TOWNSHIP))) == 2
    assert len(P.list_projects(session, P.ProjectFilter(region_code=VILLAGE3))) == 1
    assert len(P.list_projects(session, P.ProjectFilter(text="茶园"))) == 1
    summary = {s.status: s for s in P.state_summary(session, P.ProjectFilter(year=2024, status="01"))}
    assert summary["01"].count == 1 and summary["01"].total_funds == Decimal("100000.00")
    assert summary["08"].count == 1 and summary["08"].total_funds == Decimal("500000.00")
    assert summary["14"].count == 0


# --------------------------------------------------------------------------- figures


def build_year(session) -> dict[str, int]:
    """Five 2024 projects with a known history (the expected figures are worked by hand)."""
    ids = {}
    # A: 城关镇 新寨村 — in plan 2024-01-18, started 03-10, finished 06-20, accepted 07-15.
    a = P.create_project(session, road(name="A", total_funds="500000"))
    ids["A"] = a.id
    for status, day in (("02", D(2023, 10, 10)), ("03", D(2023, 10, 20)), ("04", D(2023, 10, 25)),
                        ("05", D(2023, 11, 10)), ("06", D(2023, 12, 1)), ("07", D(2023, 12, 20)),
                        ("08", D(2024, 1, 18)), ("09", D(2024, 3, 10)), ("10", D(2024, 6, 20)),
                        ("11", D(2024, 7, 15))):  # fmt: skip
        walk(session, a.id, status, day)
    for kind, day, amount in (("01", D(2024, 1, 20), "500000"), ("02", D(2024, 3, 15), "200000"),
                              ("03", D(2024, 4, 1), "150000"), ("02", D(2024, 7, 1), "250000"),
                              ("03", D(2024, 7, 20), "300000")):  # fmt: skip
        P.add_disbursement(session, a.id, kind=kind, date=day, amount=amount, doc_no="d")
    # B: 城关镇 老寨村 — in plan 2024-02-01, started 05-05, nothing more; 下达 200000 拨付 100000.
    b = P.create_project(session, road(name="B", region_code=VILLAGE2, total_funds="200000",
                                       fundings=[P.FundingInput("01", "200000")]))  # fmt: skip
    ids["B"] = b.id
    walk_to(session, b.id, P.IN_LIBRARY, D(2023, 10, 8))
    walk(session, b.id, "08", D(2024, 2, 1))
    walk(session, b.id, "09", D(2024, 5, 5))
    P.add_disbursement(session, b.id, kind="01", date=D(2024, 2, 10), amount="200000", doc_no="d")
    P.add_disbursement(session, b.id, kind="02", date=D(2024, 6, 1), amount="100000")
    # C: 城关镇 (township-wide) — in library 2024-01-05, taken out 2024-04-30.
    c = P.create_project(session, road(name="C", region_code=TOWNSHIP))
    ids["C"] = c.id
    walk_to(session, c.id, P.IN_LIBRARY, D(2023, 10, 8), step_days=12)
    walk(session, c.id, "22", D(2024, 4, 30), note="不再实施")
    # D: 城关镇 新寨村 — only 审定 by the end of the year (never in the library).
    d = P.create_project(session, road(name="D"))
    ids["D"] = d.id
    walk_to(session, d.id, P.APPROVED, D(2023, 10, 8))
    # E: 桑郎镇 纳包村 — in plan 2024-01-10, started 02-01 (other township).
    e = P.create_project(session, road(name="E", region_code=VILLAGE3))
    ids["E"] = e.id
    walk_to(session, e.id, P.IN_LIBRARY, D(2023, 10, 8))
    walk(session, e.id, "08", D(2024, 1, 10))
    walk(session, e.id, "09", D(2024, 2, 1))
    P.add_disbursement(session, e.id, kind="01", date=D(2024, 1, 12), amount="500000", doc_no="d")
    # A 2023 project must never count in 2024.
    old = P.create_project(session, road(name="old", year=2023, declared_on=D(2022, 10, 8)))
    walk_to(session, old.id, P.STARTED, D(2022, 10, 8))
    return ids


def test_figures_on_a_hand_built_year(session):
    # One built year for all figure checks: building it is the slow part of these tests.
    ids = build_year(session)
    f = P.project_figures(session, year=2024, region_code=TOWNSHIP, as_of=D(2024, 6, 30))
    # In library by 06-30: A, B (C was taken out on 04-30, D never got there).
    assert (f.in_library, f.in_plan, f.started, f.finished, f.accepted) == (2, 2, 2, 1, 0)
    assert f.planned_funds == Decimal("700000.00")
    assert (f.allocated, f.paid, f.spent) == (Decimal("700000.00"), Decimal("300000.00"), Decimal("150000.00"))
    assert f.start_rate == Decimal("1.0000") and f.finish_rate == Decimal("0.5000")
    assert f.payment_rate == Decimal("0.4286")  # 300000 / 700000
    assert f.spending_progress == Decimal("0.2143")  # 150000 / 700000
    assert P.percent(f.payment_rate) == "42.86%"

    # The same township as it stood on 2024-03-31 (last month's report, reproduced).
    m = P.project_figures(session, year=2024, region_code=TOWNSHIP, as_of=D(2024, 3, 31))
    # A and B in plan, C still in the library; only A had started.
    assert (m.in_library, m.in_plan, m.started, m.finished, m.accepted) == (3, 2, 1, 0, 0)
    # A's first spending is dated 04-01: nothing spent yet.
    assert (m.allocated, m.paid, m.spent) == (Decimal("700000.00"), Decimal("200000.00"), Decimal("0.00"))
    assert m.spending_progress == Decimal("0.0000")
    assert m.start_rate == Decimal("0.5000") and m.finish_rate == Decimal("0.0000")

    # Before anything of 2024 entered the plan.
    early = P.project_figures(session, year=2024, region_code=TOWNSHIP, as_of=D(2024, 1, 1))
    # A (12-20), B (12-17) and C (12-19) were in the library already.
    assert (early.in_library, early.in_plan, early.started) == (3, 0, 0)
    assert early.start_rate is None and early.payment_rate is None

    # One village; the whole county.
    v = P.project_figures(session, year=2024, region_code=VILLAGE, as_of=D(2024, 12, 31))
    assert (v.in_library, v.in_plan, v.started, v.finished, v.accepted) == (1, 1, 1, 1, 1)
    assert (v.allocated, v.paid, v.spent) == (Decimal("500000.00"), Decimal("450000.00"), Decimal("450000.00"))
    county = P.project_figures(session, year=2024, region_code="522326000000", as_of=D(2024, 12, 31))
    assert (county.in_library, county.in_plan, county.started, county.finished) == (3, 3, 3, 1)
    assert county.allocated == Decimal("1200000.00")

    # Later changes of status do not move a past date's figures.
    before = P.project_figures(session, year=2024, region_code=TOWNSHIP, as_of=D(2024, 6, 30))
    walk(session, ids["B"], "10", D(2024, 8, 1))  # B finishes after the report date
    after = P.project_figures(session, year=2024, region_code=TOWNSHIP, as_of=D(2024, 6, 30))
    assert before == after

    rows = P.project_figures_by_region(session, year=2024, region_code=TOWNSHIP, as_of=D(2024, 12, 31))
    assert [(code, name, f.in_plan) for code, name, f in rows] == [
        (TOWNSHIP, "城关镇", 2), (VILLAGE, "新寨村", 1), (VILLAGE2, "老寨村", 1)
    ]


def test_parse_money():
    assert P.parse_money(" 1,234.5元 ", "金额") == Decimal("1234.50")
    assert P.parse_money("１２", "金额") == Decimal("12.00")  # full-width digits
    assert P.parse_money("", "金额") is None and P.parse_money(None, "金额") is None
    with pytest.raises(P.ProjectError, match="总投资“abc”不是有效金额"):
        P.parse_money("abc", "总投资")
    with pytest.raises(P.ProjectError, match="不能为负数"):
        P.parse_money("-1", "总投资")
