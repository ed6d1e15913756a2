"""The national-style member export (DOMAIN §3–§4): one row per member, the household's
columns repeated (or merged) on each of its members' rows.

:data:`HOUSEHOLD_SCHEMA` lists the columns in export order with the header spellings
counties use; import (services.household_import) recognises a file by these headers and
export (services.household_export) writes exactly these columns, so an export imports back
unchanged. Field keys are model attribute names except where a household and a member
attribute share a name (``household_phone`` → ``Household.phone``) and for the region
names, which the importer resolves to ``Household.region_code``.
"""

from __future__ import annotations

from fupin_desktop.sheets.schema import Field, Schema

__all__ = [
    "HOUSEHOLD_ATTR",
    "HOUSEHOLD_KEYS",
    "HOUSEHOLD_SCHEMA",
    "MEMBER_KEYS",
    "REGION_KEYS",
]

H, M, R = "household", "member", "region"


def _f(key, label, kind="text", *aliases, group=M, **kw) -> Field:
    return Field(key=key, label=label, kind=kind, aliases=tuple(aliases), group=group, **kw)


def _code(key, label, list_name, *aliases, group=M) -> Field:
    return Field(key=key, label=label, kind="code", aliases=tuple(aliases), code_list=list_name, group=group)


def _yes(key, label, *aliases, group=M) -> Field:
    return Field(key=key, label=label, kind="bool", aliases=tuple(aliases), group=group)


HOUSEHOLD_SCHEMA = Schema(
    "households",
    [
        _f("county_name", "县", "text", "县(市、区)", "县（市、区）", "县区", "所在县", "县名称", group=R),
        _f("township_name", "乡（镇）", "text", "乡镇", "乡", "镇", "乡(镇、街道)", "所在乡", "所在乡镇",
           "乡镇名称", "乡(镇)名称", group=R),
        _f("village_name", "村", "text", "行政村", "村名称", "所在村", "村(社区)", "村（社区）", group=R),
        _f("region_code", "行政区划代码", "digits", "区划代码", "村代码", "村级区划代码", "统计用区划代码",
           group=H, max_length=12),
        _f("group_name", "组", "text", "村民小组", "所在组", "组名", "小组", group=H, max_length=40),
        _f("natural_village", "自然村", "text", "自然村（寨）", group=H, max_length=40),
        _f("household_no", "户编号", "digits", "户编码", "户号", "家庭编号", group=H, max_length=30),
        _f("head_name", "户主姓名", "text", "户主", group=H, export_only=True),
        _f("head_id_number", "户主证件号码", "id", "户主身份证号码", "户主身份证号", "户主证件号", group=H,
           max_length=20),
        _f("member_count", "家庭人口数", "int", "家庭人口", "家庭人数", "人口数", "当前家庭人口数", group=H,
           export_only=True),
        _f("person_no", "人编号", "digits", "人口编号", "成员编号", "人员编号", max_length=30),
        _f("name", "姓名", "text", "成员姓名", "家庭成员姓名", "人员姓名", required=True, max_length=40),
        _code("id_type", "证件类型", "id_type"),
        _f("id_number", "证件号码", "id", "身份证号码", "身份证号", "公民身份号码", "公民身份证号码",
           "证件号码(身份证号码)", "公民身份号码或残疾号码", "成员证件号码", "身份证件号码",
           required=True, max_length=20),
        _code("sex", "性别", "sex"),
        _f("birth_date", "出生日期", "date", "出生年月日", "出生年月"),
        _code("ethnicity", "民族", "ethnicity"),
        Field(key="relation", label="与户主关系", kind="code", code_list="relation", required=True, group=M,
              aliases=("与户主的关系", "家庭关系", "关系")),
        _code("political_status", "政治面貌", "political_status"),
        _code("education", "文化程度", "education", "学历"),
        _code("school_status", "在校生状况", "school_status", "在校生情况", "在校情况"),
        _code("out_of_school_reason", "义务教育阶段未上学原因", "out_of_school_reason",
              "失学或辍学原因", "未上学原因", "失辍学原因"),
        _code("health", "健康状况", "health"),
        _code("disability_type", "残疾类别", "disability_type", "残疾类型"),
        _code("disability_grade", "残疾等级", "disability_grade", "残疾级别"),
        _f("disability_cert_year", "残疾证办证年度", "year", "残疾证办证年份"),
        _code("labour_skill", "劳动技能", "labour_skill", "劳动能力"),
        _code("work_status", "务工状况", "work_status", "务工情况"),
        _f("work_place", "务工所在地", "text", "务工地点", "务工地址", max_length=100),
        _f("employer", "务工企业名称", "text", "务工单位", "务工企业", max_length=100),
        _f("work_months", "务工时间（月）", "int", "务工时间", "务工月数", "务工时间(月数)", "务工时长（月）",
           min_value=0, max_value=12),
        _yes("works_abroad", "是否国外务工", "国外务工"),
        _f("industry", "所属行业", "text", "行业", max_length=60),
        _f("public_welfare_months", "公益性岗位（月数）", "int", "公益性岗位月数", "公益岗月数",
           min_value=0, max_value=12),
        _yes("is_active_soldier", "是否现役军人", "现役军人"),
        _yes("has_resident_medical", "是否参加城乡居民基本医疗保险", "城乡居民基本医疗保险",
             "是否参加新农合", "新农合", "是否参加新型农村合作医疗", "是否参加城乡居民医保", "城乡居民医保"),
        _yes("has_employee_medical", "是否参加城镇职工基本医疗保险", "城镇职工基本医疗保险",
             "是否参加职工医保", "职工医保"),
        _yes("has_critical_illness_ins", "是否参加大病保险", "大病保险"),
        _yes("has_commercial_supplement", "是否参加商业补充医疗保险", "商业补充医疗保险"),
        _yes("has_medical_aid", "是否接受医疗救助", "医疗救助"),
        _yes("has_critical_medical_aid", "是否接受大病医疗救助", "大病医疗救助"),
        _yes("has_other_health_aid", "是否接受其他健康扶贫", "其他健康扶贫"),
        _yes("has_resident_pension", "是否参加城乡居民基本养老保险", "城乡居民基本养老保险",
             "是否参加新农保", "新农保", "是否参加城乡居民养老保险"),
        _yes("has_employee_pension", "是否参加城镇职工基本养老保险", "城镇职工基本养老保险"),
        _yes("accident_ins_subsidy", "是否享受人身意外保险补贴", "人身意外保险补贴"),
        _yes("is_dibao", "是否享受农村居民最低生活保障", "是否享受最低生活保障", "是否享受低保", "是否低保",
             "低保", "是否享受农村最低生活保障"),
        _yes("is_tekun", "是否特困供养人员", "是否特困供养", "特困供养", "是否五保", "是否特困人员"),
        _yes("speaks_mandarin", "是否会讲普通话", "会讲普通话"),
        _yes("de_facto_orphan", "是否事实无人抚养儿童", "事实无人抚养儿童"),
        _f("phone", "联系电话", "digits", "成员联系电话", "家庭成员联系电话", "本人联系电话", "手机号码",
           max_length=20),
        _code("household_type", "户类型", "household_type", "农户类型", group=H),
        _code("monitoring_category", "监测对象类别", "monitoring_category", "监测类别", "监测对象类型",
              group=H),
        _code("poverty_attribute", "贫困户属性", "poverty_attribute", group=H),
        _code("main_cause", "主要致贫原因", "poverty_cause", "致贫原因", group=H),
        _code("exit_status", "脱贫属性", "exit_status", "脱贫状态", group=H),
        _f("exit_year", "脱贫年度", "year", "脱贫年份", "脱贫时间", group=H),
        _f("identified_year", "识别年度", "year", "新识别年度", "识别年份", "识别时间", group=H),
        _f("household_phone", "户联系电话", "digits", "户主联系电话", "家庭联系电话", "联系方式", group=H,
           max_length=20),
        _f("bank_name", "开户银行", "text", "开户行", "开户银行名称", group=H, max_length=60),
        _f("bank_account", "银行账号", "digits", "银行卡号", "银行帐号", "开户账号", "一卡通账号", group=H,
           max_length=30),
        _f("address", "家庭住址", "text", "住址", "家庭地址", group=H, max_length=200),
        _yes("is_military_martyr_family", "是否军烈属", "军烈属", group=H),
        _yes("whole_household_no_labour", "整户无劳动能力", "是否整户无劳动能力",
             "整户无劳动能力兜底保障户", group=H),
    ],
)

REGION_KEYS = tuple(f.key for f in HOUSEHOLD_SCHEMA if f.group == R)
HOUSEHOLD_KEYS = tuple(
    f.key for f in HOUSEHOLD_SCHEMA if f.group == H and not f.export_only and f.key != "head_id_number"
)
MEMBER_KEYS = tuple(f.key for f in HOUSEHOLD_SCHEMA if f.group == M)
# Schema key → Household attribute where they differ.
HOUSEHOLD_ATTR = {"household_phone": "phone"}
