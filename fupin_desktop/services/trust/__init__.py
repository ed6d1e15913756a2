"""信任: users and roles, who may do what, and backups.

Public face:

- users: ``add_user``, ``update_user``, ``set_password``, ``disable_user``, ``list_users``,
  ``authenticate`` (→ ``Principal``), ``has_users``, ``login_required``,
  ``set_login_required``, ``ROLE_LABELS``;
- permissions: ``require(session, permission, region_code=None)`` and the permission names
  (``HOUSEHOLD_EDIT``, ``REPORT_SUBMIT``, …), ``allows``, ``PermissionDenied``;
- backups: ``backup``, ``list_backups``, ``restore``, ``daily_backup``, ``before_import``,
  ``check_backup``, ``BackupInfo``;
- the audit trail for reading: ``audit_log.query_audit`` / ``export_audit``.
"""

from fupin_desktop.services.trust.backups import (
    BackupInfo,
    backup,
    before_import,
    check_backup,
    daily_backup,
    list_backups,
    restore,
)
from fupin_desktop.services.trust.permissions import (
    HOUSEHOLD_EDIT,
    PROJECT_TRANSITION,
    REGIONS_EDIT,
    REPORT_SUBMIT,
    REPORT_UNLOCK,
    RESTORE,
    USERS_MANAGE,
    PermissionDenied,
    allows,
    principal,
    require,
)
from fupin_desktop.services.trust.users import (
    ROLE_ADMIN,
    ROLE_CLERK,
    ROLE_LABELS,
    ROLE_REVIEWER,
    Principal,
    UserRow,
    add_user,
    authenticate,
    disable_user,
    has_users,
    list_users,
    login_required,
    set_login_required,
    set_password,
    update_user,
)

__all__ = [
    "HOUSEHOLD_EDIT", "PROJECT_TRANSITION", "REGIONS_EDIT", "REPORT_SUBMIT", "REPORT_UNLOCK", "RESTORE",
    "ROLE_ADMIN", "ROLE_CLERK", "ROLE_LABELS", "ROLE_REVIEWER", "USERS_MANAGE",
    "BackupInfo", "PermissionDenied", "Principal", "UserRow",
    "add_user", "allows", "authenticate", "backup", "before_import", "check_backup", "daily_backup",
    "disable_user", "has_users", "list_backups", "login_required", "principal", "require", "restore",
    "set_login_required", "set_password", "update_user",
]
