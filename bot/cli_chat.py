"""Chat commands (`troly chat`, `troly bot`, `troly feedback …`), registered on the main group."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import click

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: object) -> object:
    """A CSV cell has no type, and Excel runs one starting with = + - @ (or tab, CR) as a formula: such text
    gets a leading apostrophe, Excel's mark for text. `--json` keeps the exact text for programs."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def register(cli: click.Group) -> None:
    """Add the chat-side commands to `cli` (kept apart from cli.py so the two evolve independently)."""
    from bot.cli import Context, echo_json, pass_ctx
    from bot.i18n import t

    @cli.command("chat")
    @click.option(
        "--as",
        "as_official",
        required=True,
        metavar="OFFICIAL",
        help="Cán bộ: mã số, Telegram user id hoặc họ tên đầy đủ.",
    )
    @pass_ctx
    def chat(ctx: Context, as_official: str) -> None:
        """Trò chuyện với trợ lý trong cửa sổ lệnh, với quyền của một cán bộ (giống hệt bot Telegram)."""
        from bot.console import run_console

        # an official who cannot chat (unknown, deactivated) is one line from the group's error handler
        run_console(ctx.settings, as_official, lines=sys.stdin, out=sys.stdout)

    @cli.command("bot")
    @click.option("--listen", default="0.0.0.0", show_default=True, help="Địa chỉ nghe webhook (khi có WEBHOOK_URL).")
    @click.option("--port", type=int, default=8443, show_default=True, help="Cổng webhook.")
    @pass_ctx
    def bot(ctx: Context, listen: str, port: int) -> None:
        """Chạy bot Telegram (long polling, hoặc webhook khi đặt WEBHOOK_URL + WEBHOOK_SECRET)."""
        import logging

        from bot.telegram_app import protect_logs, run_bot

        settings = ctx.settings
        if not settings.telegram_bot_token:
            click.echo(t("bot.no_token", ctx.lang), err=True)
            sys.exit(1)
        if settings.webhook_url and not settings.webhook_secret:
            click.echo(t("error.prefix", ctx.lang, message=t("bot.webhook_needs_secret", ctx.lang)), err=True)
            sys.exit(1)
        root = logging.getLogger()
        if root.level > logging.INFO:
            root.setLevel(logging.INFO)  # a service should say what it does; httpx stays at WARNING
        protect_logs(settings.telegram_bot_token, settings.webhook_secret)
        ctx.db()  # fail fast on a stale schema, with the fix in the message
        from telegram.error import InvalidToken, NetworkError

        try:
            run_bot(settings, listen=listen, port=port)
        except InvalidToken:  # its message holds the token: never print it
            click.echo(t("bot.token_rejected", ctx.lang), err=True)
            sys.exit(1)
        except NetworkError:
            click.echo(t("bot.api_unreachable", ctx.lang), err=True)
            sys.exit(1)

    @cli.group("feedback")
    def feedback_group() -> None:
        """Đánh giá 👍/👎 của cán bộ về câu trả lời."""

    @feedback_group.command("export")
    @click.option("--json", "as_json", is_flag=True, help="In JSON ra màn hình.")
    @click.option(
        "--csv",
        "csv_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Ghi ra tệp CSV (UTF-8, mở được bằng Excel).",
    )
    @click.option("--voted-only", is_flag=True, help="Chỉ các câu trả lời đã được đánh giá.")
    @pass_ctx
    def feedback_export(ctx: Context, as_json: bool, csv_path: Path | None, voted_only: bool) -> None:
        """Xuất câu hỏi, câu trả lời, trích dẫn và đánh giá."""
        from db.task_updates import feedback_counts, feedback_rows

        with ctx.db().session() as s:
            rows = feedback_rows(s, voted_only=voted_only)
            counts = feedback_counts(s)
        if csv_path is not None:
            columns = [
                "id",
                "at",
                "official",
                "unit",
                "channel",
                "question",
                "answer",
                "found",
                "citations",
                "note",
                "vote",
                "voted_at",
            ]
            with csv_path.open("w", newline="", encoding="utf-8-sig") as f:
                writer = csv.DictWriter(f, fieldnames=columns)
                writer.writeheader()
                for row in rows:
                    writer.writerow(
                        {
                            key: csv_text(value)
                            for key, value in {
                                **row,
                                "at": row["at"].isoformat() if row["at"] else "",
                                "voted_at": row["voted_at"].isoformat() if row["voted_at"] else "",
                                "citations": json.dumps(row["citations"], ensure_ascii=False),
                            }.items()
                        }
                    )
            click.echo(t("feedback.written", ctx.lang, n=len(rows), path=csv_path))
        if as_json:
            echo_json(rows)
        elif csv_path is None:
            if not rows:
                click.echo(t("feedback.export_empty", ctx.lang))
                return
            from rich.table import Table

            from bot.render.text import lit, print_table

            table = Table(title=t("feedback.export_summary", ctx.lang, **counts))
            for c in ("id", "at", "official", "question", "found", "vote"):
                table.add_column(c, overflow="fold")
            for r in rows:
                vote = {1: "👍", -1: "👎"}.get(r["vote"], "")
                table.add_row(
                    str(r["id"]),
                    r["at"].strftime("%d/%m/%Y %H:%M") if r["at"] else "",
                    lit(r["official"] or "—"),
                    lit(r["question"]),
                    "✓" if r["found"] else "✗",
                    vote,
                )
            print_table(table)
