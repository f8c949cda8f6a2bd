"""The console transport: `troly chat --as OFFICIAL` runs the same dialog and service as the Telegram bot.

Output is the same HTML rendered as plain text; buttons are numbered and pressed with `#N`; pictures
and files are saved under `$TROLY_DATA_DIR/console/`; `/gui PATH [caption]` (or `/send`) sends a file
as if it were attached in Telegram (e.g. `/gui bao-cao.pdf /xong HN-01962 đã gửi`).
"""

from __future__ import annotations

import asyncio
import logging
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from bot.config import Settings
from bot.i18n import error_text, t
from bot.render.html import to_plain
from bot.render.out import Button, FileOut, Out, PhotoOut, TextOut
from bot.service.commands import CONSOLE_SEND
from bot.service.core import Assistant
from bot.service.dialog import Attachment, Dialog
from bot.service.views import Caller, Me
from bot.wiring import Services, build_services
from db.errors import TrolyError

log = logging.getLogger(__name__)


@dataclass
class ConsoleChannel:
    out: TextIO
    save_dir: Path
    lang: str = "vi"
    buttons: list[tuple[Button, int]] = field(default_factory=list)  # (button, message ref)
    _next_ref: int = 0

    def _print(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def _show_buttons(self, ref: int, rows: list[list[Button]]) -> None:
        if not rows:
            return
        labels = []
        for row in rows:
            for button in row:
                self.buttons.append((button, ref))
                labels.append(f"[#{len(self.buttons)}] {button.label}")
        self._print("   " + "   ".join(labels))

    async def typing(self) -> None:
        return None

    async def send(self, out: Out) -> int:
        self._next_ref += 1
        ref = self._next_ref
        if isinstance(out, TextOut):
            self._print(to_plain(out.html))
            self._show_buttons(ref, out.buttons)
        else:
            assert isinstance(out, PhotoOut | FileOut)
            self.save_dir.mkdir(parents=True, exist_ok=True)
            path = self.save_dir / out.filename
            path.write_bytes(out.data)
            self._print(t("console.saved", self.lang, path=path))
        return ref

    async def edit(self, ref: Any, out: TextOut) -> None:
        self._print("↻ " + to_plain(out.html))
        self._show_buttons(int(ref), out.buttons)

    async def toast(self, text: str) -> None:
        if text:
            self._print(f"ⓘ {text}")


def _file_attachment(path: Path) -> Attachment:
    async def read() -> bytes:
        return path.read_bytes()

    photo = path.suffix.lower() in (".jpg", ".jpeg", ".png")
    return Attachment(path.name, "photo" if photo else "document", path.stat().st_size, read)


class Console:
    def __init__(self, dialog: Dialog, me: Me, out: TextIO, save_dir: Path) -> None:
        self.dialog, self.me = dialog, me
        self.who = Caller("console", official_id=me.id, language_code=me.lang)
        self.channel = ConsoleChannel(out, save_dir, me.lang)

    async def handle(self, line: str) -> None:
        line = line.strip()
        if not line:
            return
        channel = self.channel
        if line.startswith("#") and line[1:].isdigit():
            n = int(line[1:])
            if not 1 <= n <= len(channel.buttons):
                await channel.toast(t("console.no_button", self.me.lang, n=n))
                return
            button, ref = channel.buttons[n - 1]
            await self.dialog.on_button(self.who, button.data, channel, ref)
            return
        head = line.split(maxsplit=1)[0].lower()
        if head[1:] in CONSOLE_SEND and head.startswith("/"):
            rest = line[len(head) :].strip()
            try:
                parts = shlex.split(rest)
            except ValueError:
                parts = rest.split()
            path = Path(parts[0]).expanduser() if parts else Path()
            if not parts or not path.is_file():
                await channel.toast(t("console.no_file", self.me.lang, path=parts[0] if parts else ""))
                return
            caption = " ".join(parts[1:]) or None
            await self.dialog.on_message(self.who, caption, channel, _file_attachment(path))
            return
        await self.dialog.on_message(self.who, line, channel)


async def chat(dialog: Dialog, me: Me, lines: TextIO, out: TextIO, save_dir: Path) -> None:
    console = Console(dialog, me, out, save_dir)
    out.write(
        t("console.banner", me.lang, name=me.name, unit=me.unit_name, role=t(f"role.{me.role.value}", me.lang)) + "\n"
    )
    while True:
        out.write("> ")
        out.flush()
        line = await asyncio.to_thread(lines.readline)
        if not line:
            out.write("\n")
            return
        try:
            await console.handle(line)
        except TrolyError as exc:  # a service refusal, or a lower layer's error: in the official's language
            out.write(error_text(exc, me.lang) + "\n")
        except Exception:  # noqa: BLE001 - like the bot's error handler: apologise, log, go on
            log.exception("console request failed")
            out.write(t("error.apology", me.lang) + "\n")


def run_console(
    settings: Settings,
    official: str,
    *,
    lines: TextIO,
    out: TextIO,
    services: Services | None = None,
    clock: Callable[[], date] | None = None,
) -> None:
    """Resolve OFFICIAL (id, Telegram id or full name) and chat until end of input."""
    from db.users import get_official

    built = services if services is not None else build_services(settings)
    try:
        with built.db.session() as s:
            official_id = get_official(s, official).id
        assistant = Assistant(built, clock=clock)
        me = assistant.whoami(Caller("console", official_id=official_id))
        dialog = Dialog(assistant)
        try:
            asyncio.run(chat(dialog, me, lines, out, settings.data_dir / "console"))
        finally:
            dialog.close()
    finally:
        if services is None:
            built.close()
