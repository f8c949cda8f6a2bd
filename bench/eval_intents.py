"""Routing accuracy of plain-language messages (`bot/service/intent.py`) on tests/eval/intents.jsonl and the
document questions of tests/eval/qa.jsonl, per split and language (accented / unaccented Vietnamese, English).

`python -m bench.eval_intents [--misses] [--split tuning|held_out]` prints the table. A message counts as routed
correctly when its route matches and, for task questions, its kind, unit and time window match too.
Rules are developed on the tuning half; the held-out half measures them.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from bot.service.intent import DOCUMENTS, Intent, UnitDirectory, UnitEntry, parse
from retrieval.evaluate import load_questions

ROOT = Path(__file__).resolve().parent.parent
INTENTS = ROOT / "tests" / "eval" / "intents.jsonl"
QA = ROOT / "tests" / "eval" / "qa.jsonl"
CALLER = "HN"  # the labels' "self" and ambiguous short names are read as the Hanoi leader would mean them


@dataclass(frozen=True)
class Labelled:
    id: str
    message: str
    route: str
    kind: str | None
    unit: str | None
    window: str | None
    group: str  # vi-accented | vi-unaccented | en
    split: str


def _group(lang: str, accented: bool) -> str:
    return "en" if lang == "en" else ("vi-accented" if accented else "vi-unaccented")


def load() -> list[Labelled]:
    """The labelled messages, then qa.jsonl's Vietnamese and English questions as document questions."""
    out = []
    for line in INTENTS.read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            out.append(
                Labelled(
                    r["id"],
                    r["message"],
                    r["route"],
                    r["kind"],
                    r["unit"],
                    r["window"],
                    _group(r["lang"], r["accented"]),
                    r["split"],
                )
            )
    for q in load_questions(QA):
        if q.lang in ("vi", "en"):
            out.append(Labelled(q.id, q.question, DOCUMENTS, None, None, None, _group(q.lang, q.accented), q.split))
    return out


def correct(row: Labelled, got: Intent) -> bool:
    if got.route != row.route:
        return False
    if row.route == DOCUMENTS:
        return True
    unit = None if got.kind == "status" else got.unit
    return (got.kind, unit, got.window) == (row.kind, row.unit, row.window)


def score(
    rows: list[Labelled], units: UnitDirectory
) -> tuple[dict[tuple[str, str], list[int]], list[tuple[Labelled, Intent]]]:
    """{(split, group): [right, total]} (group "all" too) and the misses."""
    table: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    misses = []
    for row in rows:
        got = parse(row.message, units, caller_unit=CALLER)
        ok = correct(row, got)
        for key in ((row.split, row.group), (row.split, "all")):
            table[key][0] += ok
            table[key][1] += 1
        if not ok:
            misses.append((row, got))
    return dict(table), misses


def demo_directory() -> UnitDirectory:
    from db.demo import _unit_rows

    return UnitDirectory(UnitEntry(code, name, kind.value, parent) for code, name, kind, parent in _unit_rows())


def main() -> None:
    rows = load()
    split = sys.argv[sys.argv.index("--split") + 1] if "--split" in sys.argv else None
    if split:
        rows = [r for r in rows if r.split == split]
    table, misses = score(rows, demo_directory())
    print(f"{'split':<10}{'group':<16}{'right':>6}{'total':>6}{'accuracy':>10}")
    for (sp, group), (right, total) in sorted(table.items()):
        print(f"{sp:<10}{group:<16}{right:>6}{total:>6}{right / total:>10.3f}")
    if "--misses" in sys.argv:
        for row, got in misses:
            print(
                f"{row.id} [{row.split}] {row.message!r}\n   want {row.route} {row.kind} {row.unit} {row.window}\n"
                f"   got  {got.route} {got.kind} {got.unit} {got.window}"
            )


if __name__ == "__main__":
    main()
