"""A fake Telegram Bot API server for driving the real python-telegram-bot library in tests.

It is an aiohttp server on 127.0.0.1 (ephemeral port) that speaks enough of the Bot API for PTB's
``Application``/``Updater`` to run against it unchanged::

    async with FakeTelegram() as tg:
        app = (ApplicationBuilder().token(tg.token)
               .base_url(tg.base_url).base_file_url(tg.base_file_url).build())
        ...
        tg.push_message(42, "/start")
        call = await tg.wait_for("sendMessage")

Behaviour that matters for tests (and mirrors the real server):

* ``getUpdates`` long-polls: it honours ``timeout``, ``offset`` confirms (forgets) older updates,
  ``timeout=0`` answers at once, and a pushed update wakes a waiting poll immediately.
  While a webhook is set it answers 409 Conflict, like Telegram.
* ``sendMessage``/``editMessageText`` check the 4096-character limit on the text *after* entity
  parsing (HTML tags stripped and entities unescaped; MarkdownV2 escapes removed), captions the
  1024 limit, HTML must be well formed with Telegram's tag set, ``callback_data`` at most 64 bytes,
  and editing a message to identical content gives "message is not modified".
* Uploads (multipart) are stored with their bytes and filename, and get a ``file_id`` that
  ``getFile`` and the download URL understand, as do files registered with :meth:`add_file`.
* Any method it does not know is answered ``{"ok": true, "result": true}``.
* Every request is recorded in :attr:`FakeTelegram.calls`.

Everything runs in the caller's event loop; the helpers are not thread safe.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import logging
import re
import struct
import time
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import web

# httpx logs every request URL at INFO, and Bot API URLs contain the token.
logging.getLogger("httpx").setLevel(logging.WARNING)

MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024

# Parameters whose form value is a plain string even when it looks like JSON ("123", "true").
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "url",
        "secret_token",
        "action",
        "file_id",
        "inline_message_id",
        "data",
        "title",
        "description",
        "query",
        "language_code",
        "emoji",
        "question",
        "name",
        "short_description",
        "ip_address",
        "explanation",
        "address",
        "first_name",
        "last_name",
        "phone_number",
        "vcard",
        "start_parameter",
        "payload",
        "currency",
        "provider_token",
        "game_short_name",
        "sticker",
        "photo",
        "document",
        "video",
        "audio",
        "voice",
        "animation",
        "video_note",
        "thumbnail",
        "media",
    }
)
_HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
        "tg-time",
    }
)
_HTML_TOKEN = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)\s*/?>|&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);|[<>&]"
)
_HTML_NAMED_ENTITIES = frozenset({"lt", "gt", "amp", "quot"})


class TelegramError(Exception):
    """Raised inside a method handler to answer ``{"ok": false, ...}``."""

    def __init__(self, description: str, error_code: int = 400, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.description = description
        self.error_code = error_code
        self.parameters = parameters


@dataclass
class UploadedFile:
    """One part of a multipart upload."""

    filename: str | None
    data: bytes
    content_type: str | None = None


@dataclass
class Call:
    """One Bot API request as the fake received it.

    ``params`` are decoded: JSON-encoded values (numbers, reply_markup, ...) become Python objects,
    string parameters such as ``text`` stay strings exactly as sent (HTML not stripped).
    ``files`` maps multipart part names to uploads; an ``attach://name`` parameter is resolved so the
    upload is also available under the parameter's own name. ``result`` is what the fake answered
    (``None`` for errors, see ``error``).
    """

    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile] = field(default_factory=dict)
    timestamp: float = field(default_factory=time.time)
    result: Any = None
    error: str | None = None

    @property
    def text(self) -> str | None:
        """The ``text`` or ``caption`` as sent (raw, with markup)."""
        value = self.params.get("text", self.params.get("caption"))
        return None if value is None else str(value)

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    file_name: str | None = None


class CallList(list[Call]):
    """A list of calls that may also be awaited (``await tg.sent_messages()`` and plain calls both work)."""

    def __await__(self) -> Generator[Any, None, CallList]:
        async def _self() -> CallList:
            return self

        return _self().__await__()


# --------------------------------------------------------------------------------------------- parsing


def _html_to_plain(text: str) -> str:
    """Validate Telegram-flavoured HTML like the Bot API does and return the visible text."""
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    for m in _HTML_TOKEN.finditer(text):
        out.append(text[pos : m.start()])
        pos = m.end()
        byte_offset = len(text[: m.start()].encode("utf-8"))
        tok = m.group(0)
        if m.group(2):
            closing, tag = m.group(1) == "/", m.group(2).lower()
            if tag not in _HTML_TAGS:
                raise TelegramError(
                    f'Bad Request: can\'t parse entities: Unsupported start tag "{tag}" at byte offset {byte_offset}'
                )
            if closing:
                if not stack or stack[-1] != tag:
                    raise TelegramError(
                        f"Bad Request: can't parse entities: Unmatched end tag at byte offset {byte_offset}, "
                        f'expected "</{stack[-1] if stack else ""}>", found "</{tag}>"'
                    )
                stack.pop()
            elif not tok.endswith("/>"):
                stack.append(tag)
        elif m.group(4):
            ent = m.group(4)
            if not ent.startswith("#") and ent not in _HTML_NAMED_ENTITIES:
                raise TelegramError(
                    f"Bad Request: can't parse entities: Unsupported HTML entity at byte offset {byte_offset}"
                )
            out.append(html.unescape(tok))
        elif tok == "<":
            raise TelegramError(
                f"Bad Request: can't parse entities: Unexpected end of name token at byte offset {byte_offset}"
            )
        elif tok == "&":
            raise TelegramError(
                f"Bad Request: can't parse entities: Character entity expected at byte offset {byte_offset}"
            )
        else:  # a bare ">" is accepted by Telegram
            out.append(tok)
    out.append(text[pos:])
    if stack:
        raise TelegramError(
            f"Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1]}\""
        )
    return "".join(out)


def _markdown_to_plain(text: str, v2: bool) -> str:
    if v2:
        text = re.sub(r"\\(.)", lambda m: "\x00" + m.group(1), text)
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
        text = re.sub(r"\|\||__|[*_~`]", "", text)
        return text.replace("\x00", "")
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[*_`]", "", text)


def plain_text(text: str, parse_mode: str | None) -> str:
    """The text Telegram would display (and count) for ``text`` sent with ``parse_mode``."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return _html_to_plain(text)
    if mode in ("markdown", "markdownv2"):
        return _markdown_to_plain(text, mode == "markdownv2")
    return text


def _decode_value(name: str, value: str) -> Any:
    if name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _png_size(data: bytes) -> tuple[int, int] | None:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        w, h = struct.unpack(">II", data[16:24])
        return int(w), int(h)
    return None


# --------------------------------------------------------------------------------------------- server


# Telegram numbers a bot's updates in one rising sequence, whichever process receives them; the bot records the ids
# it handled in its database (exactly once across replicas). So ids continue across FakeTelegram instances: a bot
# restarted on the same database in one test is the same bot, and its new updates are new.
_UPDATE_IDS = itertools.count(1)


class FakeTelegram:
    """A fake Bot API server; see the module docstring.

    Public attributes: ``token``, ``bot_id``, ``bot_user`` (the getMe result), ``base_url`` /
    ``base_file_url`` (after start), ``calls``, ``files`` (file_id → StoredFile), ``commands``
    (last setMyCommands), ``webhook_url``, ``chats`` (chat_id → chat JSON),
    ``messages`` ((chat_id, message_id) → message JSON, both pushed and bot-sent).
    """

    def __init__(
        self,
        token: str = "123456789:AAFakeTokenForTests_troly",
        *,
        bot_username: str = "troly_test_bot",
        bot_first_name: str = "Trợ lý",
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_user: dict[str, Any] = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.calls: list[Call] = []
        self.files: dict[str, StoredFile] = {}
        self.commands: list[dict[str, Any]] = []
        self.webhook_url = ""
        self.chats: dict[Any, dict[str, Any]] = {}
        self.messages: dict[tuple[Any, int], dict[str, Any]] = {}
        self._updates: list[dict[str, Any]] = []
        self._update_ids = _UPDATE_IDS
        self._message_ids: dict[Any, itertools.count[int]] = {}
        self._file_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._update_event = asyncio.Event()
        self._call_event = asyncio.Event()
        self._consumed: set[int] = set()
        self._failures: dict[str, list[TelegramError]] = {}
        # Telegram's cloud Bot API serves files up to 20 MB; a self-hosted one (TELEGRAM_API_URL) up to 2 GB:
        # set None to play one.
        self.max_download: int | None = MAX_DOWNLOAD_SIZE
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._offline_app: web.Application | None = None
        self._port: int | None = None
        self._handlers: dict[str, Callable[[dict[str, Any], dict[str, UploadedFile]], Awaitable[Any]]] = {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "sendphoto": self._send_photo,
            "senddocument": self._send_document,
            "sendchataction": self._true,
            "answercallbackquery": self._true,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "getfile": self._get_file,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "close": self._true,
            "logout": self._true,
        }

    # ------------------------------------------------------------------ lifecycle

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeTelegram is not started")
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """Pass to PTB's ``base_url`` (PTB appends the token)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Pass to PTB's ``base_file_url`` (PTB appends the token)."""
        return f"{self.url}/file/bot"

    async def start(self) -> FakeTelegram:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_download)
        await self._serve(app, 0)
        self._port = int(self._runner.addresses[0][1])  # type: ignore[union-attr]
        self._closing = False
        self._update_event = asyncio.Event()  # bound to the loop that runs the server
        self._call_event = asyncio.Event()
        return self

    async def go_offline(self) -> None:
        """Close the listening socket and every open connection (state kept): clients now get
        "connection refused", as when the Bot API cannot be reached. `go_online` listens again."""
        assert self._runner is not None
        self._offline_app = self._runner.app
        await self._runner.cleanup()
        self._runner = None

    async def go_online(self) -> None:
        assert self._offline_app is not None, "go_offline first"
        await self._serve(self._offline_app, self.port)

    async def _serve(self, app: web.Application, port: int) -> None:
        self._runner = web.AppRunner(app, handler_cancellation=True, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()

    async def stop(self) -> None:
        self._closing = True
        self._update_event.set()  # release pending long polls
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    # ------------------------------------------------------------------ test helpers: users

    def _user(
        self, user_id: int, first_name: str, language_code: str | None, last_name: str | None, username: str | None
    ) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        return user

    def _chat(self, chat_id: Any, user: dict[str, Any] | None = None) -> dict[str, Any]:
        if chat_id in self.chats:
            return self.chats[chat_id]
        if user is not None and chat_id == user["id"]:
            chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
            for key in ("last_name", "username"):
                if key in user:
                    chat[key] = user[key]
        elif isinstance(chat_id, int) and chat_id < 0:
            chat = {
                "id": chat_id,
                "type": "supergroup" if chat_id < -(10**12) else "group",
                "title": f"Group {chat_id}",
            }
        else:
            chat = {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
        self.chats[chat_id] = chat
        return chat

    def _next_message_id(self, chat_id: Any) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _enqueue(self, update: dict[str, Any]) -> int:
        self._updates.append(update)
        self._update_event.set()
        self._update_event = asyncio.Event()
        return int(update["update_id"])

    def push_message(
        self,
        user_id: int,
        text: str | None = None,
        *,
        chat_id: int | None = None,
        language_code: str | None = "vi",
        first_name: str = "Cán bộ",
        last_name: str | None = None,
        username: str | None = None,
        document: dict[str, Any] | None = None,
        photo: dict[str, Any] | list[dict[str, Any]] | None = None,
        caption: str | None = None,
    ) -> int:
        """Queue an Update with a message from ``user_id`` (private chat unless ``chat_id``); return its id.

        ``document`` is a dict with ``file_id`` and optionally ``file_name``, ``mime_type``, ``file_size``
        (register the bytes with :meth:`add_file` to make it downloadable); ``photo`` a PhotoSize dict or a
        list of them. Text (or caption) starting with "/" gets a ``bot_command`` entity.
        """
        user = self._user(user_id, first_name, language_code, last_name, username)
        cid = user_id if chat_id is None else chat_id
        chat = self._chat(cid, user)
        message: dict[str, Any] = {
            "message_id": self._next_message_id(cid),
            "from": user,
            "chat": chat,
            "date": int(time.time()),
        }
        if text is not None:
            message["text"] = text
            if entities := _command_entities(text):
                message["entities"] = entities
        if document is not None:
            doc = dict(document)
            doc.setdefault("file_unique_id", f"u{doc['file_id']}")
            if doc["file_id"] in self.files:
                doc.setdefault("file_size", len(self.files[doc["file_id"]].data))
            message["document"] = doc
        if photo is not None:
            sizes = [dict(p) for p in (photo if isinstance(photo, list) else [photo])]
            for p in sizes:
                p.setdefault("file_unique_id", f"u{p['file_id']}")
                p.setdefault("width", 1280)
                p.setdefault("height", 960)
            message["photo"] = sizes
        if caption is not None:
            message["caption"] = caption
            if entities := _command_entities(caption):
                message["caption_entities"] = entities
        self.messages[(cid, message["message_id"])] = message
        return self._enqueue({"update_id": next(self._update_ids), "message": message})

    def push_callback(
        self,
        user_id: int,
        data: str,
        message_id: int,
        chat_id: int | None = None,
        *,
        first_name: str = "Cán bộ",
        language_code: str | None = "vi",
    ) -> int:
        """Queue an Update with a callback query (a button press on ``message_id``); return its id."""
        user = self._user(user_id, first_name, language_code, None, None)
        cid = user_id if chat_id is None else chat_id
        message = self.messages.get((cid, message_id))
        if message is None:
            message = {
                "message_id": message_id,
                "from": self.bot_user,
                "chat": self._chat(cid, user),
                "date": int(time.time()),
                "text": "",
            }
        query = {
            "id": str(next(self._callback_ids)),
            "from": user,
            "message": message,
            "chat_instance": f"ci{cid}",
            "data": data,
        }
        return self._enqueue({"update_id": next(self._update_ids), "callback_query": query})

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue a raw Update (``update_id`` is filled in when missing)."""
        update = dict(update)
        update.setdefault("update_id", next(self._update_ids))
        return self._enqueue(update)

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by an ``offset``."""
        return list(self._updates)

    def add_file(
        self, file_id: str, data: bytes, file_path: str | None = None, *, file_name: str | None = None
    ) -> StoredFile:
        """Make ``file_id`` known to getFile and downloadable at ``/file/bot<token>/<file_path>``."""
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=f"u{file_id}",
            data=bytes(data),
            file_path=file_path or f"documents/{file_id}",
            file_name=file_name,
        )
        self.files[file_id] = stored
        return stored

    def fail_next(
        self,
        method: str,
        description: str = "Bad Request: simulated failure",
        error_code: int = 400,
        parameters: dict[str, Any] | None = None,
    ) -> None:
        """Make the next call of ``method`` fail (e.g. 429 with ``parameters={"retry_after": 1}``)."""
        self._failures.setdefault(method.lower(), []).append(TelegramError(description, error_code, parameters))

    # ------------------------------------------------------------------ test helpers: assertions

    def mark(self) -> int:
        """The current number of calls, to pass as ``since`` to :meth:`wait_for`."""
        return len(self.calls)

    async def wait_for(
        self, method: str, predicate: Callable[[Call], bool] | None = None, timeout: float = 30, *, since: int = 0
    ) -> Call:
        """Wait for a successful call of ``method`` (matching ``predicate``) and return it.

        Each call is returned by at most one ``wait_for`` (so push → wait_for → push → wait_for gives the
        replies in order); calls before index ``since`` are not considered. The default ``timeout`` is
        generous because a chart's first draw loads matplotlib's fonts: over 10 s on a busy 2-core host.
        """
        wanted = method.lower()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._call_event
            for i in range(since, len(self.calls)):
                call = self.calls[i]
                if (
                    i not in self._consumed
                    and call.error is None
                    and call.method.lower() == wanted
                    and (predicate is None or predicate(call))
                ):
                    self._consumed.add(i)
                    return call
            remaining = deadline - loop.time()
            if remaining <= 0:
                seen = ", ".join(c.method for c in self.calls[-15:] if c.method != "getUpdates")
                raise TimeoutError(f"no matching {method} within {timeout}s; recent calls: [{seen}]")
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass

    def sent_messages(self, chat_id: Any = None) -> CallList:
        """Successful sendMessage/sendPhoto/sendDocument/editMessageText calls, optionally for one chat.

        Returns a list that can also be awaited.
        """
        kinds = {"sendmessage", "sendphoto", "senddocument", "editmessagetext"}
        return CallList(
            c
            for c in self.calls
            if c.method.lower() in kinds and c.error is None and (chat_id is None or c.params.get("chat_id") == chat_id)
        )

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    # ------------------------------------------------------------------ HTTP plumbing

    async def _handle_method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params: dict[str, Any] = {k: _decode_value(k, v) for k, v in request.query.items()}
        files: dict[str, UploadedFile] = {}
        if request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    params.update(body)
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        files[key] = UploadedFile(value.filename, value.file.read(), value.content_type)
                    elif isinstance(value, str):
                        params[key] = _decode_value(key, value)
        for key, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://") and value[9:] in files:
                files.setdefault(key, files[value[9:]])
        call = Call(method=method, params=params, files=files)
        self.calls.append(call)
        try:
            failures = self._failures.get(method.lower())
            if failures:
                raise failures.pop(0)
            handler = self._handlers.get(method.lower(), self._true)
            result = await handler(params, files)
        except TelegramError as e:
            call.error = e.description
            payload: dict[str, Any] = {"ok": False, "error_code": e.error_code, "description": e.description}
            if e.parameters:
                payload["parameters"] = e.parameters
            self._notify()
            return web.json_response(payload, status=e.error_code)
        call.result = result
        self._notify()
        return web.json_response({"ok": True, "result": result})

    def _notify(self) -> None:
        self._call_event.set()
        self._call_event = asyncio.Event()

    async def _handle_download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        path = request.match_info["path"]
        for stored in self.files.values():
            if stored.file_path == path:
                return web.Response(body=stored.data, content_type="application/octet-stream")
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)

    # ------------------------------------------------------------------ methods

    async def _true(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        return True

    async def _get_me(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        return self.bot_user

    async def _get_updates(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        if self.webhook_url:
            raise TelegramError(
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
                "webhook first",
                409,
            )
        offset = int(params.get("offset") or 0)
        limit = max(1, min(int(params.get("limit") or 100), 100))
        timeout = float(params.get("timeout") or 0)
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._updates and not self._closing:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            try:
                await asyncio.wait_for(self._update_event.wait(), remaining)
            except TimeoutError:
                break
        return self._updates[:limit]

    def _check_reply_markup(self, markup: Any) -> None:
        if not isinstance(markup, dict):
            return
        for row in markup.get("inline_keyboard") or []:
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
                    raise TelegramError("Bad Request: BUTTON_DATA_INVALID")

    def _text(self, params: dict[str, Any], key: str = "text") -> str:
        raw = params.get(key)
        text = plain_text("" if raw is None else str(raw), params.get("parse_mode"))
        if key == "text":
            if not text.strip():
                raise TelegramError("Bad Request: message text is empty")
            if len(text) > MAX_MESSAGE_LENGTH:
                raise TelegramError("Bad Request: message is too long")
        elif len(text) > MAX_CAPTION_LENGTH:
            raise TelegramError("Bad Request: message caption is too long")
        return text

    def _new_message(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        if "chat_id" not in params:
            raise TelegramError("Bad Request: chat_id is empty")
        chat_id = params["chat_id"]
        self._check_reply_markup(params.get("reply_markup"))
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "from": self.bot_user,
            "chat": self._chat(chat_id),
            "date": int(time.time()),
        }
        message.update({k: v for k, v in content.items() if v is not None})
        if (
            params.get("reply_markup")
            and isinstance(params["reply_markup"], dict)
            and "inline_keyboard" in params["reply_markup"]
        ):
            message["reply_markup"] = params["reply_markup"]
        self.messages[(chat_id, message["message_id"])] = message
        return message

    async def _send_message(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        return self._new_message(params, text=self._text(params))

    def _message_to_edit(self, params: dict[str, Any]) -> dict[str, Any] | None:
        if params.get("inline_message_id"):
            return None
        key = (params.get("chat_id"), int(params.get("message_id") or 0))
        message = self.messages.get(key)
        if message is None:
            raise TelegramError("Bad Request: message to edit not found")
        if message.get("from", {}).get("id") != self.bot_id:
            raise TelegramError("Bad Request: message can't be edited")
        return message

    async def _edit_message_text(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        text = self._text(params)
        self._check_reply_markup(params.get("reply_markup"))
        message = self._message_to_edit(params)
        if message is None:
            return True
        markup = params.get("reply_markup")
        if message.get("text") == text and message.get("reply_markup") == markup:
            raise TelegramError(
                "Bad Request: message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        message["text"] = text
        message["edit_date"] = int(time.time())
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        return message

    async def _edit_message_reply_markup(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        self._check_reply_markup(params.get("reply_markup"))
        message = self._message_to_edit(params)
        if message is None:
            return True
        markup = params.get("reply_markup")
        if message.get("reply_markup") == markup:
            raise TelegramError(
                "Bad Request: message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        message["edit_date"] = int(time.time())
        return message

    async def _delete_message(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        key = (params.get("chat_id"), int(params.get("message_id") or 0))
        if self.messages.pop(key, None) is None:
            raise TelegramError("Bad Request: message to delete not found")
        return True

    def _store_upload(self, upload: UploadedFile, folder: str) -> StoredFile:
        n = next(self._file_ids)
        name = upload.filename or f"file_{n}"
        suffix = name.rsplit(".", 1)[-1] if "." in name else "bin"
        return self.add_file(
            f"FAKE{folder.upper()}{n:06d}", upload.data, f"{folder}/file_{n}.{suffix}", file_name=upload.filename
        )

    def _media(self, params: dict[str, Any], files: dict[str, UploadedFile], kind: str, folder: str) -> StoredFile:
        if kind in files:
            return self._store_upload(files[kind], folder)
        ref = params.get(kind)
        if not ref:
            raise TelegramError(f"Bad Request: there is no {kind} in the request")
        ref = str(ref)
        if ref in self.files:
            return self.files[ref]
        if ref.startswith(("http://", "https://")):
            return self.add_file(f"FAKEURL{next(self._file_ids):06d}", b"", f"{folder}/{ref.rsplit('/', 1)[-1]}")
        raise TelegramError("Bad Request: wrong file identifier/HTTP URL specified")

    async def _send_photo(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        caption = self._text(params, "caption") if params.get("caption") is not None else None
        stored = self._media(params, files, "photo", "photos")
        width, height = _png_size(stored.data) or (1280, 960)
        photo = [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": width,
                "height": height,
                "file_size": len(stored.data),
            }
        ]
        return self._new_message(params, photo=photo, caption=caption)

    async def _send_document(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        caption = self._text(params, "caption") if params.get("caption") is not None else None
        stored = self._media(params, files, "document", "documents")
        upload = files.get("document")
        document: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
        }
        if stored.file_name:
            document["file_name"] = stored.file_name
        if upload is not None and upload.content_type:
            document["mime_type"] = upload.content_type
        return self._new_message(params, document=document, caption=caption)

    async def _set_my_commands(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        commands = params.get("commands") or []
        for c in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(c.get("command", ""))):
                raise TelegramError("Bad Request: BOT_COMMAND_INVALID")
        self.commands = list(commands)
        return True

    async def _get_my_commands(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        return self.commands

    async def _delete_my_commands(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        self.commands = []
        return True

    async def _get_file(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        stored = self.files.get(str(params.get("file_id", "")))
        if stored is None:
            raise TelegramError("Bad Request: invalid file_id")
        if self.max_download is not None and len(stored.data) > self.max_download:
            raise TelegramError("Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    async def _set_webhook(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        self.webhook_url = str(params.get("url") or "")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _delete_webhook(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        self.webhook_url = ""
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        return {"url": self.webhook_url, "has_custom_certificate": False, "pending_update_count": len(self._updates)}


def _command_entities(text: str) -> list[dict[str, Any]]:
    m = re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
    if not m:
        return []
    return [{"type": "bot_command", "offset": 0, "length": len(m.group(0).encode("utf-16-le")) // 2}]


__all__ = ["Call", "CallList", "FakeTelegram", "StoredFile", "TelegramError", "UploadedFile", "plain_text"]
