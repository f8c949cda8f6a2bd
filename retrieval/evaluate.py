"""Evaluation of retrieval and answers on labelled question sets.

Two formats are read, line by line:

- the project's own (tests/eval/*.jsonl): {"id", "question", "lang", "accented", "answerable", "source",
  "also", "section", "fact", "restated"}; a hit is a citation from `source` or `also`. "restated" lists the
  documents in another language that state the same fact in their own words ({"source", "fact"}: the Vietnamese
  retellings of an Arabic article): loaded beside it, a citation of one is a hit too, and its wording of the
  fact counts as contained when the answer cites it.
- the ALQAC development set (../shared/eval/alqac-dev/qa.jsonl): {"id", "q", "answer", "doc", "article"};
  a hit is a citation from `doc`, inside article N, that contains `answer`; `doc: null` must be refused.

Metrics per group (`all`, each set and split, each language): hit@1, hit@3, MRR@10 and answered on
answerable questions; contains (found, and the answer text holds the gold fact, case-insensitive, NFC,
whitespace collapsed); direct (the direct answer, the bold first line, holds it); refusal on unanswerable ones; median length of the answer before its sources.

Own sets are split by *document* (tests/eval/split.json): rules and weights are fitted on the tuning
half, the held-out half says whether they generalise. Unanswerable questions have no document; they are
split by the parity of their number.
"""

from __future__ import annotations

import json
import re
import statistics
import time
import unicodedata
from collections import defaultdict
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrieval.protocols import Answerer
from retrieval.text import has_vietnamese_diacritics
from retrieval.types import Answer, Citation

TUNING, HELD_OUT = "tuning", "held_out"


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    set: str  # the file's set name: "qa", "offtopic", "alqac-dev"
    lang: str  # vi | en | ar | fa
    accented: bool
    answerable: bool
    sources: frozenset[str] = frozenset()  # document file stems that answer it
    fact: str = ""  # the gold answer / fact
    article: str = ""  # ALQAC: the article number the citation must be part of
    split: str = ""  # tuning | held_out | "" (a development set: used for both)
    restated: tuple[tuple[str, str], ...] = ()  # (document stem, the fact as it words it)

    def holds_fact(self, text: str, cited: Container[str]) -> bool:
        """Whether `text` states the gold fact, or the wording of it of a document it cites (`cited`: stems)."""
        if not self.fact:
            return False
        said = norm(text)
        return norm(self.fact) in said or any(doc in cited and norm(f) in said for doc, f in self.restated)


def norm(text: str) -> str:
    """Case-insensitive, NFC, whitespace collapsed: how a gold answer is looked for in a text."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip().casefold()


def _stem(name: str) -> str:
    return Path(name).stem if "." in name else name


def _parity_split(qid: str) -> str:
    digits = re.sub(r"\D", "", qid)
    return HELD_OUT if digits and int(digits) % 2 else TUNING


def _held_out_documents(path: Path) -> frozenset[str] | None:
    split = path.parent / "split.json"
    if not split.exists():
        return None
    return frozenset(_stem(d) for d in json.loads(split.read_text(encoding="utf-8"))["held_out"])


def load_questions(path: Path) -> list[EvalQuestion]:
    """Questions of a file in either format, with their split (none for a development set)."""
    held_out = _held_out_documents(path)
    name = "alqac-dev" if path.parent.name == "alqac-dev" else path.stem
    out: list[EvalQuestion] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        raw: dict[str, Any] = json.loads(line)
        if "q" in raw:  # ALQAC
            doc = raw.get("doc")
            out.append(
                EvalQuestion(
                    str(raw["id"]),
                    raw["q"],
                    name,
                    "vi",
                    has_vietnamese_diacritics(raw["q"]),
                    doc is not None,
                    frozenset({doc} if doc else ()),
                    raw.get("answer") or "",
                    str(raw.get("article") or ""),
                )
            )
            continue
        restated = tuple((_stem(r["source"]), r["fact"]) for r in raw.get("restated", []))
        sources = frozenset(_stem(s) for s in [raw.get("source", ""), *raw.get("also", [])] if s)
        answerable = bool(raw.get("answerable", True))
        split = ""
        if held_out is not None:
            primary = _stem(raw.get("source", ""))
            split = (
                (HELD_OUT if primary in held_out else TUNING) if answerable and primary else _parity_split(raw["id"])
            )
        out.append(
            EvalQuestion(
                raw["id"],
                raw["question"],
                name,
                raw.get("lang", "vi"),
                bool(raw.get("accented", True)),
                answerable,
                sources,
                raw.get("fact", ""),
                "",
                split,
                restated,
            )
        )
    return out


def is_hit(q: EvalQuestion, c: Citation) -> bool:
    stem = _stem(Path(c.source).name)
    if stem not in q.sources and all(stem != doc for doc, _ in q.restated):
        return False
    if not q.article:
        return True
    # ALQAC: the passage must be part of the article and hold the answer.
    return bool(re.match(rf"Điều {re.escape(q.article)}\b", c.section)) and norm(q.fact) in norm(c.text)


@dataclass
class Bucket:
    answerable: int = 0
    hit1: int = 0
    hit3: int = 0
    rr: float = 0.0
    contains: int = 0
    direct: int = 0
    answered: int = 0
    unanswerable: int = 0
    refused: int = 0
    lengths: list[int] = field(default_factory=list)

    def metrics(self) -> dict[str, float | int | None]:
        a, u = self.answerable, self.unanswerable
        return {
            "n": a + u,
            "hit@1": round(self.hit1 / a, 3) if a else None,
            "hit@3": round(self.hit3 / a, 3) if a else None,
            "mrr@10": round(self.rr / a, 3) if a else None,
            "answered": round(self.answered / a, 3) if a else None,
            "contains": round(self.contains / a, 3) if a else None,
            "direct": round(self.direct / a, 3) if a else None,
            "refusal": round(self.refused / u, 3) if u else None,
            "median_len": int(statistics.median(self.lengths)) if self.lengths else None,
        }


def groups_of(q: EvalQuestion) -> list[str]:
    """`all`; the set (and its split); the language, also within the set and split."""
    where = f"{q.set}/{q.split}" if q.split else q.set
    lang = q.lang if q.lang != "vi" else ("vi" if q.accented else "vi:plain")
    return ["all", where, f"{where} · {lang}", f"lang:{lang}"]


@dataclass
class EvalReport:
    buckets: dict[str, Bucket] = field(default_factory=lambda: defaultdict(Bucket))
    misses: list[dict[str, Any]] = field(default_factory=list)
    took_ms: list[float] = field(default_factory=list)
    answers: dict[str, Answer] = field(default_factory=dict)  # by question id, for what a person would see

    def as_dict(self) -> dict[str, Any]:
        return {name: b.metrics() for name, b in sorted(self.buckets.items(), key=lambda kv: (kv[0] != "all", kv[0]))}

    def add(self, q: EvalQuestion, ans: Answer) -> None:
        ranks = [c.rank for c in ans.citations[:10] if is_hit(q, c)]
        first = min(ranks) if ranks else None
        cited = {_stem(Path(c.source).name) for c in ans.cited()}
        contains = ans.found and q.holds_fact(ans.text, cited)
        direct = contains and bool(ans.short) and q.holds_fact(ans.short, cited)
        for g in groups_of(q):
            b = self.buckets[g]
            if not q.answerable:
                b.unanswerable += 1
                b.refused += int(not ans.found)
                continue
            b.answerable += 1
            b.hit1 += int(first == 1)
            b.hit3 += int(first is not None and first <= 3)
            b.rr += 1.0 / first if first else 0.0
            b.answered += int(ans.found)
            b.contains += int(contains)
            b.direct += int(direct)
            if ans.found:
                b.lengths.append(len(ans.body or ans.text))
        if q.answerable and not (first and first <= 3 and contains):
            self.misses.append(
                {
                    "id": q.id,
                    "question": q.question,
                    "want": q.fact,
                    "hit": first,
                    "found": ans.found,
                    "got": [f"{c.source} {c.section}" for c in ans.citations[:3]],
                    "answer": (ans.body or ans.text)[:300],
                }
            )
        elif not q.answerable and ans.found:
            self.misses.append(
                {
                    "id": q.id,
                    "question": q.question,
                    "want": "not found",
                    "found": True,
                    "got": [f"{c.source} {c.section}" for c in ans.citations[:3]],
                }
            )


def evaluate(answerer: Answerer, questions: Iterable[EvalQuestion], *, k: int = 10) -> EvalReport:
    report = EvalReport()
    for q in questions:
        t0 = time.perf_counter()
        ans = answerer.answer(q.question, k=k)
        report.took_ms.append((time.perf_counter() - t0) * 1000)
        report.answers[q.id] = ans
        report.add(q, ans)
    return report
