"""三级管理、三段防控 (issue #19 §1–3): 识别定级, 监测预警 and visits by grade.

Public face::

    load_rules(session) / stored_settings(session) / save_settings(session, settings)
    GRADES, GRADE_LABELS, GRADE_TITLES, GRADE_RULES, WARNING_RULES
    suggest_grades(session, region_code=None) -> [Suggestion]     (writes nothing)
    suggestion_for(session, household_id) / current_grades(session, ids)
    set_grade(session, household_id, grade, reason=...)            (confirm / adjust)
    apply_suggestions(session, suggestions)                         (``risk grade --apply``)
    grade_history(session, household_id)
    refresh_warnings(session, region_code=None) / list_warnings(session, region_code=None, statuses=...)
    verify_no_risk(session, warning_id, note) / to_monitoring(session, warning_id, ...)
    visit_schedule(session, month, region_code=None, helper_id=None) / record_visit(session, household_id, data)
"""

from fupin_desktop.services.risk.grading import (
    Reason,
    Suggestion,
    apply_suggestions,
    current_grades,
    grade_history,
    set_grade,
    suggest_grades,
    suggestion_for,
)
from fupin_desktop.services.risk.rules import (
    GRADE_LABELS,
    GRADE_RULES,
    GRADE_TITLES,
    GRADES,
    WARNING_RULES,
    RuleSet,
    load_rules,
    save_settings,
    stored_settings,
)
from fupin_desktop.services.risk.visits import (
    SIGNERS,
    VisitDue,
    record_visit,
    signature_text,
    visit_schedule,
    visits_of,
)
from fupin_desktop.services.risk.warnings import (
    CLEARED,
    NO_RISK,
    PENDING,
    TO_MONITORING,
    RefreshResult,
    WarningRow,
    list_warnings,
    open_warning_count,
    refresh_warnings,
    to_monitoring,
    verify_no_risk,
)

__all__ = [
    "CLEARED", "GRADES", "GRADE_LABELS", "GRADE_RULES", "GRADE_TITLES", "NO_RISK", "PENDING", "SIGNERS",
    "TO_MONITORING", "WARNING_RULES", "Reason", "RefreshResult", "RuleSet", "Suggestion", "VisitDue", "WarningRow",
    "apply_suggestions", "current_grades", "grade_history", "list_warnings", "load_rules", "open_warning_count",
    "record_visit", "refresh_warnings", "save_settings", "set_grade", "signature_text", "stored_settings",
    "suggest_grades", "suggestion_for", "to_monitoring", "verify_no_risk", "visit_schedule", "visits_of",
]
