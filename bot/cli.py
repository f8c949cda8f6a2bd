"""`troly`: one command group, a subcommand group per noun. Human output by default, `--json` for machines."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from bot.config import Settings
from bot.i18n import LANGS, Lang, error_text, t
from db.clock import DUE_WINDOW_DAYS, INVITE_VALID_DAYS
from db.errors import TrolyError

if TYPE_CHECKING:
    from retrieval.types import Answer

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


def setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs request URLs, which carry the bot token, at INFO.
    for noisy in ("httpx", "httpcore", "chromadb", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class OptionError(click.BadParameter):
    """A bad option value found by our own checks: its message is already in the caller's language."""


def _param_name(exc: click.UsageError) -> str:
    param = getattr(exc, "param", None)
    hint = getattr(exc, "param_hint", None)
    if isinstance(hint, str) and hint:
        return hint
    if param is not None:
        opts = [o for o in getattr(param, "opts", []) if o.startswith("--")] or list(getattr(param, "opts", []))
        return opts[0] if opts and isinstance(param, click.Option) else (param.human_readable_name or "?").upper()
    return "?"


def _bad_value_reason(exc: click.BadParameter, lang: str) -> str:
    import re

    param_type = getattr(exc.param, "type", None)
    if isinstance(param_type, click.IntRange) and param_type.min is not None:
        low = param_type.min + (1 if param_type.min_open else 0)
        return t("cli.reason_int_min", lang, min=low)
    if isinstance(param_type, click.types.IntParamType):
        return t("cli.reason_int", lang)
    if isinstance(param_type, click.Choice):
        return t("cli.reason_choice", lang, choices=", ".join(map(str, param_type.choices)))
    if isinstance(param_type, click.Path):
        quoted = re.search(r"'(.+)'", exc.message)
        return t("cli.reason_path", lang, path=quoted.group(1) if quoted else "")
    return t("cli.reason_other", lang)


def usage_line(exc: click.UsageError, lang: str = "vi") -> str:
    """Click's usage errors as one line of the catalogue (Vietnamese unless `troly --lang en`)."""
    command = exc.ctx.command_path if exc.ctx is not None else "troly"
    if isinstance(exc, OptionError):
        return t("cli.bad_value", lang, option=_param_name(exc), reason=exc.message, command=command)
    if isinstance(exc, click.MissingParameter):  # a BadParameter too
        return t("cli.missing", lang, param=_param_name(exc), command=command)
    if isinstance(exc, click.BadParameter):
        reason = _bad_value_reason(exc, lang)
        return t("cli.bad_value", lang, option=_param_name(exc), reason=reason, command=command)
    if isinstance(exc, click.NoSuchOption):
        return t("cli.no_such_option", lang, option=exc.option_name, command=command)
    message = exc.message
    if message.startswith("No such command"):
        return t("cli.no_such_command", lang, name=message.split(" ", 3)[-1].rstrip("."), command=command)
    if message.startswith("Got unexpected extra argument"):
        return t("cli.extra_args", lang, args=message.split("(", 1)[-1].rstrip(")"), command=command)
    return t("cli.usage", lang, command=command)


@dataclass
class Invocation:
    """One run of `troly`, as its error handler knows it: the clock tests pass (the click `obj`) and the
    language the caller chose, set as soon as the root options are read."""

    now: Callable[[], datetime] | None = None
    lang: Lang = "vi"


class TrolyGroup(click.Group):
    """The `troly` group: every user error ends as one line on stderr in the caller's language (`--lang`,
    Vietnamese by default) — configuration, usage (exit 2), the database unreachable or refusing,
    Ctrl-C/SIGTERM (exit 130) — never a traceback or Click's English usage text."""

    def main(  # type: ignore[override]
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        obj = extra.pop("obj", None)
        run = obj if isinstance(obj, Invocation) else Invocation(now=obj if callable(obj) else None)
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, obj=run, **extra)
        from sqlalchemy.exc import DBAPIError

        try:
            rv = super().main(args, prog_name, complete_var, False, obj=run, **extra)
        except click.UsageError as exc:
            _fail(usage_line(exc, run.lang), 2)
        except (click.Abort, KeyboardInterrupt):
            _fail(t("cli.interrupted", run.lang), 130)
        except click.ClickException as exc:
            _fail(t("error.prefix", run.lang, message=exc.format_message()), exc.exit_code)
        except TrolyError as exc:  # the one handler of every package's errors (and `troly demo`'s)
            _fail(t("error.prefix", run.lang, message=error_text(exc, run.lang)), 1)
        except DBAPIError as exc:
            from db.session import unavailable

            failure = unavailable(exc, _database_url())
            _fail(t("error.prefix", run.lang, message=error_text(failure, run.lang)), 1)
        sys.exit(rv if isinstance(rv, int) else 0)


def _database_url() -> str:
    from bot.config import Settings

    try:  # only on the error path: the settings were valid when the command started
        return Settings.from_env().database_url
    except Exception:  # noqa: BLE001
        return ""


def _fail(line: str, code: int) -> None:
    click.echo(line, err=True)
    sys.exit(code)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default))


def _json_default(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(type(value))


class Context:
    """What every command needs, built lazily from the settings read once in `main`.

    `now` (a provider of aware datetimes) drives the one clock; tests pass it as the click `obj`."""

    def __init__(self, settings: Settings, now: Callable[[], datetime] | None = None, lang: Lang = "vi") -> None:
        self.settings = settings
        self.clock = settings.clock(now)
        self.lang: Lang = lang  # of every message the command prints (`troly --lang en …`)
        self._db: Any = None

    def db(self, *, check: bool = True) -> Any:
        from db.session import Database

        if self._db is None:
            self._db = Database(self.settings.database_url, check=check)
        return self._db


pass_ctx = click.make_pass_decorator(Context)


@click.group(cls=TrolyGroup)
@click.option("-v", "--verbose", is_flag=True, help="Ghi log chi tiết / debug logging.")
@click.option(
    "--lang", type=click.Choice(LANGS), default="vi", show_default=True, help="Ngôn ngữ thông báo / message language."
)
@click.pass_context
def cli(ctx: click.Context, verbose: bool, lang: Lang) -> None:
    """Trợ lý — trợ lý văn bản và theo dõi nhiệm vụ cho cán bộ."""
    setup_logging(verbose)
    run = ctx.obj if isinstance(ctx.obj, Invocation) else Invocation(now=ctx.obj if callable(ctx.obj) else None)
    run.lang = lang  # before the settings are read: a configuration error is said in this language too
    ctx.obj = Context(Settings.from_env(), now=run.now, lang=lang)


# --- db -------------------------------------------------------------------------------------


@cli.group("db")
def db_group() -> None:
    """Cơ sở dữ liệu: nâng cấp lược đồ, dữ liệu mẫu."""


@db_group.command("upgrade")
@pass_ctx
def db_upgrade(ctx: Context) -> None:
    """Đưa lược đồ CSDL lên phiên bản mới nhất."""
    from db.session import upgrade

    _, after = upgrade(ctx.db(check=False).engine)
    click.echo(t("db.upgraded", ctx.lang, rev=after))


@db_group.command("seed-demo")
@click.option("--tasks", type=int, default=None, help="Tổng số nhiệm vụ (mở rộng tới 1.000.000 trên 40.000 đơn vị).")
@click.option(
    "--force", is_flag=True, help="Xoá cả dữ liệu không do bộ dữ liệu mẫu tạo ra (nhiệm vụ đã nhập, mã mời…)."
)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def db_seed_demo(ctx: Context, tasks: int | None, force: bool, as_json: bool) -> None:
    """Thay dữ liệu bằng bộ dữ liệu mẫu (xác định, lặp lại được). Từ chối nếu CSDL có dữ liệu không do bộ
    mẫu tạo ra, trừ khi có --force."""
    from db.demo import seed_demo
    from db.session import upgrade

    db = ctx.db(check=False)
    upgrade(db.engine)
    with db.session() as s:  # SeedRefused: one line from the group's handler, exit 1
        report = seed_demo(s, tasks=tasks, force=force)
    if db.dialect == "postgresql" and report.tasks > 100_000:
        from sqlalchemy import text

        # A bulk load leaves the visibility map empty: index-only scans would still read the heap.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    if as_json:
        echo_json(report.as_dict())
    else:
        click.echo(t("db.seeded", ctx.lang, **report.as_dict()))


# --- tasks ----------------------------------------------------------------------------------


@cli.group("tasks")
def tasks_group() -> None:
    """Nhiệm vụ: nhập, sắp đến hạn, quá hạn, tổng hợp."""


def _as_of(ctx: Context, value: str | None) -> date:
    """The date given, or today in TZ_NAME (the bot's today too)."""
    from db.importer import parse_date

    if not value:
        return ctx.clock.today()
    try:
        parsed = parse_date(value)
    except ValueError:
        raise OptionError(t("cli.bad_date", ctx.lang, value=value), param_hint="--as-of") from None
    return parsed or ctx.clock.today()


@tasks_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def tasks_import(ctx: Context, file: Path, as_json: bool) -> None:
    """Nhập nhiệm vụ từ FILE (.csv hoặc .xlsx); dòng lỗi thì cả tệp bị từ chối.

    \b
    Cột (tiêu đề tiếng Việt hoặc tiếng Anh):
      Mã nhiệm vụ (code)*, Nội dung (title)*, Đơn vị chủ trì (lead_unit)*,
      Hạn hoàn thành (deadline; trống = thường xuyên), Trạng thái (status),
      Ngày hoàn thành (completed_on), Đơn vị giao (assigned_by),
      Đơn vị phối hợp (cooperating), Ngày giao (assigned_on),
      Văn bản (source_symbol), Mục (source_section), Mô tả (description).
    Ngày: dd/mm/yyyy hoặc yyyy-mm-dd. Nhập lại cùng mã thì cập nhật, không tạo trùng.
    """
    from db.importer import import_tasks
    from db.models import AuditEntry

    db = ctx.db()
    with db.session() as s:
        report = import_tasks(s, file)
        s.add(AuditEntry(channel="cli", action="tasks_import", detail=f"{file.name}: {report.as_dict()}"))
    if as_json:
        echo_json(report.as_dict())
    else:
        click.echo(t("import.done", ctx.lang, **report.as_dict()))


def _task_list_command(name: str, doc: str) -> Callable[..., None]:
    @click.option("--unit", "unit_code", required=True, help="Mã đơn vị.")
    @click.option("--subunits/--no-subunits", default=False, help="Gồm cả đơn vị cấp dưới.")
    @click.option("--as-of", "as_of", default=None, help="Tính đến ngày (mặc định: hôm nay).")
    @click.option("--json", "as_json", is_flag=True)
    @pass_ctx
    def command(
        ctx: Context, unit_code: str, subunits: bool, as_of: str | None, as_json: bool, days: int = DUE_WINDOW_DAYS
    ) -> None:
        from bot.render.text import print_table, task_table
        from db import queries

        when = _as_of(ctx, as_of)
        with ctx.db().session() as s:
            unit = queries.get_unit(s, unit_code)
            if name == "due":
                tasks = queries.due_soon(s, unit_code, days, include_subunits=subunits, as_of=when)
                title = t("tasks.due_title", ctx.lang, days=days, unit=unit.name)
                empty = t("tasks.none_due", ctx.lang, days=days)
            else:
                tasks = queries.overdue(s, unit_code, include_subunits=subunits, as_of=when)
                title, empty = t("tasks.overdue_title", ctx.lang, unit=unit.name), t("tasks.none_overdue", ctx.lang)
        if as_json:
            echo_json([task.__dict__ | {"days_late": max(0, task.days_late(when))} for task in tasks])
        elif not tasks:
            click.echo(empty)
        else:
            print_table(task_table(tasks, when, title, ctx.lang))

    command.__doc__ = doc
    return command


tasks_group.command("due")(
    click.option("--days", type=click.IntRange(min=1), default=DUE_WINDOW_DAYS, show_default=True, help="Số ngày tới.")(
        _task_list_command("due", "Nhiệm vụ chưa xong của đơn vị đến hạn trong N ngày tới.")
    )
)
tasks_group.command("overdue")(_task_list_command("overdue", "Nhiệm vụ quá hạn của đơn vị."))


@tasks_group.command("summary")
@click.option("--unit", "unit_code", default=None, help="Đơn vị (mặc định: cấp cao nhất).")
@click.option("--assigned-by", "assigned_by", default=None, help="Chỉ nhiệm vụ do đơn vị này giao.")
@click.option("--as-of", "as_of", default=None, help="Tính đến ngày (mặc định: hôm nay).")
@click.option("--json", "as_json", is_flag=True)
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Ghi tệp Excel.")
@click.option(
    "--chart", "chart", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Ghi biểu đồ PNG."
)
@pass_ctx
def tasks_summary(
    ctx: Context,
    unit_code: str | None,
    assigned_by: str | None,
    as_of: str | None,
    as_json: bool,
    xlsx: Path | None,
    chart: Path | None,
) -> None:
    """Bảng tổng hợp: được giao / xong đúng hạn / xong quá hạn / đang làm / quá hạn / thường xuyên / %."""
    from bot.render.text import print_table, summary_table
    from db import queries, tally

    when = _as_of(ctx, as_of)
    with ctx.db().session() as s:
        tally.advance(s, ctx.clock.today())  # never past today: a summary for another date moves nothing
        summary = queries.overdue_summary(s, unit_code, assigned_by=assigned_by, as_of=when)
        if xlsx:
            from bot.render.excel import DUE_DAYS, write_summary_workbook

            # The lists cover what the summary counts: the unit's subtree, or what the committee assigned
            # (within --unit when given).
            scope = unit_code if assigned_by else summary.unit_code
            late = queries.overdue(s, scope, include_subunits=True, as_of=when, assigned_by=assigned_by)
            due = queries.due_soon(s, scope, DUE_DAYS, include_subunits=True, as_of=when, assigned_by=assigned_by)
            write_summary_workbook(xlsx, summary, late, due_tasks=due, assigners=queries.summary_assigners(s, summary))
    if chart:
        from bot.render.chart import write_summary_chart

        write_summary_chart(chart, summary)
    if as_json:
        echo_json(summary.as_dict())
    else:
        print_table(summary_table(summary, ctx.lang))
        for path in (xlsx, chart):
            if path:
                click.echo(f"→ {path}")


# --- documents ------------------------------------------------------------------------------


@contextmanager
def _stop_on_signals(stop: Callable[[], None]) -> Iterator[None]:
    """While a sync runs, Ctrl-C and SIGTERM ask it to stop between documents (an exception raised at a random
    point could cut a write in two); `stop` runs in a thread, off the signal handler. A second signal is
    handled as usual (KeyboardInterrupt)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signals = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.getsignal(sig) for sig in signals}

    def handler(signum: int, frame: Any) -> None:
        for sig in signals:
            signal.signal(sig, signal.default_int_handler)
        threading.Thread(target=stop, name="troly-stop", daemon=True).start()

    for sig in signals:
        signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _upload_store(ctx: Context) -> Any:
    """The database's store of uploaded documents, which a sync of the defaults covers. None for a database with no
    schema yet (an index-only data dir, before `troly db upgrade`): it holds no stored uploads to sync."""
    from db.blobs import DatabaseBlobStore
    from db.session import check_schema, current_revision

    url = ctx.settings.database_url
    if url.startswith("sqlite") and not Path(url.split("///", 1)[-1]).exists():
        return None  # connecting would create an empty database file
    db = ctx.db(check=False)
    if current_revision(db.engine) is None:
        return None
    check_schema(db.engine)
    return DatabaseBlobStore(db)


@cli.command("ingest")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Xoá chỉ mục và xây lại từ đầu.")
@click.option("--prune", is_flag=True, help="Gỡ cả văn bản có tệp đã bị xoá khỏi các thư mục đã cho.")
@click.option("--queue", is_flag=True, help="Không chạy ở đây: xếp việc vào hàng đợi cho `troly worker`, in mã việc.")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def ingest(ctx: Context, paths: tuple[Path, ...], rebuild: bool, prune: bool, queue: bool, as_json: bool) -> None:
    """Thêm và cập nhật văn bản từ các thư mục/tệp: mới và sửa thì nhúng lại, không đổi thì bỏ qua. Không có
    đường dẫn: đồng bộ trọn DOCS_DIR và văn bản tải lên (tệp đã xoá thì gỡ khỏi chỉ mục); với đường
    dẫn khác chỉ gỡ khi có --prune. Văn bản trùng tên, khác nội dung thành phiên bản mới; bản cũ được lưu.
    Thoát với mã 1 nếu có tệp lỗi."""
    if queue:
        _enqueue_ingest(ctx, paths, rebuild=rebuild, prune=prune, as_json=as_json)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from bot.render.text import print_table, sync_report_table
    from ingestion.errors import SyncInterrupted
    from ingestion.sync import SyncProgress, build_library

    library = build_library(ctx.settings, uploads=_upload_store(ctx))
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[current]}", markup=False),
        transient=True,
        disable=as_json or not sys.stderr.isatty(),
        console=None,
    ) as bar:
        task = bar.add_task(t("ingest.progress", ctx.lang), total=None, current="")

        def on_progress(p: SyncProgress) -> None:
            bar.update(task, total=p.total, completed=p.done, current=p.current)

        try:
            with _stop_on_signals(library.stop):
                report = library.sync(list(paths) or None, prune=prune, rebuild=rebuild, progress=on_progress)
        except SyncInterrupted:
            _fail(t("cli.interrupted", ctx.lang), 130)
        finally:  # the embedding workers stop with us, whatever happened
            library.close()
    if as_json:
        echo_json(report.as_dict(ctx.lang))
    else:
        print_table(sync_report_table(report, ctx.lang))
        click.echo(
            t(
                "ingest.summary",
                ctx.lang,
                added=len(report.added),
                updated=len(report.updated),
                removed=len(report.removed),
                unchanged=len(report.unchanged),
                failed=len(report.failed),
                embedded=report.embedded,
            )
        )
    if report.failed:
        sys.exit(1)


def _enqueue_ingest(ctx: Context, paths: tuple[Path, ...], *, rebuild: bool, prune: bool, as_json: bool) -> None:
    """`troly ingest --queue`: one job for `troly worker`. Paths are made absolute here (a worker runs elsewhere:
    they must exist where it runs, as DOCS_DIR must)."""
    from db import jobs
    from db.models import JobKind

    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        _fail(t("error.prefix", message=t("jobs.no_path", paths=", ".join(missing))), 1)
    args = {"paths": [str(p.resolve()) for p in paths], "prune": prune, "rebuild": rebuild}
    with ctx.db().session() as s:
        job_id = jobs.enqueue(s, JobKind.INGEST if paths else JobKind.RELOAD, args)
        ahead = jobs.ahead_of(s, job_id)
    if as_json:
        echo_json({"job": job_id, "state": "queued", "ahead": ahead, **args})
    else:
        click.echo(t("jobs.queued_cli", id=job_id, ahead=ahead))


@cli.command("worker")
@click.option("--once", is_flag=True, help="Làm hết các việc đang chờ rồi thoát (không chờ việc mới).")
@click.option(
    "--poll",
    type=click.FloatRange(min=0.05),
    default=1.0,
    show_default=True,
    help="Giây giữa hai lần xem hàng đợi trống.",
)
@click.option(
    "--heartbeat",
    type=click.FloatRange(min=0.05),
    default=5.0,
    show_default=True,
    help="Giây giữa hai nhịp báo còn sống.",
)
@click.option(
    "--stale-after",
    type=click.FloatRange(min=0.2),
    default=60.0,
    show_default=True,
    help="Việc đang chạy mà quá số giây này không có nhịp báo thì worker khác nhận làm tiếp.",
)
@click.option("--name", default=None, help="Tên worker trong hàng đợi (mặc định: máy:pid).")
@pass_ctx
def worker(ctx: Context, once: bool, poll: float, heartbeat: float, stale_after: float, name: str | None) -> None:
    """Nhận và chạy các việc lập chỉ mục văn bản trong hàng đợi (/capnhat, văn bản tải lên, troly ingest --queue).
    Chạy bao nhiêu worker cũng được, mỗi việc chỉ một worker làm; worker bị dừng đột ngột thì worker khác làm
    tiếp việc của nó. Ctrl-C/SIGTERM: dừng sau văn bản đang xử lý, trả việc về hàng đợi, thoát với mã 0."""
    from bot.worker import Worker, WorkerTimings
    from db.blobs import DatabaseBlobStore
    from ingestion.sync import build_library

    try:
        timings = WorkerTimings(poll=poll, heartbeat=heartbeat, stale_after=stale_after)
    except ValueError:
        _fail(t("error.prefix", message=t("jobs.bad_timings", heartbeat=heartbeat, stale=stale_after)), 2)
    db = ctx.db()
    store = DatabaseBlobStore(db)
    library = build_library(ctx.settings, uploads=store)
    library.lock_wait = 600.0  # another worker's (or `troly ingest`'s) sync: this job waits its turn, not fails

    def on_job(job_id: int, what: str) -> None:
        click.echo(t(f"jobs.event.{what}", id=job_id), err=what in ("failed", "lost"))

    runner = Worker(db, library, store, name=name, timings=timings, on_job=on_job)
    click.echo(t("jobs.worker_started", name=runner.name))
    try:
        with _stop_on_signals(runner.stop):
            runner.run(idle_exit=once)
    finally:
        library.close()
    click.echo(t("jobs.worker_stopped", name=runner.name))


def _answered(answerer: Any, question: str, k: int) -> tuple[Answer, float]:
    import time

    t0 = time.perf_counter()
    ans = answerer.answer(question, k=k)
    return ans, round((time.perf_counter() - t0) * 1000, 1)


def _ask_json(question: str, ans: Answer, took_ms: float) -> dict[str, Any]:
    return {
        "question": question,
        "found": ans.found,
        "short": ans.short,
        "answer": ans.text,
        "citations": [c.as_dict() for c in ans.citations],
        "took_ms": took_ms,
        **({"note": ans.note} if ans.note else {}),
        **({"unmet": ans.unmet} if ans.unmet else {}),
    }


@cli.command("ask")
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="In JSON (mặc định khi đọc câu hỏi từ stdin).")
@click.option("-k", "k", type=click.IntRange(min=1), default=5, show_default=True, help="Số đoạn trích dẫn tối đa.")
@pass_ctx
def ask(ctx: Context, question: str | None, as_json: bool, k: int) -> None:
    """Hỏi đáp từ văn bản. Không có QUESTION: đọc mỗi dòng stdin một câu hỏi, in mỗi dòng một JSON."""
    from bot.render.html import source_lines, to_plain
    from bot.render.text import refusal_text, unmet_note
    from retrieval.answer import build_answerer_from
    from retrieval.build import build_embedder, build_index

    embedder = build_embedder(ctx.settings)
    index = build_index(ctx.settings, embedder)
    if not index.count_documents():  # "not found" would blame the question, not the missing documents
        click.echo(t("ask.empty_index", ctx.lang), err=True)
        sys.exit(1)
    answerer = build_answerer_from(ctx.settings, index, embedder)
    if question is None:
        for line in sys.stdin:
            if line.strip():
                click.echo(
                    json.dumps(_ask_json(line.strip(), *_answered(answerer, line.strip(), k)), ensure_ascii=False)
                )
                sys.stdout.flush()
        return
    ans, took_ms = _answered(answerer, question, k)
    if as_json:
        echo_json(_ask_json(question, ans, took_ms))
        return
    if ans.unmet and ans.found:  # before the quotes, as a phone shows it: they do not state what was asked
        click.echo(unmet_note(ans.unmet, ctx.lang))
    if ans.found or ans.searched is None:
        click.echo(ans.text)
    else:
        # As the chat shows a refusal: what was searched, in the reader's language, then the two closest passages,
        # labelled as not answering the question.
        click.echo(refusal_text(ans.searched, ans.scope, ctx.lang, ans.absent))
        closest = ans.citations[:2]
        if closest:
            if ans.unmet:  # on topic, yet none states the figure asked for
                click.echo("\n" + unmet_note(ans.unmet, ctx.lang))
            click.echo("\n" + t("ask.closest_two" if len(closest) > 1 else "ask.closest_one", ctx.lang))
            for line in source_lines(closest):
                click.echo(to_plain(line))
    if ans.note:
        click.echo(f"({ans.note})")


@cli.command("eval")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--split", type=click.Choice(["tuning", "held_out"]), help="Chỉ nửa điều chỉnh hoặc nửa để riêng.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--misses", is_flag=True, help="In các câu trả lời sai.")
@pass_ctx
def evaluate_cmd(ctx: Context, files: tuple[Path, ...], split: str | None, as_json: bool, misses: bool) -> None:
    """Đánh giá trên bộ câu hỏi (mặc định tests/eval/qa.jsonl; đọc cả định dạng ALQAC): hit@3, MRR@10,
    trả lời, chứa đáp án, từ chối đúng, độ dài trả lời — theo bộ, nửa và ngôn ngữ."""
    from rich.table import Table

    from bot.render.text import lit, print_table
    from retrieval.build import build_answerer
    from retrieval.evaluate import evaluate, load_questions

    paths = list(files) or [Path("tests/eval/qa.jsonl")]
    questions = [q for p in paths for q in load_questions(p) if not split or q.split in (split, "")]
    report = evaluate(build_answerer(ctx.settings), questions)
    data = report.as_dict()
    if as_json:
        echo_json({"metrics": data, "misses": report.misses if misses else len(report.misses)})
        return
    table = Table(title=lit(t("eval.title", ctx.lang, sets=", ".join(map(str, paths)))))
    cols = ["n", "hit@1", "hit@3", "mrr@10", "answered", "contains", "direct", "refusal", "median_len"]
    table.add_column(t("eval.col.group", ctx.lang))
    for c in cols:
        table.add_column(c, justify="right")
    for name, m in data.items():
        table.add_row(lit(name), *("—" if m[c] is None else str(m[c]) for c in cols))
    print_table(table)
    if misses:
        for m in report.misses:
            click.echo(json.dumps(m, ensure_ascii=False))


@cli.group("docs")
def docs_group() -> None:
    """Văn bản đã lập chỉ mục."""


@docs_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def docs_list(ctx: Context, as_json: bool) -> None:
    """Văn bản trong chỉ mục: tiêu đề, số hiệu, loại, ngày, số đoạn, thời điểm lập chỉ mục."""
    from rich.table import Table

    from bot.render.text import lit, print_table
    from retrieval.build import build_embedder, build_index

    index = build_index(ctx.settings, build_embedder(ctx.settings))
    docs = sorted(index.documents().values(), key=lambda d: (d.meta.date, d.doc_id))
    if as_json:
        echo_json(
            [
                {
                    "source": d.doc_id,
                    "title": d.meta.title,
                    "symbol": d.meta.symbol,
                    "type": d.meta.doc_type,
                    "date": d.meta.date,
                    "chunks": d.chunks,
                    "indexed_at": d.indexed_at,
                }
                for d in docs
            ]
        )
        return
    table = Table(title=t("docs.title", ctx.lang, n=len(docs)))
    for key in ("symbol", "title", "type", "date", "chunks", "indexed_at"):
        table.add_column(t(f"docs.col.{key}", ctx.lang), overflow="fold")
    for d in docs:
        table.add_row(
            *(
                lit(v)
                for v in (
                    d.meta.symbol or "—",
                    d.meta.title or d.doc_id,
                    d.meta.doc_type or "—",
                    d.meta.date or "—",
                    d.chunks,
                    d.indexed_at,
                )
            )
        )
    print_table(table)


@docs_group.command("history")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def docs_history(ctx: Context, name: str, as_json: bool) -> None:
    """Các phiên bản của một văn bản (theo tên tệp): số phiên bản, ngày, kích thước, mã băm, nguồn, đang dùng."""
    from rich.table import Table

    from bot.render.text import lit, print_table
    from ingestion.sync import document_name
    from retrieval.build import build_embedder, build_index

    index = build_index(ctx.settings, build_embedder(ctx.settings))
    doc_id = document_name(Path(name))
    versions = index.versions(doc_id)
    if not versions:
        click.echo(t("error.prefix", ctx.lang, message=t("docs.no_history", ctx.lang, name=doc_id)), err=True)
        sys.exit(1)
    if as_json:
        echo_json(
            {
                "name": doc_id,
                "live": next((v.number for v in versions if v.live), None),
                "versions": [
                    {
                        "version": v.number,
                        "created_at": v.created_at,
                        "size": v.size,
                        "sha256": v.content,
                        "source": v.source,
                        "title": v.title,
                        "symbol": v.symbol,
                        "chunks": v.chunks,
                        "live": v.live,
                    }
                    for v in versions
                ],
            }
        )
        return
    table = Table(title=lit(t("docs.history_title", ctx.lang, name=doc_id)))
    for key in ("version", "created_at", "size", "hash", "source", "live"):
        table.add_column(t(f"docs.col.{key}", ctx.lang), overflow="fold")
    for v in versions:
        table.add_row(
            str(v.number),
            v.created_at,
            f"{v.size:,}".replace(",", "."),
            v.content[:12] or "—",
            lit(v.source or "—"),
            t("docs.live_yes" if v.live else "docs.live_no"),
        )
    print_table(table)


# --- health --------------------------------------------------------------------------------


@cli.command("health")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def health(ctx: Context, as_json: bool) -> None:
    """Kiểm tra cơ sở dữ liệu, kho vector Chroma, chỉ mục văn bản và hàng đợi; mỗi mục không đạt một dòng,
    thoát với mã 1."""
    from bot.health import HealthCheck

    checker = HealthCheck(ctx.settings)
    try:
        report = checker.run()
    finally:
        checker.close()
    if as_json:
        echo_json(report.as_dict())
    else:
        for line in report.lines():
            click.echo(line)
    for line in report.failures():
        click.echo(line, err=True)
    sys.exit(0 if report.healthy else 1)


# --- demo ----------------------------------------------------------------------------------


@cli.command("demo")
@click.option(
    "--as", "as_official", default="Trần Thị Lãnh Đạo", show_default=True, help="Cán bộ mẫu dùng cho cửa sổ trò chuyện."
)
@click.option("--no-chat", is_flag=True, help="Chỉ chuẩn bị dữ liệu và chỉ mục.")
@click.pass_context
def demo(click_ctx: click.Context, as_official: str, no_chat: bool) -> None:
    """Dữ liệu mẫu + lập chỉ mục docs_corpus + trò chuyện (Telegram nếu có TELEGRAM_BOT_TOKEN, không thì cửa sổ lệnh)."""
    from db.models import Unit
    from db.session import upgrade

    ctx: Context = click_ctx.obj
    db = ctx.db(check=False)
    upgrade(db.engine)
    with db.session() as s:
        has_units = s.query(Unit.id).first() is not None
    if not has_units:  # never wipe a database that already holds data
        click_ctx.invoke(db_seed_demo, tasks=None, force=False, as_json=False)
    click.echo(t("demo.indexing", ctx.lang, docs=ctx.settings.docs_dir))
    try:
        click_ctx.invoke(ingest, paths=(), rebuild=False, prune=False, as_json=False)
    except SystemExit as exc:  # a failed file is reported by ingest; the demo goes on
        if exc.code not in (0, 1, None):
            raise
    except TrolyError as exc:  # the index cannot be built (e.g. the embedder): said in one line; the demo goes on
        click.echo(t("error.prefix", ctx.lang, message=error_text(exc, ctx.lang)), err=True)
    if no_chat:
        return
    command = "bot" if ctx.settings.telegram_bot_token else "chat"
    if command == "chat":
        click.echo(t("demo.console", ctx.lang, name=as_official))
        click_ctx.invoke(cli.commands["chat"], as_official=as_official)
    else:
        click_ctx.invoke(cli.commands["bot"], listen="0.0.0.0", port=8443)


# --- units ----------------------------------------------------------------------------------


@cli.group("units")
def units_group() -> None:
    """Đơn vị: nhập cây đơn vị từ tệp, xem danh sách."""


@units_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def units_import(ctx: Context, file: Path, as_json: bool) -> None:
    """Nhập cây đơn vị từ FILE (.csv hoặc .xlsx); dòng lỗi thì cả tệp bị từ chối.

    \b
    Cột (tiêu đề tiếng Việt hoặc tiếng Anh):
      Mã đơn vị (code)*, Tên đơn vị (name)*, Mã đơn vị cấp trên (parent),
      Cấp (level: Trung ương, Bộ, Tỉnh, Sở/Ban/Ngành, Xã/Phường, Khác).
    Đơn vị cấp trên có thể đứng sau đơn vị cấp dưới trong tệp hoặc đã có trong CSDL.
    Nhập lại cùng mã thì cập nhật tên, cấp trên, cấp.
    """
    from db.models import AuditEntry
    from db.unit_import import import_units

    with ctx.db().session() as s:
        report = import_units(s, file)
        s.add(
            AuditEntry(
                channel="cli", action="units_import", detail=f"{file.name}: {report.as_dict()}", at=ctx.clock.now()
            )
        )
    if as_json:
        echo_json(report.as_dict())
    else:
        click.echo(t("units.imported", ctx.lang, **report.as_dict()))


@units_group.command("list")
@click.option("--unit", "unit_code", default=None, help="Chỉ đơn vị này và các đơn vị cấp dưới.")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def units_list(ctx: Context, unit_code: str | None, as_json: bool) -> None:
    """Cây đơn vị (thụt lề theo cấp): mã, tên, cấp, mã cấp trên, số cán bộ."""
    from rich.table import Table

    from bot.render.text import lit, print_table
    from db.units import unit_rows

    with ctx.db().session() as s:
        rows = unit_rows(s, unit_code.strip().upper() if unit_code else None)
    if as_json:
        echo_json([r.__dict__ for r in rows])
        return
    if not rows:
        click.echo(t("units.none", ctx.lang))
        return
    table = Table(title=t("units.title", ctx.lang, n=len(rows)))
    for key in ("code", "name", "level", "parent", "officials"):
        table.add_column(t(f"units.col.{key}", ctx.lang), overflow="fold")
    top = min(r.depth for r in rows)
    for r in rows:
        table.add_row(
            lit("  " * (r.depth - top) + r.code),
            lit(r.name),
            t(f"level.{r.level}", ctx.lang),
            lit(r.parent or "—"),
            str(r.officials),
        )
    print_table(table)


# --- users ----------------------------------------------------------------------------------


@cli.group("users")
def users_group() -> None:
    """Cán bộ: mời, danh sách, ngừng/kích hoạt, đổi vai trò."""


@users_group.command("invite")
@click.option("--unit", "unit_code", required=True)
@click.option("--role", type=click.Choice(["official", "leader", "admin"]), default="official", show_default=True)
@click.option("--name", "full_name", default=None, help="Họ tên người được mời.")
@click.option(
    "--official",
    "official_ref",
    default=None,
    help="Liên kết lại cán bộ này (id, Telegram id hoặc họ tên) với tài khoản Telegram mới.",
)
@click.option(
    "--days", type=click.IntRange(1, 90), default=INVITE_VALID_DAYS, show_default=True, help="Số ngày hiệu lực."
)
@click.option(
    "--bot-username", default=None, help="Tên bot Telegram cho đường dẫn (mặc định: biến TELEGRAM_BOT_USERNAME)."
)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def users_invite(
    ctx: Context,
    unit_code: str,
    role: str,
    full_name: str | None,
    official_ref: str | None,
    days: int,
    bot_username: str | None,
    as_json: bool,
) -> None:
    """Tạo mã mời dùng một lần cho một đơn vị và vai trò; in mã (và đường dẫn /start khi biết tên bot)."""
    from bot.service.organisation import deep_link
    from db.models import AuditEntry
    from db.users import create_invite, get_official

    username = (bot_username or "").lstrip("@") or ctx.settings.telegram_bot_username
    with ctx.db().session() as s:
        official = get_official(s, official_ref) if official_ref else None
        invite = create_invite(
            s,
            unit_code.strip().upper(),
            role,
            full_name=full_name or (official.full_name if official else None),
            valid_days=days,
            now=ctx.clock.now(),
            official=official,
        )
        s.add(
            AuditEntry(
                channel="cli",
                action="users_invite",
                at=ctx.clock.now(),
                detail=f"{invite.unit.code} {role}" + (f" official {official.id}" if official else ""),
            )
        )
        data = {
            "code": invite.code,
            "unit": invite.unit.code,
            "role": role,
            "expires": ctx.clock.local(invite.expires_at).strftime("%d/%m/%Y %H:%M"),
            "link": deep_link(username, invite.code) if username else None,
        }
    if as_json:
        echo_json(data)
        return
    click.echo(
        t(
            "invite.created_cli",
            ctx.lang,
            **{k: v for k, v in data.items() if k != "link"} | {"role": t(f"role.{role}", ctx.lang)},
        )
    )
    click.echo(t("invite.link", ctx.lang, link=data["link"]) if data["link"] else t("invite.no_username", ctx.lang))


@users_group.command("list")
@click.option("--unit", "unit_code", default=None, help="Chỉ cán bộ của đơn vị này và cấp dưới.")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def users_list(ctx: Context, unit_code: str | None, as_json: bool) -> None:
    """Danh sách cán bộ (id, họ tên, đơn vị, vai trò, Telegram id, đang hoạt động)."""
    from rich.table import Table

    from bot.render.text import lit, print_table
    from db.units import get_unit
    from db.users import list_officials

    with ctx.db().session() as s:
        unit = get_unit(s, unit_code.strip().upper()) if unit_code else None
        officials = list_officials(s, lft=unit.lft, rgt=unit.rgt) if unit else list_officials(s)
        rows = [
            {
                "id": o.id,
                "name": o.full_name,
                "unit": o.unit.code,
                "role": o.role.value,
                "telegram_user_id": o.telegram_user_id,
                "language": o.language,
                "digest": o.digest,
                "active": o.active,
            }
            for o in officials
        ]
    if as_json:
        echo_json(rows)
        return
    table = Table(title=t("users.title_all", ctx.lang))
    for c in ("id", "name", "unit", "role", "telegram_user_id", "active"):
        table.add_column(c)
    for r in rows:
        table.add_row(
            *(
                lit(r[c]) if r[c] is not None else "—"
                for c in ("id", "name", "unit", "role", "telegram_user_id", "active")
            )
        )
    print_table(table)


def _change_official(
    ctx: Context, ref: str, action: str, *, active: bool | None = None, role: str | None = None, as_json: bool = False
) -> None:
    from db.models import AuditEntry
    from db.users import get_official, set_active, set_role

    with ctx.db().session() as s:
        official = get_official(s, ref)
        changed = set_active(s, official, active) if active is not None else set_role(s, official, role or "")
        s.add(
            AuditEntry(
                channel="cli",
                action=f"users_{action}",
                at=ctx.clock.now(),
                detail=f"official {official.id} {role or ''} changed={changed}".strip(),
            )
        )
        data = {
            "id": official.id,
            "name": official.full_name,
            "unit": official.unit.code,
            "role": official.role.value,
            "active": official.active,
            "changed": changed,
        }
    if as_json:
        echo_json(data)
        return
    state = t("official.active" if data["active"] else "official.inactive")
    key = "official.changed" if changed else "official.unchanged"
    click.echo(
        t(key, ctx.lang, name=data["name"], unit=data["unit"], role=t(f"role.{data['role']}", ctx.lang), state=state)
    )


@users_group.command("deactivate")
@click.argument("official")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def users_deactivate(ctx: Context, official: str, as_json: bool) -> None:
    """Ngừng kích hoạt cán bộ OFFICIAL (id, Telegram id hoặc họ tên): bot không phục vụ nữa, dữ liệu giữ nguyên."""
    _change_official(ctx, official, "deactivate", active=False, as_json=as_json)


@users_group.command("activate")
@click.argument("official")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def users_activate(ctx: Context, official: str, as_json: bool) -> None:
    """Kích hoạt lại cán bộ OFFICIAL (id, Telegram id hoặc họ tên)."""
    _change_official(ctx, official, "activate", active=True, as_json=as_json)


@users_group.command("set-role")
@click.argument("official")
@click.argument("role", type=click.Choice(["official", "leader", "admin"]))
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def users_set_role(ctx: Context, official: str, role: str, as_json: bool) -> None:
    """Đổi vai trò của cán bộ OFFICIAL (id, Telegram id hoặc họ tên) thành ROLE."""
    _change_official(ctx, official, "set_role", role=role, as_json=as_json)


# --- invites --------------------------------------------------------------------------------


@cli.group("invites")
def invites_group() -> None:
    """Mã mời: danh sách, thu hồi."""


@invites_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def invites_list(ctx: Context, as_json: bool) -> None:
    """Mã mời (chỉ hiện 4 ký tự đầu, đủ để thu hồi): đơn vị, vai trò, hạn, trạng thái, người dùng."""
    from rich.table import Table

    from bot.render.text import lit, print_table
    from db.users import MIN_CODE_PREFIX, list_invites

    now = ctx.clock.now()
    with ctx.db().session() as s:
        invites = list_invites(s)
    rows: list[dict[str, Any]] = [
        {
            "code": i.code[:MIN_CODE_PREFIX] + "…",
            "unit": i.unit_code,
            "role": i.role,
            "name": i.full_name,
            "official": i.official,
            "created": ctx.clock.local(i.created_at),
            "expires": ctx.clock.local(i.expires_at),
            "status": i.status(now),
            "used_at": i.used_at and ctx.clock.local(i.used_at),
            "used_by": i.used_by,
        }
        for i in invites
    ]
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo(t("invites.none", ctx.lang))
        return
    table = Table(title=t("invites.title", ctx.lang, n=len(rows)))
    for key in ("code", "unit", "role", "name", "expires", "status", "used_by"):
        table.add_column(t(f"invites.col.{key}", ctx.lang), overflow="fold")
    for r in rows:
        table.add_row(
            lit(r["code"]),
            lit(r["unit"]),
            t(f"role.{r['role']}", ctx.lang),
            lit(r["name"] or r["official"] or "—"),
            r["expires"].strftime("%d/%m/%Y %H:%M"),
            t(f"invites.status.{r['status']}", ctx.lang),
            lit(r["used_by"] or "—"),
        )
    print_table(table)


@invites_group.command("revoke")
@click.argument("code")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def invites_revoke(ctx: Context, code: str, as_json: bool) -> None:
    """Thu hồi mã mời CODE (cả mã, hoặc ít nhất 4 ký tự đầu như `troly invites list` hiện) chưa được dùng."""
    from db.models import AuditEntry
    from db.users import MIN_CODE_PREFIX, revoke_invite

    with ctx.db().session() as s:
        invite = revoke_invite(s, code, now=ctx.clock.now())
        shown = invite.code[:MIN_CODE_PREFIX] + "…"
        s.add(AuditEntry(channel="cli", action="invites_revoke", detail=shown, at=ctx.clock.now()))
        data = {"code": shown, "unit": invite.unit.code, "role": invite.role.value}
    if as_json:
        echo_json(data)
    else:
        click.echo(
            t(
                "invites.revoked",
                ctx.lang,
                code=data["code"],
                unit=data["unit"],
                role=t(f"role.{data['role']}", ctx.lang),
            )
        )


def _terminate(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt  # SIGTERM ends a command as Ctrl-C does: workers stopped, one line, exit 130


def main() -> None:
    import signal

    signal.signal(signal.SIGTERM, _terminate)  # `troly bot` installs its own (python-telegram-bot's)
    cli(prog_name="troly")


from bot.cli_chat import register as _register_chat  # noqa: E402

_register_chat(cli)


if __name__ == "__main__":
    main()
