"""Errors raised by the task database, with messages fit to show a user.

Hierarchy::

    DbError
    ├── SchemaOutOfDate      the database needs `troly db upgrade`
    ├── UnknownUnit          a unit code that does not exist
    ├── NotFound             a task / official / invite that does not exist
    ├── InviteInvalid        a used, expired, revoked or unknown invite code (counts as a wrong code)
    ├── InviteRefused        a valid invite that may not be used from this account (linked, deactivated)
    ├── TooManyAttempts      too many wrong invite codes from one Telegram user lately
    ├── ImportRejected       a task file with bad rows; nothing was written
    ├── SeedRefused          seed-demo would delete data the demo did not create
    └── DbUnavailable        the database server cannot be reached or refuses us (see session.unavailable)
"""

from __future__ import annotations

from dataclasses import dataclass


class DbError(Exception):
    """Base class; `str(err)` is a Vietnamese message a user can read."""


class SchemaOutOfDate(DbError):
    def __init__(self, current: str | None, head: str | None) -> None:
        self.current, self.head = current, head
        super().__init__(
            f"Cơ sở dữ liệu chưa được cập nhật (phiên bản {current or 'trống'}, cần {head}). "
            "Hãy chạy: troly db upgrade"
        )


class UnknownUnit(DbError):
    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(f"Không có đơn vị mã '{code}'.")


class NotFound(DbError):
    pass


class InviteInvalid(DbError):
    pass


class InviteRefused(DbError):
    pass


class TooManyAttempts(DbError):
    pass


@dataclass(frozen=True)
class RowProblem:
    row: int  # 1-based, as a spreadsheet shows it (header is row 1)
    message: str

    def __str__(self) -> str:
        return f"Dòng {self.row}: {self.message}"


class ImportRejected(DbError):
    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems[:50])
        more = f"\n  … và {len(problems) - 50} lỗi khác" if len(problems) > 50 else ""
        super().__init__(
            f"Tệp bị từ chối, không có thay đổi nào được ghi ({len(problems)} lỗi):\n{lines}{more}"
        )


class SeedRefused(DbError):
    """`found`: what the demo did not create, by kind (tasks, events, invites, officials, linked, units, feedback)."""

    def __init__(self, found: dict[str, int]) -> None:
        self.found = found
        what = ", ".join(f"{kind}: {n}" for kind, n in found.items())
        super().__init__(
            f"Cơ sở dữ liệu đang có dữ liệu không do bộ dữ liệu mẫu tạo ra ({what}); không thay đổi gì. "
            "Nếu chắc chắn muốn xoá, chạy: troly db seed-demo --force"
        )


class DbUnavailable(DbError):
    pass
