"""The demo county generator: deterministic, internally consistent, refuses non-empty data."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
import sys
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from fupin_desktop.codes import code_list
from fupin_desktop.db import open_database
from fupin_desktop.errors import UserError
from fupin_desktop.models import (
    MEMBER_PRESENT,
    Base,
    RELATION_HEAD,
    RELATION_SPOUSE,
    Asset,
    AssetIncome,
    AssetNumberSequence,
    AssistanceMeasure,
    Disbursement,
    Household,
    HouseholdYear,
    IncomeDistribution,
    Member,
    MonitoringCase,
    Project,
    ProjectFunding,
    ProjectStatusLog,
    Region,
)
from fupin_desktop.rules.idnumber import validate_id
from fupin_desktop.rules.income import income_totals
from fupin_desktop.rules.monitoring import RISK_MEASURES, unanswered_risks
from fupin_desktop.services import demo, demo_rows
from fupin_desktop.services import demo_data as D

REF = demo.REFERENCE_DATE


def _fresh(tmp_path_factory, name: str):
    return open_database(tmp_path_factory.mktemp(name) / "x.db")


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """One 2 000-household county shared by the read-only checks below."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FUPIN_DATA_DIR", str(tmp_path_factory.mktemp("data")))
        db = _fresh(tmp_path_factory, "county")
        calls = []
        stats = demo.generate(db, households=2000, seed=7, progress=lambda *a: calls.append(a))
        yield db, stats, calls
        db.dispose()


def _digest(db) -> dict[str, str]:
    """A digest of every table the generator writes (all but the database's timestamps)."""
    out = {}
    with db.engine.connect() as conn:
        for name in demo_rows.TABLE_ORDER:
            table = Base.metadata.tables[name]
            cols = [c for c in table.columns if c.name not in ("created_at", "updated_at")]
            h = hashlib.sha256()
            for row in conn.execute(select(*cols).order_by(table.c.id)):
                h.update(repr(tuple(row)).encode())
            out[name] = h.hexdigest()
    return out


def test_stats_and_progress(county):
    db, stats, calls = county
    assert stats.households == 2000
    assert 3.2 < stats.members / stats.households < 3.9
    assert stats.projects == 50
    assert stats.assets > 0 and stats.seconds > 0
    assert calls[-1][0] == calls[-1][1] and calls[-1][2] == demo.PROGRESS_TEXT
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Household)) == 2000
        assert s.scalar(select(func.count()).select_from(Member)) == stats.members


def test_same_seed_same_data_other_seed_other_data(tmp_path_factory):
    """Generated here or in the producer process, the same seed gives the same rows."""
    digests = []
    for name, seed, parallel in (("a", 3, False), ("b", 3, True), ("c", 4, False)):
        db = _fresh(tmp_path_factory, name)
        stats = demo.generate(db, households=300, seed=seed, parallel=parallel)
        assert stats.parallel == parallel
        digests.append(_digest(db))
        db.dispose()
    assert digests[0] == digests[1]
    assert all(digests[0][t] != digests[2][t] for t in ("households", "members", "projects"))


def test_generator_codes_are_the_models_codes():
    """demo_rows repeats a few model constants so that its process need not import the ORM."""
    from fupin_desktop.models import household

    for name in ("RELATION_HEAD", "RELATION_SPOUSE", "MEMBER_PRESENT", "MEMBER_LEFT",
                 "HOUSEHOLD_ACTIVE", "MONITORING_ACTIVE", "MONITORING_ELIMINATED"):
        assert getattr(demo_rows, name) == getattr(household, name), name
    # Packages list their tables parents first.
    position = {name: i for i, name in enumerate(demo_rows.TABLE_ORDER)}
    for name in demo_rows.TABLE_ORDER:
        for fk in Base.metadata.tables[name].foreign_keys:
            parent = fk.column.table.name
            if parent in position and parent != name:
                assert position[parent] < position[name], (parent, name)


def test_kept_indexes_exist_on_the_bulk_tables():
    """An index kept up during the load that no longer exists under that name (renamed,
    moved) would silently be dropped and rebuilt instead; a bulk table with no index to drop
    would only cost work."""
    indexes = {
        name: {ix.name for ix in Base.metadata.tables[name].indexes} for name in demo._BULK_TABLES
    }
    for name in demo._KEPT_INDEXES:
        assert any(name in names for names in indexes.values()), name
    for table, names in indexes.items():
        assert names - set(demo._KEPT_INDEXES), table


def test_generator_process_does_not_import_the_orm():
    """The producer process starts fast because demo_rows needs no SQLAlchemy."""
    code = (
        "import sys, fupin_desktop.services.demo_rows, fupin_desktop.services.producer; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'PySide6')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_regions_shape(county):
    db, _stats, _ = county
    with db.session() as s:
        regions = s.scalars(select(Region)).all()
    by_level = defaultdict(list)
    for r in regions:
        by_level[r.level].append(r)
    assert [r.code for r in by_level["county"]] == [D.COUNTY[0]]
    assert len(by_level["township"]) >= 3
    for t in by_level["township"]:
        assert t.code.startswith(D.COUNTY_PREFIX) and t.code.endswith("000")
        kids = [v for v in by_level["village"] if v.parent_code == t.code]
        assert len(kids) >= 2
        assert all(v.code[:9] == t.code[:9] and v.code[9:] != "000" for v in kids)
    assert any(v.is_poor_village for v in by_level["village"])


def test_members_ids_relations_and_household_summary(county):
    db, _stats, _ = county
    with db.session() as s:
        households = {h.id: h for h in s.scalars(select(Household))}
        members = s.scalars(select(Member).order_by(Member.household_id, Member.seq)).all()
    by_hh = defaultdict(list)
    ids = Counter()
    for m in members:
        by_hh[m.household_id].append(m)
        info = validate_id(m.id_number, today=REF)
        assert info.id18 == m.id18 and m.id_tail == m.id18[-6:]
        assert info.sex == m.sex and info.birth_date == m.birth_date
        assert m.id18.startswith(D.COUNTY_PREFIX)
        if m.id_type == "02":
            assert len(m.id_number) == 20 and m.health == "04"
        assert m.name_initials and m.name_initials == m.name_initials.lower()
        if m.status == MEMBER_PRESENT:
            ids[m.id18] += 1
        age = REF.year - m.birth_date.year
        if 7 <= age <= 15:
            assert m.school_status or m.out_of_school_reason
        assert (m.education is None) != (m.school_status is None)
        assert bool(m.work_place) == bool(m.work_months)
    assert max(ids.values()) == 1
    sizes = Counter()
    for hid, ms in by_hh.items():
        h = households[hid]
        present = [m for m in ms if m.status == MEMBER_PRESENT]
        heads = [m for m in present if m.relation == RELATION_HEAD]
        assert len(heads) == 1 and ms[0] is heads[0] and heads[0].seq == 1
        spouses = [m for m in present if m.relation == RELATION_SPOUSE]
        assert len(spouses) <= 1
        if spouses:
            assert spouses[0].sex != heads[0].sex and spouses[0].seq == 2
        assert h.head_name == heads[0].name and h.head_id18 == heads[0].id18
        assert h.member_count == len(present)
        assert 1 <= len(present) <= 8
        sizes[len(present)] += 1
        for m in ms:
            if m.status != MEMBER_PRESENT:
                assert m.left_on and m.left_reason
    assert len(by_hh) == len(households)
    assert len(sizes) == 8


def test_name_initials_keep_every_reading(county):
    db, _stats, _ = county
    with db.session() as s:
        row = s.execute(select(Member.name, Member.name_initials).where(Member.name.like("单%"))).first()
    if row is not None:
        assert {"d", "s"} <= {variant[0] for variant in row.name_initials.split()}


def test_incomes_add_up(county):
    db, _stats, _ = county
    with db.session() as s:
        years = s.scalars(select(HouseholdYear)).all()
    assert {y.year for y in years} == {2024, 2025}
    assert len(years) == 4000
    z = Decimal("0")
    for y in years:
        assert y.wage_income == y.public_welfare_job_income + y.other_wage_income
        assert y.property_income == (
            y.asset_dividend_income + y.land_transfer_income + y.other_property_income
        )
        assert y.transfer_income == (
            y.family_planning_income + y.dibao_income + y.tekun_income + y.pension_income
            + y.eco_compensation_income + y.other_transfer_income
        )
        assert y.business_income >= y.industry_reward + y.employment_reward >= z
        totals = income_totals(
            wage=y.wage_income,
            business=y.business_income,
            property_income=y.property_income,
            transfer=y.transfer_income,
            business_expense=y.business_expense,
            persons=y.household_size,
        )
        assert (y.annual_income, y.net_income, y.per_capita_net_income) == (
            totals.annual_income, totals.net_income, totals.per_capita_net_income
        )


def test_monitoring_cases(county):
    db, _stats, _ = county
    with db.session() as s:
        cases = s.scalars(select(MonitoringCase)).all()
        monitored = s.scalar(
            select(func.count()).select_from(Household).where(Household.monitoring_category.is_not(None))
        )
    assert len(cases) == monitored and 0.05 < monitored / 2000 < 0.12
    assert {c.category for c in cases} == {"01", "02", "03"}
    assert any(c.risk_eliminated for c in cases) and not all(c.risk_eliminated for c in cases)
    for c in cases:
        assert "2021-01" <= c.identified_ym <= f"{REF:%Y-%m}"
        if c.risk_eliminated:
            assert c.elimination_mode in ("01", "02") and c.eliminated_ym > c.identified_ym


def test_monitoring_cases_have_measures_for_their_risks(county):
    """No case leaves a risk unanswered that the household window would point out (the K8
    rules of rules.monitoring); the township's measures name its government."""
    db, _stats, _ = county
    with db.session() as s:
        cases = s.scalars(select(MonitoringCase)).all()
        measures = s.scalars(select(AssistanceMeasure)).all()
        townships = {r.code: r.name for r in s.scalars(select(Region).where(Region.level == "township"))}
        region_of = dict(s.execute(select(Household.id, Household.region_code)).all())
    by_case = defaultdict(list)
    for m in measures:
        by_case[m.monitoring_case_id].append(m.category)
        if D.MEASURE_UNIT[m.category] == D.TOWNSHIP_GOVERNMENT:
            township = townships[region_of[m.household_id][:9] + "000"]
            assert m.unit == f"{D.COUNTY[1]}{township}人民政府"
    ruled = [c for c in cases if set(c.risks) & set(RISK_MEASURES)]
    assert ruled
    for c in cases:
        assert unanswered_risks(c.risks, by_case[c.id]) == [], (c.id, c.risks, by_case[c.id])


def test_helpers_keep_the_4321_rule(county):
    """No 帮扶责任人 helps more households than the 4-3-2-1 rule allows for the rank, every
    household has a current helper, and ranks are used up to their limits."""
    from fupin_desktop.models import Helper, HelperAssignment
    from fupin_desktop.rules.helper_load import LOAD_LIMITS
    from fupin_desktop.services.handbook import load_check

    db, _stats, _ = county
    with db.session() as s:
        report = load_check(s, on=REF)
        current = Counter(s.scalars(select(HelperAssignment.helper_id)
                                    .where(HelperAssignment.end_date.is_(None))))
        ranks = dict(s.execute(select(Helper.id, Helper.cadre_rank)).all())
        helped = s.scalar(select(func.count(func.distinct(HelperAssignment.household_id)))
                          .where(HelperAssignment.end_date.is_(None)))
    assert report.overloaded == [] and report.unranked == [] and report.without_helper == []
    assert helped == 2000
    assert all(n <= LOAD_LIMITS[ranks[h]] for h, n in current.items())
    full = {ranks[h] for h, n in current.items() if n == LOAD_LIMITS[ranks[h]]}
    assert full == set(LOAD_LIMITS)


def test_projects_statuses_funds_and_disbursements(county):
    db, _stats, _ = county
    with db.session() as s:
        projects = s.scalars(select(Project)).all()
        fundings = defaultdict(Decimal)
        for f in s.scalars(select(ProjectFunding)):
            fundings[f.project_id] += f.amount
        logs = defaultdict(list)
        for log in s.scalars(select(ProjectStatusLog).order_by(ProjectStatusLog.id)):
            logs[log.project_id].append(log)
        money = defaultdict(lambda: defaultdict(Decimal))
        for d in s.scalars(select(Disbursement)):
            money[(d.project_id, d.level)][d.kind] += d.amount
    assert {p.status for p in projects} >= set(D.ALL_STATUSES)
    assert {p.year for p in projects} <= set(range(2021, 2027))
    for p in projects:
        assert fundings[p.id] == p.total_funds
        chain = logs[p.id]
        assert chain[0].from_status is None and chain[-1].to_status == p.status
        for before, after in zip(chain, chain[1:]):
            assert after.from_status == before.to_status and after.date >= before.date
        assert chain[-1].date <= REF
        if p.category == "21":
            assert p.benefit_linkage
    for (_pid, _level), kinds in money.items():
        assert kinds["03"] <= kinds["02"] <= kinds["01"]


def test_assets_numbers_and_distributions(county):
    db, _stats, _ = county
    with db.session() as s:
        assets = s.scalars(select(Asset)).all()
        seqs = {q.year: q.last_seq for q in s.scalars(select(AssetNumberSequence))}
        statuses = {p.id: p.status for p in s.scalars(select(Project))}
        incomes = s.scalars(select(AssetIncome)).all()
        shares = defaultdict(Decimal)
        for d in s.scalars(select(IncomeDistribution)):
            shares[d.asset_income_id] += d.amount
    assert {a.category for a in assets} == {"01", "02", "03"}
    for a in assets:
        assert statuses[a.project_id] in ("13", "14")
        assert a.asset_no.startswith(f"{D.COUNTY_PREFIX}{a.project_year}")
        assert int(a.asset_no[-4:]) <= seqs[a.project_year]
        assert (a.ownership_level == "04") == (a.household_id is not None) == (a.category == "03")
    assert incomes
    for inc in incomes:
        assert shares[inc.id] == inc.amount


def test_codes_used_are_in_the_code_lists(county):
    db, _stats, _ = county
    checks = {
        (Member, "relation"): "relation", (Member, "education"): "education",
        (Member, "school_status"): "school_status", (Member, "health"): "health",
        (Member, "labour_skill"): "labour_skill", (Member, "work_status"): "work_status",
        (Member, "ethnicity"): "ethnicity", (Member, "political_status"): "political_status",
        (Member, "status"): "member_status", (Member, "id_type"): "id_type",
        (Household, "household_type"): "household_type",
        (Household, "monitoring_category"): "monitoring_category",
        (Household, "poverty_attribute"): "poverty_attribute",
        (Household, "main_cause"): "poverty_cause", (Household, "exit_status"): "exit_status",
        (MonitoringCase, "risk_1"): "risk_type", (MonitoringCase, "state"): "monitoring_state",
        (Project, "status"): "project_status", (Project, "category"): "project_category",
        (Project, "subcategory"): "project_category", (Asset, "category"): "asset_category",
        (Asset, "subtype"): "asset_subtype", (Asset, "status"): "asset_status",
        (Asset, "operation_mode"): "operation_mode", (Asset, "ownership_level"): "ownership_level",
        (Disbursement, "kind"): "disbursement_kind", (ProjectFunding, "level"): "fund_level",
    }
    with db.engine.connect() as conn:
        for (model, column), list_name in checks.items():
            used = {v for v in conn.execute(select(getattr(model, column)).distinct()).scalars() if v}
            allowed = set(code_list(list_name).codes())
            assert used <= allowed, (model.__name__, column, used - allowed)


def test_refuses_a_database_with_households(county):
    db, _stats, _ = county
    with pytest.raises(UserError, match="空数据库"):
        demo.generate(db, households=10)


@pytest.mark.parametrize("parallel", [False, True])
def test_cancel_rolls_back(tmp_path_factory, parallel):
    db = _fresh(tmp_path_factory, "cancel")
    calls = []
    with pytest.raises(UserError, match="已取消"):
        demo.generate(
            db, households=3000, batch_households=500, parallel=parallel,
            progress=lambda *a: calls.append(a), cancel=lambda: len(calls) >= 2,
        )
    assert len(calls) == 2  # two batches were written before the cancel
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Household)) == 0
        assert s.scalar(select(func.count()).select_from(Region)) == 0
    # The indexes dropped for the load are back after the rollback.
    with db.engine.connect() as conn:
        names = set(conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='index'").scalars())
    assert "uq_members_one_head" in names and "ix_members_name_search" in names
    db.dispose()


def test_runs_on_every_database(db):
    """Small run through the shared fixture: SQLite and (in CI) PostgreSQL, with the rows
    made in the producer process."""
    stats = demo.generate(db, households=60, seed=2, parallel=True)
    assert stats.households == 60 and stats.parallel
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Member)) == stats.members
        # Ids were assigned by the generator; the database's own sequence must still work.
        s.add(Region(code="522326999000", name="测试乡", level="township", parent_code=D.COUNTY[0]))
        s.flush()
    assert REF <= dt.date(2026, 12, 31)


def _rows(db, model) -> list[tuple]:
    cols = [c for c in model.__table__.columns if c.name not in ("created_at", "updated_at")]
    with db.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(select(*cols).order_by(model.id))]


def test_sqlite_and_postgresql_get_the_same_rows(sqlite_db, pg_db):
    """The per-household tables go to SQLite as driver-ready tuples and to PostgreSQL through
    a conversion back to Python values: both must read back identically."""
    for target in (sqlite_db, pg_db):
        demo.generate(target, households=120, seed=5)
    for model in (Household, Member, HouseholdYear, MonitoringCase):
        assert _rows(sqlite_db, model) == _rows(pg_db, model), model.__name__


def test_summary_tree_and_pages_count_the_same_people(county):
    """The demo's summary, the region tree and the area pages read one count."""
    from fupin_desktop.services import overview, registry

    db, stats, _ = county
    with db.session() as s:
        counts = overview.registry_counts(s)
        roots = registry.region_tree(s)
        present = s.scalar(
            select(func.count(Member.id)).join(Household, Member.household_id == Household.id)
            .where(Household.status == "01", Member.status == "01")
        )
    assert (stats.register_households, stats.register_people) == (counts.households, counts.members)
    assert (sum(r.households for r in roots), sum(r.persons for r in roots)) == \
        (counts.households, counts.members)
    # 减少 members are rows written but not people on the register.
    assert counts.members == present < stats.members


def test_cli_progress_is_a_percentage(capsys):
    from fupin_desktop import cli

    cli._print_progress(3000, 3075, demo.PROGRESS_TEXT)
    cli._print_progress(3075, 3075, demo.PROGRESS_TEXT)
    err = capsys.readouterr().err
    assert "97%" in err and "100%" in err and "3075" not in err
