"""Every user error of the command line is one line of Vietnamese on stderr: bad configuration (naming the
variable), the database unreachable or refusing, bad option values, an empty index, a rejected bot token
(which never appears anywhere)."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from datetime import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import pg_base_url
from fake_telegram import FakeTelegram
from sqlalchemy.engine import make_url

from bot.cli import cli
from db.session import Database

TROLY = str(Path(sys.executable).with_name("troly"))
VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹáàãéèíìóòõúùýĐ]")


def one_vietnamese_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    assert VIETNAMESE.search(lines[0]), lines[0]
    assert "Traceback" not in text and "Usage:" not in text and "Error:" not in text
    return lines[0]


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("TZ_NAME", "Mars/Base", "múi giờ"),
        ("DIGEST_TIME", "7h30", "giờ:phút"),
        ("DIGEST_TIME", "25:00", "giờ:phút"),
        ("DIGEST_TIME", "07:30:75", "giờ:phút"),
        ("CHROMA_URL", "ftp://chroma.local:8000", "http"),
        ("LLM_BASE_URL", "localhost:8000/v1", "http"),
        ("TELEGRAM_API_URL", "http://", "http"),
        ("WEBHOOK_URL", "https://bot.example.vn:port/hook", "http"),
        ("MAX_DOCUMENT_CHARS", "-5", "số nguyên dương"),
        ("UPDATE_LEASE_SECONDS", "0", "số nguyên dương"),
        ("MAX_DOCUMENT_CHARS", "nhiều", "số nguyên dương"),
        ("DATABASE_URL", "không phải địa chỉ", "cơ sở dữ liệu"),
    ],
)
def test_configuration_is_checked_at_start_naming_the_variable(name: str, value: str, expected: str) -> None:
    code, out, err = invoke("tasks", "summary", env={name: value})
    assert code == 1 and out == ""
    line = one_vietnamese_line(err)
    assert name in line and expected in line


def test_the_digest_time_may_name_seconds() -> None:
    from zoneinfo import ZoneInfo

    from bot.config import Settings
    from bot.telegram_app import digest_time

    assert digest_time(Settings.from_env({"DIGEST_TIME": "07:30"})) == time(7, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    assert digest_time(Settings.from_env({"DIGEST_TIME": "7:05:09"})).second == 9


def test_postgresql_down_is_one_line() -> None:
    # Nothing listens on port 1: the connection is refused.
    code, out, err = invoke("tasks", "summary", env={"DATABASE_URL": "postgresql://troly:troly@127.0.0.1:1/troly"})
    assert code == 1
    line = one_vietnamese_line(err)
    assert "Không kết nối được cơ sở dữ liệu 127.0.0.1:1/troly" in line


def test_postgresql_wrong_password_is_one_line_without_the_password() -> None:
    url = make_url(pg_base_url()).set(password="sai-mat-khau-42").render_as_string(hide_password=False)
    code, out, err = invoke("db", "upgrade", env={"DATABASE_URL": url})
    assert code == 1
    line = one_vietnamese_line(err)
    assert "từ chối đăng nhập" in line and "sai-mat-khau-42" not in out + err


@pytest.mark.parametrize(
    ("args", "option", "expected"),
    [
        (["tasks", "summary", "--as-of", "31/02/2025"], "--as-of", "31/02/2025"),
        (["tasks", "due", "--unit", "HN", "--days", "-3"], "--days", "từ 1 trở lên"),
        (["tasks", "due", "--unit", "HN", "--days", "ba"], "--days", "từ 1 trở lên"),
        (["tasks", "overdue", "--unit", "HN", "--as-of", "hôm qua"], "--as-of", "dd/mm/yyyy"),
        (["ask", "câu hỏi", "-k", "0"], "-k", "từ 1 trở lên"),
        (["eval", "--split", "nửa"], "--split", "tuning, held_out"),
        (["tasks", "import", "khong-co.csv"], "FILE", "khong-co.csv"),
        (["tasks", "due"], "--unit", "Thiếu"),
        (["tasks", "due", "--unit", "HN", "--bogus"], "--bogus", "Không có tùy chọn"),
        (["taks"], "taks", "Không có lệnh"),
    ],
)
def test_bad_option_values_are_one_vietnamese_line(args: list[str], option: str, expected: str) -> None:
    code, out, err = invoke(*args)
    assert code == 2 and out == ""
    line = one_vietnamese_line(err)
    assert option in line and expected in line and "--help" in line


def test_ask_on_an_empty_index_says_how_to_fill_it() -> None:
    code, out, err = invoke("ask", "Hạn hoàn thành nhiệm vụ là khi nào?")
    assert code == 1 and out == ""
    line = one_vietnamese_line(err)
    assert "trống" in line and "troly ingest" in line


@pytest.mark.parametrize("verbose", [False, True])
def test_a_rejected_bot_token_is_never_printed_or_logged(
    sqlite_demo_db: Database, hermetic_env: Path, verbose: bool
) -> None:
    wrong = "987654321:AAWrongTokenThatTheServerRejects_0042"

    async def scenario() -> tuple[int, str, str]:
        async with FakeTelegram() as tg:  # it answers 401 to any token but its own
            env = {
                **os.environ,
                "TELEGRAM_BOT_TOKEN": wrong,
                "TELEGRAM_API_URL": tg.base_url,
                "DATABASE_URL": sqlite_demo_db.url,
                "TROLY_DATA_DIR": str(hermetic_env),
            }
            proc = await asyncio.create_subprocess_exec(
                TROLY,
                *(["-v"] if verbose else []),
                "bot",
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
            return proc.returncode or 0, out.decode(), err.decode()

    code, out, err = asyncio.run(scenario())
    assert code == 1
    secret = wrong.split(":", 1)[1]
    assert secret not in out + err
    assert "Traceback" not in err
    if verbose:  # every log record, at DEBUG, is on stderr: the bot did ask and was refused
        assert "getMe" in err
        assert err.strip().splitlines()[-1].startswith("Telegram từ chối TELEGRAM_BOT_TOKEN")
    else:
        assert one_vietnamese_line(err).startswith("Telegram từ chối TELEGRAM_BOT_TOKEN")
