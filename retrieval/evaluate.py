"""Evaluation of retrieval and answers on a labelled question set (tests/eval/qa.jsonl).

Each line: {"id", "question", "lang", "accented", "answerable", "source", "also", "section", "fact"}.
Metrics: hit@1, hit@3, MRR@10 (answerable questions; a hit is a citation from `source` or `also`),
refusal accuracy (unanswerable questions answered "not found"), answer-contains-fact, and the share of
answerable questions that got an answer; split by language and by with/without diacritics.
"""

from __future__ import annotations

import json
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrieval.protocols import Answerer


@dataclass
class Bucket:
    answerable: int = 0
    hit1: int = 0
    hit3: int = 0
    rr: float = 0.0
    fact: int = 0
    answered: int = 0
    unanswerable: int = 0
    refused: int = 0

    def metrics(self) -> dict[str, float | int | None]:
        a, u = self.answerable, self.unanswerable
        return {
            "n": a + u,
            "hit@1": round(self.hit1 / a, 3) if a else None,
            "hit@3": round(self.hit3 / a, 3) if a else None,
            "mrr@10": round(self.rr / a, 3) if a else None,
            "answered": round(self.answered / a, 3) if a else None,
            "contains_fact": round(self.fact / a, 3) if a else None,
            "refusal": round(self.refused / u, 3) if u else None,
        }


@dataclass
class EvalReport:
    buckets: dict[str, Bucket] = field(default_factory=lambda: defaultdict(Bucket))
    misses: list[dict[str, Any]] = field(default_factory=list)
    took_ms: list[float] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {name: b.metrics() for name, b in sorted(self.buckets.items(), key=lambda kv: (kv[0] != "all", kv[0]))}


def load_questions(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def evaluate(answerer: Answerer, questions: list[dict[str, Any]], *, k: int = 10) -> EvalReport:
    report = EvalReport()
    for q in questions:
        t0 = time.perf_counter()
        ans = answerer.answer(q["question"], k=k)
        report.took_ms.append((time.perf_counter() - t0) * 1000)
        groups = ["all", f"lang:{q['lang']}"]
        if q["lang"] == "vi":
            groups.append("vi:accented" if q.get("accented", True) else "vi:unaccented")
        targets = {q.get("source", ""), *q.get("also", [])} - {""}
        for g in groups:
            b = report.buckets[g]
            if not q.get("answerable", True):
                b.unanswerable += 1
                b.refused += int(not ans.found)
                continue
            b.answerable += 1
            ranks = [c.rank for c in ans.citations[:10] if Path(c.source).name in targets]
            first = min(ranks) if ranks else None
            b.hit1 += int(first == 1)
            b.hit3 += int(first is not None and first <= 3)
            b.rr += 1.0 / first if first else 0.0
            b.answered += int(ans.found)
            b.fact += int(ans.found and _norm(q["fact"]) in _norm(ans.text))
        if q.get("answerable", True):
            got = [Path(c.source).name for c in ans.citations[:3]]
            if not targets & set(got) or not ans.found:
                report.misses.append({"id": q["id"], "question": q["question"], "want": sorted(targets), "got": got,
                                      "found": ans.found})
        elif ans.found:
            report.misses.append({"id": q["id"], "question": q["question"], "want": "not found",
                                  "got": [c.source for c in ans.citations[:3]], "found": True})
    return report
