"""Stored files: uploaded documents, task evidence and uploads waiting for their ingestion job.

One small interface (`BlobStore`: put, get, list, delete by key), whose default is the database (the `blob`
table): every bot replica and worker of a deployment reads a file whichever process received it. Keys are
relative paths such as `uploads/<name>` or `evidence/<TASK>/<stamp>_<name>` (the reference kept in the task's
history).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Protocol

from sqlalchemy import delete, select

from db.models import Blob
from db.session import Database


@dataclass(frozen=True)
class BlobInfo:
    key: str
    size: int
    sha256: str


class BlobStore(Protocol):
    def put(self, key: str, data: bytes) -> None:
        """Store `data` under `key`, replacing what was there."""

    def get(self, key: str) -> bytes | None:
        """The bytes under `key`, or None."""

    def list(self, prefix: str) -> list[BlobInfo]:
        """What is stored under keys starting with `prefix`, by key."""

    def delete(self, key: str) -> bool:
        """Remove `key`; whether it was there."""


def check_key(key: str) -> str:
    """A key is a relative path without `..` or empty parts: it can never name a file outside a store's folder."""
    parts = PurePosixPath(key).parts
    if not key or key.startswith("/") or "\\" in key or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"bad blob key {key!r}")
    return key


class DatabaseBlobStore:
    """Files in the deployment's database (SQLite or PostgreSQL)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def put(self, key: str, data: bytes) -> None:
        check_key(key)
        digest = hashlib.sha256(data).hexdigest()
        with self.db.session() as s:
            row = s.scalar(select(Blob).where(Blob.key == key))
            if row is None:
                s.add(Blob(key=key, data=data, size=len(data), sha256=digest))
            else:
                row.data, row.size, row.sha256 = data, len(data), digest

    def get(self, key: str) -> bytes | None:
        with self.db.session() as s:
            data = s.scalar(select(Blob.data).where(Blob.key == key))
        return None if data is None else bytes(data)

    def list(self, prefix: str) -> list[BlobInfo]:
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        with self.db.session() as s:
            rows = s.execute(
                select(Blob.key, Blob.size, Blob.sha256)
                .where(Blob.key.like(f"{escaped}%", escape="\\"))
                .order_by(Blob.key)
            ).all()
        return [BlobInfo(k, int(size), digest) for k, size, digest in rows]

    def delete(self, key: str) -> bool:
        with self.db.session() as s:
            return bool(s.execute(delete(Blob).where(Blob.key == key)).rowcount)  # type: ignore[attr-defined]
