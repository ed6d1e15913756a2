"""信任 screens: 登录, 用户管理, 操作日志, 备份 / 恢复."""

from fupin_desktop.ui.trust.audit_log import AuditLogWindow
from fupin_desktop.ui.trust.backups import BackupsDialog
from fupin_desktop.ui.trust.login import LoginDialog, sign_in
from fupin_desktop.ui.trust.users import UsersWindow

__all__ = ["AuditLogWindow", "BackupsDialog", "LoginDialog", "UsersWindow", "sign_in"]
