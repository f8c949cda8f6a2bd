"""Webhook mode's HTTP server: Telegram's updates on the webhook path, and `GET /healthz`.

python-telegram-bot's own webhook server (`run_webhook`) serves one route, so this is PTB's documented
custom-webhook setup (the `customwebhookbot` examples): our own server on the same port, with tornado,
which PTB's `webhooks` extra installs. What the webhook route checks is what PTB's does: POST only, JSON
only, the secret token compared in constant time (403 without it), an update that cannot be parsed 400.

One difference: PTB answers 200 as soon as the update is queued, so a replica killed before handling it
loses an update Telegram (or the load balancer) believes delivered. Here the update is handled first
(`Application.process_update`; handler errors go to the error handler as usual) and 200 follows: an
update that was acknowledged has been handled, and one that was not is redelivered — to another replica
behind a load balancer — where the record of handled update ids keeps it from being handled twice.

`/healthz` runs the checks of `troly health` (bot/health.py) in a worker thread and answers the same
JSON: 200 when healthy, 503 when not, for a load balancer or an orchestrator.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from http import HTTPStatus
from typing import Any

import tornado.web
from telegram import Update
from telegram.ext import Application, ExtBot
from tornado.httpserver import HTTPServer

log = logging.getLogger(__name__)
HEALTH_PATH = "/healthz"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class _UpdateHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("POST",)  # type: ignore[assignment]

    def initialize(self, app: Application[Any, Any, Any, Any, Any, Any], secret: str) -> None:
        self.app, self.secret = app, secret

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        if self.request.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        try:
            update = Update.de_json(json.loads(self.request.body), self.app.bot)
        except Exception as exc:  # noqa: BLE001 - anything unparseable is the sender's fault
            log.warning("webhook: an update could not be read (%s)", type(exc).__name__)
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        if isinstance(self.app.bot, ExtBot):
            self.app.bot.insert_callback_data(update)
        await self.app.process_update(update)  # handled before it is acknowledged (module docstring)
        busy = self.app.bot_data.get("busy_updates", set())
        if update.update_id in busy:  # another replica is handling it: if that one dies, a later try finds it
            busy.discard(update.update_id)
            raise tornado.web.HTTPError(HTTPStatus.SERVICE_UNAVAILABLE)
        self.set_status(HTTPStatus.OK)


class _HealthHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("GET",)  # type: ignore[assignment]

    def initialize(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self.app = app

    async def get(self) -> None:
        health = self.app.bot_data.get("health")
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        if health is None:  # not started yet
            self.set_status(HTTPStatus.SERVICE_UNAVAILABLE)
            self.finish(json.dumps({"healthy": False, "checks": {}}))
            return
        async with self.app.bot_data["health_lock"]:  # one check at a time, however often it is polled
            report = await asyncio.to_thread(health.run)
        if not report.healthy:
            log.warning("healthz: %s", " | ".join(report.failures()))
        self.set_status(HTTPStatus.OK if report.healthy else HTTPStatus.SERVICE_UNAVAILABLE)
        self.finish(json.dumps(report.as_dict(), ensure_ascii=False, default=str))


class _Routes(tornado.web.Application):
    def log_request(self, handler: tornado.web.RequestHandler) -> None:
        """No access log: the webhook path holds a secret-looking name, and Telegram posts often."""


class WebhookServer:
    """Serves `/<path>` (updates) and `/healthz` on one port until `stop()`."""

    def __init__(self, app: Application[Any, Any, Any, Any, Any, Any], *, path: str, secret: str) -> None:
        if not secret:
            raise RuntimeError("WEBHOOK_URL needs WEBHOOK_SECRET (requests without it are refused)")
        app.bot_data.setdefault("health_lock", asyncio.Lock())
        routes: list[Any] = [
            (HEALTH_PATH, _HealthHandler, {"app": app}),
            (rf"/{path.strip('/')}/?", _UpdateHandler, {"app": app, "secret": secret}),
        ]
        self._server = HTTPServer(_Routes(routes))  # type: ignore[no-untyped-call]

    def start(self, listen: str, port: int) -> None:
        self._server.listen(port, address=listen)

    async def stop(self) -> None:
        self._server.stop()
        await self._server.close_all_connections()
