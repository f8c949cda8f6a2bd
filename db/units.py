"""The unit tree: lookups and nested-set numbering."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, aliased

from db.errors import NotFound, UnknownUnit
from db.models import Official, Unit


def get_unit(session: Session, code: str) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise UnknownUnit(code)
    return unit


def root_unit(session: Session) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.lft, Unit.id).limit(1))
    if unit is None:
        raise NotFound("db.no_units")
    return unit


def unit_ids_by_code(session: Session) -> dict[str, int]:
    return {code: uid for code, uid in session.execute(select(Unit.code, Unit.id))}


def renumber(session: Session) -> None:
    """Recompute lft/rgt/depth for the whole tree (units change rarely; 40,000 take well under a second)."""
    rows = session.execute(select(Unit.id, Unit.parent_id, Unit.code)).all()
    children: dict[int | None, list[tuple[str, int]]] = defaultdict(list)
    for uid, parent_id, code in rows:
        children[parent_id].append((code, uid))
    for kids in children.values():
        kids.sort()
    numbers: list[dict[str, int]] = []
    counter = 0
    # Iterative DFS: the tree can be deeper than Python's recursion limit in generated data.
    stack: list[tuple[int, int, bool]] = [(uid, 0, False) for _, uid in reversed(children[None])]
    lft: dict[int, int] = {}
    while stack:
        uid, depth, done = stack.pop()
        counter += 1
        if done:
            numbers.append({"id": uid, "lft": lft[uid], "rgt": counter, "depth": depth})
            continue
        lft[uid] = counter
        stack.append((uid, depth, True))
        for _, kid in reversed(children.get(uid, [])):
            stack.append((kid, depth + 1, False))
    if numbers:
        session.execute(update(Unit), numbers)


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    level: str  # UnitKind value
    parent: str | None
    depth: int
    officials: int  # active officials of this unit itself


def unit_rows(session: Session, code: str | None = None) -> list[UnitRow]:
    """The tree in order (each unit followed by its sub-units), or one unit's subtree."""
    parent = aliased(Unit)
    counts = (
        select(Official.unit_id, func.count().label("n"))
        .where(Official.active.is_(True))
        .group_by(Official.unit_id)
        .subquery()
    )
    stmt = (
        select(Unit.code, Unit.name, Unit.kind, parent.code, Unit.depth, func.coalesce(counts.c.n, 0))
        .outerjoin(parent, parent.id == Unit.parent_id)
        .outerjoin(counts, counts.c.unit_id == Unit.id)
        .order_by(Unit.lft, Unit.id)
    )
    if code is not None:
        top = get_unit(session, code)
        stmt = stmt.where(Unit.lft.between(top.lft, top.rgt))
    return [UnitRow(c, n, k.value, p, d, int(o)) for c, n, k, p, d, o in session.execute(stmt)]
