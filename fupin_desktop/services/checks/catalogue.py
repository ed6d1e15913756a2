"""The one catalogue of 核查 checks: code, Chinese title, severity, fields read, rule.

Checks named ``member.*``, ``household.*`` and ``code.*`` are the rules of
:mod:`fupin_desktop.rules.validation` (the ones the household editor and the import run):
the engine runs that validator over the bulk-fetched columns, and a finding's check is the
validator rule it came from (:func:`check_of_rule`). The other checks are set-based rules
over several tables that no single-household validation can see.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "错误"
WARNING = "提醒"

# Days a 三保障 problem may stay open before 核查 flags it.
GUARANTEE_OPEN_DAYS = 90


@dataclass(frozen=True)
class Check:
    code: str
    title: str
    severity: str  # 错误 | 提醒
    fields: tuple[str, ...]  # Chinese names of the fields the check reads
    rule: str  # what the check requires, in Chinese


def _c(code: str, title: str, severity: str, fields: str, rule: str) -> Check:
    return Check(code, title, severity, tuple(fields.split("、")), rule)


# Validator rules whose id carries an attribute name: one check each.
_PARAMETRISED = {
    "code.": {".invalid": "code.invalid", ".other_era": "code.other_era"},
    "member.": {"_id_mismatch": "member.disability_id_mismatch", "_range": "member.months_range",
                "_blank": "member.bool_blank"},
    "household.": {"_blank": "household.conditions_blank"},
}

FIELD_CHECKS: tuple[Check, ...] = (
    # DOMAIN §4.4 rule 1, §1.1–1.2: identity
    _c("member.id_required", "证件号码未填写", ERROR, "证件号码", "每名成员都要填写18位身份证号或20位残疾人证号。"),
    _c("member.id_invalid", "证件号码错误", ERROR, "证件号码",
       "证件号码的位数、出生日期和校验位须符合 GB 11643（残疾人证号为身份证号加类别、等级两位）。"),
    _c("member.id_type_mismatch", "证件类型与号码不符", WARNING, "证件类型、证件号码",
       "20位号码应选“残疾人证”，18位号码应选居民身份证。"),
    _c("member.disability_id_mismatch", "残疾类别/等级与残疾人证号不符", ERROR,
       "残疾类别、残疾等级、证件号码", "残疾人证号第19、20位是残疾类别和等级，应与填写的一致。"),
    _c("member.sex_required", "性别未填写", ERROR, "性别", "性别必填。"),
    _c("member.sex_id_mismatch", "性别与证件号码不符", ERROR, "性别、证件号码", "身份证号第17位奇数为男、偶数为女。"),
    _c("member.birth_required", "出生日期未填写", ERROR, "出生日期", "出生日期必填。"),
    _c("member.birth_id_mismatch", "出生日期与证件号码不符", ERROR, "出生日期、证件号码",
       "出生日期应与身份证号第7–14位一致。"),
    _c("household.duplicate_id", "户内证件号码重复", ERROR, "证件号码", "同一证件号码在户内只能登记一人。"),
    # rule 2, §4.1
    _c("household.no_head", "没有户主", ERROR, "与户主关系", "每户在户成员中必须有一名户主。"),
    _c("household.two_heads", "有两名以上户主", ERROR, "与户主关系", "每户只能有一名户主。"),
    _c("household.two_spouses", "有两名以上配偶", ERROR, "与户主关系", "每户最多一名配偶。"),
    _c("household.spouse_same_sex", "配偶与户主性别相同", ERROR, "性别、与户主关系、证件号码",
       "配偶的性别应与户主不同（按性别或证件号码）。"),
    _c("member.relation_required", "与户主关系未填写", ERROR, "与户主关系", "与户主关系必填。"),
    # rule 3
    _c("code.invalid", "代码不在代码表中", ERROR, "证件类型、性别、民族、与户主关系、文化程度、在校生状况、"
       "未上学原因、健康状况、残疾类别、残疾等级、劳动技能、务工状况、在户状态、户类型、监测对象类别、主要致贫原因",
       "代码项的值必须是代码表中的选项。"),
    _c("code.other_era", "代码属于另一时期口径", WARNING, "文化程度、在校生状况等代码项",
       "2021年以后的记录应按2021年以后的代码表填写，反之亦然。"),
    _c("member.name_required", "姓名未填写", ERROR, "姓名", "姓名按身份证或户口簿填写。"),
    _c("member.ethnicity_required", "民族未填写", ERROR, "民族", "民族必填。"),
    _c("member.health_required", "健康状况未填写", ERROR, "健康状况", "健康状况不能为空。"),
    _c("member.labour_skill_required", "劳动技能未填写", ERROR, "劳动技能", "劳动技能必填。"),
    _c("member.disability_type_missing", "残疾人未填残疾类别", WARNING, "健康状况、残疾类别",
       "健康状况为残疾的成员应填写残疾类别。"),
    _c("member.months_range", "月数超出范围", ERROR, "务工时间（月）、公益性岗位（月数）", "月数应为0–12的整数。"),
    _c("member.phone_format", "成员联系电话格式不对", WARNING, "联系电话", "手机号为11位数字，或有效的固定电话。"),
    # rule 4
    _c("member.work_place_without_months", "有务工地点无务工月数", ERROR, "务工所在地、务工时间（月）",
       "填写了务工所在地，务工时间（月）应大于0。"),
    _c("member.work_months_without_place", "有务工月数无务工地点", ERROR, "务工所在地、务工时间（月）",
       "务工时间（月）大于0，应填写务工所在地。"),
    # rule 7
    _c("member.bool_blank", "保险/保障是否项未填", ERROR,
       "城乡居民医保、职工医保、大病保险、城乡居民养老保险、低保、特困",
       "在户成员的参保和低保、特困是否项不能为空。"),
    # rule 5
    _c("member.medical_both", "同时参加两种基本医保", ERROR, "城乡居民医保、职工医保",
       "城乡居民医保和职工医保只能参加一种。"),
    _c("member.medical_none", "脱贫人口未参加基本医保", WARNING, "户类型、城乡居民医保、职工医保",
       "脱贫户成员应参加城乡居民医保或职工医保。"),
    _c("member.critical_illness_missing", "脱贫人口未参加大病保险", WARNING, "户类型、大病保险",
       "脱贫户成员的大病保险应为“是”。"),
    _c("member.dibao_and_tekun", "同时享受低保和特困", WARNING, "低保、特困", "低保和特困供养一般不能同时享受。"),
    # rule 6, §1.6
    _c("member.school_age_blank", "适龄儿童未填在校情况", ERROR, "出生日期、在校生状况、未上学原因",
       "6–16岁（按当学年9月1日）的成员，在校生状况和未上学原因至少填一项。"),
    _c("member.school_age_no_reason", "适龄儿童非在校未填原因", ERROR, "出生日期、在校生状况、未上学原因",
       "6–16岁的非在校生应填写义务教育阶段未上学原因。"),
    _c("member.reason_vs_health", "未上学原因与健康状况矛盾", ERROR, "未上学原因、健康状况",
       "未上学原因为因病或因残时，健康状况不应为“健康”。"),
    _c("member.education_xor_school", "文化程度与在校生状况应填一项", WARNING, "文化程度、在校生状况",
       "2021年以后，文化程度和在校生状况只填其中一项。"),
    # household fields
    _c("household.region_required", "行政区划未填写", ERROR, "行政区划代码", "每户都要有所在村。"),
    _c("household.region_format", "行政区划代码格式不对", ERROR, "行政区划代码", "行政区划代码为12位数字。"),
    _c("household.phone_required", "户联系电话未填写", ERROR, "户联系电话", "户联系电话为11位手机号码。"),
    _c("household.phone_format", "户联系电话格式不对", ERROR, "户联系电话", "户联系电话应为11位手机号码。"),
    _c("household.phone_landline", "户联系电话为固定电话", WARNING, "户联系电话", "系统要求手机号码，确无手机可保留。"),
    _c("household.bank_account_format", "银行账号位数不对", WARNING, "银行账号", "银行账号一般为16–19位数字。"),
    _c("household.type_required", "户类型未填写", ERROR, "户类型", "2021年以后每户须选脱贫户或一般农户。"),
    _c("household.monitoring_vs_type", "监测类别与户类型不符", ERROR, "监测对象类别、户类型",
       "脱贫不稳定户只能是脱贫户，边缘易致贫户只能是一般农户。"),
    _c("household.main_cause_required", "主要致贫原因未填写", ERROR, "主要致贫原因", "建档立卡户必须有主要致贫原因。"),
    _c("household.exit_year_range", "脱贫年度超出范围", ERROR, "脱贫年度", "脱贫年度在2014–2020年之间。"),
    _c("household.exit_year_missing", "脱贫户未填脱贫年度", WARNING, "户类型、脱贫年度", "脱贫户应填写脱贫年度。"),
    _c("household.identified_year_range", "识别年度超出范围", ERROR, "识别年度", "识别年度在2013年到今年之间。"),
    _c("household.exit_before_identified", "脱贫早于识别", ERROR, "脱贫年度、识别年度", "脱贫年度不能早于识别年度。"),
    _c("household.conditions_blank", "危房/饮水情况未填", WARNING, "是否危房户、是否解决安全饮用水",
       "最近一年的生产生活条件应填写是否危房户和是否解决安全饮用水。"),
    _c("field.pending", "待补充（导入表格缺少的列）", WARNING, "导入表格中没有的列",
       "从缺少某些列的表格导入的户，这些字段未填时列为待补充，请在户籍管理中补填。"),
    # Rules the catalogue does not name yet (a rule added to the validator later): still
    # reported, under their severity, rather than lost.
    _c("field.other", "其他字段错误", ERROR, "（按说明）", "户籍数据检查的其他规则。"),
    _c("field.other_warning", "其他字段提醒", WARNING, "（按说明）", "户籍数据检查的其他规则。"),
)

SET_CHECKS: tuple[Check, ...] = (
    _c("household.member_count", "家庭人口数与在户成员不符", ERROR, "家庭人口数、在户状态",
       "户的家庭人口数应等于在户成员人数。"),
    _c("member.in_two_households", "一人登记在两户", ERROR, "人口编号、在户状态",
       "同一人口编号只能在一户中为在户成员（全县范围内不重复；证件号码重复由数据库直接拒绝）。"),
    _c("member.left_still_counted", "已死亡或迁出仍在户", ERROR, "人口变动、在户状态",
       "登记了死亡或迁出的成员，在户状态应为自然减少，不再计入家庭人口。"),
    _c("monitoring.income_below_line", "收入低于监测范围未纳入监测", WARNING, "人均纯收入、监测范围、监测记录",
       "最近一年人均纯收入低于当年监测范围的户，应核实是否纳入防止返贫监测（DOMAIN §7.3）。"),
    _c("guarantee.open_too_long", "三保障问题长期未解决", WARNING, "三保障、核查日期、解决日期",
       f"三保障或饮水安全有问题的，应在{GUARANTEE_OPEN_DAYS}天内解决并填写解决日期。"),
    _c("monitoring.no_measures", "监测户没有帮扶措施", ERROR, "监测记录、帮扶措施",
       "监测帮扶中的户至少要有一项帮扶措施。"),
    _c("monitoring.measure_expired", "帮扶措施已到期，监测未结束", WARNING, "帮扶措施结束日期、监测状态",
       "监测帮扶中的户，帮扶措施到期后应续期、落实新措施或评估风险消除。"),
    _c("monitoring.risk_unanswered", "风险没有对应帮扶措施", WARNING, "致贫返贫风险、帮扶措施类别",
       "因病、因学、因安全住房、因安全饮水的风险须有对应类别的帮扶措施（DOMAIN §7.2）。"),
    _c("helper.overload", "帮扶责任人超出4-3-2-1", ERROR, "帮扶责任人、干部职级、结对关系",
       "县级领导帮扶不超过4户、正科级3户、副科级2户、其他干部1户。"),
    _c("household.no_helper", "脱贫户/监测户无帮扶责任人", ERROR, "户类型、监测对象类别、结对关系",
       "脱贫户和监测户都应有在帮的帮扶责任人（监测联系人）。"),
    _c("project.overdue", "项目超期未完工", WARNING, "计划完工年月、项目状态",
       "计划完工年月已过的项目，状态应为已完工或之后的状态。"),
    _c("asset.no_custodian", "资产没有管护责任人", ERROR, "管护责任人、资产状态",
       "未处置的资产都要落实管护责任人（三定四管）。"),
)

CATALOGUE: tuple[Check, ...] = FIELD_CHECKS + SET_CHECKS
BY_CODE: dict[str, Check] = {c.code: c for c in CATALOGUE}


def check_of_rule(rule: str, severity: str = "error") -> str:
    """The catalogue code of a :class:`~fupin_desktop.rules.validation.Problem` rule id:
    the id itself, or for rules named after an attribute (``code.ethnicity.invalid``,
    ``member.is_dibao_blank``, ``pending.ethnicity``) the check they all belong to. A rule
    the catalogue does not know goes to ``field.other`` (``field.other_warning`` for a
    problem of ``severity`` "warning")."""
    if rule in BY_CODE:
        return rule
    if rule.startswith("pending."):
        return "field.pending"
    for prefix, suffixes in _PARAMETRISED.items():
        if rule.startswith(prefix):
            for suffix, code in suffixes.items():
                if rule.endswith(suffix):
                    return code
    return "field.other" if severity == "error" else "field.other_warning"
