"""Telegram HTML rendering of the assistant's views, and safe splitting under Telegram's 4096 characters.

A message is built from *blocks*: each block is well-formed HTML on its own (tags opened and closed
inside it; a `<blockquote>` is always one whole block). Messages are packed from whole blocks, so every
part is formatted on its own and no part starts or ends inside a quoted passage; a single block longer
than the limit is cut on line (then word) boundaries into plain, escaped pieces.
The console renders the same output through :func:`to_plain`.
"""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from typing import TYPE_CHECKING, Protocol

from bot.i18n import Lang, t
from bot.render.out import MAX_MESSAGE, Button, Out, TextOut
from bot.render.text import refusal_text, summary_row_name, unmet_note, version_note
from bot.service import callbacks as cb
from retrieval.types import by_document

if TYPE_CHECKING:
    from bot.service.views import (
        AnswerView,
        DigestView,
        HelpView,
        ImportView,
        InviteView,
        JobView,
        OfficialCard,
        OfficialItem,
        OfficialsPage,
        SettingsView,
        StartView,
        SummaryView,
        SyncView,
        TaskDetail,
        TaskFold,
        TaskListKind,
        TaskPage,
        UpdateView,
    )
    from db.queries import TaskView, UnitGroup
    from retrieval.types import Citation, Quote

_TAG = re.compile(r"<[^<>]+>")
_BLOCKQUOTE = re.compile(r"<blockquote(\s+expandable)?\s*>(.*?)</blockquote>", re.S)
_BLOCKQUOTE_EXPANDABLE = re.compile(r"\n?<blockquote\s+expandable\s*>.*?</blockquote>\n?", re.S)


# --- HTML helpers ---------------------------------------------------------------------------------


def esc(value: object) -> str:
    return html.escape(str(value), quote=False)


def _strip(text: str) -> str:
    """The characters Telegram displays (and counts) for an HTML text: tags removed, entities unescaped."""
    return html.unescape(_TAG.sub("", text))


def to_plain(text: str) -> str:
    """An HTML text as the console prints it: Telegram's visible text, with each quoted passage indented.

    A collapsed passage (`<blockquote expandable>`) opens with `▸ ` (its first line is its header) and
    continues with `│ `; a plain `<blockquote>` is indented with `│ `.
    """
    out: list[str] = []
    pos = 0
    for m in _BLOCKQUOTE.finditer(text):
        out.append(_strip(text[pos : m.start()]))
        lines = _strip(m.group(2)).strip("\n").split("\n")
        marks = ["▸ " if m.group(1) else "│ "] + ["│ "] * (len(lines) - 1)
        out.append("\n".join(mark + line for mark, line in zip(marks, lines, strict=True)))
        pos = m.end()
    out.append(_strip(text[pos:]))
    return "".join(out)


def plain_length(text: str) -> int:
    """How many characters Telegram counts for an HTML text (its limits apply after entity parsing)."""
    return len(_strip(text))


def visible_length(text: str) -> int:
    """How many characters a phone shows before the collapsed parts: the visible text without the content
    of `<blockquote expandable>` elements (each counts as one line break; the ends are trimmed, as
    Telegram trims a message)."""
    return len(_strip(_BLOCKQUOTE_EXPANDABLE.sub("\n", text)).strip())


def _cut_plain(text: str, limit: int) -> list[str]:
    """Cut plain text into pieces of at most `limit` characters on line, then word boundaries."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            head, line = line[:cut], line[cut:].lstrip(" ")
            if current:
                pieces.append(current)
                current = ""
            pieces.append(head)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current:
        pieces.append(current)
    return [p for p in pieces if p.strip()]


def split_blocks(blocks: list[str], limit: int = MAX_MESSAGE) -> list[str]:
    """Pack well-formed HTML blocks (joined by newlines) into messages of at most `limit` visible characters."""
    messages: list[str] = []
    current: list[str] = []
    size = 0
    for block in blocks:
        n = plain_length(block)
        if n > limit:
            if current:
                messages.append("\n".join(current))
                current, size = [], 0
            messages.extend(esc(piece) for piece in _cut_plain(_strip(block), limit))
            continue
        extra = n + (1 if current else 0)
        if current and size + extra > limit:
            messages.append("\n".join(current))
            current, size = [block], n
        else:
            current.append(block)
            size += extra
    if current:
        messages.append("\n".join(current))
    return [m for m in messages if _strip(m).strip()] or [esc("…")]


def texts(blocks: list[str], buttons: list[list[Button]] | None = None, limit: int = MAX_MESSAGE) -> list[Out]:
    """Blocks as one or more text messages; the buttons go on the last one."""
    parts = split_blocks(blocks, limit)
    out: list[Out] = [TextOut(p) for p in parts[:-1]]
    out.append(TextOut(parts[-1], buttons or []))
    return out


def _short(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _date(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else "—"


def role_name(role: str, lang: str) -> str:
    return t(f"role.{role}", lang)


# --- start, help, settings --------------------------------------------------------------------------


def render_start(view: StartView) -> list[Out]:
    me = view.me
    key = "start.linked" if view.kind == "linked" else "start.welcome"
    return texts([t(key, me.lang, name=esc(me.name), unit=esc(me.unit_name), role=role_name(me.role.value, me.lang))])


def render_help(view: HelpView) -> list[Out]:
    me = view.me
    blocks = [
        t("help.title", me.lang, name=esc(me.name), unit=esc(me.unit_name), role=role_name(me.role.value, me.lang)),
        esc(t("help.ask" if view.answers_available else "help.ask_down", me.lang)),
        "",
    ]
    blocks += [esc(t(f"help.{name}", me.lang)) for name in view.commands]
    return texts(blocks)


def settings_buttons(view: SettingsView) -> list[list[Button]]:
    lang = view.lang
    other: Lang = "en" if lang == "vi" else "vi"
    return [
        [
            Button(t(f"settings.to_{other}", lang), cb.encode(cb.SetLang(other))),
            Button(
                t("settings.digest_turn_off" if view.digest else "settings.digest_turn_on", lang),
                cb.encode(cb.SetDigest(not view.digest)),
            ),
        ]
    ]


def render_settings(view: SettingsView) -> TextOut:
    lang = view.lang
    lines = [
        f"<b>{esc(t('settings.title', lang))}</b>",
        esc(t("settings.lang", lang)),
        esc(t("settings.digest_on" if view.digest else "settings.digest_off", lang)),
    ]
    if view.changed:
        lines.append(f"<i>{esc(t('settings.saved', lang))}</i>")
    return TextOut("\n".join(lines), settings_buttons(view))


# --- answers ------------------------------------------------------------------------------------------


VISIBLE_BUDGET = 700  # characters an answer shows before its collapsed passages
SHORT_CHARS = 200
MIN_QUOTE_CHARS = 120
PASSAGE_CHARS = 900
TITLE_CHARS = 60
SECTIONS_CHARS = 80


def _clip(text: str, n: int) -> str:
    """`text` with spaces collapsed inside its lines (line breaks kept), cut on a word boundary to ≤ n chars."""
    text = "\n".join(line for line in (" ".join(raw.split()) for raw in text.strip().splitlines()) if line)
    if len(text) <= n:
        return text
    cut = max(text.rfind(" ", 0, n), text.rfind("\n", 0, n))
    cut = cut if cut > n // 2 else n - 1
    return text[:cut].rstrip(" ,;:") + "…"


def _file_name(source: str) -> str:
    return source.replace("\\", "/").rsplit("/", 1)[-1]


def source_lines(passages: list[Citation]) -> list[str]:
    """One compact line per cited document: `📄 [1][3] <b>symbol</b> · sections · short title`
    (the file name when the document has no symbol)."""
    lines = []
    for cs in by_document(passages):
        first = cs[0]
        head = first.symbol or _file_name(first.source) or first.document
        parts = [f"<b>{esc(head)}</b>"]
        sections = list(dict.fromkeys(c.section.strip() for c in cs if c.section.strip()))
        if sections:
            parts.append(esc(_clip("; ".join(sections), SECTIONS_CHARS)))
        title = " ".join(first.document.split())
        if title and title not in (head, first.symbol, first.source, _file_name(first.source)):
            parts.append(esc(_clip(title, TITLE_CHARS)))
        lines.append(f"📄 {''.join(f'[{c.rank}]' for c in cs)} " + " · ".join(parts))
    return lines


# A Markdown document's heading marks ("## II. KẾT QUẢ THỰC HIỆN"): Telegram would show the hashes.
_MARKDOWN_HEADING = re.compile(r"^#{1,6}[ \t]+", re.MULTILINE)


def passage_block(c: Citation) -> str:
    """A cited passage, collapsed: `[n] symbol · section` on its first line, then the passage."""
    where = " · ".join(x for x in (c.symbol, c.section) if x) or _file_name(c.source)
    text = _clip(_MARKDOWN_HEADING.sub("", c.text), PASSAGE_CHARS)
    return (
        f"<blockquote expandable><b>[{c.rank}]</b> {esc(where)}" + (f"\n{esc(text)}" if text else "") + "</blockquote>"
    )


def _quote_lines(quotes: tuple[Quote, ...], room: int) -> list[str]:
    """`«quote» [n]` lines sharing `room` visible characters (a quote is cut only when they do not fit;
    the whole passage stays one tap away)."""
    limits: dict[int, int] = {}
    left = room - sum(len(f"«» [{q.rank}]") + 1 for q in quotes)
    order = sorted(range(len(quotes)), key=lambda i: len(quotes[i].text))
    for done, i in enumerate(order):
        limit = max(MIN_QUOTE_CHARS, left // (len(quotes) - done))
        limits[i] = limit
        left -= min(limit, len(quotes[i].text))
    return [f"«{esc(_clip(q.text, limits[i]))}» [{q.rank}]" for i, q in enumerate(quotes)]


def render_answer(view: AnswerView) -> list[Out]:
    """Found: the direct answer (or a line saying the passages do not state the date, figure or amount
    asked for), at most two quotes, the note, one source line per cited document, then
    each cited passage collapsed (shown nowhere else). Refused: what was searched, then at most the two
    closest passages, labelled as not answering the question, collapsed."""
    lang = view.lang
    if view.unavailable:
        return texts([esc(view.text)])
    passages = list(view.cited or view.citations)
    if not view.found:
        passages = passages[:2]
    tail: list[str] = [f"<i>{esc(view.note)}</i>"] if view.note else []
    if passages:
        tail.append("")
        if not view.found:
            if view.unmet:  # on topic, yet none states the figure asked for
                tail.append(f"<i>{esc(unmet_note(view.unmet, lang))}</i>")
            tail.append(f"<i>{esc(t('ask.closest_two' if len(passages) > 1 else 'ask.closest_one', lang))}</i>")
        tail += source_lines(passages)
    head: list[str] = []
    if view.found and view.unmet and not view.short:  # on topic, yet the figure asked for is not there
        head.append(f"<i>{esc(unmet_note(view.unmet, lang))}</i>")
    if view.found and (view.short or view.quotes):
        if view.short:
            rank = f" [{view.short_rank}]" if view.short_rank else ""
            head.append(f"<b>{esc(_clip(view.short, SHORT_CHARS))}</b>{rank}")
        if view.quotes:
            room = VISIBLE_BUDGET - visible_length("\n".join([*head, *tail])) - 1
            head += _quote_lines(view.quotes, room)
    else:
        body = view.body.strip() or view.text.strip() or t("ask.not_found", lang)
        if view.searched is not None:  # what was searched, in the reader's language (the stored text is Vietnamese)
            body = refusal_text(view.searched, view.scope, lang, view.absent)
        head += [esc(para.strip()) for para in body.split("\n\n") if para.strip()]
    blocks = head + tail + [passage_block(c) for c in passages]
    buttons = None
    if view.id is not None:
        buttons = [[Button("👍", cb.encode(cb.Vote(view.id, True))), Button("👎", cb.encode(cb.Vote(view.id, False)))]]
    return texts(blocks, buttons)


# --- task lists ------------------------------------------------------------------------------------


def task_line(task: TaskView, as_of: date, lang: str, *, with_unit: bool) -> str:
    late = task.days_late(as_of)
    when = _date(task.deadline)
    if late > 0:
        when += " " + t("tasks.days_late", lang, n=late)
    source = " ".join(x for x in (task.source_symbol, task.source_section) if x)
    line = f"• <code>{esc(task.code)}</code> {esc(_short(task.title, 160))}\n   ⏰ {esc(when)}"
    if with_unit:
        line += f" · 🏢 {esc(_short(task.unit_name, 60))}"
    if source:
        line += f" · 📄 {esc(_short(source, 60))}"
    return line


FOLD_CODES = 5  # task codes shown under a folded title


def fold_line(fold: TaskFold, as_of: date, lang: str, *, with_unit: bool) -> str:
    """One task as `task_line`; several with one title as one line: the title × n, the worst delay (or the
    first deadline), and their codes."""
    if len(fold.tasks) == 1:
        return task_line(fold.first, as_of, lang, with_unit=with_unit)
    first = fold.first
    late = first.days_late(as_of)
    when = t("tasks.fold_late", lang, n=late) if late > 0 else t("tasks.fold_due", lang, date=_date(first.deadline))
    line = f"• {esc(_short(fold.title, 160))} <b>× {len(fold.tasks)}</b>, {esc(when)}"
    source = " ".join(x for x in (first.source_symbol, first.source_section) if x)
    codes = ", ".join(f"<code>{esc(task.code)}</code>" for task in fold.tasks[:FOLD_CODES])
    if len(fold.tasks) > FOLD_CODES:
        codes += f" +{len(fold.tasks) - FOLD_CODES}"
    line += f"\n   {codes}"
    units = list(dict.fromkeys(task.unit_name for task in fold.tasks))
    if with_unit:
        line += f" · 🏢 {esc(_short(', '.join(units), 60))}"
    if source:
        line += f" · 📄 {esc(_short(source, 60))}"
    return line


def group_name(group: UnitGroup, lang: str) -> str:
    return t("tasks.direct", lang, unit=group.unit_name) if group.own else group.unit_name


def group_line(group: UnitGroup, kind: TaskListKind, as_of: date, lang: str, n: int) -> str:
    if kind == "overdue":
        late = (as_of - group.earliest).days if group.earliest else 0
        what = t("tasks.group_late", lang, n=group.count, late=late)
    else:
        what = t("tasks.group_due", lang, n=group.count, date=_date(group.earliest))
    return f"{n}. <b>{esc(_short(group_name(group, lang), 60))}</b> — {esc(what)}"


def group_data(view: TaskPage, group: UnitGroup) -> str:
    own = group.own
    if view.kind == "due":
        return cb.encode(cb.UnitList("due", group.unit_code, view.days, own, view.start))
    return cb.encode(cb.UnitList("overdue", group.unit_code, 0, own))


def page_data(view: TaskPage, page: int) -> str:
    unit = view.unit_code if view.explicit_unit else None
    if view.kind == "due":
        return cb.encode(cb.DuePage(view.days, page, unit, view.own, view.start))
    return cb.encode(cb.OverduePage(page, unit, view.own))


def render_task_page(view: TaskPage) -> TextOut:
    """A due or overdue list: by sub-unit (one line and one drill-down button each, most tasks first) for a
    leader's unit with sub-units; by task otherwise, identical titles folded."""
    lang = view.lang
    if view.kind == "due" and view.start:  # a window that starts later: "tháng 12", "tuần sau"
        first, last = view.as_of + timedelta(days=view.start), view.as_of + timedelta(days=view.days)
        title = t("tasks.due_title_window", lang, start=_date(first), end=_date(last), unit=view.unit_name)
        empty = t("tasks.none_due_window", lang, start=_date(first), end=_date(last))
    elif view.kind == "due":
        title = t("tasks.due_title", lang, days=view.days, unit=view.unit_name)
        empty = t("tasks.none_due", lang, days=view.days)
    else:
        title, empty = t("tasks.overdue_title", lang, unit=view.unit_name), t("tasks.none_overdue", lang)
    head = f"<b>{esc(title)}</b>"
    if view.subunits:
        head += f" <i>{esc(t('tasks.subunits', lang))}</i>"
    elif view.own:
        head += f" <i>{esc(t('tasks.own', lang))}</i>"
    lines = [head]
    if not view.folds and not view.groups:
        lines.append(esc(empty))
        return TextOut("\n".join(lines))
    buttons: list[list[Button]] = []
    if view.grouped:
        lines += [group_line(g, view.kind, view.as_of, lang, view.first + i + 1) for i, g in enumerate(view.groups)]
        if view.pages > 1:
            footer = t(
                "tasks.groups_page", lang, page=view.page + 1, pages=view.pages, units=view.items, total=view.total
            )
        else:
            footer = t("tasks.groups", lang, units=view.items, total=view.total)
        lines += [f"<i>{esc(footer)}</i>", esc(t("tasks.group_pick", lang))]
        labels = [Button(f"🔎 {_short(group_name(g, lang), 26)} ({g.count})", group_data(view, g)) for g in view.groups]
        buttons += [labels[i : i + 2] for i in range(0, len(labels), 2)]
    else:
        lines += [fold_line(f, view.as_of, lang, with_unit=view.subunits) for f in view.folds]
        if view.pages > 1:
            lines.append(f"<i>{esc(t('tasks.page', lang, page=view.page + 1, pages=view.pages, total=view.total))}</i>")
    if view.pages > 1:
        row = []
        if view.page > 0:
            row.append(Button(t("page.prev", lang), page_data(view, view.page - 1)))
        if view.page < view.pages - 1:
            row.append(Button(t("page.next", lang), page_data(view, view.page + 1)))
        buttons.append(row)
    text = "\n".join(lines)
    if plain_length(text) > MAX_MESSAGE:  # cannot happen with 10-20 shortened lines; keep the guarantee anyway
        text = split_blocks(lines)[0]
    return TextOut(text, buttons)


# --- one task ----------------------------------------------------------------------------------------


def task_status(detail: TaskDetail) -> str:
    task, lang, as_of = detail.task, detail.lang, detail.as_of
    if task.deadline is None:
        return t("status.recurring", lang)
    if task.completed_on is not None:
        key = "status.done_on_time" if task.completed_on <= task.deadline else "status.done_late"
        return t(key, lang, date=_date(task.completed_on))
    if task.deadline >= as_of:
        return t("status.in_progress", lang, n=(task.deadline - as_of).days)
    return t("status.overdue", lang, n=(as_of - task.deadline).days)


def render_task(detail: TaskDetail) -> list[Out]:
    task, lang = detail.task, detail.lang
    blocks = [f"<b>{esc(task.code)}</b> — {esc(task.title)}"]
    if task.description:
        blocks.append(f"<i>{esc(task.description)}</i>")
    blocks.append(f"🏢 {esc(t('task.unit', lang))}: {esc(task.unit_name)} ({esc(task.unit_code)})")
    if task.assigned_by_name:
        blocks.append(f"📨 {esc(t('task.assigned_by', lang))}: {esc(task.assigned_by_name)}")
    deadline = _date(task.deadline) if task.deadline else t("task.recurring", lang)
    blocks.append(f"⏰ {esc(t('task.deadline', lang))}: {esc(deadline)} — {esc(task_status(detail))}")
    source = " · ".join(x for x in (task.source_symbol, task.source_section) if x)
    if source:
        blocks.append(f"📄 {esc(t('task.source', lang))}: {esc(source)}")
    if detail.passage is not None:
        p = detail.passage
        where = " · ".join(x for x in (p.symbol, p.section) if x)
        blocks.append(f"\n<b>{esc(t('task.passage', lang))}</b> ({esc(where)})")
        blocks.append(f"<blockquote>{esc(_short(p.text, 1200))}</blockquote>")
    blocks.append(f"\n<b>{esc(t('task.history', lang))}</b>")
    if not detail.events:
        blocks.append(esc(t("task.no_history", lang)))
    for e in detail.events:
        line = f"• {e.at.strftime('%d/%m/%Y %H:%M')} — {esc(t(f'event.{e.kind}', lang) if f'event.{e.kind}' in _EVENT_KEYS else e.kind)}"
        if e.official:
            line += f" ({esc(e.official)})"
        if e.note:
            line += f": {esc(_short(e.note, 300))}"
        if e.evidence:
            line += f"\n   📎 {esc(t('event.evidence', lang))}: <code>{esc(e.evidence)}</code>"
        blocks.append(line)
    return texts(blocks)


_EVENT_KEYS = {"event.created", "event.imported", "event.updated", "event.progress", "event.done"}


def render_update(view: UpdateView) -> list[Out]:
    lang = view.lang
    if view.kind == "done":
        lines = [t("done.ok", lang, code=esc(view.code), date=_date(view.completed_on))]
    else:
        lines = [t("progress.ok", lang, code=esc(view.code))]
    if view.note:
        lines.append(f"<i>{esc(view.note)}</i>")
    if view.evidence:
        lines.append(esc(t("update.evidence", lang, ref=view.evidence)))
    return texts(lines)


# --- summaries ----------------------------------------------------------------------------------------


SUMMARY_ROWS = 25
NAME_WIDTH = 16  # a unit's name in the phone table: 16 + the 14 of the figures fit a phone's monospace line
_LEVEL_PREFIXES = ("Thành phố ", "Tỉnh ", "Phường ", "Xã ", "Đặc khu ", "Thị trấn ", "Quận ", "Huyện ")


def short_names(names: list[str], width: int = NAME_WIDTH) -> list[str]:
    """Unit names shortened to `width` characters for a monospace table: the level word dropped ("Phường Hoàn
    Kiếm" → "Hoàn Kiếm") unless that makes two names equal, then cut with "…"."""

    def bare(name: str) -> str:
        for prefix in _LEVEL_PREFIXES:
            if name.startswith(prefix) and len(name) > len(prefix):
                return name[len(prefix) :]
        return name

    stripped = [bare(n) for n in names]
    out = []
    for name, short in zip(names, stripped, strict=True):
        short = short if stripped.count(short) == 1 else name
        out.append(short if len(short) <= width else short[: width - 1].rstrip() + "…")
    return out


def render_summary_text(view: SummaryView) -> TextOut:
    s, lang = view.summary, view.lang
    title = t("summary.title", lang, unit=s.unit_name, as_of=s.as_of.strftime("%d/%m/%Y"))
    if not s.rows:
        return TextOut(f"<b>{esc(title)}</b>\n{esc(t('summary.empty', lang, unit=s.unit_name))}")
    rows = s.rows[:SUMMARY_ROWS]
    names = short_names([summary_row_name(r, lang) for r in rows])
    width = min(NAME_WIDTH, max(len(t("col.total", lang)), *(len(n) for n in names)))
    table = [f"{t('summary.compact_head', lang)[:width]:<{width}}{t('summary.cols', lang)}"]
    for name, r in [*zip(names, rows, strict=True), (t("col.total", lang), s.total)]:
        table.append(f"{name[:width]:<{width}}{r.overdue:>4} {r.in_progress:>4} {r.pct_done:>4.0f}")
    lines = [f"<b>{esc(title)}</b>", f"<pre>{esc(chr(10).join(table))}</pre>", f"<i>{esc(t('summary.abbr', lang))}</i>"]
    if len(s.rows) > SUMMARY_ROWS:
        lines.append(esc(t("summary.more", lang, n=len(s.rows) - SUMMARY_ROWS)))
    buttons: list[list[Button]] = []
    drill = view.drill[:8]
    names_by_code = dict(zip([r.unit_code for r in rows], names, strict=True))
    if drill:
        lines.append(esc(t("summary.drill", lang)))
        for i in range(0, len(drill), 2):
            buttons.append(
                [Button(f"🔎 {names_by_code.get(code, code)}", cb.encode(cb.Drill(code))) for code in drill[i : i + 2]]
            )
    if view.parent_code:
        buttons.append([Button(t("summary.up", lang, unit=view.parent_code), cb.encode(cb.Drill(view.parent_code)))])
    text = "\n".join(lines)
    return TextOut(text if plain_length(text) <= MAX_MESSAGE else split_blocks(lines)[0], buttons)


# --- admin ----------------------------------------------------------------------------------------------


def render_invite(view: InviteView) -> list[Out]:
    text = t(
        "invite.created",
        view.lang,
        code=view.code,
        unit=f"{view.unit_name} ({view.unit_code})",
        role=role_name(view.role, view.lang),
        expires=view.expires.strftime("%d/%m/%Y %H:%M"),
        link=view.link,
    )
    return texts([esc(text)])


# --- admins: officials ---------------------------------------------------------------------------------


def _official_state(item: OfficialItem, lang: str) -> str:
    state = t("users.active" if item.active else "users.inactive", lang)
    if not item.linked:
        state += " · " + t("users.unlinked", lang)
    return state


def render_officials(view: OfficialsPage) -> TextOut:
    """A page of officials; one button per official opens its card (with the actions)."""
    lang = view.lang
    lines = [f"<b>{esc(t('users.title', lang, unit=view.unit_name))}</b>"]
    if not view.items:
        lines.append(esc(t("users.none", lang)))
        return TextOut("\n".join(lines))
    buttons: list[list[Button]] = []
    for n, item in enumerate(view.items, start=view.first):
        mark = "" if item.active else "⛔ "
        lines.append(
            f"{n}. {mark}<b>{esc(_short(item.name, 60))}</b> — {esc(item.unit_code)} · "
            f"{esc(role_name(item.role, lang))} · {esc(_official_state(item, lang))}"
        )
        buttons.append([Button(f"{n}. {_short(item.name, 40)}", cb.encode(cb.OfficialOpen(item.id)))])
    if view.pages > 1:
        lines.append(f"<i>{esc(t('users.page', lang, page=view.page + 1, pages=view.pages, total=view.total))}</i>")
        row = []
        if view.page > 0:
            row.append(Button(t("page.prev", lang), cb.encode(cb.UsersPage(view.page - 1, view.unit_code))))
        if view.page < view.pages - 1:
            row.append(Button(t("page.next", lang), cb.encode(cb.UsersPage(view.page + 1, view.unit_code))))
        buttons.append(row)
    lines.append(esc(t("users.pick", lang)))
    return TextOut("\n".join(lines), buttons)


def render_official(view: OfficialCard) -> TextOut:
    item, lang = view.item, view.lang
    lines = [
        f"<b>{esc(item.name)}</b>",
        f"{esc(t('users.unit', lang))}: {esc(item.unit_name)} ({esc(item.unit_code)})",
        f"{esc(t('users.role', lang))}: {esc(role_name(item.role, lang))}",
        f"{esc(t('users.state', lang))}: {esc(_official_state(item, lang))}",
    ]
    if view.changed:
        lines.append(f"<i>{esc(t('users.saved', lang))}</i>")
    buttons: list[list[Button]] = []
    if view.is_self:
        lines.append(f"<i>{esc(t('deny.self', lang))}</i>")
    else:
        toggle = "users.deactivate" if item.active else "users.activate"
        buttons.append([Button(t(toggle, lang), cb.encode(cb.OfficialActive(item.id, not item.active)))])
        roles: tuple[cb.RoleName, ...] = ("official", "leader", "admin")
        buttons.append(
            [
                Button(t("users.make", lang, role=role_name(r, lang)), cb.encode(cb.OfficialRole(item.id, r)))
                for r in roles
                if r != item.role
            ]
        )
    buttons.append([Button(t("users.back", lang), cb.encode(cb.UsersPage(0)))])
    return TextOut("\n".join(lines), buttons)


def render_import(view: ImportView) -> list[Out]:
    return texts([f"✅ <b>{esc(view.filename)}</b>", esc(t("import.done", view.lang, **view.report.as_dict()))])


class Progress(Protocol):
    """How far a sync has come: a running sync's progress, or an ingestion job's as its row records it."""

    @property
    def done(self) -> int: ...
    @property
    def total(self) -> int: ...
    @property
    def current(self) -> str: ...


def render_sync_progress(progress: Progress, lang: str) -> str:
    return esc(
        t("reload.progress", lang, done=progress.done, total=progress.total, current=_short(progress.current, 80))
    )


def render_sync_report(view: SyncView) -> list[str]:
    """Blocks (the first one replaces the progress message)."""
    r, lang = view.report, view.lang
    failed = r.failed
    counts = {
        "added": len(r.added),
        "updated": len(r.updated),
        "removed": len(r.removed),
        "unchanged": len(r.unchanged),
    }
    head = t("reload.done_failed" if failed else "reload.done", lang)
    if view.added_file:
        head += f" ({view.added_file})"
    blocks = [f"<b>{esc(head)}</b>\n{esc(t('reload.counts', lang, failed=len(failed), **counts))}"]
    if r.embedded:
        blocks[0] += "\n" + esc(t("reload.embedded", lang, n=r.embedded))
    versions = r.versions
    for sign, names in (("➕", r.added), ("✏️", r.updated), ("➖", r.removed)):
        for path in names[:30]:
            version = versions.get(path)
            note = version_note(path, version, lang)
            if not note and version is not None and path == view.added_file:  # an upload: always say which is live
                note = t("docs.version_new", lang, n=version[0])
            blocks.append(f"{sign} {esc(path)}" + (f" — {esc(note)}" if note else ""))
    for path, number, live in r.older[:30]:
        blocks.append(f"↩️ {esc(path)} — {esc(t('docs.version_older', lang, n=number, live=live))}")
    for path, reason in failed:
        blocks.append(f"❌ {esc(path)}: {esc(_short(reason.render(lang), 300))}")
    return blocks


def render_job_progress(view: JobView) -> str:
    """A job not finished yet: waiting for a worker (and how many jobs are before it), or its progress."""
    if view.state == "queued":
        return esc(t("jobs.queued", view.lang, ahead=view.ahead))
    if not view.total:
        return esc(t("jobs.started", view.lang))
    return render_sync_progress(view, view.lang)


def render_job_report(view: JobView) -> list[str]:
    """A finished job: why it failed, if it did, then its sync report (blocks; the first replaces the progress)."""
    blocks = render_sync_report(view.report) if view.report is not None else []
    if view.error:
        blocks.insert(0, esc(t("jobs.failed", view.lang, error=_short(view.error, 500))))
    return blocks or [esc(t("reload.done", view.lang))]


# --- the morning digest ------------------------------------------------------------------------------------


DIGEST_ITEMS = 15  # folded lines per list in an official's digest


def render_digest(view: DigestView) -> list[Out]:
    """An official's digest: the unit's overdue and due tasks, identical titles folded (as /trehan and /viec
    list one unit); a leader's over sub-units: the figures, then the sub-units most behind with a drill-down
    button each (as /trehan lists them)."""
    lang, as_of = view.lang, view.as_of
    key = "digest.title_subunits" if view.subunits else "digest.title"
    blocks = [f"<b>{esc(t(key, lang, name=view.name, unit=view.unit_name, date=_date(as_of)))}</b>"]
    buttons: list[list[Button]] = []
    if view.subunits:
        figures = []
        if view.overdue_total:
            figures.append(t("digest.overdue_units", lang, n=view.overdue_total, units=view.late_unit_count))
        if view.due_total:
            figures.append(t("digest.due_units", lang, n=view.due_total, units=view.due_unit_count, days=view.days))
        blocks.append("\n".join(esc(f) for f in figures))
        if view.late_units:
            blocks.append(f"\n<b>{esc(t('digest.latest', lang, n=len(view.late_units)))}</b>")
            blocks += [group_line(g, "overdue", as_of, lang, i + 1) for i, g in enumerate(view.late_units)]
            labels = [
                Button(
                    f"🔎 {_short(group_name(g, lang), 26)} ({g.count})",
                    cb.encode(cb.UnitList("overdue", g.unit_code, 0, g.own)),
                )
                for g in view.late_units
            ]
            buttons = [labels[i : i + 2] for i in range(0, len(labels), 2)]
    else:
        for key, folds, n in (
            ("digest.overdue", view.overdue, view.overdue_total),
            ("digest.due", view.due, view.due_total),
        ):
            if not folds:
                continue
            blocks.append(f"\n<b>{esc(t(key, lang, n=n, days=view.days))}</b>")
            blocks += [fold_line(f, as_of, lang, with_unit=False) for f in folds[:DIGEST_ITEMS]]
            rest = sum(len(f.tasks) for f in folds[DIGEST_ITEMS:])
            if rest:
                blocks.append(esc(t("digest.more", lang, n=rest)))
    blocks.append(f"\n<i>{esc(t('digest.see_all', lang))}</i>")
    return texts(blocks, buttons)
