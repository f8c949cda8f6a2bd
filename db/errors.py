"""Errors raised by the task database, with messages fit to show a user.

Hierarchy::

    DbError
    ├── SchemaOutOfDate      the database needs `troly db upgrade`
    ├── UnknownUnit          a unit code that does not exist
    ├── NotFound             a task / official / invite that does not exist
    ├── InviteInvalid        a used, expired or unknown invite code
    ├── ImportRejected       a task file with bad rows; nothing was written
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


class DbUnavailable(DbError):
    pass
