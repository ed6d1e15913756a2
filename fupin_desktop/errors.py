"""Two kinds of error (STYLE.md §7).

``UserError`` is a problem the clerk can fix: its message is Chinese, says what is wrong and
what to do, and is shown as it is (the CLI prints it on one line and exits 2). Anything else
that escapes is our fault and is logged with a traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix; ``str(err)`` is the Chinese message to show."""


class ConcurrentEditError(UserError):
    """Someone else saved the record since it was opened."""


class DatabaseVersionError(UserError):
    """The database was made by a newer version of the program, or is not ours."""
