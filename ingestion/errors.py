"""Errors raised while loading a document.

    IngestError                 base; str(err) is a short Vietnamese message fit to show a user
    ├── UnsupportedFile         suffix or format we cannot read (.doc, .xlsx, a folder …)
    ├── EmptyDocument           nothing but whitespace
    ├── NoTextLayer             a PDF without a text layer (a scan)
    ├── EncryptedDocument       password-protected and not openable with an empty password
    ├── CorruptDocument         damaged or not what its suffix says
    ├── TooLarge                over a limit: unpacked size, entry count, pages or extracted text
    └── SyncInterrupted         the sync was asked to stop (Ctrl-C, SIGTERM, the bot shutting down)

Each class has a default message; pass another one to be more specific. The offending path, when
known, is kept in ``err.path`` rather than in the message, so callers decide how to show it.
"""

from __future__ import annotations

from pathlib import Path


class IngestError(Exception):
    """A document could not be ingested."""

    default_message = "Không xử lý được tệp — bỏ qua"

    def __init__(self, message: str | None = None, *, path: str | Path | None = None) -> None:
        self.message = message or self.default_message
        self.path = Path(path) if path is not None else None
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class UnsupportedFile(IngestError):
    default_message = "Định dạng tệp không được hỗ trợ (chỉ nhận .txt, .md, .pdf, .docx, .html) — bỏ qua"


class EmptyDocument(IngestError):
    default_message = "Tệp không có nội dung — bỏ qua"


class NoTextLayer(IngestError):
    default_message = "Tệp PDF không có lớp văn bản (bản scan?) — bỏ qua"


class EncryptedDocument(IngestError):
    default_message = "Tệp được đặt mật khẩu, không mở được — bỏ qua"


class CorruptDocument(IngestError):
    default_message = "Tệp bị hỏng hoặc không đúng định dạng — bỏ qua"


class TooLarge(IngestError):
    default_message = "Tệp quá lớn để xử lý — bỏ qua"


class SyncInterrupted(IngestError):
    default_message = (
        "Đồng bộ đã dừng theo yêu cầu; văn bản đã xử lý xong được giữ, phần còn lại sẽ làm ở lần đồng bộ sau"
    )
