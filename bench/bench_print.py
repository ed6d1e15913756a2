"""Benchmark batch printing: 500 households' 扶贫手册 into one PDF and into 500 files,
against a bare reportlab script drawing the same number of pages in the same run.

    uv run python bench/bench_print.py [--households 500] [--form handbook] [--db PATH]

Without ``--db`` a demo county is generated in a scratch folder first (not timed).

Baseline: plain reportlab platypus, the same bundled font (文泉驿微米黑, embedded subset),
one ruled ``Table`` per page of 30 rows × 8 columns of short Chinese text with a repeated
header row (about the cell count of a handbook page), as many pages as our job produced;
once into one file and once split into as many files as households. It is the cost of
drawing that much table text in that font at all: no database, no form logic, no fallback
fonts, no ☑/□ option lists. Target: our pages per second at least half the baseline's;
peak memory under 500 MB.

Each side runs in its own subprocess so ``ru_maxrss`` is that side's own peak. No
assertions on time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run_ours(db_path: str, households: int, form: str, many: bool, out: str) -> dict:
    from sqlalchemy import select

    from fupin_desktop.db import open_database
    from fupin_desktop.models import Household
    from fupin_desktop.services import printing

    db = open_database(db_path)
    with db.session() as s:
        ids = list(s.scalars(select(Household.id).order_by(Household.region_code,
                                                          Household.id).limit(households)))
    start, cpu = time.perf_counter(), time.process_time()
    result = printing.print_households(db, form, ids, out, per_household=many)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    db.dispose()
    size = sum(p.stat().st_size for p in result.files)
    return {"seconds": seconds, "cpu": cpu, "pages": result.pages, "files": len(result.files),
            "households": result.households, "bytes": size, "peak_mb": _peak_mb()}


def run_baseline(pages: int, files: int, out: str) -> dict:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import PageBreak, SimpleDocTemplate, Table, TableStyle

    font = str(ROOT / "resources" / "fonts" / "wqy-microhei.ttc")
    start, cpu = time.perf_counter(), time.process_time()
    pdfmetrics.registerFont(TTFont("Base", font, subfontIndex=0))
    words = ["张秀英", "之子", "普通劳动力", "健康", "522326199001011234", "望谟县复兴镇",
             "产业帮扶", "2,300.00", "2024.03.05", "是"]
    header = ["姓名", "关系", "劳动技能", "健康", "证件号码", "单位", "类别", "金额"]
    style = TableStyle([("FONT", (0, 0), (-1, -1), "Base", 9), ("GRID", (0, 0), (-1, -1), 0.5, "black"),
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE")])

    def page(n: int) -> Table:
        rows = [header] + [[words[(n + r + c) % len(words)] for c in range(8)] for r in range(30)]
        t = Table(rows, colWidths=[22 * mm] * 8, repeatRows=1)
        t.setStyle(style)
        return t

    per_file = max(1, pages // files)
    written = 0
    for f in range(files):
        count = per_file if f < files - 1 else pages - written
        story = []
        for i in range(count):
            if story:
                story.append(PageBreak())
            story.append(page(written + i))
        written += count
        path = out if files == 1 else os.path.join(out, f"{f}.pdf")
        SimpleDocTemplate(path, pagesize=A4).build(story)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"seconds": seconds, "cpu": cpu, "pages": written, "files": files, "peak_mb": _peak_mb()}


def _child(args: list[str]) -> dict:
    env = dict(os.environ)
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                          env=env, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"child failed: {args}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=500)
    parser.add_argument("--form", default="handbook")
    parser.add_argument("--db")
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()

    if args.child:
        kind, *rest = args.child
        if kind == "ours":
            db, n, form, many, out = rest
            print(json.dumps(run_ours(db, int(n), form, many == "1", out)))
        else:
            pages, files, out = rest
            print(json.dumps(run_baseline(int(pages), int(files), out)))
        return

    with tempfile.TemporaryDirectory() as work:
        os.environ["FUPIN_DATA_DIR"] = work
        db = args.db
        if db is None:
            db = os.path.join(work, "bench.sqlite3")
            subprocess.run([sys.executable, "-m", "fupin_desktop", "--db", db, "demo", "--households",
                            str(max(args.households, 600)), "-q"], check=True, cwd=ROOT,
                           stdout=subprocess.DEVNULL)
        one = _child(["--child", "ours", db, str(args.households), args.form, "0",
                      os.path.join(work, "one.pdf")])
        many_dir = os.path.join(work, "many")
        many = _child(["--child", "ours", db, str(args.households), args.form, "1", many_dir])
        base_one = _child(["--child", "base", str(one["pages"]), "1", os.path.join(work, "base.pdf")])
        os.makedirs(os.path.join(work, "base_many"))
        base_many = _child(["--child", "base", str(many["pages"]), str(many["files"]),
                            os.path.join(work, "base_many")])

    def line(name: str, ours: dict, base: dict) -> None:
        # CPU seconds too: on a shared machine wall time measures the neighbours as well.
        ours_rate = ours["pages"] / ours["seconds"]
        base_rate = base["pages"] / base["seconds"]
        ours_cpu = ours["pages"] / ours["cpu"]
        base_cpu = base["pages"] / base["cpu"]
        print(f"{name}: ours {ours['pages']} pages in {ours['seconds']:.2f} s wall / {ours['cpu']:.2f} s CPU "
              f"= {ours_rate:.0f} pages/s ({ours_cpu:.0f} per CPU s), peak {ours['peak_mb']:.0f} MB; "
              f"baseline {base['pages']} pages in {base['seconds']:.2f} s / {base['cpu']:.2f} s CPU "
              f"= {base_rate:.0f} pages/s ({base_cpu:.0f} per CPU s), peak {base['peak_mb']:.0f} MB; "
              f"ratio {ours_rate / base_rate:.2f} wall, {ours_cpu / base_cpu:.2f} CPU (target >= 0.50)")

    print(f"{args.households} households, form {args.form}")
    line("one PDF  ", one, base_one)
    print(f"           one PDF size {one['bytes'] / 1e6:.1f} MB ({one['bytes'] / one['households'] / 1e3:.1f} KB/household)")
    line("500 files" if args.households == 500 else "many files", many, base_many)


if __name__ == "__main__":
    main()
