"""Exactly once across replicas (issue 13 item 5): the morning digest once per official and day, and each
Telegram update handled once, however many bot processes share the database and however often Telegram
delivers it. Two real PTB Applications (each with its own `Database`, as two replicas would have) on one
SQLite file or one real PostgreSQL, against the fake Bot API."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import pytest
from fake_telegram import Call, FakeTelegram
from fakes import (
    TODAY,
    U_ADMIN,
    U_BKHCN,
    U_GL,
    U_HA,
    U_LEADER,
    free_port,
    link_demo_officials,
    make_services,
)
from sqlalchemy import select

from bot.config import Settings
from bot.service.core import Assistant
from bot.service.delivery import KEEP_DIGEST_DAYS, UPDATE_LEASE
from bot.telegram_app import DIGEST_JOB, build_application, running
from bot.wiring import Services
from db.models import DigestSent, HandledUpdate, Official
from db.session import Database

T = TypeVar("T")
pytestmark = pytest.mark.timeout(90)

ALL = {U_HA, U_LEADER, U_ADMIN, U_GL, U_BKHCN}
TITLE = "Chào buổi sáng"


def official_id(db: Database, telegram_user_id: int) -> int:
    with db.session() as s:
        found = s.scalar(select(Official.id).where(Official.telegram_user_id == telegram_user_id))
    assert found is not None
    return found


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


@pytest.fixture
def db(demo_db: Database) -> Database:
    return link_demo_officials(demo_db)


@asynccontextmanager
async def replica(tg: FakeTelegram, url: str, data_dir: Path, *, webhook_port: int | None = None) -> AsyncIterator[Any]:
    """One bot process: its own Database (engine, pool) on the shared URL, its own data folder."""
    hook = {"webhook_url": f"http://127.0.0.1:{webhook_port}/hook", "webhook_secret": "s3cret"} if webhook_port else {}
    settings = Settings(
        data_dir=data_dir, database_url=url, telegram_bot_token=tg.token, telegram_api_url=tg.base_url, **hook
    )
    db = Database(url)
    app = build_application(settings, services=Services(settings=settings, db=db), clock=lambda: TODAY)
    try:
        async with running(app, settings, port=webhook_port or free_port(), poll_timeout=1):
            yield app
    finally:
        db.dispose()


def visible(call: Call) -> str:
    return str(call.result.get("text") or "")


def digests_to(tg: FakeTelegram) -> list[int]:
    """The chats that got a digest (its first message carries the greeting)."""
    return sorted(c.chat_id for c in tg.calls_of("sendMessage") if c.error is None and TITLE in visible(c))


def records(db: Database) -> list[DigestSent]:
    with db.session() as s:
        return list(s.scalars(select(DigestSent).order_by(DigestSent.official_id)))


# --- the morning digest ----------------------------------------------------------------------------------------


def test_two_replicas_send_each_official_one_digest(db: Database, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with FakeTelegram() as tg:
            async with replica(tg, db.url, tmp_path / "r1") as one, replica(tg, db.url, tmp_path / "r2") as two:
                jobs = [(app, app.job_queue.get_jobs_by_name(DIGEST_JOB)[0]) for app in (one, two)]
                await asyncio.gather(*(job.run(app) for app, job in jobs))  # both fire at 07:30
                assert digests_to(tg) == sorted(ALL)
                for app, job in jobs:  # run again (a restart, a clock change): nothing more
                    await job.run(app)
                assert digests_to(tg) == sorted(ALL)

    run(scenario())
    rows = records(db)
    assert len(rows) == len(ALL) and {r.day for r in rows} == {TODAY}
    assert all(r.sent_at is not None and r.error is None for r in rows)


def test_a_failed_digest_is_recorded_and_not_sent_again(db: Database, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with FakeTelegram() as tg:
            tg.fail_next("sendMessage", "Forbidden: bot was blocked by the user", 403)
            async with replica(tg, db.url, tmp_path / "r1") as one:
                await one.job_queue.get_jobs_by_name(DIGEST_JOB)[0].run(one)
            got = digests_to(tg)
            assert len(got) == len(ALL) - 1
            async with replica(tg, db.url, tmp_path / "r2") as two:  # the next process, the same morning
                await two.job_queue.get_jobs_by_name(DIGEST_JOB)[0].run(two)
            assert digests_to(tg) == got

    run(scenario())
    rows = records(db)
    failed = [r for r in rows if r.error is not None]
    assert len(rows) == len(ALL) and len(failed) == 1
    assert failed[0].sent_at is None and "blocked by the user" in failed[0].error


def test_concurrent_claims_from_two_processes_have_one_winner(db: Database, hermetic_env: Path) -> None:
    """Eight threads over two engines (two replicas) claim the same digest and the same update at once."""
    other = Database(db.url)
    try:
        services = [Assistant(make_services(d, hermetic_env), clock=lambda: TODAY) for d in (db, other)]
        ha = official_id(db, U_HA)
        start = threading.Barrier(8)
        won: list[tuple[str, bool]] = []

        def claim(i: int) -> None:
            svc = services[i % 2]
            start.wait()
            won.append(("digest", svc.claim_digest(ha, TODAY)))
            won.append(("update", svc.claim_update(42, 1001, f"replica-{i % 2}") == "new"))

        threads = [threading.Thread(target=claim, args=(i,)) for i in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert sorted(k for k, ok in won if ok) == ["digest", "update"]
        assert services[0].claim_update(43, 1001, "replica-0") == "new"  # another bot's update 1001 is another
        assert services[1].claim_digest(ha, TODAY + timedelta(days=1))  # and tomorrow is another day
    finally:
        other.dispose()


def test_old_records_are_pruned(db: Database, hermetic_env: Path) -> None:
    now = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    svc = Assistant(make_services(db, hermetic_env), clock=lambda: TODAY, now=lambda: now)
    ha = official_id(db, U_HA)
    old = Assistant(make_services(db, hermetic_env), now=lambda: now - timedelta(days=4))
    assert old.claim_update(1, 7, "a") == "new" and svc.claim_update(1, 8, "a") == "new"
    assert svc.claim_digest(ha, TODAY - timedelta(days=KEEP_DIGEST_DAYS + 1))
    assert svc.claim_digest(ha, TODAY)
    pruned = svc.prune_delivery()
    assert (pruned.updates, pruned.digests) == (1, 1)
    with db.session() as s:
        assert list(s.scalars(select(HandledUpdate.update_id))) == [8]
    assert [r.day for r in records(db)] == [TODAY]


def test_update_claims_new_busy_done_and_taken_over(db: Database, hermetic_env: Path) -> None:
    now = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    at = {"t": now}
    svc = Assistant(make_services(db, hermetic_env), clock=lambda: TODAY, now=lambda: at["t"])
    assert svc.claim_update(1, 5, "a") == "new"
    assert svc.claim_update(1, 5, "a") == "busy"  # the same process got it twice
    assert svc.claim_update(1, 5, "b") == "busy"  # another replica while "a" is on it
    svc.update_handled(1, 5, "a")
    assert svc.claim_update(1, 5, "b") == "done"
    assert svc.claim_update(1, 6, "a") == "new"
    at["t"] = now + UPDATE_LEASE + timedelta(seconds=1)  # "a" died on update 6
    assert svc.claim_update(1, 6, "b") == "taken_over"
    assert svc.claim_update(1, 6, "c") == "busy"  # "b" has it now
    svc.update_handled(1, 6, "a")  # a late "done" of the process that lost it changes nothing
    assert svc.claim_update(1, 6, "c") == "busy"
    svc.update_handled(1, 6, "b")
    assert svc.claim_update(1, 6, "c", timedelta(0)) == "done"
    assert svc.claim_update(1, 7, "a") == "new"  # long polling: lease 0, another process's claim is a dead one's
    assert svc.claim_update(1, 7, "a", timedelta(0)) == "busy" and svc.claim_update(1, 7, "b", timedelta(0)) == (
        "taken_over"
    )


# --- each update once --------------------------------------------------------------------------------------------


def message_update(update_id: int, user: int, text: str) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "chat": {"id": user, "type": "private"},
            "from": {"id": user, "is_bot": False, "first_name": "Cán bộ"},
            "text": text,
            **({"entities": [{"type": "bot_command", "offset": 0, "length": len(text)}]} if text[0] == "/" else {}),
        },
    }


async def logged(caplog: pytest.LogCaptureFixture, text: str, timeout: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not any(text in r.getMessage() for r in caplog.records):
        assert asyncio.get_running_loop().time() < deadline, f"not logged: {text}"
        await asyncio.sleep(0.05)


async def handled(db: Database, update_id: int, timeout: float = 20) -> None:
    """Wait until the update's handlers have all run (its record is finished)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        with db.session() as s:
            done = s.scalar(select(HandledUpdate.done_at).where(HandledUpdate.update_id == update_id))
        if done is not None:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"update {update_id} was never finished")


def test_an_update_delivered_again_to_another_replica_is_handled_once(
    db: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Replica 1 takes update 7001 (long polling); Telegram delivers it again to replica 2 (its acknowledgement
    was lost, or replica 1 restarted before confirming the offset): replica 2 does not answer it twice."""
    caplog.set_level(logging.INFO, logger="bot.telegram_app")

    async def scenario() -> None:
        async with FakeTelegram() as tg1, FakeTelegram() as tg2:  # one bot (same token) seen by two processes
            async with replica(tg1, db.url, tmp_path / "r1"), replica(tg2, db.url, tmp_path / "r2"):
                tg1.push_update(message_update(7001, U_HA, "/viec"))
                assert "HN-01962" in visible(await tg1.wait_for("sendMessage", lambda c: c.chat_id == U_HA))
                # Telegram delivers it again only once replica 1 is done with it (in long polling, only a dead
                # or restarted process leaves an offset unconfirmed): its handlers have all run.
                await handled(db, 7001)
                tg2.push_update(message_update(7001, U_HA, "/viec"))
                await logged(caplog, "update 7001 was delivered before")
                tg2.push_update(message_update(7002, U_HA, "/viec"))  # replica 2 answers a new one
                assert "HN-01962" in visible(await tg2.wait_for("sendMessage", lambda c: c.chat_id == U_HA))
                assert len(tg1.calls_of("sendMessage")) == 1 and len(tg2.calls_of("sendMessage")) == 1

    run(scenario())


def test_a_webhook_update_posted_twice_is_handled_once(
    db: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.telegram_app")

    async def scenario() -> None:
        async with FakeTelegram() as tg:
            port = free_port()
            async with replica(tg, db.url, tmp_path / "r1", webhook_port=port):
                headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
                async with aiohttp.ClientSession() as http:
                    for update_id in (8001, 8001, 8002):
                        async with http.post(
                            f"http://127.0.0.1:{port}/hook",
                            json=message_update(update_id, U_HA, "/viec"),
                            headers=headers,
                        ) as r:
                            assert r.status == 200
                await logged(caplog, "update 8001 was delivered before")
                first = await tg.wait_for("sendMessage", lambda c: c.chat_id == U_HA)
                second = await tg.wait_for("sendMessage", lambda c: c.chat_id == U_HA)
                assert "HN-01962" in visible(first) and "HN-01962" in visible(second)
                assert len(tg.calls_of("sendMessage")) == 2

    run(scenario())
    with db.session() as s:
        rows = list(s.scalars(select(HandledUpdate).order_by(HandledUpdate.update_id)))
        assert [r.update_id for r in rows] == [8001, 8002] and all(r.done_at is not None for r in rows)


def test_a_webhook_update_another_replica_is_handling_is_sent_again_later(db: Database, tmp_path: Path) -> None:
    """Replica "other" took update 9001 and has not finished: this replica answers 503, so that Telegram tries
    again; once "other" finished, the retry is acknowledged and not handled. Update 9002, taken by a replica
    that died (its claim older than the lease), is handled here."""
    other = Assistant(make_services(db, tmp_path), clock=lambda: TODAY)
    dead = Assistant(make_services(db, tmp_path), now=lambda: datetime.now(UTC) - UPDATE_LEASE - timedelta(minutes=1))

    async def scenario() -> None:
        async with FakeTelegram() as tg:
            assert other.claim_update(tg.bot_id, 9001, "other") == "new"
            assert dead.claim_update(tg.bot_id, 9002, "dead") == "new"
            port = free_port()
            async with replica(tg, db.url, tmp_path / "r1", webhook_port=port):
                url, headers = f"http://127.0.0.1:{port}/hook", {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
                async with aiohttp.ClientSession() as http:
                    async with http.post(url, json=message_update(9001, U_HA, "/viec"), headers=headers) as r:
                        assert r.status == 503
                    other.update_handled(tg.bot_id, 9001, "other")
                    async with http.post(url, json=message_update(9001, U_HA, "/viec"), headers=headers) as r:
                        assert r.status == 200
                    assert not tg.calls_of("sendMessage")
                    async with http.post(url, json=message_update(9002, U_HA, "/viec"), headers=headers) as r:
                        assert r.status == 200
                (answer,) = tg.calls_of("sendMessage")  # acknowledged once handled: the answer is already sent
                assert "HN-01962" in visible(answer)

    run(scenario())


def test_after_a_restart_long_polling_handles_what_the_dead_process_took(db: Database, tmp_path: Path) -> None:
    """A process took update 9101 from getUpdates and died before handling it (the offset was never confirmed):
    the next process is served the update again and handles it, however recent the dead claim."""
    dead = Assistant(make_services(db, tmp_path), clock=lambda: TODAY)

    async def scenario() -> None:
        async with FakeTelegram() as tg:
            assert dead.claim_update(tg.bot_id, 9101, "dead") == "new"
            async with replica(tg, db.url, tmp_path / "r1"):
                tg.push_update(message_update(9101, U_HA, "/viec"))
                assert "HN-01962" in visible(await tg.wait_for("sendMessage", lambda c: c.chat_id == U_HA))

    run(scenario())
