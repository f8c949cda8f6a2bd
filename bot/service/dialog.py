"""The conversation, independent of the transport: parse a message or a button press, call the
assistant service (in a worker thread), render the views, and hand the output to a `Channel`.

The Telegram bot and the console each implement `Channel` (send, edit, typing, toast) and feed
`Dialog.on_message` / `Dialog.on_button`; that is all they do, so both behave identically.
Callback data is only a hint of what to show: every press goes through the service again.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

from bot.i18n import t
from bot.render.html import (
    esc,
    render_answer,
    render_digest,
    render_help,
    render_import,
    render_invite,
    render_job_progress,
    render_job_report,
    render_official,
    render_officials,
    render_settings,
    render_start,
    render_summary_text,
    render_sync_progress,
    render_sync_report,
    render_task,
    render_task_page,
    render_update,
    split_blocks,
)
from bot.render.out import MAX_FILE_BYTES, MAX_MESSAGE, FileOut, Out, PhotoOut, TextOut
from bot.render.questions import render_task_reply
from bot.service import callbacks as cb
from bot.service.commands import COMMANDS, lookup
from bot.service.core import Assistant
from bot.service.documents import DOCUMENT_SUFFIXES, TASK_FILE_SUFFIXES
from bot.service.errors import Denied, ServiceError
from bot.service.questions import TaskQuestions
from bot.service.views import (
    Caller,
    Evidence,
    JobView,
    OfficialCard,
    SettingsView,
    SummaryView,
    SyncView,
    UpdateKind,
)
from db.clock import DUE_WINDOW_DAYS
from db.delivery import Claim

if TYPE_CHECKING:
    from ingestion.sync import SyncProgress

log = logging.getLogger(__name__)
T = TypeVar("T")


_chart_lock = threading.Lock()  # pyplot keeps global state: one chart at a time


class Channel(Protocol):
    """Where the output of one conversation goes."""

    async def typing(self) -> None: ...

    async def send(self, out: Out) -> Any:
        """Send one output; return a reference that `edit` understands."""

    async def edit(self, ref: Any, out: TextOut) -> None: ...

    async def toast(self, text: str) -> None:
        """A short notice answering a button press."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    kind: Literal["document", "photo"]
    size: int | None
    read: Callable[[], Awaitable[bytes]]


@dataclass
class JobWatch:
    """A queued ingestion job followed in a chat: the message `ref` shows its progress, then its report."""

    job_id: int
    ref: Any
    shown: str = ""


# Follows a job for its requester (the Telegram bot: a PTB job polling the job row); without one the dialog polls
# it itself, in the handler (the console).
Follow = Callable[[JobWatch, Channel], Awaitable[None]]


def parse_command(text: str) -> tuple[str, list[str], str]:
    """'/due@troly_bot 3 HN' → ('due', ['3', 'HN'], '3 HN'); aliases resolved, case folded."""
    head, _, rest = text.strip().partition(" ")
    name = head[1:].split("@", 1)[0].lower()
    rest = rest.strip()
    command = lookup(name)
    return (command.name if command else name), rest.split(), rest


class Dialog:
    def __init__(
        self,
        assistant: Assistant,
        *,
        progress_interval: float = 1.0,
        answer_workers: int = 16,
        follow: Follow | None = None,
    ) -> None:
        self.assistant = assistant
        self.progress_interval = progress_interval
        self.follow = follow
        # Questions wait on the embedder: they get their own threads so that task commands, which only
        # touch the database, are not queued behind them in the default pool. Enough threads that
        # questions asked together reach the embedder together and are embedded as one batch.
        self._answer_pool = ThreadPoolExecutor(max_workers=answer_workers, thread_name_prefix="troly-answer")
        self.questions = TaskQuestions(assistant)
        self._syncing = 0  # document syncs running (/reload, an uploaded document)
        # the typed commands of the one table (bot/service/commands.py), each to the method it names
        self._commands: dict[str, Callable[[Caller, list[str], str, Channel, Attachment | None], Awaitable[None]]] = {
            c.name: getattr(self, c.handler) for c in COMMANDS if c.slash
        }

    @property
    def commands(self) -> list[str]:
        """The canonical names of the commands this dialog handles (aliases: `bot.service.commands`)."""
        return list(self._commands)

    @staticmethod
    async def call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a (blocking) service call in a worker thread."""
        return await asyncio.to_thread(fn, *args, **kwargs)

    async def call_index(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a service call that needs the document index in the answer pool."""
        return await asyncio.get_running_loop().run_in_executor(self._answer_pool, functools.partial(fn, *args))

    def close(self) -> None:
        self._answer_pool.shutdown(wait=False, cancel_futures=True)

    def interrupt(self) -> None:
        """The bot is stopping: stop a running document sync now rather than wait minutes for it to end."""
        if self._syncing:
            stop = getattr(self.assistant.services.library, "stop", None)
            if callable(stop):
                stop()

    # ------------------------------------------------------------------ entry points

    async def on_message(
        self, who: Caller, text: str | None, channel: Channel, attachment: Attachment | None = None
    ) -> None:
        try:
            await self._on_message(who, (text or "").strip(), channel, attachment)
        except ServiceError as exc:
            await self._send_all(channel, [TextOut(p) for p in split_blocks([esc(exc.message)])])

    async def on_button(self, who: Caller, data: str, channel: Channel, ref: Any) -> None:
        try:
            await self._on_button(who, data, channel, ref)
        except ServiceError as exc:
            await channel.toast(exc.message[:190])

    # ------------------------------------------------------------------ messages

    async def _on_message(self, who: Caller, text: str, channel: Channel, attachment: Attachment | None) -> None:
        if text.startswith("/"):
            name, args, rest = parse_command(text)
            handler = self._commands.get(name)
            if handler is None:
                await self.call(self.assistant.unknown_command, who, name)
                return
            await handler(who, args, rest, channel, attachment)
        elif attachment is not None:
            await self._file(who, attachment, channel)
        elif text:
            await self._ask(who, text, channel)

    async def _send_all(self, channel: Channel, outs: list[Out]) -> Any:
        ref = None
        for out in outs:
            ref = await channel.send(out)
        return ref

    async def _while_typing(self, channel: Channel, work: Awaitable[T]) -> T:
        async def keep_typing() -> None:
            while True:
                try:
                    await channel.typing()
                except Exception:  # noqa: BLE001 - the indicator is cosmetic
                    log.debug("typing indicator failed", exc_info=True)
                await asyncio.sleep(4.5)

        indicator = asyncio.create_task(keep_typing())
        try:
            return await work
        finally:
            indicator.cancel()

    async def _ask(self, who: Caller, question: str, channel: Channel) -> None:
        # a question about tasks is answered from the task database (the commands' own service calls)
        reply = await self._while_typing(channel, self.call(self.questions.answer, who, question))
        if reply is not None:
            await self._send_all(channel, render_task_reply(reply))
            if not reply.also_documents:
                return
        view = await self._while_typing(channel, self.call_index(self.assistant.ask, who, question))
        await self._send_all(channel, render_answer(view))

    async def _start(self, who: Caller, args: list[str], rest: str, channel: Channel, att: Attachment | None) -> None:
        view = await self.call(self.assistant.start, who, args[0] if args else None)
        await self._send_all(channel, render_start(view))

    async def _help(self, who: Caller, args: list[str], rest: str, channel: Channel, att: Attachment | None) -> None:
        await self._send_all(channel, render_help(await self.call(self.assistant.help, who)))

    def _number(self, who: Caller, value: str) -> int:
        try:
            return int(value)
        except ValueError:
            raise ServiceError(t("cmd.bad_number", who.lang, value=value), who.lang) from None

    async def _due(self, who: Caller, args: list[str], rest: str, channel: Channel, att: Attachment | None) -> None:
        days, unit = DUE_WINDOW_DAYS, None
        for arg in args[:2]:
            if arg.lstrip("-").isdigit():
                days = self._number(who, arg)
            else:
                unit = arg
        view = await self.call(self.assistant.tasks, who, "due", days=days, unit=unit)
        await channel.send(render_task_page(view))

    async def _overdue(self, who: Caller, args: list[str], rest: str, channel: Channel, att: Attachment | None) -> None:
        view = await self.call(self.assistant.tasks, who, "overdue", unit=args[0] if args else None)
        await channel.send(render_task_page(view))

    async def _task(self, who: Caller, args: list[str], rest: str, channel: Channel, att: Attachment | None) -> None:
        detail = await self.call_index(self.assistant.task, who, args[0] if args else "")
        await self._send_all(channel, render_task(detail))

    async def _evidence(self, who: Caller, att: Attachment | None) -> Evidence | None:
        if att is None:
            return None
        if att.size is not None and att.size > MAX_FILE_BYTES:
            raise ServiceError(t("file.too_big", who.lang), who.lang)
        data = await att.read()
        if len(data) > MAX_FILE_BYTES:  # what arrived, not what the sender declared
            raise ServiceError(t("file.too_big", who.lang), who.lang)
        return Evidence(att.filename, data)

    async def _update(
        self, kind: UpdateKind, who: Caller, args: list[str], rest: str, channel: Channel, att: Attachment | None
    ) -> None:
        code = args[0] if args else ""
        note = rest[len(code) :].strip() if code else ""
        # authorise (and find the task) before downloading anything
        if att is not None and code:
            await self.call(self.assistant.check_task_access, who, kind, code)
        evidence = await self._evidence(who, att)
        view = await self.call(self.assistant.update_task, who, kind, code, note, evidence)
        await self._send_all(channel, render_update(view))

    async def _done(self, who: Caller, args: list[str], rest: str, channel: Channel, att: Attachment | None) -> None:
        await self._update("done", who, args, rest, channel, att)

    async def _progress(
        self, who: Caller, args: list[str], rest: str, channel: Channel, att: Attachment | None
    ) -> None:
        await self._update("progress", who, args, rest, channel, att)

    async def _summary(self, who: Caller, args: list[str], rest: str, channel: Channel, att: Attachment | None) -> None:
        view = await self.call(self.assistant.summary, who, args[0] if args else None)
        await self._send_summary(view, channel)

    async def _send_summary(self, view: SummaryView, channel: Channel) -> None:
        await channel.send(render_summary_text(view))
        if not view.summary.rows:
            return
        chart, workbook = await asyncio.gather(self.call(_chart, view), self.call(_workbook, view))
        s, lang = view.summary, view.lang
        stamp = s.as_of.strftime("%Y%m%d")
        await channel.send(PhotoOut(chart, f"chart-{s.unit_code}-{stamp}.png", esc(s.unit_name)))
        await channel.send(FileOut(workbook, t("summary.file", lang, unit=s.unit_code, date=stamp), esc(s.unit_name)))

    async def _settings(
        self, who: Caller, args: list[str], rest: str, channel: Channel, att: Attachment | None
    ) -> None:
        await channel.send(render_settings(await self.call(self.assistant.get_settings, who)))

    async def _invite(self, who: Caller, args: list[str], rest: str, channel: Channel, att: Attachment | None) -> None:
        if len(args) < 2:
            me = await self.call(self.assistant.require_admin, who, "invite")
            raise ServiceError(t("invite.usage", me.lang), me.lang)
        view = await self.call(self.assistant.invite, who, args[0], args[1].lower())
        await self._send_all(channel, render_invite(view))

    async def _users(self, who: Caller, args: list[str], rest: str, channel: Channel, att: Attachment | None) -> None:
        view = await self.call(self.assistant.officials, who, unit=args[0] if args else None)
        await channel.send(render_officials(view))

    async def _reload(self, who: Caller, args: list[str], rest: str, channel: Channel, att: Attachment | None) -> None:
        me = await self.call(self.assistant.require_library, who, "reload")
        rebuild = bool(args) and args[0].lower() in ("rebuild", "--rebuild", "lamlai")
        if self.assistant.settings.queued_ingest:
            await self._queued(
                channel,
                me.lang,
                t("reload.started", me.lang),
                lambda chat, ref: self.assistant.queue_reload(who, rebuild=rebuild, chat_id=chat, message_id=ref),
            )
            return
        await self._with_progress(
            channel,
            me.lang,
            t("reload.started", me.lang),
            lambda progress: self.assistant.reload(who, progress, rebuild=rebuild),
        )

    async def _with_progress(
        self, channel: Channel, lang: str, start: str, work: Callable[[Callable[[SyncProgress], None]], SyncView]
    ) -> None:
        """Run `work` in a thread; edit one message with its progress (at most once per interval), then the report."""
        ref = await channel.send(TextOut(esc(start)))
        latest: list[SyncProgress] = []
        job = asyncio.ensure_future(asyncio.to_thread(work, latest.append))
        shown = esc(start)
        self._syncing += 1
        try:
            while not job.done():
                await asyncio.wait({job}, timeout=self.progress_interval)
                if not job.done() and latest:
                    text = render_sync_progress(latest[-1], lang)
                    if text != shown:
                        await channel.edit(ref, TextOut(text))
                        shown = text
        finally:
            self._syncing -= 1
        try:
            view = job.result()
        except ServiceError as exc:
            await channel.edit(ref, TextOut(esc(exc.message[:MAX_MESSAGE])))
            return
        parts = split_blocks(render_sync_report(view))
        await channel.edit(ref, TextOut(parts[0]))
        for part in parts[1:]:
            await channel.send(TextOut(part))

    # ------------------------------------------------------------------ queued: `troly worker` does the work

    async def _queued(
        self, channel: Channel, lang: str, start: str, enqueue: Callable[[int | None, int | None], JobView]
    ) -> None:
        """Send the progress message, queue the job with its address (chat, message), then follow the job."""
        ref = await channel.send(TextOut(esc(start)))
        chat = getattr(channel, "chat_id", None)
        try:
            view = await self.call(enqueue, chat, int(ref) if ref is not None else None)
        except ServiceError as exc:
            await channel.edit(ref, TextOut(esc(exc.message)[:4000]))
            return
        watch = JobWatch(view.job_id, ref)
        await self.job_step(watch, channel)
        if self.follow is not None:
            await self.follow(watch, channel)
            return
        while not await self.job_step(watch, channel):
            await asyncio.sleep(self.progress_interval)

    async def job_step(self, watch: JobWatch, channel: Channel) -> bool:
        """Show a followed job's state once: its progress while it runs (edited only when it changed), its report
        when finished — sent by one process only, even with several bot replicas following it. Returns whether
        there is nothing left to follow."""
        view = await self.call(self.assistant.job_status, watch.job_id)
        if view is None:
            return True
        if not view.finished:
            text = render_job_progress(view)
            if text != watch.shown:
                await channel.edit(watch.ref, TextOut(text))
                watch.shown = text
            return False
        if not await self.call(self.assistant.claim_job_report, watch.job_id):
            return True  # another replica (or an earlier run of this one) has sent it
        parts = split_blocks(render_job_report(view))
        await channel.edit(watch.ref, TextOut(parts[0]))
        for part in parts[1:]:
            await channel.send(TextOut(part))
        return True

    # ------------------------------------------------------------------ files sent without a command

    async def _file(self, who: Caller, att: Attachment, channel: Channel) -> None:
        me = await self.call(self.assistant.identify, who, "file", att.filename)
        name = att.filename.lower()
        if not me.is_admin:
            if name.endswith(TASK_FILE_SUFFIXES + DOCUMENT_SUFFIXES) and att.kind == "document":
                try:
                    await self.call(self.assistant.refuse_file, who, att.filename)
                except Denied as exc:
                    raise ServiceError(f"{exc.message}\n{t('file.what', me.lang)}", me.lang) from None
            raise ServiceError(t("file.what", me.lang), me.lang)
        if att.size is not None and att.size > MAX_FILE_BYTES:
            raise ServiceError(t("file.too_big", me.lang), me.lang)
        if name.endswith(TASK_FILE_SUFFIXES):
            data = await self._read_limited(att, me.lang)
            view = await self.call(self.assistant.import_tasks, who, att.filename, data)
            await self._send_all(channel, render_import(view))
        elif name.endswith(DOCUMENT_SUFFIXES):
            await self.call(self.assistant.require_library, who, "adddoc")
            data = await self._read_limited(att, me.lang)
            if self.assistant.settings.queued_ingest:
                await self._queued(
                    channel,
                    me.lang,
                    t("reload.adding", me.lang, name=att.filename),
                    lambda chat, ref: self.assistant.queue_upload(
                        who, att.filename, data, chat_id=chat, message_id=ref
                    ),
                )
                return
            await self._with_progress(
                channel,
                me.lang,
                t("reload.adding", me.lang, name=att.filename),
                lambda progress: self.assistant.add_document(who, att.filename, data, progress),
            )
        else:
            raise ServiceError(t("file.what", me.lang), me.lang)

    @staticmethod
    async def _read_limited(att: Attachment, lang: str) -> bytes:
        data = await att.read()
        if len(data) > MAX_FILE_BYTES:  # what arrived, not what the sender declared
            raise ServiceError(t("file.too_big", lang), lang)
        return data

    # ------------------------------------------------------------------ buttons

    async def _on_button(self, who: Caller, data: str, channel: Channel, ref: Any) -> None:
        try:
            button = cb.decode(data)
        except cb.BadCallback:  # no button of ours sends this (forged, or from an older version)
            await self.call(self.assistant.unknown_button, who, data)
            await channel.toast("")
            return
        try:
            await self._dispatch_button(who, button, channel, ref)
        except ValueError:  # a value the service refuses as malformed
            await self.call(self.assistant.unknown_button, who, data)
            await channel.toast("")

    async def _dispatch_button(self, who: Caller, button: cb.Callback, channel: Channel, ref: Any) -> None:
        match button:
            case cb.DuePage(days, page, unit, own, start):
                view = await self.call(
                    self.assistant.tasks, who, "due", days=days, page=page, unit=unit, own=own, start=start
                )
                await channel.toast("")
                await channel.edit(ref, render_task_page(view))
            case cb.OverduePage(page, unit, own):
                view = await self.call(self.assistant.tasks, who, "overdue", page=page, unit=unit, own=own)
                await channel.toast("")
                await channel.edit(ref, render_task_page(view))
            case cb.UnitList(kind, unit, days, own, start):
                view = await self.call(
                    self.assistant.tasks,
                    who,
                    kind,
                    days=days if kind == "due" else DUE_WINDOW_DAYS,
                    unit=unit,
                    own=own,
                    start=start if kind == "due" else 0,
                )
                await channel.toast("")
                await channel.send(render_task_page(view))
            case cb.Drill(unit):
                view_s = await self.call(self.assistant.summary, who, unit)
                await channel.toast("")
                await self._send_summary(view_s, channel)
            case cb.UsersPage(page, unit):
                officials = await self.call(self.assistant.officials, who, page=page, unit=unit)
                await channel.toast("")
                await channel.edit(ref, render_officials(officials))
            case cb.OfficialOpen(official_id):
                await self._official_card(channel, ref, await self.call(self.assistant.official, who, official_id))
            case cb.OfficialActive(official_id, active):
                card = await self.call(
                    self.assistant.change_official, who, official_id, "activate" if active else "deactivate"
                )
                await self._official_card(channel, ref, card)
            case cb.OfficialRole(official_id, role):
                card = await self.call(self.assistant.change_official, who, official_id, "role", role)
                await self._official_card(channel, ref, card)
            case cb.Vote(answer_id, up):
                await channel.toast(await self.call(self.assistant.vote, who, answer_id, up))
            case cb.SetLang(lang):
                await self._settings_saved(
                    channel, ref, await self.call(self.assistant.update_settings, who, language=lang)
                )
            case cb.SetDigest(on):
                await self._settings_saved(
                    channel, ref, await self.call(self.assistant.update_settings, who, digest=on)
                )

    @staticmethod
    async def _settings_saved(channel: Channel, ref: Any, settings: SettingsView) -> None:
        await channel.toast(t("settings.saved", settings.lang))
        await channel.edit(ref, render_settings(settings))

    @staticmethod
    async def _official_card(channel: Channel, ref: Any, card: OfficialCard) -> None:
        """Only hints: the service checked the admin and the official's unit on this press."""
        await channel.toast(t("users.saved", card.lang) if card.changed else "")
        await channel.edit(ref, render_official(card))

    # ------------------------------------------------------------------ the morning digest

    async def send_digests(self, send: Callable[[int, list[Out]], Awaitable[None]]) -> int:
        """Send each official's digest (only those with something to report) unless another process (a replica,
        or this one before a restart) claimed it today; returns how many this process sent."""
        views = await self.call(self.assistant.digests)
        sent = 0
        for view in views:
            if not await self.call(self.assistant.claim_digest, view.official_id, view.as_of):
                continue
            error = None
            try:
                await send(view.telegram_user_id, render_digest(view))
                sent += 1
            except Exception as exc:  # noqa: BLE001 - one blocked user must not stop the others
                log.warning("digest to official %s failed", view.official_id, exc_info=True)
                error = f"{type(exc).__name__}: {exc}"
            try:
                await self.call(self.assistant.digest_outcome, view.official_id, view.as_of, error)
            except Exception:  # noqa: BLE001 - the claim already keeps it from being sent twice
                log.warning("could not record the digest of official %s", view.official_id, exc_info=True)
        return sent

    async def prune_delivery(self) -> None:
        """The daily clean-up of the exactly-once records (any replica may run it: deleting twice is harmless)."""
        try:
            pruned = await self.call(self.assistant.prune_delivery)
            log.info("forgot %d update ids and %d digest records", pruned.updates, pruned.digests)
        except Exception:  # noqa: BLE001 - tomorrow's run prunes them
            log.warning("could not prune the delivery records", exc_info=True)

    # ------------------------------------------------------------------ each update once

    async def claim_update(self, bot_id: int, update_id: int, owner: str, lease: timedelta) -> Claim:
        """Whether this process may handle update `update_id` (see `Assistant.claim_update`).

        When the claim cannot be written (the database is down) the update is handled anyway: a rare
        duplicate is better than a lost message, and the handler will report the database itself."""
        try:
            return await self.call(self.assistant.claim_update, bot_id, update_id, owner, lease)
        except Exception:  # noqa: BLE001 - see above
            log.warning("could not record update %s; handling it anyway", update_id, exc_info=True)
            return "new"

    async def update_handled(self, bot_id: int, update_id: int, owner: str) -> None:
        try:
            await self.call(self.assistant.update_handled, bot_id, update_id, owner)
        except Exception:  # noqa: BLE001 - the claim stays; a redelivery after the lease would handle it again
            log.warning("could not record update %s as handled", update_id, exc_info=True)


def _chart(view: SummaryView) -> bytes:
    from bot.render.chart import summary_chart

    with _chart_lock:
        return summary_chart(view.summary, view.lang)


def _workbook(view: SummaryView) -> bytes:
    from bot.render.excel import summary_workbook

    return summary_workbook(
        view.summary, view.overdue_tasks, view.lang, due_tasks=view.due_tasks, assigners=view.assigners
    )
