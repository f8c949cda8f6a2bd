"""The Telegram transport: a python-telegram-bot Application with thin handlers.

Handlers turn an Update into a `Caller` + text/attachment and a `TelegramChannel`, and hand them to the
`Dialog` (bot/service/dialog.py); the assistant service decides and authorises. Services are built in
`post_init` (so a slow index load never blocks the import), the morning digest is (re)scheduled there,
and one error handler apologises to the user and logs the traceback (with the token redacted). Every update
first passes `once_per_update` (handler group -1): one redelivered by Telegram is not handled twice, by this
process or another replica; the digest is claimed per official and day in the database likewise.

The bot works in private chats only: everything it sends to a group, supergroup or channel is read by
everyone there, so an update from one never reaches the dialog (see `PrivateOnly`); commands addressed
to another bot (`/overdue@other_bot`) are ignored in every chat.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime, time, timedelta
from time import monotonic as time_monotonic
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import httpx
from telegram import (
    BotCommand,
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackContext,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import Settings
from bot.health import HealthCheck
from bot.i18n import error_text, t
from bot.render.out import MAX_FILE_BYTES, Button, FileOut, Out, PhotoOut, TextOut
from bot.service.commands import menu_commands
from bot.service.core import Assistant
from bot.service.dialog import Attachment, Channel, Dialog, JobWatch
from bot.service.views import Caller
from bot.webhook import HEALTH_PATH, WebhookServer
from bot.wiring import Services, build_services
from db.errors import TrolyError

log = logging.getLogger(__name__)

DIGEST_JOB = "morning-digest"
LAST_GROUP = 1000  # handler group that runs after all others: the update is recorded as handled
JOB_WATCH = "ingest-job-{id}"
JOB_SWEEP = "ingest-job-sweep"
JOB_SWEEP_SECONDS = 30.0


# --- logging: the token never reaches a log ---------------------------------------------------------


class RedactToken(logging.Filter):
    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], InvalidToken):
            return False  # PTB's traceback of a rejected token: `troly bot` says it in one line instead
        message = record.getMessage()
        text = message
        for secret in self.secrets:
            text = text.replace(secret, "<redacted>")
        if text != message:
            record.msg, record.args = text, None
        if record.exc_info and record.exc_info[1] is not None:
            exc_text = logging.Formatter().formatException(record.exc_info)
            for secret in self.secrets:
                exc_text = exc_text.replace(secret, "<redacted>")
            record.exc_text, record.exc_info = exc_text, None
        return True


def protect_logs(*secrets: str | None) -> RedactToken:
    """Keep httpx/httpcore quiet (their INFO lines carry the URL, hence the token) and redact secrets."""
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    redact = RedactToken([s for s in secrets if s])
    root = logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, RedactToken) for f in handler.filters):
            handler.addFilter(redact)
    return redact


# --- the channel -------------------------------------------------------------------------------------------


def _markup(buttons: list[list[Button]]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in buttons])


_RETRY_PAUSES = (1.0, 2.0, 4.0)


def _never_arrived(exc: BaseException) -> bool:
    """The request did not reach the server: no connection (refused, connect timeout, none free)."""
    cause = exc.__cause__
    return isinstance(cause, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))


class TelegramChannel:
    """Output of one conversation, sent through the Bot API."""

    def __init__(self, bot: Any, chat_id: int, query: CallbackQuery | None = None) -> None:
        self.bot, self.chat_id, self.query = bot, chat_id, query
        self._answered = False

    async def typing(self) -> None:
        await self.bot.send_chat_action(self.chat_id, ChatAction.TYPING)

    async def send(self, out: Out) -> int:
        """Deliver `out`; retried (1, 2, 4 s) while the Bot API cannot be reached at all, so an answer
        worked out during a network blip is not lost. Never retried once a request may have arrived:
        a read timeout retried could send the message twice."""
        for pause in _RETRY_PAUSES:
            try:
                return await self._send_once(out)
            except NetworkError as exc:
                if not _never_arrived(exc):
                    raise
                log.warning("Bot API unreachable (%s); sending again in %.0f s", exc, pause)
                await asyncio.sleep(pause)
        return await self._send_once(out)

    async def _send_once(self, out: Out) -> int:
        if isinstance(out, TextOut):
            msg = await self.bot.send_message(
                self.chat_id,
                out.html,
                parse_mode=ParseMode.HTML,
                reply_markup=_markup(out.buttons),
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        elif isinstance(out, PhotoOut):
            msg = await self.bot.send_photo(
                self.chat_id,
                InputFile(out.data, filename=out.filename),
                caption=out.caption or None,
                parse_mode=ParseMode.HTML,
            )
        else:
            assert isinstance(out, FileOut)
            msg = await self.bot.send_document(
                self.chat_id,
                InputFile(out.data, filename=out.filename),
                caption=out.caption or None,
                parse_mode=ParseMode.HTML,
            )
        return int(msg.message_id)

    async def edit(self, ref: Any, out: TextOut) -> None:
        try:
            await self.bot.edit_message_text(
                out.html,
                chat_id=self.chat_id,
                message_id=int(ref),
                parse_mode=ParseMode.HTML,
                reply_markup=_markup(out.buttons),
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                raise

    async def toast(self, text: str) -> None:
        if self.query is not None and not self._answered:
            self._answered = True
            await self.query.answer(text or None)


# --- private chats only ----------------------------------------------------------------------------------


GROUP_NOTICE_INTERVAL = 600.0  # seconds between two "I work in private chats" notices in one chat


def addressed_elsewhere(text: str | None, username: str | None) -> bool:
    """'/overdue@other_bot …' is for another bot in the chat: not ours to answer, in any kind of chat."""
    if not text or not text.startswith("/"):
        return False
    _, at, target = text.split(maxsplit=1)[0].partition("@")
    return bool(at) and target.lower() != (username or "").lower()


class PrivateOnly:
    """The guard for groups, supergroups and channels: no task data, files, answers or invite codes there.

    A command gets one short notice, in the sender's language, with a button that opens the private chat.
    "Once" means at most one notice per chat per `interval` seconds, and only for commands: plain text and
    files in a group are not for the bot (with privacy mode on, Telegram mostly delivers commands anyway),
    and a notice for every command would let thirty members typing /trehan fill the group with the same
    line. The times are kept in this process only: with N bot replicas a group gets at most N notices per
    interval, and a restart forgets them — acceptable for a courtesy notice, no data depends on it.
    """

    def __init__(self, interval: float = GROUP_NOTICE_INTERVAL, clock: Callable[[], float] | None = None) -> None:
        self.interval = interval
        self.clock = clock or time_monotonic
        self._last: dict[int, float] = {}

    def due(self, chat_id: int) -> bool:
        """Whether `chat_id` should get a notice now (and, if so, note that it got one)."""
        now = self.clock()
        last = self._last.get(chat_id)
        if last is not None and now - last < self.interval:
            return False
        if len(self._last) >= 10_000:  # forget chats whose interval is over (bounded memory)
            self._last = {c: at for c, at in self._last.items() if now - at < self.interval}
        self._last[chat_id] = now
        return True


def _is_private(chat: Chat | None) -> bool:
    return chat is not None and chat.type == ChatType.PRIVATE


def _lang(update: Update) -> str:
    user = update.effective_user
    return "en" if user is not None and (user.language_code or "").lower().startswith("en") else "vi"


async def _private_chat_notice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or not (message.text or message.caption or "").startswith("/"):
        return
    guard: PrivateOnly = context.application.bot_data["private_only"]
    if not guard.due(chat.id):
        return
    lang = _lang(update)
    button = InlineKeyboardButton(t("group.open_private", lang), url=f"https://t.me/{context.bot.username}")
    await message.reply_text(
        t("group.private_only", lang),
        reply_markup=InlineKeyboardMarkup([[button]]),
        do_quote=message.build_reply_arguments(allow_sending_without_reply=True),
    )


# --- handlers ------------------------------------------------------------------------------------------------


def _dialog(context: CallbackContext[Any, Any, Any, Any]) -> Dialog:
    return context.application.bot_data["dialog"]  # type: ignore[no-any-return]


def _caller(update: Update) -> Caller:
    user = update.effective_user
    assert user is not None
    return Caller("telegram", telegram_user_id=user.id, language_code=user.language_code, full_name=user.full_name)


def _downloader(bot: Any, file_id: str, limit: int = MAX_FILE_BYTES) -> Callable[[], Any]:
    """Read a file from the Bot API, counting the bytes that arrive: at most `limit` + 1 are kept, so a file
    bigger than it declared is seen as too big (the caller checks the length) without being held whole."""

    async def read() -> bytes:
        file = await bot.get_file(file_id)
        path = str(file.file_path or "")
        if not path.startswith(("http://", "https://")):  # a local Bot API server hands out local paths
            return bytes(await file.download_as_bytearray())[: limit + 1]
        data = bytearray()
        async with httpx.AsyncClient(timeout=httpx.Timeout(30.0)) as client, client.stream("GET", path) as response:
            response.raise_for_status()
            async for block in response.aiter_bytes():
                data += block
                if len(data) > limit:
                    break
        return bytes(data[: limit + 1])

    return read


async def once_per_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Handler group -1, before every other handler: an update Telegram delivers again (an unacknowledged
    webhook call, a poll whose offset was never confirmed, to this replica or another) stops here, unless the
    process that took it died before handling it (see `Assistant.claim_update`)."""
    data = context.application.bot_data
    claim = await _dialog(context).claim_update(context.bot.id, update.update_id, data["owner"], data["update_lease"])
    if claim == "taken_over":
        log.info("update %s: its first handler never finished; handling it here", update.update_id)
        return
    if claim == "new":
        return
    if claim == "busy":  # the webhook answers 503 for it: Telegram sends it again later (bot/webhook.py)
        data.setdefault("busy_updates", set()).add(update.update_id)
    log.info("update %s was delivered before (%s): not handled again", update.update_id, claim)
    raise ApplicationHandlerStop


async def update_done(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The last handler group: every handler of the update has run (an error included: it was answered)."""
    data = context.application.bot_data
    await _dialog(context).update_handled(context.bot.id, update.update_id, data["owner"])


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or addressed_elsewhere(message.text or message.caption, context.bot.username):
        return
    if not _is_private(update.effective_chat):
        await _private_chat_notice(update, context)
        return
    if update.effective_user is None:
        return
    attachment = None
    if message.document is not None:
        doc = message.document
        attachment = Attachment(
            doc.file_name or f"{doc.file_unique_id}.bin",
            "document",
            doc.file_size,
            _downloader(context.bot, doc.file_id),
        )
    elif message.photo:
        photo = message.photo[-1]  # the largest size
        attachment = Attachment(
            f"photo-{photo.file_unique_id}.jpg", "photo", photo.file_size, _downloader(context.bot, photo.file_id)
        )
    channel = TelegramChannel(context.bot, message.chat_id)
    await _dialog(context).on_message(_caller(update), message.text or message.caption, channel, attachment)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or update.effective_user is None:
        return
    if query.message is not None and not _is_private(query.message.chat):
        # a button under a message in a group (the bot sends none there; forged or from before this rule)
        await query.answer(t("group.private_only", _lang(update))[:190], show_alert=True)
        return
    chat_id = query.message.chat.id if query.message is not None else update.effective_user.id
    ref = query.message.message_id if query.message is not None else None
    channel = TelegramChannel(context.bot, chat_id, query)
    await _dialog(context).on_button(_caller(update), query.data or "", channel, ref)
    await channel.toast("")  # never leave the button spinning (no-op when already answered)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The one error handler: our own errors (`TrolyError`: a message key) rendered in the user's language,
    anything else a short apology; the traceback to the log (token redacted)."""
    log.error("update %s failed", getattr(update, "update_id", "?"), exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    user = update.effective_user
    lang = "en" if user is not None and (user.language_code or "").startswith("en") else "vi"
    text = error_text(context.error, lang) if isinstance(context.error, TrolyError) else t("error.apology", lang)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text[:190])
        else:
            await context.bot.send_message(update.effective_chat.id, text)
    except Exception:  # noqa: BLE001 - the apology is best effort
        log.warning("could not send the apology", exc_info=True)


async def digest_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    async def send(chat_id: int, outs: list[Out]) -> None:
        channel = TelegramChannel(context.bot, chat_id)
        for out in outs:
            await channel.send(out)

    dialog = _dialog(context)
    sent = await dialog.send_digests(send)
    log.info("morning digest sent to %d officials", sent)
    await dialog.prune_delivery()


async def follow_job_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """One look at a followed ingestion job (a repeating PTB job per followed job): edit its message, or send
    its report and stop."""
    job = context.job
    assert job is not None and job.chat_id is not None
    watch: JobWatch = job.data  # type: ignore[assignment]
    if await _dialog(context).job_step(watch, TelegramChannel(context.bot, job.chat_id)):
        job.schedule_removal()


async def follow_sweep(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Follow every job whose report nobody sent yet: at start (jobs followed before a restart) and then every
    JOB_SWEEP_SECONDS (jobs a replica that went away was following)."""
    assert context.job is not None
    interval = float(context.job.data)  # type: ignore[arg-type]
    for job_id, chat_id, message_id in await asyncio.to_thread(_dialog(context).assistant.followed_jobs):
        schedule_follow(context.application, JobWatch(job_id, message_id), chat_id, interval)


def job_follower(app: Application[Any, Any, Any, Any, Any, Any], interval: float) -> Any:
    """How the Telegram bot follows a queued job: a PTB job polling the job row every `interval` seconds, so
    the update's handler returns at once (a sync takes minutes) and the message is followed from the row alone
    (chat and message ids are in it: a restarted bot or another replica follows it too)."""

    async def follow(watch: JobWatch, channel: Channel) -> None:
        chat_id = getattr(channel, "chat_id", None)
        schedule_follow(app, watch, chat_id, interval)

    return follow


def schedule_follow(
    app: Application[Any, Any, Any, Any, Any, Any], watch: JobWatch, chat_id: int | None, interval: float
) -> None:
    jq = app.job_queue
    if jq is None or chat_id is None:
        return
    name = JOB_WATCH.format(id=watch.job_id)
    if jq.get_jobs_by_name(name):
        return
    jq.run_repeating(follow_job_tick, interval=interval, first=interval, data=watch, chat_id=chat_id, name=name)


# --- the application ------------------------------------------------------------------------------------------


def file_url_for(api_url: str) -> str:
    """`http://host:8081/bot` → `http://host:8081/file/bot` (a self-hosted Bot API server's file endpoint)."""
    base = api_url.rstrip("/")
    if base.endswith("/bot"):
        return base[: -len("/bot")] + "/file/bot"
    return base + "/file/bot"


def digest_time(settings: Settings) -> time:
    hours, minutes, seconds = ([*settings.digest_time.split(":"), "0"])[:3]
    return time(int(hours), int(minutes), int(seconds), tzinfo=ZoneInfo(settings.tz_name))


def schedule_digest(app: Application[Any, Any, Any, Any, Any, Any], settings: Settings) -> None:
    """(Re)create the daily digest job: jobs do not survive a restart, so this runs at every start. Every
    replica runs it; the digest records in the database let one of them send each official's digest."""
    jq = app.job_queue
    if jq is None:
        raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
    for job in jq.get_jobs_by_name(DIGEST_JOB):
        job.schedule_removal()
    jq.run_daily(digest_job, time=digest_time(settings), name=DIGEST_JOB)


def menu_entries(lang: str) -> list[tuple[str, str]]:
    """Telegram's command menu from the command table: (command, description) — the Vietnamese alias
    in Vietnamese, the canonical name in English; the description is the help text after its dash."""
    return [
        (c.alias if lang == "vi" and c.alias else c.name, t(c.help_key, lang).split("— ", 1)[-1][:256])
        for c in menu_commands()
    ]


async def set_command_menu(bot: Any) -> None:
    await bot.set_my_commands([BotCommand(*entry) for entry in menu_entries("vi")])
    await bot.set_my_commands([BotCommand(*entry) for entry in menu_entries("en")], language_code="en")


class TrolyApplication(Application):  # type: ignore[type-arg]
    """PTB's Application, except that stopping (SIGTERM, Ctrl-C) first stops a running document sync:
    PTB waits for every update being handled, and a /reload can take minutes."""

    async def stop(self) -> None:
        dialog = self.bot_data.get("dialog")
        if dialog is not None:
            dialog.interrupt()
        await super().stop()


def build_application(
    settings: Settings,
    *,
    services: Services | None = None,
    clock: Callable[[], date] | None = None,
    now: Callable[[], datetime] | None = None,
    rate_limit: bool = True,
    concurrency: int = 64,
    progress_interval: float = 1.0,
    group_notice_interval: float = GROUP_NOTICE_INTERVAL,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The bot. `services` (built in post_init from `settings` when not given), `clock` (today) and `now`
    (aware datetimes: the one clock, today being TZ_NAME's date) are for tests; `group_notice_interval`:
    seconds between two private-chat notices in one group (see `PrivateOnly`)."""
    token = settings.telegram_bot_token
    if not token:
        raise RuntimeError(t("bot.no_token"))
    protect_logs(token, settings.webhook_secret)
    # 32 connections to the Bot API, not PTB's 256: httpcore looks over every pooled connection on each
    # request, which cost ~6% of the bot's time under load; a request waits for a free one instead.
    builder = (
        ApplicationBuilder().token(token).concurrent_updates(concurrency).connection_pool_size(32).pool_timeout(30.0)
    )
    if settings.telegram_api_url:
        builder = builder.base_url(settings.telegram_api_url).base_file_url(file_url_for(settings.telegram_api_url))
    if rate_limit:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))  # type: ignore[arg-type]

    async def post_init(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        built = services if services is not None else await asyncio.to_thread(build_services, settings)
        if built.answerer is None:
            log.warning("questions cannot be answered: %s", built.answerer_error)
        # invite links: the configured username, else the bot's own (getMe, done by initialize)
        username = settings.telegram_bot_username or app.bot.username
        assistant = Assistant(built, clock=clock, now=now, bot_username=username)
        app.bot_data["services"] = built
        dialog = Dialog(assistant, progress_interval=progress_interval)
        app.bot_data["dialog"] = dialog
        if settings.queued_ingest:
            dialog.follow = job_follower(app, progress_interval)
            if app.job_queue is not None:
                app.job_queue.run_repeating(
                    follow_sweep, interval=JOB_SWEEP_SECONDS, first=0.0, name=JOB_SWEEP, data=progress_interval
                )
        # /healthz (webhook mode) checks with this process's own database and index
        app.bot_data["health"] = HealthCheck(settings, db=built.db, index=getattr(built.library, "index", None))
        schedule_digest(app, settings)
        try:
            await set_command_menu(app.bot)
        except Exception:  # noqa: BLE001 - the menu is a convenience
            log.warning("could not set the command menu", exc_info=True)

    async def post_shutdown(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        health = app.bot_data.pop("health", None)
        if health is not None:
            health.close()
        dialog = app.bot_data.get("dialog")
        if dialog is not None:
            dialog.close()
        built = app.bot_data.get("services")
        if built is not None and services is None:
            built.close()

    app = builder.application_class(TrolyApplication).post_init(post_init).post_shutdown(post_shutdown).build()
    app.bot_data["private_only"] = PrivateOnly(group_notice_interval)
    app.bot_data["owner"] = uuid.uuid4().hex  # this process, in the records of the updates it handles
    lease = timedelta(seconds=settings.update_lease_seconds)
    app.bot_data["update_lease"] = lease if settings.webhook_url else timedelta(0)
    incoming = (filters.TEXT | filters.CAPTION | filters.Document.ALL | filters.PHOTO) & ~filters.UpdateType.EDITED
    app.add_handler(TypeHandler(Update, once_per_update), group=-1)
    app.add_handler(MessageHandler(incoming, on_message))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(TypeHandler(Update, update_done), group=LAST_GROUP)
    app.add_error_handler(on_error)
    return app


def webhook_path(settings: Settings) -> str:
    return urlparse(settings.webhook_url or "").path.lstrip("/")


async def start_updates(
    app: Application[Any, Any, Any, Any, Any, Any],
    settings: Settings,
    *,
    listen: str = "0.0.0.0",
    port: int = 8443,
    poll_timeout: int = 10,
) -> None:
    """Start receiving updates: webhook when WEBHOOK_URL is set (with its secret; our own server, which also
    answers /healthz: see bot/webhook.py), else long polling."""
    assert app.updater is not None
    if settings.webhook_url:
        server = WebhookServer(app, path=webhook_path(settings), secret=settings.webhook_secret or "")
        server.start(listen, port)
        app.bot_data["webhook_server"] = server
        await app.bot.set_webhook(
            url=settings.webhook_url, secret_token=settings.webhook_secret, allowed_updates=Update.ALL_TYPES
        )
    else:
        await app.updater.start_polling(poll_interval=0.0, timeout=poll_timeout, allowed_updates=Update.ALL_TYPES)


@asynccontextmanager
async def running(
    app: Application[Any, Any, Any, Any, Any, Any],
    settings: Settings,
    *,
    listen: str = "127.0.0.1",
    port: int = 8443,
    poll_timeout: int = 10,
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """The same lifecycle as `run_polling`/`run_webhook`, inside an existing event loop (tests, benchmarks)."""
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    await start_updates(app, settings, listen=listen, port=port, poll_timeout=poll_timeout)
    await app.start()
    try:
        yield app
    finally:
        assert app.updater is not None
        server = app.bot_data.pop("webhook_server", None)
        if server is not None:
            await server.stop()
        if app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)


def run_bot(settings: Settings, *, listen: str = "0.0.0.0", port: int = 8443) -> None:
    """Blocking: run until interrupted (long polling, or webhook when WEBHOOK_URL is set)."""
    app = build_application(settings)
    if settings.webhook_url:
        asyncio.run(_serve_webhook(app, settings, listen=listen, port=port))
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)


async def _serve_webhook(
    app: Application[Any, Any, Any, Any, Any, Any], settings: Settings, *, listen: str, port: int
) -> None:
    """Webhook mode until SIGINT/SIGTERM, with the lifecycle of PTB's `run_webhook` (see `running`)."""
    import signal

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with running(app, settings, listen=listen, port=port):
        log.info("webhook mode on %s:%d (/%s and %s)", listen, port, webhook_path(settings), HEALTH_PATH)
        await stop.wait()
