"""A fake OpenAI-compatible server (chat completions) for tests.

    async with FakeLLM(reply="Xin chào") as llm:           # in async code
        ChatOpenAI(base_url=llm.base_url, api_key="x", model="fake")

    with FakeLLM(reply=lambda req: "...").run_in_thread() as llm:   # from synchronous code
        subprocess/CLI code with LLM_BASE_URL=llm.base_url

Endpoints: ``POST /v1/chat/completions`` (plain JSON, or SSE chunks ending in ``data: [DONE]`` when the
request has ``"stream": true``; a usage chunk is added when ``stream_options.include_usage`` is set) and
``GET /v1/models``. ``reply`` is a string or a callable taking the request JSON and returning a string
(or an awaitable of one); ``delay`` seconds are slept before answering; ``fail_status`` answers every
completion request with that HTTP status and an OpenAI-style error body. All three are plain attributes
and may be changed while the server runs. Every completion request body is appended to ``requests``.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import json
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any

from aiohttp import web

Reply = str | Callable[[dict[str, Any]], "str | Awaitable[str]"]


def _tokens(text: str) -> int:
    return max(1, len(text.split()))


def message_text(message: dict[str, Any]) -> str:
    """The text of one chat message, whether ``content`` is a string or a list of parts."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


class FakeLLM:
    def __init__(
        self,
        reply: Reply = "Đây là câu trả lời giả.",
        delay: float = 0.0,
        fail_status: int | None = None,
        *,
        model: str = "fake",
    ) -> None:
        self.reply = reply
        self.delay = delay
        self.fail_status = fail_status
        self.model = model
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # ------------------------------------------------------------------ addresses

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeLLM is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """OpenAI-style base URL, ending in ``/v1``."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def last_request(self) -> dict[str, Any]:
        return self.requests[-1]

    @property
    def last_user_message(self) -> str:
        """Text of the last ``user`` message of the last request."""
        for message in reversed(self.last_request.get("messages", [])):
            if message.get("role") == "user":
                return message_text(message)
        return ""

    # ------------------------------------------------------------------ lifecycle (async)

    async def start(self) -> FakeLLM:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._completions)
        app.router.add_get("/v1/models", self._models)
        self._runner = web.AppRunner(app, handler_cancellation=True, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeLLM:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    # ------------------------------------------------------------------ lifecycle (sync)

    @contextmanager
    def run_in_thread(self) -> Iterator[FakeLLM]:
        """Serve from a background thread with its own event loop (for synchronous callers)."""
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.start())
            except BaseException as e:  # noqa: BLE001 - reported to the caller below
                failure.append(e)
                ready.set()
                return
            ready.set()
            loop.run_forever()

        thread = threading.Thread(target=run, name="fake-llm", daemon=True)
        thread.start()
        ready.wait(30)
        if failure:
            loop.close()
            raise failure[0]
        try:
            yield self
        finally:
            asyncio.run_coroutine_threadsafe(self.stop(), loop).result(30)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(30)
            loop.close()

    # ------------------------------------------------------------------ handlers

    async def _models(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "object": "list",
                "data": [
                    {"id": self.model, "object": "model", "created": 0, "owned_by": "fake"},
                ],
            }
        )

    async def _answer(self, body: dict[str, Any]) -> str:
        if callable(self.reply):
            result = self.reply(body)
            if inspect.isawaitable(result):
                result = await result
            return str(result)
        return str(self.reply)

    async def _completions(self, request: web.Request) -> web.StreamResponse:
        try:
            body = await request.json()
        except ValueError:
            return self._error(400, "invalid JSON body", "invalid_request_error")
        self.requests.append(body)
        self.headers.append(dict(request.headers))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail_status is not None:
            return self._error(
                self.fail_status,
                f"simulated failure {self.fail_status}",
                "server_error" if self.fail_status >= 500 else "invalid_request_error",
            )
        if not isinstance(body, dict) or not body.get("messages"):
            return self._error(400, "'messages' is a required property", "invalid_request_error")
        text = await self._answer(body)
        completion_id = f"chatcmpl-fake{next(self._ids)}"
        created = int(time.time())
        model = str(body.get("model") or self.model)
        prompt = "\n".join(message_text(m) for m in body["messages"] if isinstance(m, dict))
        usage = {
            "prompt_tokens": _tokens(prompt),
            "completion_tokens": _tokens(text),
            "total_tokens": _tokens(prompt) + _tokens(text),
        }
        if not body.get("stream"):
            return web.json_response(
                {
                    "id": completion_id,
                    "object": "chat.completion",
                    "created": created,
                    "model": model,
                    "system_fingerprint": "fake",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": text, "refusal": None},
                            "logprobs": None,
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": usage,
                }
            )

        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await response.prepare(request)

        def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            return {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "system_fingerprint": "fake",
                "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
            }

        async def send(payload: dict[str, Any] | str) -> None:
            data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
            await response.write(f"data: {data}\n\n".encode())

        await send(chunk({"role": "assistant", "content": ""}))
        for piece in _pieces(text):
            await send(chunk({"content": piece}))
        await send(chunk({}, "stop"))
        if (body.get("stream_options") or {}).get("include_usage"):
            await send(
                {
                    "id": completion_id,
                    "object": "chat.completion.chunk",
                    "created": created,
                    "model": model,
                    "choices": [],
                    "usage": usage,
                }
            )
        await send("[DONE]")
        await response.write_eof()
        return response

    def _error(self, status: int, message: str, kind: str) -> web.Response:
        return web.json_response(
            {"error": {"message": message, "type": kind, "param": None, "code": None}}, status=status
        )


def _pieces(text: str) -> list[str]:
    """Split into word-ish chunks whose concatenation is exactly ``text``."""
    pieces: list[str] = []
    current = ""
    for ch in text:
        current += ch
        if ch.isspace():
            pieces.append(current)
            current = ""
    if current:
        pieces.append(current)
    return pieces


__all__ = ["FakeLLM", "message_text"]
