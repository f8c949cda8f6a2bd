"""Private chats only: in a group, supergroup or channel the bot sends no task data, files, answers or
invite codes — one short notice with a button to the private chat — and it ignores commands addressed
to another bot. Through the real python-telegram-bot Application and the fake Bot API server.

The scenarios end by leaving the running application: PTB's `stop()` waits for every update it fetched
to be processed, so "nothing else was sent" is checked on the complete record of Bot API calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from fake_telegram import Call, FakeTelegram
from fakes import ADMIN, HA, HN_LEADER, TODAY, FakeAnswerer, FakeLibrary, audits, link_telegram
from sqlalchemy import func, select
from test_telegram_bot import U_ADMIN, U_HA, U_LEADER, buttons, free_port, reply, run, visible

from bot.config import Settings
from bot.i18n import t
from bot.service.commands import COMMANDS, lookup
from bot.telegram_app import PrivateOnly, addressed_elsewhere, build_application, running
from bot.wiring import Services
from db import queries
from db.models import Invite, Task, TaskEvent, TaskStatus
from db.session import Database
from db.users import create_invite

pytestmark = pytest.mark.timeout(90)

BOT = "troly_test_bot"
NOTICE_VI, NOTICE_EN = t("group.private_only", "vi"), t("group.private_only", "en")
# Arguments that would make each command produce data (or change data) in a private chat.
ARGS = {
    "due": "30",
    "task": "HN-01962",
    "done": "HN-01962 đã xong",
    "progress": "HN-01961 được một nửa",
    "summary": "HN",
    "invite": "HN admin",
    "overdue": "HN",
}
SENDING = {
    "sendmessage",
    "sendphoto",
    "senddocument",
    "editmessagetext",
    "sendchataction",
    "sendmediagroup",
    "copymessage",
    "forwardmessage",
    "answercallbackquery",
}


@pytest.fixture
def db(sqlite_demo_db: Database) -> Database:
    for name, uid in ((HA, U_HA), (HN_LEADER, U_LEADER), (ADMIN, U_ADMIN)):
        link_telegram(sqlite_demo_db, name, uid)
    return sqlite_demo_db


@asynccontextmanager
async def bot(db: Database, data_dir: Path, **app_kw: Any) -> AsyncIterator[tuple[FakeTelegram, Any]]:
    async with FakeTelegram() as tg:
        settings = Settings(
            data_dir=data_dir, database_url=db.url, telegram_bot_token=tg.token, telegram_api_url=tg.base_url
        )
        services = Services(
            settings=settings,
            db=db,
            answerer=FakeAnswerer(),
            library=FakeLibrary(),
            answerer_error=None,
            library_error=None,
        )
        app = build_application(settings, services=services, clock=lambda: TODAY, progress_interval=0.2, **app_kw)
        async with running(app, settings, port=free_port(), poll_timeout=1):
            yield tg, app


def sent_to(tg: FakeTelegram, chat_id: int) -> list[Call]:
    return [c for c in tg.calls if c.method.lower() in SENDING and c.params.get("chat_id") == chat_id]


def assert_one_notice(tg: FakeTelegram, chat_id: int, text: str = NOTICE_VI) -> None:
    calls = sent_to(tg, chat_id)
    assert [c.method for c in calls] == ["sendMessage"], (chat_id, [(c.method, c.text) for c in calls])
    notice = calls[0]
    assert notice.text == text and notice.error is None
    assert buttons(notice) == [
        [{"text": t("group.open_private", "en" if text == NOTICE_EN else "vi"), "url": f"https://t.me/{BOT}"}]
    ]


async def sentinel(tg: FakeTelegram, user: int = U_ADMIN) -> None:
    """A private /help answered: every update pushed before it has been fetched (updates come in order)."""
    tg.push_message(user, "/help")
    await tg.wait_for("sendMessage", lambda c: c.chat_id == user and "/" in str(c.text))


CANONICAL = [c.name for c in COMMANDS if c.slash]  # every command typed as /name
ALL_COMMANDS = CANONICAL + [c.alias for c in COMMANDS if c.slash and c.alias]  # and every Vietnamese alias


def test_the_command_table_is_what_the_bot_runs(db: Database, hermetic_env: Path) -> None:
    async def scenario() -> list[str]:
        async with bot(db, hermetic_env) as (tg, app):
            return list(app.bot_data["dialog"].commands)

    assert sorted(run(scenario())) == sorted(CANONICAL)  # so iterating ALL_COMMANDS covers every command
    assert {lookup(name).name for name in ALL_COMMANDS} == set(CANONICAL)  # type: ignore[union-attr]


def test_every_command_in_a_group_gets_only_the_private_chat_notice(db: Database, hermetic_env: Path) -> None:
    with db.session() as s:
        invite_code = create_invite(s, "HN-HOANKIEM", "leader", valid_days=7).code
        invites_before = s.scalar(select(func.count(Invite.id)))
        events_before = s.scalar(select(func.count(TaskEvent.id)))
    audits_before = len(audits(db))
    args = ARGS | {"start": invite_code}
    groups: list[int] = []

    async def scenario() -> None:
        async with bot(db, hermetic_env) as (tg, app):
            for i, name in enumerate(ALL_COMMANDS):
                command = lookup(name)
                assert command is not None
                rest = args.get(command.name, "")
                plain, addressed = -(1000 + i), -(10**12 + 1000 + i)  # a group and a supergroup
                tg.push_message(U_ADMIN, f"/{name} {rest}".strip(), chat_id=plain)
                tg.push_message(U_LEADER, f"/{name}@{BOT} {rest}".strip(), chat_id=addressed)
                groups.extend((plain, addressed))
            await sentinel(tg)
        # after the bot stopped (all fetched updates processed): nothing but one notice per group
        for chat in groups:
            assert_one_notice(tg, chat)
        assert not tg.calls_of("sendPhoto") and not tg.calls_of("sendDocument") and not tg.calls_of("editMessageText")
        group_texts = " ".join(str(c.text) for c in tg.calls if c.params.get("chat_id") in groups)
        assert invite_code not in group_texts and "HN-01962" not in group_texts and "Mã mời" not in group_texts
        private = [c for c in tg.calls if c.method.lower() in SENDING and c.params.get("chat_id") not in groups]
        assert {c.params["chat_id"] for c in private} == {U_ADMIN}  # the sentinel's /help only
        assert len([c for c in private if c.method == "sendMessage"]) == 1

    run(scenario())
    assert len(ALL_COMMANDS) > len(CANONICAL)  # the Vietnamese aliases were sent too
    with db.session() as s:
        assert s.scalar(select(func.count(Invite.id))) == invites_before  # /invite made no code
        assert s.scalar(select(Invite.used_at).where(Invite.code == invite_code)) is None  # /start linked nothing
        assert s.scalar(select(func.count(TaskEvent.id))) == events_before  # /done, /progress changed nothing
        assert s.scalar(select(Task.status).where(Task.code == "HN-01962")) == TaskStatus.OPEN
    assert len(audits(db)) == audits_before + 1  # the service saw the private /help only


def test_one_notice_per_group_per_interval_in_the_senders_language(db: Database, hermetic_env: Path) -> None:
    group, other, english, channel = -4001, -4002, -4004, -(10**12) - 4003

    async def scenario() -> None:
        async with bot(db, hermetic_env) as (tg, app):
            tg.push_message(U_ADMIN, "/trehan", chat_id=group)
            await tg.wait_for("sendMessage", lambda c: c.chat_id == group)
            for text in ("/tonghop", "/overdue", f"/moi@{BOT} HN admin"):  # within the interval: silent
                tg.push_message(U_LEADER, text, chat_id=group)
            tg.push_message(U_LEADER, "Nghị quyết 57 giao nhiệm vụ gì?", chat_id=other)  # plain text: nothing
            tg.add_file("g1", b"ma,ten\n", file_name="tasks.csv")
            tg.push_message(U_ADMIN, document={"file_id": "g1", "file_name": "tasks.csv"}, chat_id=other)
            tg.push_message(U_HA, "/due", chat_id=english, language_code="en")  # another group, English
            tg.push_update(
                {
                    "channel_post": {  # a channel post (no sender): Vietnamese
                        "message_id": 7,
                        "date": 0,
                        "text": "/summary",
                        "entities": [{"type": "bot_command", "offset": 0, "length": 8}],
                        "chat": {"id": channel, "type": "channel", "title": "Kênh"},
                    }
                }
            )
            await sentinel(tg)
        assert_one_notice(tg, group)
        assert sent_to(tg, other) == []
        assert not tg.calls_of("getFile")  # the file in the group was not even downloaded
        assert_one_notice(tg, english, NOTICE_EN)
        assert_one_notice(tg, channel)

    run(scenario())


def test_notice_again_after_the_interval(db: Database, hermetic_env: Path) -> None:
    async def scenario() -> None:
        async with bot(db, hermetic_env, group_notice_interval=0.3) as (tg, app):
            tg.push_message(U_ADMIN, "/viec", chat_id=-5001)
            await tg.wait_for("sendMessage", lambda c: c.chat_id == -5001)
            await asyncio.sleep(0.4)
            tg.push_message(U_ADMIN, "/viec", chat_id=-5001)
            await tg.wait_for("sendMessage", lambda c: c.chat_id == -5001)
        assert [c.text for c in sent_to(tg, -5001)] == [NOTICE_VI, NOTICE_VI]

    run(scenario())


def test_buttons_pressed_in_a_group_are_refused_with_an_alert(db: Database, hermetic_env: Path) -> None:
    group = -6001

    async def scenario() -> None:
        async with bot(db, hermetic_env) as (tg, app):
            for data in ("sum:HN", "pg:od:1", "pg:due:30:0:HN", "set:lang:en", "fb:+:1"):
                mark = tg.mark()
                tg.push_callback(U_ADMIN, data, 1, chat_id=group)
                ack = await tg.wait_for("answerCallbackQuery", since=mark)
                assert ack.params["text"] == NOTICE_VI[:190] and ack.params["show_alert"] is True
            await sentinel(tg)
        assert [c.method for c in sent_to(tg, group)] == []
        assert not tg.calls_of("sendPhoto") and not tg.calls_of("sendDocument") and not tg.calls_of("editMessageText")

    run(scenario())
    assert [a.action for a in audits(db)][-1:] == ["help"]  # no button reached the service


def test_commands_for_another_bot_are_ignored_and_ours_work_in_private(db: Database, hermetic_env: Path) -> None:
    async def scenario() -> None:
        async with bot(db, hermetic_env) as (tg, app):
            tg.push_message(U_HA, "/overdue@other_bot")
            tg.push_message(U_HA, "/viec@Other_Bot 30")
            tg.push_message(U_ADMIN, "/invite@other_bot HN admin")
            tg.push_message(U_ADMIN, "/overdue@other_bot", chat_id=-7001)  # not even the group notice
            tg.add_file("o1", b"%PDF x", file_name="x.pdf")
            tg.push_message(U_HA, document={"file_id": "o1", "file_name": "x.pdf"}, caption="/xong@other_bot HN-01962")
            await sentinel(tg, U_LEADER)
            assert sent_to(tg, U_HA) == [] and sent_to(tg, U_ADMIN) == [] and sent_to(tg, -7001) == []
            assert not tg.calls_of("getFile")

            tg.push_message(U_HA, f"/overdue@{BOT}")
            listing = visible(await reply(tg, U_HA))
            with db.session() as s:
                mine = queries.overdue(s, "HN-HOANKIEM", as_of=TODAY)
            assert "Nhiệm vụ quá hạn" in listing and all(t.code in listing for t in mine)
            tg.push_message(U_HA, "/viec@TROLY_TEST_BOT")  # usernames are case-insensitive
            assert "HN-01962" in visible(await reply(tg, U_HA))

    run(scenario())
    with db.session() as s:
        assert s.scalar(select(Task.status).where(Task.code == "HN-01962")) == TaskStatus.OPEN


def test_addressed_elsewhere_and_the_notice_throttle() -> None:
    assert addressed_elsewhere("/overdue@other_bot", BOT)
    assert addressed_elsewhere("/due@x 3 HN", BOT)
    assert not addressed_elsewhere(f"/due@{BOT} 3", BOT)
    assert not addressed_elsewhere("/due 3 a@b", BOT)
    assert not addressed_elsewhere("email me@other_bot", BOT)
    assert not addressed_elsewhere(None, BOT)

    now = [100.0]
    guard = PrivateOnly(60, clock=lambda: now[0])
    assert guard.due(-1) and not guard.due(-1) and guard.due(-2)
    now[0] += 59
    assert not guard.due(-1)
    now[0] += 2
    assert guard.due(-1) and not guard.due(-1)
