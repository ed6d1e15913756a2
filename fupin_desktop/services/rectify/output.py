"""The printed 整改清单: :func:`print_data` prepares the texts, :func:`print_list` writes
the PDF atomically (a failed print leaves no file)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fupin_desktop.db import Database
from fupin_desktop.errors import UserError
from fupin_desktop.services.rectify import items as svc


def _places(r: svc.ItemRow) -> str:
    parts = []
    if r.villages:
        parts.append("、".join(r.villages))
    if r.households:
        parts.append(f"农户 {len(r.households)} 户")
    if r.projects:
        parts.append("项目 " + "、".join(r.projects))
    return "；".join(parts)


def print_data(rows: list[svc.ItemRow], totals: svc.Summary, *, title: str = "整改清单",
               filter_text: str = "", today: dt.date | None = None):
    from fupin_desktop.printing.rectify import RectifyPrint

    today = today or dt.date.today()
    lines = []
    for n, r in enumerate(rows, 1):
        status = r.status_label + (f"\n（{r.completed_on.isoformat()}）" if r.completed_on else "")
        deadline = r.deadline_text + ("\n逾期" if r.overdue else "")
        latest = (f"{r.last_progress_on.isoformat()} {r.last_progress}" if r.last_progress_on else "")
        lines.append(([str(n), r.source_label, r.category_label, r.description, _places(r), r.lead,
                       "\n".join(x for x in (r.unit, r.person) if x), r.measures, deadline, status, latest],
                      r.overdue))
    statuses = [svc.status_label(s) for s in svc.STATUSES]
    summary = [[line.label, str(line.total), *(str(line.counts.get(s, 0)) for s in svc.STATUSES),
                str(line.overdue)] for line in totals.lines]
    by_status = totals.by_status
    summary.append(["合计", str(totals.total), *(str(by_status[s]) for s in svc.STATUSES), str(totals.overdue)])
    subtitle = f"共 {len(rows)} 个问题" + (f"（{filter_text}）" if filter_text else "")
    return RectifyPrint(title, subtitle, lines, statuses, summary, totals.text(), totals.nine_zero_text(),
                        today.isoformat())


def print_list(db: Database, out: Path | str, flt: svc.RectifyFilter | None = None, *,
               title: str = "整改清单") -> int:
    """Print the list (all items, or those of ``flt``) to ``out``; returns the page count."""
    from fupin_desktop.printing.rectify import write_pdf
    from fupin_desktop.services.printing import write_pdf_atomically

    out = Path(out)
    if out.suffix.lower() != ".pdf":
        raise UserError(f"PDF 文件应以 .pdf 结尾：{out.name}")
    with db.session() as s:
        rows = svc.list_items(s, flt)
        totals = svc.summary(s)
    if not rows:
        raise UserError("没有符合条件的整改问题，未生成文件。")
    filter_text = ""
    if flt is not None:
        parts = [("、".join(svc.status_label(svc.normalize_status(x)) for x in flt.statuses))] if flt.statuses else []
        if flt.category:
            parts.append(svc.label_of("rectify_category", svc.clean_values({"category": flt.category})["category"]))
        if flt.overdue:
            parts.append("逾期未完成")
        filter_text = "，".join(parts)
    data = print_data(rows, totals, title=title, filter_text=filter_text)
    return write_pdf_atomically(out, lambda path: write_pdf(data, path))
