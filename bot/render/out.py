"""What a transport sends, independent of the transport: text (HTML) with buttons, a picture, a file.

The Telegram bot sends these through the Bot API; the console prints the text (bot/render/html.py
`to_plain`) and saves pictures and files. Button callback data is built by bot/service/callbacks.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_MESSAGE = 4096  # Telegram: characters per message, counted after entity parsing
MAX_CAPTION = 1024  # Telegram: characters per photo/document caption
MAX_CALLBACK = 64  # Telegram: bytes of callback_data
MAX_FILE_BYTES = 20 * 1024 * 1024  # Telegram: the largest file the Bot API lets a bot download


@dataclass(frozen=True)
class Button:
    label: str
    data: str  # callback data, at most 64 bytes

    def __post_init__(self) -> None:
        if len(self.data.encode("utf-8")) > MAX_CALLBACK:
            raise ValueError(f"callback data too long: {self.data!r}")


@dataclass(frozen=True)
class TextOut:
    html: str
    buttons: list[list[Button]] = field(default_factory=list)


@dataclass(frozen=True)
class PhotoOut:
    data: bytes
    filename: str
    caption: str = ""


@dataclass(frozen=True)
class FileOut:
    data: bytes
    filename: str
    caption: str = ""


Out = TextOut | PhotoOut | FileOut
