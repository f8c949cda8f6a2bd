"""The one command table and the one callback-data codec: every command has a handler, a help text in both
languages and (when in the menu) a menu entry; every kind of button survives encode → decode, within 64 bytes;
anything else is refused rather than guessed."""

from __future__ import annotations

import pytest

from bot.i18n import t
from bot.render.out import MAX_CALLBACK
from bot.service import callbacks as cb
from bot.service.commands import COMMANDS, CONSOLE_SEND, help_commands, lookup, menu_commands
from bot.service.dialog import Dialog, parse_command
from bot.telegram_app import menu_entries
from db.models import Role

# one of each kind of button, with the longest values the bot produces (unit codes, ids, pages)
BUTTONS: list[cb.Callback] = [
    cb.DuePage(366, 12, None),
    cb.DuePage(7, 0, "HN-HOANKIEM-PHUONG-HANG-BAC"),
    cb.OverduePage(44),
    cb.OverduePage(0, "GL-CHUSE"),
    cb.DuePage(366, 999, "X" * 32, True),
    cb.OverduePage(3, "HN", True),  # a unit's own tasks (unit codes ≤ 32)
    cb.UnitList("due", "X" * 32, 366, True),
    cb.UnitList("due", "HN-MINHCHAU", 7),
    cb.UnitList("overdue", "HN-MINHCHAU"),
    cb.UnitList("overdue", "HN", 0, True),
    cb.Drill("HN"),
    cb.Drill("X" * 60),
    cb.UsersPage(0),
    cb.UsersPage(3, "BCDTW"),
    cb.OfficialOpen(1),
    cb.OfficialActive(123456789, True),
    cb.OfficialActive(5, False),
    cb.OfficialRole(42, "official"),
    cb.OfficialRole(42, "leader"),
    cb.OfficialRole(2**31, "admin"),
    cb.Vote(10**12, True),
    cb.Vote(7, False),
    cb.SetLang("vi"),
    cb.SetLang("en"),
    cb.SetDigest(True),
    cb.SetDigest(False),
    cb.DuePage(41, 2, "HN", start=11),  # "tháng 12" asked on 20/11: from 11 to 41 days on
    cb.DuePage(29, 0, start=3),
    cb.UnitList("due", "HN-HOANKIEM", 25, True, 11),
]


def test_every_kind_of_button_round_trips_within_64_bytes() -> None:
    kinds = {type(b) for b in BUTTONS}
    assert kinds == set(cb.Callback.__args__)  # type: ignore[attr-defined]  # no kind left untested
    for button in BUTTONS:
        data = cb.encode(button)
        assert len(data.encode("utf-8")) <= MAX_CALLBACK, data
        assert cb.decode(data) == button, data


def test_the_wire_format_of_buttons_already_sent_is_kept() -> None:
    assert cb.encode(cb.OverduePage(1)) == "pg:od:1"
    assert cb.encode(cb.DuePage(30, 0, "HN")) == "pg:due:30:0:HN"
    assert cb.encode(cb.DuePage(41, 0, "HN", start=11)) == "pg:due:11-41:0:HN"  # a later window: START-DAYS
    assert cb.encode(cb.UnitList("due", "HN-X", 41, start=11)) == "ls:due:11-41:HN-X"
    assert cb.encode(cb.SetDigest(False)) == "set:dig:0" and cb.encode(cb.SetLang("en")) == "set:lang:en"
    assert cb.encode(cb.OfficialRole(9, "leader")) == "us:r:9:leader" and cb.encode(cb.Vote(3, False)) == "fb:-:3"


@pytest.mark.parametrize(
    "data",
    [
        "",
        "zz",
        "pg",
        "pg:od:x",
        "pg:od:-1",
        "pg:xx:1",
        "pg:due:7",
        "pg:due:a:0",
        "sum:",
        "sum:HN:extra",
        "us:p:x",
        "us:o:",
        "us:z:1",
        "us:r:1:superuser",
        "us:d:abc",
        "fb:*:1",
        "fb:+:x",
        "set:lang:fr",
        "set:dig:2",
        "set:dig:yes",
        "set:x:1",
        "set:digest:1",
        "sum:" + "X" * 70,
        "pg:od:1:HN:x",
        "pg:due:7:0:HN:own",
        "ls:od",
        "ls:od:",
        "ls:od:HN:x",
        "ls:due:x:HN",
        "ls:due:7",
        "pg:due:0-7:0",
        "pg:due:9-7:0",
        "pg:due:-7:0",
        "pg:due:1-:0",
        "ls:due:3-x:HN",
        "ls:xx:HN",
    ],
)
def test_unknown_kinds_and_malformed_values_are_refused(data: str) -> None:
    with pytest.raises(cb.BadCallback):
        cb.decode(data)


def test_too_long_callback_data_cannot_be_built() -> None:
    with pytest.raises(ValueError):
        cb.encode(cb.Drill("X" * 61))
    with pytest.raises(ValueError):  # "only the unit's own tasks" of no unit
        cb.encode(cb.OverduePage(0, None, True))


def test_every_command_has_a_handler_help_in_both_languages_and_a_menu_entry() -> None:
    menu_vi, menu_en = dict(menu_entries("vi")), dict(menu_entries("en"))
    for command in COMMANDS:
        assert callable(getattr(Dialog, command.handler, None)), command
        if command.help:
            vi, en = t(command.help_key, "vi"), t(command.help_key, "en")
            assert vi != command.help_key and en != command.help_key and vi != en, command
        if command.menu:
            assert command.help and command.alias, command  # the menu's text is the help's
            assert command.alias in menu_vi and command.name in menu_en, command
            assert menu_vi[command.alias] and menu_en[command.name]
    assert [name for name, _ in menu_entries("en")] == [c.name for c in menu_commands()]


def test_names_and_aliases_are_unique_and_resolve_to_their_command() -> None:
    words = [c.name for c in COMMANDS] + [c.alias for c in COMMANDS if c.alias]
    assert len(words) == len(set(words))
    assert not set(words) & set(CONSOLE_SEND)  # the console's /gui is not the dialog's
    for command in COMMANDS:
        if command.slash:
            assert lookup(command.name) is command and parse_command(f"/{command.name.upper()} 1")[0] == command.name
            if command.alias:
                assert parse_command(f"/{command.alias}@troly_bot x")[0] == command.name
        else:
            assert lookup(command.name) is None  # import/adddoc: done by sending a file
    assert lookup("gui") is None and lookup("send") is None  # no dangling alias


def test_help_lists_what_each_role_may_use() -> None:
    official = [c.name for c in help_commands(Role.OFFICIAL)]
    leader = [c.name for c in help_commands(Role.LEADER)]
    admin = [c.name for c in help_commands(Role.ADMIN)]
    assert "summary" not in official and "summary" in leader and "invite" not in leader
    assert admin == [c.name for c in COMMANDS if c.help]  # an admin sees everything /help lists
    assert "start" not in admin


def test_the_files_an_admin_may_send_are_what_the_loaders_read() -> None:
    from bot.service.documents import DOCUMENT_SUFFIXES
    from ingestion.loaders import SUPPORTED_SUFFIXES

    assert set(DOCUMENT_SUFFIXES) == SUPPORTED_SUFFIXES and ".markdown" in DOCUMENT_SUFFIXES
