"""核查: the whole county's data checked at once against one catalogue of rules (issue #14).

Public face::

    CATALOGUE, Check, Finding, CheckResult
    run_checks(session, region_code=None, *, user, store=True, progress=None, cancel=None)
    findings_for_household(session, household_id) / open_error_count(session, region_code=None)
    open_findings(session, region_code=None, check=None) / fixed_since_previous(session, region_code=None)
    open_counts_by_village(session, region_code=None)
    run_history(session, region_code=None)
    write_findings_xlsx(result, session, path)

比对 (services.checks.compare)::

    LIST_KINDS, import_list(session, path, kind, *, user), comparison_lists(session)
    comparison_hits(session, kind=None, *, list_id=None, region_code=None)
    mark_hit(session, kind, id_number, note, *, user) / unmark_hit / delete_list / unusable_rows
"""

from fupin_desktop.services.checks.catalogue import (
    BY_CODE,
    CATALOGUE,
    ERROR,
    GUARANTEE_OPEN_DAYS,
    FIELD_CHECKS,
    WARNING,
    Check,
    check_of_rule,
)
from fupin_desktop.services.checks.engine import (
    CheckCancelled,
    CheckResult,
    Finding,
    monitoring_line,
    run_checks,
)
from fupin_desktop.services.checks.compare import (
    LIST_KINDS,
    ComparisonHit,
    ListImport,
    ListKind,
    ListSummary,
    comparison_hits,
    comparison_lists,
    delete_list,
    import_list,
    list_kind,
    mark_hit,
    unmark_hit,
    unusable_rows,
)
from fupin_desktop.services.checks.store import (
    findings_for_household,
    fixed_since_previous,
    has_open_errors,
    household_error_counts,
    latest_run,
    open_counts_by_village,
    open_error_count,
    open_findings,
    record_household,
    run_history,
)


def write_findings_xlsx(result: CheckResult, session, path):
    """The findings workbook (one sheet per check and a 汇总 sheet) for the village cadres."""
    from fupin_desktop.services.checks.workbook import write_findings_xlsx as write

    return write(result, session, path)


__all__ = [
    "LIST_KINDS", "ComparisonHit", "ListImport", "ListKind", "ListSummary", "comparison_hits",
    "comparison_lists", "delete_list", "import_list", "list_kind", "mark_hit", "unmark_hit", "unusable_rows",
    "BY_CODE", "CATALOGUE", "ERROR", "FIELD_CHECKS", "GUARANTEE_OPEN_DAYS", "WARNING", "Check", "CheckCancelled",
    "CheckResult", "Finding", "check_of_rule", "findings_for_household", "fixed_since_previous",
    "has_open_errors", "household_error_counts", "latest_run", "monitoring_line", "open_counts_by_village", "open_error_count",
    "open_findings", "record_household", "run_checks", "run_history", "write_findings_xlsx",
]
