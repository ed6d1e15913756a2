"""Code lists: loading, eras, normalisation, labels."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from fupin_desktop.codes import (
    CodeError,
    code_list,
    era_for_year,
    label_of,
    list_names,
    reset_cache,
)
from fupin_desktop.paths import resource_path

EXPECTED_LISTS = {
    "sex", "ethnicity", "relation", "political_status", "education", "school_status",
    "out_of_school_reason", "health", "disability_type", "disability_grade", "labour_skill",
    "work_status", "id_type", "member_status", "identification_standard", "poverty_attribute",
    "poverty_cause", "exit_status", "household_type", "monitoring_category", "risk_type",
    "measure_category", "elimination_mode", "danger_level", "house_structure",
    "access_road_type", "main_fuel", "water_source", "helper_unit_level", "team_role",
    "change_type", "change_direction", "change_reason", "project_category", "project_status",
    "construction_nature", "fund_level", "fund_source", "asset_category", "asset_subtype",
    "ownership_level", "operation_mode", "asset_status", "disposal_trigger", "disposal_method",
    "disposal_status", "recipient_type", "handbook_section", "handbook_category", "region_level",
}  # fmt: skip


@pytest.fixture(autouse=True)
def _fresh_cache():
    reset_cache()
    yield
    reset_cache()


def test_all_expected_lists_exist():
    assert EXPECTED_LISTS <= set(list_names())


def test_every_list_has_a_title_and_the_standard_header():
    folder = resource_path("codes")
    with (folder / "_index.csv").open(encoding="utf-8") as fh:
        indexed = {row["name"] for row in csv.DictReader(fh)}
    assert EXPECTED_LISTS <= indexed
    assert indexed <= set(list_names())
    for name in list_names():
        with (folder / f"{name}.csv").open(encoding="utf-8") as fh:
            assert next(csv.reader(fh)) == ["code", "label", "aliases", "era", "parent"], name


@pytest.mark.parametrize("era", [None, "2014", "2021"])
def test_every_list_loads_unambiguously_in_every_era(era):
    # CodeList raises ValueError when a label/alias names two codes.
    for name in list_names():
        cl = code_list(name, era)
        assert len(cl) > 0, name
        assert len(set(cl.codes())) == len(cl.codes()), name
        for code, label in cl.entries():
            assert cl.normalize(label) == code, (name, label)
            assert cl.normalize(code) == code, (name, code)
            entry = cl.get(code)
            for alias in entry.aliases:
                assert cl.normalize(alias) == code, (name, alias)


def test_ambiguous_alias_is_rejected(tmp_path):
    (tmp_path / "demo.csv").write_text(
        "code,label,aliases,era,parent\n01,甲,共同,,\n02,乙,共同,,\n", encoding="utf-8"
    )
    reset_cache(tmp_path)
    with pytest.raises(ValueError, match="共同"):
        code_list("demo")


def test_unknown_list_name_is_a_key_error():
    with pytest.raises(KeyError):
        code_list("no_such_list")
    with pytest.raises(KeyError):
        code_list("../pyproject")


def test_lists_are_cached():
    assert code_list("sex") is code_list("sex")
    assert code_list("relation", 2019) is code_list("relation", "2014")


def test_reset_cache_reads_another_folder(tmp_path):
    (tmp_path / "risk_type.csv").write_text(
        "code,label,aliases,era,parent\n01,因病,,,\n31,因疫情,疫情,,\n", encoding="utf-8"
    )
    reset_cache(tmp_path)
    assert code_list("risk_type").normalize("疫情") == "31"
    reset_cache()
    with pytest.raises(CodeError):
        code_list("risk_type").normalize("疫情")


def test_era_for_year():
    assert era_for_year(2014) == "2014"
    assert era_for_year(2020) == "2014"
    assert era_for_year(2021) == "2021"
    with pytest.raises(ValueError):
        code_list("sex", "2017x")


# --------------------------------------------------------------------------- normalize


@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        ("sex", "男", "1"),
        ("sex", 2, "2"),
        ("sex", "02", "2"),
        ("sex", "女性", "2"),
        ("relation", "本人或户主", "01"),
        ("relation", "本人", "01"),
        ("relation", 1, "01"),
        ("relation", "1.0", "01"),
        ("relation", 1.0, "01"),
        ("relation", Decimal("2"), "02"),
        ("relation", "99", "99"),
        ("ethnicity", "苗", "06"),
        ("ethnicity", "苗族", "06"),
        ("ethnicity", "　苗族 ", "06"),
        ("ethnicity", "０６", "06"),
        ("ethnicity", 6, "06"),
        ("ethnicity", "外国血统", "98"),
        ("ethnicity", "其他", "97"),
        ("work_status", "乡(镇)内务工", "01"),
        ("work_status", "乡（镇）外县内务工", "02"),
        ("poverty_cause", "因病致贫", "01"),
        ("poverty_cause", "缺劳动力", "08"),
        ("poverty_cause", "缺劳力", "08"),
        ("poverty_cause", "其它", "99"),
        ("poverty_cause", 9, "09"),
        ("exit_status", "已脱贫(享受政策)", "1"),
        ("exit_status", 0, "0"),
        ("exit_status", "预脱贫", "2"),
        ("household_type", "普通农户", "02"),
        ("monitoring_category", "边缘易致贫", "02"),
        ("monitoring_category", "突发严重困难", "03"),
        ("monitoring_category", "脱贫不稳定", "01"),
        ("risk_type", "因灾", "04"),
        ("danger_level", "c", "C"),
        ("danger_level", "D级", "D"),
        ("danger_level", "否", "0"),
        ("helper_unit_level", "县直", "50"),
        ("helper_unit_level", 60, "60"),
        ("labour_skill", "半劳动力", "03"),
        ("id_type", "居民身份证(户口簿)", "01"),
        ("region_level", "乡镇", "township"),
        ("fund_level", "自有资金", "05"),
    ],
)
def test_normalize_accepts_codes_labels_aliases(name, value, code):
    assert code_list(name).normalize(value) == code


@pytest.mark.parametrize("blank", [None, "", "   ", "\u3000", float("nan")])
def test_normalize_blank_is_none(blank):
    assert code_list("relation").normalize(blank) is None


def test_normalize_unknown_names_allowed_values():
    with pytest.raises(CodeError) as err:
        code_list("relation").normalize("邻居")
    text = str(err.value)
    assert "与户主关系" in text and "邻居" in text and "户主" in text and "配偶" in text


def test_normalize_unknown_number_is_rejected():
    with pytest.raises(CodeError):
        code_list("relation").normalize(55)
    with pytest.raises(CodeError):
        code_list("sex").normalize("1.5")


# --------------------------------------------------------------------------- eras


def test_relation_2021_additions_only_in_2021():
    assert "21" in code_list("relation", "2021")
    assert code_list("relation", "2021").label("21") == "之兄弟姐妹"
    assert "21" not in code_list("relation", "2014")
    assert "21" in code_list("relation")
    with pytest.raises(CodeError):
        code_list("relation", "2014").normalize("之侄儿")


def test_relation_k17_scheme():
    cl = code_list("relation")
    assert cl.label("01") == "户主"
    assert cl.label("02") == "配偶"
    assert cl.label("20") == "之外祖母"
    assert cl.label("99") == "其他"
    assert [c for c in cl.codes() if c <= "20"] == [f"{i:02d}" for i in range(1, 21)]


def test_union_prefers_2021_label_and_keeps_old_as_alias():
    assert code_list("poverty_attribute", "2014").label("03") == "五保户"
    assert code_list("poverty_attribute", "2021").label("03") == "特困供养贫困户"
    union = code_list("poverty_attribute")
    assert union.label("03") == "特困供养贫困户"
    assert union.normalize("五保户") == "03"
    assert code_list("school_status").label("08") == "普通高中一年级"
    assert code_list("school_status", "2014").label("08") == "高中一年级"


def test_education_eras_differ():
    e14, e21 = code_list("education", "2014"), code_list("education", "2021")
    assert "大专及以上" in dict(e14.entries()).values()
    assert "本科及以上" not in dict(e14.entries()).values()
    assert "本科及以上" in dict(e21.entries()).values()
    assert "学龄前儿童" not in dict(e21.entries()).values()


def test_school_status_eras_differ():
    s14, s21 = code_list("school_status", "2014"), code_list("school_status", "2021")
    assert "01" in s14 and "01" not in s21  # 非在校生
    assert "27" in s21 and "27" not in s14  # 硕士研究生及以上


def test_household_type_unpoor_only_2014():
    assert "03" in code_list("household_type", "2014")
    assert "03" not in code_list("household_type", "2021")


def test_project_category_two_levels_and_eras():
    cl = code_list("project_category")
    tops = {e.code for e in cl.children(None)}
    for entry in cl:
        if entry.parent:
            assert entry.parent in tops
            assert entry.code.startswith(entry.parent)
    c21 = code_list("project_category", "2021")
    assert {e.label for e in c21.children(None)} >= {"产业发展", "就业项目", "乡村建设行动"}
    assert "01" not in c21
    assert "21" not in code_list("project_category", "2014")
    assert "90" in c21 and "90" in code_list("project_category", "2014")


def test_change_reason_direction():
    reasons = code_list("change_reason")
    directions = code_list("change_direction")
    for entry in reasons:
        assert entry.parent in directions
    assert reasons.get(reasons.normalize("死亡")).parent == "decrease"
    assert reasons.get(reasons.normalize("出生")).parent == "increase"
    assert {e.label for e in reasons.children("increase")} == {"出生", "婚入", "迁入", "其他增加"}


def test_asset_subtype_parents_are_categories():
    cats = code_list("asset_category")
    for entry in code_list("asset_subtype"):
        assert entry.parent in cats
        assert entry.code.startswith(entry.parent)


def test_ethnicity_is_gb3304():
    cl = code_list("ethnicity")
    assert cl.label("01") == "汉族"
    assert cl.label("56") == "基诺族"
    assert cl.label("97") == "其他"
    assert len([c for c in cl.codes() if int(c) <= 56]) == 56


def test_fixed_list_contents():
    assert dict(code_list("sex").entries()) == {"1": "男", "2": "女", "9": "未说明"}
    assert len(code_list("measure_category")) == 14
    assert [label for _, label in code_list("disposal_method").entries()] == [
        "拍卖", "转让", "转产", "报停", "报损", "报废",
    ]
    assert [label for _, label in code_list("change_type").entries()] == [
        "新识别", "新纳入监测", "自然增加", "自然减少", "自然销户", "中途增加", "中途减少",
        "脱贫", "返贫", "风险消除", "分户", "并户", "信息变更",
    ]  # fmt: skip
    assert "退回" in dict(code_list("project_status").entries()).values()
    assert "出库" in dict(code_list("project_status").entries()).values()
    assert code_list("access_road_type").label("03") == "水泥路"
    assert code_list("main_fuel").label("03") == "煤炭"
    assert code_list("poverty_cause").label("09") == "缺资金"


# --------------------------------------------------------------------------- labels


def test_label_and_label_of():
    assert code_list("ethnicity").label("06") == "苗族"
    assert code_list("ethnicity").label(None) == ""
    with pytest.raises(CodeError):
        code_list("ethnicity").label("77")
    assert code_list("ethnicity").label("77", default="?") == "?"
    assert label_of("ethnicity", "06") == "苗族"
    assert label_of("ethnicity", None) == ""
    assert label_of("ethnicity", "77") == "77"  # lenient for display
    assert label_of("poverty_attribute", "03", era="2014") == "五保户"


def test_entries_keep_display_order():
    assert code_list("relation").entries()[0] == ("01", "户主")
    assert code_list("relation").entries()[-1] == ("99", "其他")
