"""Print jobs: household forms for one household, a selection or a whole village/township,
into one PDF (each household from a new page) or one file per household; and 公示表.

    result = print_households(db, "handbook", [12, 13], Path("手册.pdf"))
    result = print_region(db, "card", "522326100201", Path("明白卡"), per_household=True,
                          progress=progress, cancel=is_cancelled)
    result = print_notice(db, "522326100201", "monitor", Path("公示.pdf"))
    result = print_change_notice(db, "522326100201", "2026-11", Path("人口变动公示.pdf"))
    result = print_handover(db, asset_id, Path("资产移交书.pdf"))

Household forms (HOUSEHOLD_FORMS): handbook, card, form, monitoring-form (防止返贫监测对象信息采集表),
authorization (监测对象申请及承诺授权书), income (收入测算表), plan (帮扶计划), visits (走访记录).

Files are written atomically: a failed or cancelled job leaves nothing behind (a one-file
job writes a temporary file and renames it; a many-file job writes into a temporary folder
and moves the files only when all are done). ``progress(done, total, message)`` is called per
household; ``cancel()`` returning True stops the job with :class:`PrintCancelled` (a
``UserError``, so the UI's background helper treats it as a cancel).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.platypus import Flowable

from fupin_desktop.db import Database
from fupin_desktop.errors import UserError
from fupin_desktop.printing import (
    card,
    change_notice,
    collection_form,
    handbook,
    handbook_sheets,
    handover,
    income_sheet,
    monitoring_forms,
    notice,
)
from fupin_desktop.printing.data import (
    HouseholdSheet,
    RegionNames,
    household_ids_by_number,
    households_in_region,
    load_sheets,
)
from fupin_desktop.printing.fonts import SubsetSeed
from fupin_desktop.printing.layout import A4_PORTRAIT, Cancelled, FormDocument

ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]


class PrintCancelled(UserError):
    """The clerk cancelled the print job; no file was written."""

    def __init__(self) -> None:
        super().__init__("打印已取消，没有生成文件。")


@dataclass(frozen=True)
class HouseholdForm:
    """A form printed once per household."""

    key: str
    title: str
    aliases: tuple[str, ...]
    story: Callable[[HouseholdSheet], list[Flowable]]
    pagesize: tuple[float, float] = A4_PORTRAIT


HOUSEHOLD_FORMS: dict[str, HouseholdForm] = {
    f.key: f for f in (
        HouseholdForm("handbook", "扶贫手册", ("手册", "一户一档"), handbook.story),
        HouseholdForm("card", "明白卡", ("帮扶明白卡",), card.story),
        HouseholdForm("form", "户信息采集表", ("采集表", "信息采集表"), collection_form.story),
        HouseholdForm("monitoring-form", monitoring_forms.FORM_TITLE, ("监测采集表", "监测对象信息采集表"),
                      monitoring_forms.form_story),
        HouseholdForm("authorization", monitoring_forms.LETTER_TITLE,
                      ("授权书", "承诺授权书", "申请及承诺授权书"), monitoring_forms.letter_story),
        HouseholdForm("income", income_sheet.TITLE, ("收入测算",), income_sheet.story),
        HouseholdForm("plan", handbook_sheets.PLAN_TITLE, ("帮扶计划表",), handbook_sheets.plan_story),
        HouseholdForm("visits", handbook_sheets.VISITS_TITLE, ("走访记录表", "走访"),
                      handbook_sheets.visits_story),
    )
}


def household_form(name: str | HouseholdForm) -> HouseholdForm:
    """The form named by its key (handbook, card, form) or Chinese title; UserError otherwise."""
    if isinstance(name, HouseholdForm):
        return name
    text = (name or "").strip()
    for form in HOUSEHOLD_FORMS.values():
        if text == form.key or text == form.title or text in form.aliases:
            return form
    known = "、".join(f"{f.title}（{f.key}）" for f in HOUSEHOLD_FORMS.values())
    raise UserError(f"没有“{name}”这种表。可以打印：{known}。")


@dataclass
class PrintResult:
    households: int = 0
    pages: int = 0
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        where = str(self.files[0]) if len(self.files) == 1 else f"{len(self.files)} 个文件"
        return f"已生成 {self.households} 户、{self.pages} 页：{where}"


# -- household forms -------------------------------------------------------------------------


def print_households(
    db: Database,
    form: str | HouseholdForm,
    household_ids: Sequence[int],
    out: Path | str,
    *,
    per_household: bool = False,
    year: int | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> PrintResult:
    """Print ``form`` for the households (in the given order).

    ``out`` is the PDF file, or with ``per_household`` a folder (created if needed) that
    receives one file per household named 「户编号_户主_表名.pdf」. Raises UserError when
    there is nothing to print or the file cannot be written, PrintCancelled on cancel.
    """
    form = household_form(form)
    ids = list(household_ids)
    if not ids:
        raise UserError("没有要打印的户。请先选择户或区域。")
    out = Path(out)
    started = time.perf_counter()
    try:
        with db.session() as session:
            sheets = _with_lines(session, load_sheets(session, ids, year, regions=RegionNames(session)))
            if per_household:
                result = _many_files(form, sheets, len(ids), out, progress, cancel)
            else:
                result = _one_file(form, sheets, len(ids), out, progress, cancel)
    except Cancelled as err:
        raise PrintCancelled() from err
    result.seconds = time.perf_counter() - started
    return result


def _with_lines(session, sheets):
    """The sheets with the 监测范围 of their income year (the 收入测算表 and 监测 forms print it)."""
    from fupin_desktop.services.print_data import monitoring_lines

    line = monitoring_lines(session)
    for sheet in sheets:
        sheet.monitoring_line = line(sheet.year_row.year if sheet.year_row else sheet.year)
        yield sheet


def print_region(db: Database, form: str | HouseholdForm, region_code: str, out: Path | str,
                 **kwargs) -> PrintResult:
    """:func:`print_households` for every active household of a village or township."""
    with db.session() as session:
        ids = households_in_region(session, region_code)
    if not ids:
        raise UserError(f"区划 {region_code} 下没有在册的户。")
    return print_households(db, form, ids, out, **kwargs)


def print_household_numbers(db: Database, form: str | HouseholdForm, numbers: Sequence[str],
                            out: Path | str, **kwargs) -> PrintResult:
    """:func:`print_households` by 户编号 (UserError names any number not found)."""
    with db.session() as session:
        ids = household_ids_by_number(session, list(numbers))
    return print_households(db, form, ids, out, **kwargs)


def _label(sheet: HouseholdSheet) -> str:
    return f"{sheet.household.head_name or ''}（{sheet.household.household_no or ''}）"


def _one_file(form, sheets, total, out: Path, progress, cancel) -> PrintResult:
    tmp = _temp_beside(out)
    try:
        doc = FormDocument(str(tmp), pagesize=form.pagesize, title=form.title)
        counted = _Counting(sheets)
        pages = doc.build_records(counted, form.story, total=total, progress=progress,
                                  cancel=cancel, label=_label)
        os.replace(tmp, out)
    except OSError as err:
        raise UserError(f"无法写入文件 {out}：{err.strerror or err}。请检查文件是否在其他程序中打开，"
                        "或换一个保存位置。") from err
    finally:
        tmp.unlink(missing_ok=True)
    return PrintResult(households=counted.count, pages=pages, files=[out])


def _many_files(form, sheets, total, out: Path, progress, cancel) -> PrintResult:
    try:
        out.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".fupin-print-", dir=out))
    except OSError as err:
        raise UserError(f"无法创建文件夹 {out}：{err.strerror or err}。请换一个保存位置。") from err
    result = PrintResult()
    names: set[str] = set()
    seed = SubsetSeed()  # the files share their first font subsets (the form's own text)
    try:
        for sheet in sheets:
            if cancel is not None and cancel():
                raise Cancelled()
            name = _file_name(sheet, form, names)
            doc = FormDocument(str(work / name), pagesize=form.pagesize, title=form.title,
                               seed=seed)
            result.pages += doc.build_records([sheet], form.story)
            result.households += 1
            result.files.append(out / name)
            if progress is not None:
                progress(result.households, total, f"已生成：{name}")
        for path in result.files:
            os.replace(work / path.name, path)
    except OSError as err:
        raise UserError(f"无法写入文件夹 {out}：{err.strerror or err}。请检查文件是否在其他程序中打开，"
                        "或换一个保存位置。") from err
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result


_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def _file_name(sheet: HouseholdSheet, form: HouseholdForm, used: set[str]) -> str:
    hh = sheet.household
    base = "_".join(x for x in (hh.household_no or f"户{hh.id}", hh.head_name or "", form.title) if x)
    base = _UNSAFE.sub("_", base)[:120]
    name, n = f"{base}.pdf", 2
    while name in used:
        name, n = f"{base}_{n}.pdf", n + 1
    used.add(name)
    return name


def write_pdf_atomically(out: Path | str, write: Callable[[Path], int]) -> int:
    """``write(path)`` lays a PDF out into a temporary file beside ``out``, which then
    replaces ``out``; a failure leaves no file. Returns what ``write`` returns (pages)."""
    out = Path(out)
    tmp = _temp_beside(out)
    try:
        result = write(tmp)
        os.replace(tmp, out)
    except OSError as err:
        raise UserError(f"无法写入文件 {out}：{err.strerror or err}。如文件正在打开，请先关闭，"
                        "或换一个保存位置。") from err
    finally:
        tmp.unlink(missing_ok=True)
    return result


def _temp_beside(out: Path) -> Path:
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".fupin-print-", suffix=".pdf", dir=out.parent)
    except OSError as err:
        raise UserError(f"无法写入 {out.parent}：{err.strerror or err}。请换一个保存位置。") from err
    os.close(fd)
    return Path(name)


class _Counting:
    def __init__(self, items):
        self._items = items
        self.count = 0

    def __iter__(self):
        for item in self._items:
            self.count += 1
            yield item


# -- notices ---------------------------------------------------------------------------------


def print_notice(
    db: Database,
    region_code: str,
    kind: str,
    out: Path | str,
    *,
    year: int | None = None,
    posted_on: dt.date | None = None,
    days: int = 5,
    phone: str = "",
) -> PrintResult:
    """A 公示表 for a village or township (see :mod:`fupin_desktop.printing.notice`)."""
    out = Path(out)
    started = time.perf_counter()
    with db.session() as session:
        data = notice.build_notice(session, region_code, kind, year=year, posted_on=posted_on,
                                   days=days, phone=phone)
    return _posted(out, data, notice.story, started)


def print_change_notice(
    db: Database,
    region_code: str,
    month: str,
    out: Path | str,
    *,
    posted_on: dt.date | None = None,
    days: int = 5,
    phone: str = "",
) -> PrintResult:
    """The 人口变动（动态调整）公示 of a village or township for a reported month (YYYY-MM)."""
    from fupin_desktop.services import print_data

    out = Path(out)
    started = time.perf_counter()
    with db.session() as session:
        data = print_data.change_notice(session, region_code, month, posted_on=posted_on, days=days,
                                        phone=phone)
    return _posted(out, data, change_notice.story, started)


def _posted(out: Path, data, story: Callable[..., list[Flowable]], started: float) -> PrintResult:
    """A 公示表 (``data`` with a title and rows of households) written to ``out``."""
    pages = _single(out, data.title, data, story)
    return PrintResult(households=len({r.household_id for r in data.rows}), pages=pages,
                       files=[out], seconds=time.perf_counter() - started)


def print_handover(db: Database, asset_id: int | None, out: Path | str, *,
                   project_id: int | None = None) -> PrintResult:
    """The 资产移交书 of the hand-over that formed asset ``asset_id`` (all its assets), or with
    ``project_id`` instead, of that project's latest hand-over."""
    from fupin_desktop.services import print_data

    out = Path(out)
    started = time.perf_counter()
    with db.session() as session:
        if asset_id is None:
            asset_id = print_data.latest_handover_asset(session, project_id)
        data = print_data.handover(session, asset_id)
    pages = _single(out, handover.TITLE, data, handover.story)
    return PrintResult(pages=pages, files=[out], seconds=time.perf_counter() - started)


def _single(out: Path, title: str, data, story: Callable[..., list[Flowable]]) -> int:
    """One record into one PDF, atomically; the number of pages."""
    tmp = _temp_beside(out)
    try:
        doc = FormDocument(str(tmp), title=title)
        pages = doc.build_records([data], story)
        os.replace(tmp, out)
    except OSError as err:
        raise UserError(f"无法写入文件 {out}：{err.strerror or err}。请换一个保存位置。") from err
    finally:
        tmp.unlink(missing_ok=True)
    return pages


__all__ = [
    "HOUSEHOLD_FORMS",
    "HouseholdForm",
    "PrintCancelled",
    "PrintResult",
    "household_form",
    "print_change_notice",
    "print_handover",
    "print_household_numbers",
    "print_households",
    "print_notice",
    "print_region",
    "write_pdf_atomically",
]
