"""The one command table: what /help lists, what the dialog dispatches, what Telegram's command menu shows.

Adding a command means one row here, a `Dialog` method named by `handler`, and `help.<name>` in
bot/i18n.py (tests/test_commands.py checks all three). Telegram commands are [a-z0-9_], so the
Vietnamese aliases carry no diacritics. Rows with `slash=False` are things done by sending a file
(import tasks, add a document): /help lists them, no `/name` reaches them.
"""

from __future__ import annotations

from dataclasses import dataclass

from db.models import Role

_RANK = {Role.OFFICIAL: 0, Role.LEADER: 1, Role.ADMIN: 2}


def role_at_least(role: Role, least: Role) -> bool:
    """Whether an official of `role` may do what needs `least` (official < leader < admin)."""
    return _RANK[role] >= _RANK[least]


@dataclass(frozen=True)
class Command:
    name: str  # canonical (English) name, `/name`
    alias: str | None  # the Vietnamese alias, `/alias`
    role: Role | None  # the least role that may use it; None: anyone (even not yet registered)
    menu: bool  # shown in Telegram's command menu (alias in Vietnamese, name in English)
    help: bool  # listed by /help, with the text `help.<name>` of bot/i18n.py
    handler: str  # the `Dialog` method that handles it
    slash: bool = True  # typed as `/name`; False: done by sending a file

    @property
    def help_key(self) -> str:
        return f"help.{self.name}"

    def allowed(self, role: Role) -> bool:
        return self.role is None or role_at_least(role, self.role)


# in the order /help lists them and the menu shows them
COMMANDS: tuple[Command, ...] = (
    Command("start", "batdau", None, menu=False, help=False, handler="_start"),
    Command("due", "viec", Role.OFFICIAL, menu=True, help=True, handler="_due"),
    Command("overdue", "trehan", Role.OFFICIAL, menu=True, help=True, handler="_overdue"),
    Command("task", "nhiemvu", Role.OFFICIAL, menu=True, help=True, handler="_task"),
    Command("done", "xong", Role.OFFICIAL, menu=True, help=True, handler="_done"),
    Command("progress", "tiendo", Role.OFFICIAL, menu=True, help=True, handler="_progress"),
    Command("summary", "tonghop", Role.LEADER, menu=True, help=True, handler="_summary"),
    Command("settings", "caidat", Role.OFFICIAL, menu=True, help=True, handler="_settings"),
    Command("help", "trogiup", Role.OFFICIAL, menu=True, help=True, handler="_help"),
    Command("reload", "capnhat", Role.ADMIN, menu=False, help=True, handler="_reload"),
    Command("invite", "moi", Role.ADMIN, menu=False, help=True, handler="_invite"),
    Command("users", "canbo", Role.ADMIN, menu=False, help=True, handler="_users"),
    Command("import", None, Role.ADMIN, menu=False, help=True, handler="_file", slash=False),
    Command("adddoc", None, Role.ADMIN, menu=False, help=True, handler="_file", slash=False),
)

# the console's own command (not the dialog's): send a local file as if attached, `/gui PATH [caption]`
CONSOLE_SEND = ("gui", "send")

BY_NAME: dict[str, Command] = {c.name: c for c in COMMANDS}
# every `/word` the dialog answers (canonical names and Vietnamese aliases) → its command
SLASH: dict[str, Command] = {
    **{c.name: c for c in COMMANDS if c.slash},
    **{c.alias: c for c in COMMANDS if c.slash and c.alias},
}


def lookup(word: str) -> Command | None:
    """The command typed as `/word` (canonical name or alias, case folded), or None."""
    return SLASH.get(word.lower())


def help_commands(role: Role) -> list[Command]:
    """What /help lists for an official of this role, in order."""
    return [c for c in COMMANDS if c.help and c.allowed(role)]


def menu_commands() -> list[Command]:
    return [c for c in COMMANDS if c.menu]
