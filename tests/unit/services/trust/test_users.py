"""Users, roles and regions: the services refuse what a role may not do, whoever calls them,
and the audit log names the signed-in user."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fupin_desktop.cli import main
from fupin_desktop.db import open_database
from fupin_desktop.models import AuditLog, Household
from fupin_desktop.services import trust
from fupin_desktop.services.reports import submit_report, unlock_month
from fupin_desktop.services.trust.audit_log import query_audit
from tests.factories import TOWNSHIP, VILLAGE, add_household, add_regions

OTHER_TOWNSHIP = "522326101000"


@pytest.fixture
def county(db):
    from fupin_desktop.models import Region

    with db.session() as s:
        add_regions(s)
        s.add(Region(code=OTHER_TOWNSHIP, name="新桥镇", level="township", parent_code=TOWNSHIP[:6] + "000000"))
        add_household(s)
        trust.add_user(s, "老王", "admin-secret")  # the first user: 管理员
        trust.add_user(s, "小李", "clerk-secret", role="录入员", regions=[VILLAGE])
        trust.add_user(s, "老张", "review-secret", role="审核员", regions=[TOWNSHIP])
        trust.add_user(s, "小赵", "other-secret", role="录入员", regions=["新桥镇"])
    return db


def signed_in(db, name: str, password: str):
    """A second program window: the same database, opened and signed in as ``name``."""
    other = open_database(db.url)
    with other.session() as s:
        who = trust.authenticate(s, name, password)
    other.sign_in(who)
    return other


def _edit_phone(db, phone: str) -> None:
    with db.session() as s:
        s.scalar(select(Household)).phone = phone


def test_the_first_user_is_the_administrator_and_passwords_are_hashed(county):
    with county.session() as s:
        rows = {r.username: r for r in trust.list_users(s)}
        assert rows["老王"].role_label == "管理员"
        assert rows["小李"].role_label == "录入员" and rows["小李"].region_names == "新寨村"
        stored = s.execute(select(trust.users.User.password_hash)).scalars().all()
    assert all(h.startswith("scrypt$") and "secret" not in h for h in stored)
    with county.session() as s, pytest.raises(trust.PermissionDenied.__mro__[1], match="用户名或密码不对"):
        trust.authenticate(s, "小李", "wrong-password")


def test_two_clerks_the_clerk_cannot_submit_or_restore_and_the_log_names_each(county, tmp_path):
    clerk = signed_in(county, "小李", "clerk-secret")
    reviewer = signed_in(county, "老张", "review-secret")
    try:
        _edit_phone(clerk, "13800000001")
        with pytest.raises(trust.PermissionDenied, match="录入员，不能上报月报"), clerk.session() as s:
            submit_report(s, "2026-03", TOWNSHIP, user="小李")
        backup = trust.backup(county, "manual")
        with pytest.raises(trust.PermissionDenied, match="不能从备份恢复"):
            trust.restore(clerk, backup)

        _edit_phone(reviewer, "13800000002")
        with reviewer.session() as s:
            assert submit_report(s, "2026-03", TOWNSHIP, user="老张") == 1
        with reviewer.session() as s:
            unlock_month(s, "2026-03", TOWNSHIP, reason="补录", user="老张")
    finally:
        clerk.dispose()
        reviewer.dispose()

    with county.session() as s:
        entries = query_audit(s, household="5223261002010001")
        phones = [(e.user, e.changes) for e in entries if e.table == "households" and e.action == "update"]
        users_of_reports = set(s.scalars(select(AuditLog.user).where(AuditLog.table_name == "report_locks")))
    assert [user for user, _ in phones] == ["老张", "小李"]
    assert phones[1][1][0].field == "户联系电话" and phones[1][1][0].new == "13800000001"
    assert users_of_reports == {"老张"}


def test_a_clerk_writes_only_under_their_regions(county):
    other = signed_in(county, "小赵", "other-secret")
    try:
        with pytest.raises(trust.PermissionDenied, match="只能修改自己负责区划"):
            _edit_phone(other, "13900000000")
        with pytest.raises(trust.PermissionDenied, match="不能修改区划"), other.session() as s:
            from fupin_desktop.services.regions import add_region

            add_region(s, TOWNSHIP, "新村", user="小赵")
        with pytest.raises(trust.PermissionDenied, match="不能管理用户"), other.session() as s:
            trust.add_user(s, "冒名", "password1", role="管理员")
    finally:
        other.dispose()
    with county.session() as s:
        assert s.scalar(select(Household.phone)) != "13900000000"


def test_the_only_administrator_cannot_be_disabled(county):
    admin = signed_in(county, "老王", "admin-secret")
    try:
        with pytest.raises(trust.PermissionDenied.__mro__[1], match="唯一的管理员"), admin.session() as s:
            trust.disable_user(s, "老王")
        with admin.session() as s:
            trust.disable_user(s, "小赵")
        with admin.session() as s, pytest.raises(trust.PermissionDenied.__mro__[1], match="已停用"):
            trust.authenticate(s, "小赵", "other-secret")
    finally:
        admin.dispose()


def test_login_is_required_on_postgresql_and_switchable_on_sqlite(county):
    with county.session() as s:
        required = trust.login_required(s)
    assert required == (not county.is_sqlite)
    if county.is_sqlite:
        with county.session() as s:
            trust.set_login_required(s, True)
        with county.session() as s:
            assert trust.login_required(s)


def test_cli_signs_in_with_user_and_refuses_a_clerks_report(county, monkeypatch, capsys):
    if county.is_sqlite:
        with county.session() as s:
            trust.set_login_required(s, True)
    assert main(["--db", county.url, "backups"]) == 2
    assert "需要登录" in capsys.readouterr().err
    monkeypatch.setenv("FUPIN_PASSWORD", "clerk-secret")
    assert main(["--db", county.url, "--user", "小李", "report", "submit", "--month", "2026-03"]) == 2
    assert "不能上报月报" in capsys.readouterr().err
    monkeypatch.setenv("FUPIN_PASSWORD", "review-secret")
    assert main(["--db", county.url, "--user", "老张", "report", "submit", "--month", "2026-03",
                 "--region", TOWNSHIP]) == 0
    with county.session() as s:
        assert s.scalar(select(AuditLog.user).where(AuditLog.table_name == "report_locks")) == "老张"
    monkeypatch.setenv("FUPIN_PASSWORD", "admin-secret")
    assert main(["--db", county.url, "--user", "老王", "users", "list"]) == 0
    out = capsys.readouterr().out
    assert "小李\t小李\t录入员\t区划：新寨村" in out


def test_the_audit_user_is_never_read_from_an_environment_variable(county, monkeypatch):
    from fupin_desktop import audit

    monkeypatch.setenv("USER", "冒充的人")
    monkeypatch.setenv("LOGNAME", "冒充的人")
    monkeypatch.setenv("USERNAME", "冒充的人")
    county.user = None
    with county.session() as s:
        s.scalar(select(Household)).phone = "13700000000"
    with county.session() as s:
        users = set(s.scalars(select(AuditLog.user).where(AuditLog.table_name == "households",
                                                          AuditLog.action == "update")))
    assert users == {audit.os_login_name()} and "冒充的人" not in users
