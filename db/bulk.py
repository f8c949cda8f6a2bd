"""Bulk inserts for large loads (demo scale-out, big imports): COPY on PostgreSQL, executemany elsewhere."""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import Enum
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session


def bulk_insert(session: Session, table: Table, rows: Iterable[dict[str, Any]], *, batch: int = 20_000) -> int:
    """Insert plain dict rows (column name → Python value) into `table`; returns the count."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        return _copy(conn, table, rows)
    count = 0
    chunk: list[dict[str, Any]] = []
    stmt = insert(table)
    for row in rows:
        chunk.append({k: _plain(v) if isinstance(v, Enum) else v for k, v in row.items()})
        if len(chunk) >= batch:
            conn.execute(stmt, chunk)
            count += len(chunk)
            chunk = []
    if chunk:
        conn.execute(stmt, chunk)
        count += len(chunk)
    return count


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _copy(conn: Any, table: Table, rows: Iterable[dict[str, Any]]) -> int:
    it = iter(rows)
    first = next(it, None)
    if first is None:
        return 0
    columns = list(first)
    raw = conn.connection.driver_connection  # the psycopg connection inside this transaction
    count = 0
    cols = ", ".join(f'"{c}"' for c in columns)
    with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({cols}) FROM STDIN') as copy:
        for row in _chain(first, it):
            copy.write_row([_plain(row[c]) for c in columns])
            count += 1
    return count


def _chain(first: dict[str, Any], rest: Iterable[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    yield first
    yield from rest
