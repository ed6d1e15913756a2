"""行政区划: the bundled national division list, the one region resolver, and 区划设置.

The national list is the 国家统计局 2023 统计用区划代码 down to village level, bundled as
``resources/regions/divisions-2023.bin`` (built by ``tools/build_regions.py``). It is read
only when needed (county set-up, resolving a place the database lacks), never at start-up.

``FORMAT`` of that file::

    MAGIC (8 bytes) · uint32 little-endian n · n bytes zlib(head) · county blocks …

``head`` is UTF-8 text, one line per province, prefecture and county-level unit, in code
order: ``code12 \\t name \\t initials \\t offset \\t length``. ``initials`` (pinyin initials,
all readings, space separated) and the block's ``offset``/``length`` (relative to the end of
the head) are empty except for county-level units. A county block is zlib(UTF-8 text) with
one line per township followed by its villages: ``code[6:] \\t name`` (6 digits: township
part + village part; ``000`` for the township itself). Reading one county is one seek and one
small decompression. A city without counties (东莞市, 儋州市 …) is a prefecture that has a
block of its own.

Village names are kept as people write them: ``…村委会`` / ``…村民委员会`` become ``…村``,
``…社区居委会`` / ``…居民委员会`` become ``…社区`` (:func:`short_village_name`).
"""

from __future__ import annotations

import datetime as dt
import re
import struct
import threading
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fupin_desktop.errors import UserError
from fupin_desktop.models import Household, Region
from fupin_desktop.models.region import (
    LEVEL_COUNTY,
    LEVEL_PREFECTURE,
    LEVEL_PROVINCE,
    LEVEL_TOWNSHIP,
    LEVEL_VILLAGE,
    LEVELS,
    level_of_code,
)
from fupin_desktop.paths import resource_path
from fupin_desktop.rules.text import normalize_text, text_key

MAGIC = b"FPDIV23\n"
OUTPUT_NAME = "divisions-2023.bin"

LEVEL_LABELS = {
    LEVEL_PROVINCE: "省", LEVEL_PREFECTURE: "市（州）", LEVEL_COUNTY: "县（市、区）",
    LEVEL_TOWNSHIP: "乡（镇）", LEVEL_VILLAGE: "村（社区）",
}

# Local codes (本地编码) for a township or village the national list does not know. The
# national 2023 list uses only 001–599 in both the 3-digit township part (digits 7–9) and the
# 3-digit village part (digits 10–12): 0xx–2xx 街道/乡镇 and 居委会/村委会, 4xx–5xx 虚拟 units
# (tests/unit/services/regions check this against every bundled code). A local code takes its
# part from 800–999, so it is a valid 12-digit code under its parent that no national code can
# ever equal; it can later be corrected to the real code in 区划设置 (rename_region).
LOCAL_FIRST = 800
LOCAL_LAST = 999


def is_local_code(code: str) -> bool:
    """True for a 本地编码 (see LOCAL_FIRST)."""
    level = level_of_code(code)
    part = code[9:] if level == LEVEL_VILLAGE else code[6:9] if level == LEVEL_TOWNSHIP else "000"
    return LOCAL_FIRST <= int(part) <= LOCAL_LAST


# ============================================================================ names

_COMMITTEE = (
    # (suffix, replacement) — longest first; "牌坊村村民委员会" → "牌坊村".
    ("社区居民委员会", "社区"), ("社区居委会", "社区"), ("村村民委员会", "村"), ("村村委会", "村"),
    ("居民委员会", "社区"), ("村民委员会", "村"), ("居委会", "社区"), ("村委会", "村"), ("村委", "村"),
)


def short_village_name(name: str) -> str:
    """The name people use: "新寨村委会" → "新寨村", "城北社区居委会" → "城北社区"."""
    text = normalize_text(name)
    for suffix, repl in _COMMITTEE:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)] + repl
    return text


def normalise_place_name(name: str | None) -> str:
    """The matching key of a place name: no spaces (full-width ones too), half-width, case
    folded, and the committee forms unified: 村 / 村委会 / 村民委员会 → 村,
    社区 / 居委会 / 居民委员会 / 社区居委会 → 社区."""
    return text_key(short_village_name(normalize_text(name))) if name else ""


# The 55 minority nationalities, for "三都水族自治县" = "三都县" = "三都".
_ETHNIC = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 "
    "景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 "
    "保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各"
).split()
_ETHNIC_RE = "(?:" + "|".join(sorted(_ETHNIC, key=len, reverse=True)) + ")族"
_LOOSE_SUFFIX = re.compile(
    rf"(?:(?:{_ETHNIC_RE})+(?:自治县|自治旗|民族乡|乡|镇)|街道办事处|街道办|办事处|街道|自治县|自治旗|"
    rf"民族乡|县|旗|市|区|乡|镇|村|社区)$"
)


def loose_place_key(name: str | None) -> str:
    """A looser key than :func:`normalise_place_name`: the level word dropped too, so
    "城关镇" = "城关" and "三都水族自治县" = "三都县" = "三都". Used only when the exact
    key finds nothing, and only when it then finds exactly one place."""
    key = normalise_place_name(name)
    loose = _LOOSE_SUFFIX.sub("", key)
    return loose or key


# ============================================================================ national list


@dataclass(frozen=True)
class RegionEntry:
    """A region of the national list or of the database."""

    code: str  # 12 digits
    name: str
    level: str  # models.region LEVEL_*
    parent_code: str | None
    urban_rural_code: str | None = None


def _parent_of(code: str, known: Any) -> str | None:
    """The nearest existing ancestor's code (a county may sit right under its province)."""
    level = level_of_code(code)
    if level == LEVEL_PROVINCE:
        return None
    candidates = {
        LEVEL_PREFECTURE: [code[:2]],
        LEVEL_COUNTY: [code[:4], code[:2]],
        LEVEL_TOWNSHIP: [code[:6], code[:4], code[:2]],
        LEVEL_VILLAGE: [code[:9], code[:6], code[:4], code[:2]],
    }[level]
    for prefix in candidates:
        parent = prefix.ljust(12, "0")
        if parent in known:
            return parent
    return None


class NationalRegions:
    """The bundled national list. Counties' townships and villages are read on first use."""

    def __init__(self, path: Any = None) -> None:
        self._file = path or resource_path("regions", OUTPUT_NAME)
        self._lock = threading.Lock()
        with open(self._file, "rb") as f:
            if f.read(len(MAGIC)) != MAGIC:
                raise UserError(f"区划代码资源文件已损坏：{self._file}")
            (n,) = struct.unpack("<I", f.read(4))
            head = zlib.decompress(f.read(n)).decode("utf-8")
        self._data_start = len(MAGIC) + 4 + n
        self._entries: dict[str, RegionEntry] = {}
        self._children: dict[str | None, list[str]] = {}
        self._blocks: dict[str, tuple[int, int]] = {}
        self._initials: dict[str, str] = {}
        self._loaded: set[str] = set()
        self._keys: list[tuple[str, str, str, str, list[str]]] | None = None
        for line in head.split("\n"):
            code, name, initials, offset, length = line.split("\t")
            if offset:
                self._blocks[code] = (int(offset), int(length))
                self._initials[code] = initials
            parent = _parent_of(code, self._entries)
            self._entries[code] = RegionEntry(code, name, level_of_code(code), parent)
            self._children.setdefault(parent, []).append(code)

    # ---------------------------------------------------------------- loading

    def _county_of(self, code: str) -> str | None:
        for key in (code[:6].ljust(12, "0"), code[:4].ljust(12, "0")):
            if key in self._blocks:
                return key
        return None

    def _load(self, county: str) -> None:
        if county in self._loaded:
            return
        with self._lock:
            if county in self._loaded:
                return
            offset, length = self._blocks[county]
            with open(self._file, "rb") as f:
                f.seek(self._data_start + offset)
                text = zlib.decompress(f.read(length)).decode("utf-8")
            prefix = county[:6]
            town = county
            for line in text.split("\n") if text else ():
                tail, name = line.split("\t")
                code = prefix + tail
                if tail.endswith("000"):
                    town = code
                    entry = RegionEntry(code, name, LEVEL_TOWNSHIP, county)
                else:
                    entry = RegionEntry(code, name, LEVEL_VILLAGE, town)
                self._entries[code] = entry
                self._children.setdefault(entry.parent_code, []).append(code)
            self._loaded.add(county)

    def _ensure(self, code: str) -> None:
        if code not in self._entries or (code in self._blocks and code not in self._loaded):
            county = self._county_of(code)
            if county is not None:
                self._load(county)

    # ---------------------------------------------------------------- queries

    def get(self, code: str) -> RegionEntry | None:
        code = normalize_text(code)
        if len(code) != 12 or not code.isdigit():
            return None
        if code not in self._entries:
            self._ensure(code)
        return self._entries.get(code)

    def children(self, code: str) -> list[RegionEntry]:
        """The regions right below ``code``, in code order."""
        if self.get(code) is None:
            return []
        if code in self._blocks:
            self._load(code)
        return [self._entries[c] for c in self._children.get(code, [])]

    def path(self, code: str) -> list[RegionEntry]:
        """Province → … → the region itself (empty for an unknown code)."""
        out: list[RegionEntry] = []
        entry = self.get(code)
        while entry is not None:
            out.append(entry)
            entry = self._entries.get(entry.parent_code) if entry.parent_code else None
        return out[::-1]

    def full_name(self, code: str) -> str:
        """"贵州省 黔西南布依族苗族自治州 望谟县"."""
        return " ".join(e.name for e in self.path(code))

    def is_county(self, code: str) -> bool:
        """A county-level unit: a county, or a city without counties (东莞市)."""
        return code in self._blocks

    def counties(self) -> list[RegionEntry]:
        return [self._entries[c] for c in self._blocks]

    def search_counties(self, text: str, limit: int = 50) -> list[RegionEntry]:
        """County-level units by code prefix, name part or pinyin initials; best first."""
        query = normalize_text(text).replace(" ", "")
        if not query:
            return []
        if query.isdigit():
            hits = [c for c in self._blocks if c.startswith(query[:12])]
            return [self._entries[c] for c in hits[:limit]]
        key = normalise_place_name(query)
        loose = loose_place_key(query)
        initials = query.lower() if query.isascii() and query.isalpha() else None
        ranked: list[tuple[int, str]] = []
        for code, name_key, loose_key, full_key, spellings in self._search_keys():
            if name_key == key:
                rank = 0
            elif loose_key == loose:
                rank = 1
            elif name_key.startswith(key) or (initials and any(v.startswith(initials) for v in spellings)):
                rank = 2
            elif key in full_key:
                rank = 3
            else:
                continue
            ranked.append((rank, code))
        ranked.sort()
        return [self._entries[c] for _, c in ranked[:limit]]

    def _search_keys(self) -> list[tuple[str, str, str, str, list[str]]]:
        if self._keys is None:
            self._keys = [
                (code, normalise_place_name(self._entries[code].name), loose_place_key(self._entries[code].name),
                 normalise_place_name(self.full_name(code)), self._initials[code].split())
                for code in self._blocks
            ]
        return self._keys

    def find_children(self, parent_code: str, name: str) -> list[RegionEntry]:
        """Children of ``parent_code`` named ``name`` (exact key, else loose key)."""
        kids = self.children(parent_code)
        return _match_names(kids, name, lambda e: e.name)


def _match_names(items: Sequence[Any], name: str, name_of: Any) -> list[Any]:
    key = normalise_place_name(name)
    hits = [i for i in items if normalise_place_name(name_of(i)) == key]
    if hits:
        return hits
    loose = loose_place_key(name)
    return [i for i in items if loose_place_key(name_of(i)) == loose]


_NATIONAL: NationalRegions | None = None
_NATIONAL_LOCK = threading.Lock()


def national() -> NationalRegions:
    """The bundled national list, loaded on first call and cached."""
    global _NATIONAL
    if _NATIONAL is None:
        with _NATIONAL_LOCK:
            if _NATIONAL is None:
                _NATIONAL = NationalRegions()
    return _NATIONAL


# ============================================================================ resolver


@dataclass(frozen=True)
class MissingRegion:
    level: str
    name: str
    code: str
    parent_code: str | None
    national: bool  # True: code from the national list; False: a 本地编码 (local code)
    households: int = 0  # filled by the caller (import review)


@dataclass(frozen=True)
class Resolution:
    code: str | None  # the region the row belongs to, existing or to be created
    missing: tuple[MissingRegion, ...]  # regions to create first, parents before children
    error: str | None  # Chinese message when the place cannot be determined at all


@dataclass
class _DbRegion:
    code: str
    name: str
    level: str
    parent_code: str | None
    valid: bool


def _candidates_text(entries: Iterable[RegionEntry]) -> str:
    nat = national()
    return "；".join(f"{nat.full_name(e.code) or e.name}（{e.code}）" for e in entries)


def clean_code(value: Any) -> str | None:
    """A 12-digit code from a cell (numbers, spaces, "5223…" with a stray .0), or None."""
    if value is None:
        return None
    text = normalize_text(value).replace(" ", "")
    if text.endswith(".0"):
        text = text[:-2]
    return text if len(text) == 12 and text.isdigit() else None


class RegionResolver:
    """Built once per import from the database's regions; resolve() is memoised per input.

    Database first, then the national list; a village neither knows, under a known township,
    gets a local code (see LOCAL_FIRST), the same one for every row that names it.
    """

    def __init__(self, conn_or_session: Any) -> None:
        t = Region.__table__
        rows = conn_or_session.execute(
            select(t.c.code, t.c.name, t.c.level, t.c.parent_code, t.c.valid)
        ).all()
        self._db: dict[str, _DbRegion] = {r.code: _DbRegion(*r) for r in rows}
        self._db_children: dict[str | None, list[_DbRegion]] = {}
        for r in self._db.values():
            self._db_children.setdefault(r.parent_code, []).append(r)
        self._renamed = _code_changes(conn_or_session)
        self._memo: dict[tuple[Any, ...], Resolution] = {}
        self._local: dict[tuple[str, str], str] = {}  # (township code, village key) → local code
        self._local_used: set[str] = {c for c in self._db if _safe_is_local(c)}

    # ------------------------------------------------------------------ public

    def resolve(self, *, code: str | None = None, county: str | None = None, township: str | None = None,
                village: str | None = None, household_no: str | None = None) -> Resolution:
        key = (normalize_text(code) if code is not None else None, normalise_place_name(county),
               normalise_place_name(township), normalise_place_name(village),
               normalize_text(household_no)[:12] if household_no else None)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._resolve(code, county, township, village, household_no)
        return found

    # ------------------------------------------------------------------ steps

    def _resolve(self, code: Any, county: str | None, township: str | None, village: str | None,
                 household_no: str | None) -> Resolution:
        county = normalize_text(county) or None
        township = normalize_text(township) or None
        village = normalize_text(village) or None
        if code is not None and normalize_text(code):
            return self._by_code(code, village)
        if not township and not village:
            by_no = self._by_household_no(household_no, None)
            if by_no is not None:
                return by_no
            if county:
                return Resolution(None, (), f"只填写了县名“{county}”，请填写乡（镇）和村的名称或行政区划代码。")
            return Resolution(None, (), None)
        counties, error = self._counties(county)
        if error:
            return Resolution(None, (), error)
        # Townships in scope: named, or every township of the counties (when only a village is given).
        if township:
            towns, error = self._townships(counties, township)
            if error:
                by_no = self._by_household_no(household_no, village)
                return by_no or Resolution(None, (), error)
        else:
            towns = None
        if not village:
            assert towns is not None
            return self._existing_or_missing(towns[0])
        return self._village(counties, towns, township, village, household_no)

    def _by_code(self, raw: Any, village: str | None) -> Resolution:
        code = clean_code(raw)
        if code is None:
            return Resolution(None, (), f"行政区划代码“{normalize_text(raw)}”应为12位数字。")
        code = self._renamed.get(code, code)
        if code in self._db:
            return self._existing(code)
        nat = national().get(code)
        if nat is not None and nat.level in (LEVEL_TOWNSHIP, LEVEL_VILLAGE):
            return self._existing_or_missing(code)
        town = code[:9] + "000"
        if level_of_code(code) == LEVEL_VILLAGE and village and (town in self._db or national().get(town)):
            chain = self._missing_chain(town)
            return Resolution(code, (*chain, MissingRegion(LEVEL_VILLAGE, short_village_name(village), code,
                                                          town, False)), None)
        return Resolution(None, (), f"行政区划代码“{code}”在本系统和国家统计用区划代码中都找不到。"
                                    "请核对代码，或先在“区划设置”中添加该村。")

    def _by_household_no(self, household_no: str | None, village: str | None) -> Resolution | None:
        if not household_no:
            return None
        digits = normalize_text(household_no).replace(" ", "")
        code = digits[:12]
        if len(code) != 12 or not code.isdigit() or level_of_code(code) != LEVEL_VILLAGE:
            return None
        if code in self._db:
            hit_name = self._db[code].name
        else:
            nat = national().get(code)
            if nat is None:
                return None
            hit_name = nat.name
        if village and loose_place_key(hit_name) != loose_place_key(village):
            return None
        return self._existing_or_missing(code)

    def _existing(self, code: str) -> Resolution:
        region = self._db[code]
        merged_into = self._renamed.get(code)
        if not region.valid and merged_into in self._db and self._db[merged_into].valid:
            return Resolution(merged_into, (), None)  # 合村并组: the surviving village
        if not region.valid:
            return Resolution(None, (), f"“{region.name}”（{code}）已撤销，请改填现在所属的村或乡（镇）。")
        return Resolution(code, (), None)

    def _existing_or_missing(self, code: str) -> Resolution:
        if code in self._db:
            return self._existing(code)
        return Resolution(code, tuple(self._missing_chain(code)), None)

    def _missing_chain(self, code: str) -> list[MissingRegion]:
        """The national regions from the top down to ``code`` that the database lacks."""
        out = []
        for entry in national().path(code):
            if entry.code in self._db:
                continue
            parent = entry.parent_code
            # Attach to the database's own parent when the national one is absent there.
            if parent is not None and parent not in self._db and not any(m.code == parent for m in out):
                parent = _parent_of(entry.code, self._db)
            out.append(MissingRegion(entry.level, entry.name, entry.code, parent, True))
        return out

    def _db_counties(self) -> list[_DbRegion]:
        """Counties, and cities without counties (东莞市: a prefecture holding townships)."""
        return [r for r in self._db.values() if r.level == LEVEL_COUNTY or (
            r.level == LEVEL_PREFECTURE and any(c.level == LEVEL_TOWNSHIP for c in self._db_children.get(r.code, ())))]

    def _db_townships(self, counties: list[str] | None) -> list[_DbRegion]:
        if counties is None:
            return [r for r in self._db.values() if r.level == LEVEL_TOWNSHIP]
        return [r for c in counties for r in self._db_children.get(c, []) if r.level == LEVEL_TOWNSHIP]

    def _counties(self, county: str | None) -> tuple[list[str] | None, str | None]:
        """County codes in scope: the named county (database, then national); None (the
        whole database) when no county is named."""
        db_counties = self._db_counties()
        if not county:
            if not db_counties and not self._db_townships(None):
                return [], ("本系统还没有设置区划，表格中也没有县名：请先设置本县区划（fupin init --county 县名），"
                            "或在表格中填写县名或行政区划代码。")
            return None, None
        hits = _match_names(db_counties, county, lambda r: r.name)
        if hits:
            return [r.code for r in hits], None
        nat = national()
        found = _match_names(nat.counties(), county, lambda e: e.name)
        if len(found) > 1 and self._db:
            # Prefer the counties of the province(s) this database already holds.
            provinces = {c[:2] for c in self._db}
            near = [e for e in found if e.code[:2] in provinces]
            found = near or found
        if not found:
            return [], f"县名“{county}”在国家统计用区划代码中找不到，请核对县名，或填写行政区划代码。"
        if len(found) > 1:
            return [], f"县名“{county}”有{len(found)}个同名县：{_candidates_text(found[:8])}。请填写行政区划代码。"
        return [found[0].code], None

    def _national_counties(self, counties: list[str] | None) -> list[str]:
        codes = counties if counties is not None else [r.code for r in self._db_counties()]
        return [c for c in codes if _is_national_county(c)]

    def _townships(self, counties: list[str] | None, township: str) -> tuple[list[str], str | None]:
        hits = _match_names(self._db_townships(counties), township, lambda r: r.name)
        if len(hits) == 1:
            return [hits[0].code], None
        if not hits:
            nat = national()
            scope = self._national_counties(counties)
            found = [e for c in scope for e in nat.find_children(c, township)]
            if len(found) == 1:
                return [found[0].code], None
            if not found:
                where = "、".join(self._name(c) for c in scope[:3]) or "本系统"
                return [], f"乡（镇）“{township}”在{where}找不到，请核对乡镇名称，或填写行政区划代码。"
            return [], f"乡（镇）“{township}”有{len(found)}个同名：{_candidates_text(found[:8])}。请填写县名或行政区划代码。"
        return [], f"乡（镇）“{township}”在本系统中有{len(hits)}个同名，请在表格中填写县名或行政区划代码。"

    def _name(self, code: str) -> str:
        if code in self._db:
            return self._db[code].name
        entry = national().get(code)
        return entry.name if entry else code

    def _village(self, counties: list[str] | None, towns: list[str] | None, township: str | None, village: str,
                 household_no: str | None) -> Resolution:
        scope = towns if towns is not None else [r.code for r in self._db_townships(counties)]
        db_villages = [r for t in scope for r in self._db_children.get(t, []) if r.level == LEVEL_VILLAGE]
        hits = _match_names(db_villages, village, lambda r: r.name)
        valid_hits = [r for r in hits if r.valid] or hits
        if len(valid_hits) == 1:
            return self._existing(valid_hits[0].code)
        where = "".join(x for x in (township, village) if x)
        if len(valid_hits) > 1:
            return Resolution(None, (), f"村名“{village}”在本系统中有{len(valid_hits)}个同名村，"
                                        "请在表格中填写乡（镇）名称或行政区划代码。")
        by_no = self._by_household_no(household_no, village)
        if by_no is not None:
            return by_no
        nat = national()
        if towns is not None:
            nat_scope = towns
        else:  # no township named: every national township of the counties
            nat_scope = [e.code for c in self._national_counties(counties) for e in nat.children(c)
                         if e.level == LEVEL_TOWNSHIP]
        found = [e for t in nat_scope for e in nat.find_children(t, village)]
        if len(found) == 1:
            return self._existing_or_missing(found[0].code)
        if len(found) > 1:
            return Resolution(None, (), f"村名“{village}”有{len(found)}个同名村：{_candidates_text(found[:8])}。"
                                        "请在表格中填写乡（镇）名称或行政区划代码。")
        if towns is None:
            return Resolution(None, (), f"所在村“{where}”在本系统和国家统计用区划代码中都找不到，"
                                        "请在表格中填写乡（镇）名称，以便按本地编码新建该村。")
        town = towns[0]
        code = self._local_code(town, village)
        chain = self._missing_chain(town) if town not in self._db else []
        return Resolution(code, (*chain, MissingRegion(LEVEL_VILLAGE, short_village_name(village), code,
                                                      town, False)), None)

    def _local_code(self, town: str, village: str) -> str:
        key = (town, normalise_place_name(village))
        code = self._local.get(key)
        if code is None:
            code = next_local_code(town, self._local_used)
            self._local_used.add(code)
            self._local[key] = code
        return code


def _safe_is_local(code: str) -> bool:
    try:
        return is_local_code(code)
    except ValueError:
        return False


def _is_national_county(code: str) -> bool:
    return national().is_county(code)


def next_local_code(parent: str, used: Iterable[str]) -> str:
    """The first free 本地编码 under ``parent`` (a township → a village code; a county → a
    township code)."""
    level = level_of_code(parent)
    used = set(used)
    for part in range(LOCAL_FIRST, LOCAL_LAST + 1):
        code = parent[:9] + f"{part:03d}" if level == LEVEL_TOWNSHIP else parent[:6] + f"{part:03d}000"
        if code not in used:
            return code
    raise UserError(f"“{parent}”下的本地编码已用完（{LOCAL_FIRST}–{LOCAL_LAST}），请改用国家区划代码。")


def _code_changes(conn_or_session: Any) -> dict[str, str]:
    """Old code → current code, from 区划设置's history (recodes and merges), followed to the end."""
    from fupin_desktop.models.region import RegionChange

    t = RegionChange.__table__
    rows = conn_or_session.execute(
        select(t.c.old_code, t.c.new_code).where(t.c.new_code.is_not(None)).order_by(t.c.id)
    ).all()
    mapping = {old: new for old, new in rows if old and old != new}
    for old in list(mapping):
        seen = {old}
        target = mapping[old]
        while target in mapping and target not in seen:
            seen.add(target)
            target = mapping[target]
        mapping[old] = target
    return mapping


# ============================================================================ writes


def _as_user(session: Session, user: str | None) -> None:
    if user and not session.info.get("user"):
        session.info["user"] = user


def create_regions(session: Session, regions: Iterable[MissingRegion]) -> list[RegionEntry]:
    """Create the given regions (parents first) unless they exist; no commit. Returns the
    ones created."""
    existing = set(session.scalars(select(Region.code)).all())
    created: list[RegionEntry] = []
    for m in regions:
        if m.code in existing:
            continue
        level_of_code(m.code)  # validates
        session.add(Region(code=m.code, name=m.name, level=m.level, parent_code=m.parent_code or None))
        existing.add(m.code)
        created.append(RegionEntry(m.code, m.name, m.level, m.parent_code or None))
    if created:
        session.flush()
    return created


def find_county(text: str) -> RegionEntry:
    """One national county-level unit from a code or a name; UserError when none or several."""
    nat = national()
    query = normalize_text(text).replace(" ", "")
    if not query:
        raise UserError("请填写县（市、区）的名称或12位（或6位）行政区划代码。")
    if query.isdigit():
        code = query.ljust(12, "0") if len(query) in (6, 12) else ""
        if not nat.is_county(code):
            raise UserError(f"“{text}”不是县级行政区划代码，请填写6位或12位县级代码，如 522326。")
        return nat.get(code)  # type: ignore[return-value]
    found = _match_names(nat.counties(), query, lambda e: e.name)
    if not found:
        hint = nat.search_counties(query, limit=5)
        more = f"相近的有：{_candidates_text(hint)}。" if hint else ""
        raise UserError(f"找不到名为“{text}”的县（市、区）。{more}")
    if len(found) > 1:
        raise UserError(f"县名“{text}”有{len(found)}个同名：{_candidates_text(found)}。请改用行政区划代码。")
    return found[0]


def find_township(county_code: str, text: str) -> RegionEntry:
    nat = national()
    query = normalize_text(text).replace(" ", "")
    if query.isdigit():
        code = query.ljust(12, "0") if len(query) in (9, 12) else ""
        entry = nat.get(code) if code else None
        if entry is None or entry.level != LEVEL_TOWNSHIP or entry.parent_code != county_code:
            raise UserError(f"“{text}”不是{nat.full_name(county_code)}的乡（镇）代码（应为9位或12位）。")
        return entry
    found = nat.find_children(county_code, query)
    if not found:
        names = "、".join(e.name for e in nat.children(county_code)[:40])
        raise UserError(f"{nat.full_name(county_code)}没有名为“{text}”的乡（镇）。本县的乡（镇）有：{names}。")
    if len(found) > 1:
        raise UserError(f"乡（镇）名“{text}”有{len(found)}个：{_candidates_text(found)}。请改用代码。")
    return found[0]


def setup_county(session: Session, county: str, townships: Sequence[str] | None = None) -> list[RegionEntry]:
    """Create the county (with its province and prefecture), the chosen townships (all when
    None) and all their villages from the national list; no commit. Returns what was created."""
    nat = national()
    entry = find_county(county)
    towns = [find_township(entry.code, t) for t in townships] if townships else [
        e for e in nat.children(entry.code) if e.level == LEVEL_TOWNSHIP]
    wanted: list[RegionEntry] = list(nat.path(entry.code))
    for town in dict.fromkeys(towns):
        wanted.append(town)
        wanted.extend(nat.children(town.code))
    existing = {c: p for c, p in session.execute(select(Region.code, Region.parent_code)).all()}
    missing = []
    for e in wanted:
        parent = e.parent_code
        if parent is not None and parent not in existing:
            parent = _parent_of(e.code, existing)
        missing.append(MissingRegion(e.level, e.name, e.code, parent, True))
        existing.setdefault(e.code, parent)
    return create_regions(session, missing)


# ============================================================================ 区划设置


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    level: str
    parent_code: str | None
    households: int  # active households in the region and below
    valid: bool


def has_regions(session: Session) -> bool:
    return session.scalar(select(Region.id).limit(1)) is not None


def _household_counts(session: Session) -> dict[str, int]:
    from fupin_desktop.models.household import HOUSEHOLD_ACTIVE

    return dict(session.execute(
        select(Household.region_code, func.count()).where(Household.status == HOUSEHOLD_ACTIVE)
        .group_by(Household.region_code)
    ).all())


def list_regions(session: Session, *, include_retired: bool = False) -> list[RegionRow]:
    """Every region in code order with its active households (its own and below)."""
    regions = session.execute(
        select(Region.code, Region.name, Region.level, Region.parent_code, Region.valid).order_by(Region.code)
    ).all()
    direct = _household_counts(session)
    totals = dict.fromkeys((r.code for r in regions), 0)
    parents = {r.code: r.parent_code for r in regions}
    for code, n in direct.items():
        seen = set()
        while code is not None and code in totals and code not in seen:
            seen.add(code)
            totals[code] += n
            code = parents.get(code)
    return [RegionRow(r.code, r.name, r.level, r.parent_code, totals[r.code], bool(r.valid))
            for r in regions if include_retired or r.valid]


def known_code(session: Session, code: str | None) -> str | None:
    """``code`` as stored when it names a region of the database (UserError otherwise);
    None stays None (everywhere). What a ``--region`` option takes."""
    return _region(session, code).code if code else None


def _region(session: Session, code: str) -> Region:
    region = session.scalar(select(Region).where(Region.code == normalize_text(code)))
    if region is None:
        raise UserError(f"区划代码“{code}”不在本系统中。")
    return region


def _record(session: Session, kind: str, region: Region, *, effective: dt.date, old_code: str | None = None,
            new_code: str | None = None, old_name: str | None = None, new_name: str | None = None,
            households: int = 0, note: str | None = None) -> None:
    from fupin_desktop import audit
    from fupin_desktop.models.region import RegionChange

    session.add(RegionChange(
        region_id=region.id, code=region.code, kind=kind, effective_date=effective, old_code=old_code, new_code=new_code,
        old_name=old_name, new_name=new_name, households=households, note=note,
        recorded_by=audit.current_user(session), recorded_at=dt.datetime.now(),
    ))


def _child_level(level: str) -> str:
    i = LEVELS.index(level)
    if i + 1 >= len(LEVELS):
        raise UserError("村（社区）下不能再添加区划；村民小组请在户信息中填写“组”。")
    return LEVELS[i + 1]


def _check_sibling_name(session: Session, parent_code: str | None, name: str, *, except_code: str | None = None) -> None:
    key = normalise_place_name(name)
    siblings = session.execute(
        select(Region.code, Region.name).where(Region.parent_code == parent_code, Region.valid.is_(True))
    ).all()
    for code, other in siblings:
        if code != except_code and normalise_place_name(other) == key:
            raise UserError(f"同一上级下已有名为“{other}”的区划（{code}）。")


def add_region(session: Session, parent_code: str, name: str, *, code: str | None = None, user: str,
               effective: dt.date | None = None) -> RegionEntry:
    """Add a township or village under ``parent_code``; without ``code`` the national code
    when the national list knows the name there, else a 本地编码."""
    _as_user(session, user)
    parent = _region(session, parent_code)
    level = _child_level(parent.level)
    name = normalize_text(name)
    if not name:
        raise UserError("请填写区划名称。")
    if level == LEVEL_VILLAGE:
        name = short_village_name(name)
    _check_sibling_name(session, parent.code, name)
    if code:
        code = clean_code(code)
        if code is None:
            raise UserError("区划代码应为12位数字。")
        if level_of_code(code) != level or _parent_of(code, {parent.code}) != parent.code:
            raise UserError(f"代码“{code}”不是“{parent.name}”下的{LEVEL_LABELS[level]}代码。")
    else:
        found = national().find_children(parent.code, name) if level in (LEVEL_TOWNSHIP, LEVEL_VILLAGE) else []
        if len(found) == 1:
            code = found[0].code
        elif level in (LEVEL_TOWNSHIP, LEVEL_VILLAGE):
            prefix = parent.code[:9] if level == LEVEL_VILLAGE else parent.code[:6]
            used = session.scalars(select(Region.code).where(Region.code.startswith(prefix))).all()
            code = next_local_code(parent.code, used)
        else:
            raise UserError(f"添加{LEVEL_LABELS[level]}时请填写其12位行政区划代码。")
    if session.scalar(select(Region.id).where(Region.code == code)) is not None:
        raise UserError(f"区划代码“{code}”已被使用。")
    region = Region(code=code, name=name, level=level, parent_code=parent.code)
    session.add(region)
    session.flush()
    _record(session, "add", region, effective=effective or dt.date.today(), new_code=code, new_name=name)
    session.flush()
    return RegionEntry(code, name, level, parent.code)


def rename_region(session: Session, code: str, *, name: str | None = None, new_code: str | None = None,
                  effective: dt.date, user: str) -> None:
    """Change a region's name and/or code; its households, projects and assets follow the
    code (ON UPDATE CASCADE); the change and its date are kept in region_changes."""
    _as_user(session, user)
    region = _region(session, code)
    old_code, old_name = region.code, region.name
    new_name = normalize_text(name) if name is not None else None
    if new_name is not None and not new_name:
        raise UserError("新名称不能为空。")
    if new_name is not None and region.level == LEVEL_VILLAGE:
        new_name = short_village_name(new_name)
    if new_name == old_name:
        new_name = None
    target = None
    if new_code is not None:
        target = clean_code(new_code)
        if target is None:
            raise UserError("新的区划代码应为12位数字。")
        if target == old_code:
            target = None
    if new_name is None and target is None:
        raise UserError("名称和代码都没有改变。")
    if new_name is not None:
        _check_sibling_name(session, region.parent_code, new_name, except_code=old_code)
    if target is not None:
        if level_of_code(target) != region.level:
            raise UserError(f"新代码“{target}”不是{LEVEL_LABELS[region.level]}代码。")
        if region.parent_code and _parent_of(target, {region.parent_code}) != region.parent_code:
            raise UserError(f"新代码“{target}”不在上级区划“{region.parent_code}”之下（改代码不能改上级）。")
        if session.scalar(select(Region.id).where(Region.code == target)) is not None:
            raise UserError(f"区划代码“{target}”已被使用。")
        if session.scalar(select(Region.id).where(Region.parent_code == old_code).limit(1)) is not None:
            raise UserError(f"“{old_name}”下还有区划，不能改代码；请先调整其下的村。")
    session.flush()
    if new_name is not None:
        region.name = new_name
    if target is not None:
        region.code = target
    session.flush()
    _record(session, "rename" if target is None else "recode", region, effective=effective,
            old_code=old_code, new_code=target, old_name=old_name if new_name else None, new_name=new_name)
    session.flush()
    if target is not None:
        session.expire_all()  # rows that followed the code through ON UPDATE CASCADE


def _in_use(session: Session, code: str) -> list[str]:
    from fupin_desktop.models import Asset, Project

    uses = []
    n = session.scalar(select(func.count()).select_from(Household).where(Household.region_code == code))
    if n:
        uses.append(f"{n} 户")
    n = session.scalar(select(func.count()).select_from(Project).where(Project.region_code == code))
    if n:
        uses.append(f"{n} 个项目")
    n = session.scalar(select(func.count()).select_from(Asset).where(Asset.region_code == code))
    if n:
        uses.append(f"{n} 项资产")
    n = session.scalar(select(func.count()).select_from(Region).where(Region.parent_code == code,
                                                                       Region.valid.is_(True)))
    if n:
        uses.append(f"{n} 个下级区划")
    return uses


def retire_region(session: Session, code: str, *, effective: dt.date, user: str) -> None:
    """Mark a region 已撤销 (valid=False); refused while households, projects, assets or
    regions below still use it. Regions are never deleted."""
    _as_user(session, user)
    region = _region(session, code)
    if not region.valid:
        raise UserError(f"“{region.name}”已经撤销。")
    uses = _in_use(session, region.code)
    if uses:
        raise UserError(f"“{region.name}”还在使用中（{'、'.join(uses)}），不能撤销；请先把它们调整到其他区划，"
                        "或用“合并”把本村并入其他村。")
    region.valid = False
    _record(session, "retire", region, effective=effective)
    session.flush()


def merge_region(session: Session, source_code: str, target_code: str, *, effective: dt.date,
                 reported_month: str, user: str) -> int:
    """合村并组: move every household of ``source`` to ``target`` (one 信息变更 event each,
    reported in ``reported_month``), then retire ``source``. Returns the households moved."""
    from fupin_desktop.services import registry

    _as_user(session, user)
    source = _region(session, source_code)
    target = _region(session, target_code)
    if source.code == target.code:
        raise UserError("不能把区划并入它自己。")
    if source.level != target.level:
        raise UserError(f"“{source.name}”和“{target.name}”不是同一级区划，不能合并。")
    if not target.valid:
        raise UserError(f"“{target.name}”已撤销，不能并入。")
    if not source.valid:
        raise UserError(f"“{source.name}”已撤销。")
    if session.scalar(select(Region.id).where(Region.parent_code == source.code, Region.valid.is_(True))
                      .limit(1)) is not None:
        raise UserError(f"“{source.name}”下还有区划，请先合并其下的村。")
    month = registry._check_month(reported_month)
    note = f"合村并组：{source.name}（{source.code}）并入{target.name}（{target.code}）"
    households = session.scalars(select(Household).where(Household.region_code == source.code)
                                 .order_by(Household.id)).all()
    for hh in households:
        hh.region_code = target.code
        registry._event(session, hh.id, registry.EV_INFO, effective=effective, month=month, note=note,
                        details={"region_code": [source.code, target.code]})
    session.flush()
    source.valid = False
    _record(session, "merge", source, effective=effective, old_code=source.code, new_code=target.code,
            households=len(households), note=note)
    session.flush()
    return len(households)


def region_history(session: Session, code: str | None = None) -> list[dict[str, Any]]:
    """区划变更记录, newest first (all, or those of ``code`` as old or new code)."""
    from fupin_desktop.models.region import RegionChange

    q = select(RegionChange).order_by(RegionChange.id.desc())
    if code:
        q = q.where((RegionChange.code == code) | (RegionChange.old_code == code) | (RegionChange.new_code == code))
    return [
        {"kind": c.kind, "code": c.code, "effective": c.effective_date.isoformat(), "old_code": c.old_code,
         "new_code": c.new_code, "old_name": c.old_name, "new_name": c.new_name, "households": c.households,
         "note": c.note, "user": c.recorded_by, "at": c.recorded_at.isoformat(timespec="seconds")}
        for c in session.scalars(q)
    ]



# ============================================================================ 村民小组 (组)
#
# A household's 组 is text (households.group_name), as county files and the import give it;
# the import needs no 组 of record and never refuses one. village_groups keeps the 组 a
# village has so that one added here before any household names it is listed, and a retired
# one stays on record. The 组 of a village are the union of its village_groups rows and the
# names its households carry.

GROUP_KIND = {"add": "grp_add", "rename": "grp_rename", "merge": "grp_merge", "retire": "grp_retire"}


@dataclass(frozen=True)
class GroupRow:
    name: str
    households: int  # active households naming this 组
    people: int  # their members on record (households.member_count)
    valid: bool  # False: retired in 区划设置


def _village(session: Session, code: str) -> Region:
    region = _region(session, code)
    if region.level != LEVEL_VILLAGE:
        raise UserError(f"“{region.name}”不是村（社区）；村民小组设在村下。")
    if not region.valid:
        raise UserError(f"“{region.name}”已撤销，不能再调整它的村民小组。")
    return region


def _group_name(name: str | None) -> str:
    text = normalize_text(name).replace(" ", "")
    if not text:
        raise UserError("请填写村民小组的名称，如“三组”。")
    if len(text) > 40:
        raise UserError(f"村民小组名称“{text}”太长（最多40个字）。")
    return text


def _group_records(session: Session, village_code: str) -> dict[str, Any]:
    from fupin_desktop.models import VillageGroup

    rows = session.scalars(select(VillageGroup).where(VillageGroup.village_code == village_code)).all()
    return {g.name: g for g in rows}


def list_groups(session: Session, village_code: str, *, include_retired: bool = False) -> list[GroupRow]:
    """The 组 of a village in number order (一组, 二组 … 十一组; see rules.text.group_sort_key)
    with their active households and people; a 组 kept with no households is listed with 0."""
    from fupin_desktop.models.household import HOUSEHOLD_ACTIVE
    from fupin_desktop.rules.text import group_sort_key

    code = normalize_text(village_code)
    counts = {
        name: (n, int(p or 0)) for name, n, p in session.execute(
            select(Household.group_name, func.count(), func.sum(Household.member_count))
            .where(Household.region_code == code, Household.status == HOUSEHOLD_ACTIVE,
                   Household.group_name.is_not(None), Household.group_name != "")
            .group_by(Household.group_name)
        )
    }
    stored = {name: g.valid for name, g in _group_records(session, code).items()}
    out = []
    for name in set(counts) | set(stored):
        valid = stored.get(name, True) or name in counts  # named by households: in use
        if valid or include_retired:
            n, people = counts.get(name, (0, 0))
            out.append(GroupRow(name, n, people, valid))
    return sorted(out, key=lambda g: group_sort_key(g.name))


def _group_households(session: Session, village_code: str, name: str) -> list[Household]:
    """Every household of the village naming the 组 (closed ones too: their record follows)."""
    return list(session.scalars(select(Household).where(Household.region_code == village_code,
                                                        Household.group_name == name)
                                .order_by(Household.id)))


def _require_group(session: Session, village: Region, name: str) -> str:
    name = _group_name(name)
    if not any(g.name == name and g.valid for g in list_groups(session, village.code)):
        raise UserError(f"{village.name}没有名为“{name}”的村民小组。")
    return name


def add_group(session: Session, village_code: str, name: str, *, effective: dt.date, user: str) -> GroupRow:
    """Add a 组 to a village; it is kept (and listed) before any household is in it."""
    from fupin_desktop.models import VillageGroup

    _as_user(session, user)
    village = _village(session, village_code)
    name = _group_name(name)
    if any(g.name == name for g in list_groups(session, village.code)):
        raise UserError(f"{village.name}已有“{name}”。")
    record = _group_records(session, village.code).get(name)
    if record is not None:  # a retired 组 of that name comes back
        record.valid = True
    else:
        session.add(VillageGroup(village_code=village.code, name=name))
    _record(session, GROUP_KIND["add"], village, effective=effective, new_name=name,
            note=f"{village.name}添加村民小组“{name}”")
    session.flush()
    return GroupRow(name, 0, 0, True)


def _move_group(session: Session, village: Region, source: str, target: str, *, kind: str, effective: dt.date,
                reported_month: str, note: str) -> int:
    """Households of ``source`` → ``target`` (one 信息变更 each), the records renamed or
    retired, and the change with its date in region_changes. Returns the households moved."""
    from fupin_desktop.models import VillageGroup
    from fupin_desktop.services import registry

    month = registry._check_month(reported_month)
    households = _group_households(session, village.code, source)
    for hh in households:
        hh.group_name = target
        registry._event(session, hh.id, registry.EV_INFO, effective=effective, month=month, note=note,
                        details={"村民小组": [source, target]})
    records = _group_records(session, village.code)
    old = records.get(source)
    if kind == "rename" and old is not None and target not in records:
        old.name = target
    else:
        if target in records:
            records[target].valid = True
        else:
            session.add(VillageGroup(village_code=village.code, name=target))
        if old is not None:
            old.valid = False
        elif kind == "merge":  # on record as retired
            session.add(VillageGroup(village_code=village.code, name=source, valid=False))
    _record(session, GROUP_KIND[kind], village, effective=effective, old_name=source, new_name=target,
            households=len(households), note=note)
    session.flush()
    return len(households)


def rename_group(session: Session, village_code: str, name: str, new_name: str, *, effective: dt.date,
                 reported_month: str, user: str) -> int:
    """Rename a 组: its households follow, each with a 信息变更 event reported in
    ``reported_month``; the rename and its date are kept. Returns the households changed."""
    _as_user(session, user)
    village = _village(session, village_code)
    name = _require_group(session, village, name)
    new_name = _group_name(new_name)
    if new_name == name:
        raise UserError("新名称和原名称相同。")
    if any(g.name == new_name for g in list_groups(session, village.code)):
        raise UserError(f"{village.name}已有“{new_name}”；要把两个组合成一个，请用“合并”。")
    return _move_group(session, village, name, new_name, kind="rename", effective=effective,
                       reported_month=reported_month,
                       note=f"村民小组改名：{village.name}“{name}”改为“{new_name}”")


def merge_group(session: Session, village_code: str, source: str, target: str, *, effective: dt.date,
                reported_month: str, user: str) -> int:
    """合组: the households of ``source`` move to ``target`` (one 信息变更 each), then
    ``source`` is retired. Returns the households moved."""
    _as_user(session, user)
    village = _village(session, village_code)
    source = _require_group(session, village, source)
    target = _require_group(session, village, target)
    if source == target:
        raise UserError("不能把村民小组并入它自己。")
    return _move_group(session, village, source, target, kind="merge", effective=effective,
                       reported_month=reported_month,
                       note=f"合组：{village.name}“{source}”并入“{target}”")


def retire_group(session: Session, village_code: str, name: str, *, effective: dt.date, user: str) -> None:
    """Retire a 组 no active household names (kept on record, listed as 已撤销)."""
    from fupin_desktop.models import VillageGroup

    _as_user(session, user)
    village = _village(session, village_code)
    name = _require_group(session, village, name)
    row = next(g for g in list_groups(session, village.code) if g.name == name)
    if row.households:
        raise UserError(f"“{name}”还有 {row.households} 户，不能撤销；请先用“合并”把这些户并入其他组。")
    record = _group_records(session, village.code).get(name)
    if record is None:
        session.add(VillageGroup(village_code=village.code, name=name, valid=False))
    else:
        record.valid = False
    _record(session, GROUP_KIND["retire"], village, effective=effective, old_name=name,
            note=f"{village.name}撤销村民小组“{name}”")
    session.flush()
