"""整改清单 items: create/update, links, progress notes, status changes, overdue, summary."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from fupin_desktop.errors import UserError
from fupin_desktop.models import AuditLog, RectifyProgress
from fupin_desktop.services import rectify
from tests.factories import VILLAGE, add_household, add_regions

TODAY = dt.date.today()
PAST = TODAY - dt.timedelta(days=10)
FUTURE = TODAY + dt.timedelta(days=10)


def _item(s, **kw):
    values = {"source": "巡视", "category": "安全饮水", "description": "部分农户自来水季节性缺水",
              "lead": "王副镇长", "unit": "镇水务站", "person": "李明", "measures": "新建蓄水池",
              "deadline": PAST} | kw
    return rectify.create_item(s, values)


def test_create_update_and_links_are_audited(db):
    with db.session() as s:
        add_regions(s)
        hh = add_household(s)
        item = _item(s, deadline="2021年6月底")
        assert item.item_no == f"ZG{TODAY.year}-001"
        assert (item.source, item.category, item.status) == ("01", "03", "01")
        assert item.deadline == dt.date(2021, 6, 30) and item.deadline_note is None
        rectify.update_item(s, item.id, {"deadline": "长期坚持", "person": "张强"},
                            household_ids=[hh.id], village_codes=[VILLAGE])
        item_id, hh_id = item.id, hh.id
    with db.session() as s:
        d = rectify.item_detail(s, item_id)
        assert (d.item.deadline, d.item.deadline_note, d.item.person) == (None, "长期坚持", "张强")
        assert [h.id for h in d.households] == [hh_id] and d.villages == [(VILLAGE, "新寨村")]
        assert not d.overdue  # no date, never overdue
        row = rectify.list_items(s)[0]
        assert (row.villages, row.households, row.deadline_text) == (["新寨村"], ["5223261002010001"], "长期坚持")
        audit = s.scalars(select(AuditLog).where(AuditLog.table_name == "rectify_items",
                                                 AuditLog.action == "update")).all()
        assert any(a.new_values.get("person") == "张强" and a.old_values.get("person") == "李明" for a in audit)
        assert s.scalar(select(AuditLog.id).where(AuditLog.table_name == "rectify_villages")) is not None
        rectify.set_links(s, item_id, village_codes=[])
    with db.session() as s:
        assert rectify.item_detail(s, item_id).villages == []


@pytest.mark.parametrize(("values", "message"), [
    ({"source": "听说"}, "问题来源"),
    ({"category": ""}, "问题类别"),
    ({"description": "  "}, "问题描述"),
    ({"deadline": "2021-13-45"}, "不是有效日期"),
    ({"person": "长" * 61}, "责任人最多60个字"),
])
def test_bad_values_are_refused_in_chinese(db, values, message):
    with db.session() as s, pytest.raises(UserError, match=message):
        _item(s, **values)


def test_unknown_links_are_refused(db):
    with db.session() as s:
        add_regions(s)
        with pytest.raises(UserError, match="关联的户不存在：999"):
            rectify.create_item(s, {"source": "考核", "category": "其他", "description": "x"},
                                household_ids=[999])


def test_status_transitions_progress_and_overdue(db):
    with db.session() as s:
        item_id = _item(s).id
        assert rectify.list_items(s)[0].overdue
        with pytest.raises(UserError, match="已是“未整改”"):
            rectify.set_status(s, item_id, "未整改")
        rectify.set_status(s, item_id, "整改中")
        assert rectify.list_items(s)[0].overdue  # still open and late
        rectify.add_progress(s, item_id, "蓄水池已动工", on=PAST, evidence=["开工照片.jpg", "D:/整改/合同.pdf"])
        with pytest.raises(UserError, match="在今天之后"):
            rectify.add_progress(s, item_id, "x", on=FUTURE)
        with pytest.raises(UserError, match="整改进展或佐证材料"):
            rectify.add_progress(s, item_id, " ")
        rectify.set_status(s, item_id, "已完成", on=TODAY)
        row = rectify.list_items(s)[0]
        assert (row.status, row.completed_on, row.overdue) == ("03", TODAY, False)
        assert (row.last_progress, row.last_evidence) == ("蓄水池已动工", "开工照片.jpg\nD:/整改/合同.pdf")
        with pytest.raises(UserError, match="须写明原因"):
            rectify.set_status(s, item_id, "正在整改")
        rectify.set_status(s, item_id, "正在整改", note="复查发现反弹")
        row = rectify.list_items(s)[0]
        assert (row.status, row.completed_on, row.overdue) == ("02", None, True)
        rectify.set_status(s, item_id, "已完成并长期坚持")
        log = s.scalars(select(RectifyProgress).where(RectifyProgress.item_id == item_id)
                        .order_by(RectifyProgress.id)).all()
        assert [(p.status_from, p.status_to) for p in log] == [
            ("01", "02"), (None, None), ("02", "03"), ("03", "02"), ("02", "04")]
        assert log[3].note == "复查发现反弹"


def test_filters(db):
    with db.session() as s:
        _item(s)  # 安全饮水, 未整改, overdue
        _item(s, category="小额信贷", deadline=FUTURE, description="贷款到期未收回")
        done = _item(s, category="两不愁三保障", description="住房未鉴定")
        rectify.set_status(s, done.id, "已完成")
        late = rectify.list_items(s, rectify.RectifyFilter(overdue=True))
        assert [r.description for r in late] == ["部分农户自来水季节性缺水"]
        assert len(rectify.list_items(s, rectify.RectifyFilter(overdue=False))) == 2
        assert [r.category_label for r in rectify.list_items(s, rectify.RectifyFilter(statuses=("已完成",)))] \
            == ["两不愁三保障"]
        assert [r.category for r in rectify.list_items(s, rectify.RectifyFilter(category="小额贷款"))] == ["05"]
        assert [r.category for r in rectify.list_items(s, rectify.RectifyFilter(text="贷款"))] == ["05"]


def test_summary_as_the_city_reports_it(db):
    # 41 problems in 9 categories: 20 done, 2 in progress, 19 done and kept up.
    plan = ["03"] * 20 + ["02"] * 2 + ["04"] * 19
    categories = ["01", "02", "03", "04", "05", "06", "07", "08", "99"]
    with db.session() as s:
        for n, status in enumerate(plan):
            item = _item(s, category=categories[n % len(categories)], description=f"问题{n}",
                         deadline=PAST if status == "02" else FUTURE)
            if status != "01":
                rectify.set_status(s, item.id, "02")
                if status != "02":
                    rectify.set_status(s, item.id, status)
        totals = rectify.summary(s)
    assert totals.total == 41 and len(totals.lines) == 9
    assert totals.by_status == {"01": 0, "02": 2, "03": 20, "04": 19}
    assert totals.overdue == 2
    assert totals.text() == "共 9 类 41 个问题：已完成 20 个，正在整改 2 个，已完成并长期坚持 19 个；逾期未完成 2 个。"
    open_categories = [line.label for line in totals.nine_zero if not line.zeroed]
    assert open_categories == [line.label for line in totals.lines
                               if line.open and line.category != "99"]
    assert totals.zeroed == 9 - len(open_categories)
    # 群众认可度 has no items: zero from the start; 其他 is not one of the nine.
    assert [line.label for line in totals.nine_zero][-1] == "群众认可度" and totals.nine_zero[-1].zeroed
    assert sum(line.total for line in totals.lines) == sum(totals.by_status.values())
