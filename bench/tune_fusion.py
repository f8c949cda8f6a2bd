"""Fusion settings on the eval set: `python -m bench.tune_fusion` (needs an index of docs_corpus + seeds in
TROLY_DATA_DIR). Prints hit@3 per setting on the tuning half (which chooses) and the held-out half (which
checks): all questions, Vietnamese without diacritics, and Vietnamese/English questions whose answer is
only in an Arabic or Persian article; plain reciprocal-rank fusion (equal weights, k=60) for comparison."""

from __future__ import annotations

from dataclasses import replace

from bench.corpus import ROOT
from bot.config import Settings
from retrieval.answer import to_citations
from retrieval.build import build_embedder, build_index
from retrieval.evaluate import HELD_OUT, TUNING, EvalQuestion, is_hit, load_questions
from retrieval.search import FusionWeights, HybridSearcher
from retrieval.text import strip_courtesy


def _cross(q: EvalQuestion) -> bool:
    return q.lang in ("vi", "en") and all(len(s) == 20 and s[3] == "_" for s in q.sources)  # seed articles only


def main() -> None:
    settings = Settings.from_env()
    embedder = build_embedder(settings)
    index = build_index(settings, embedder)
    questions = [q for q in load_questions(ROOT / "tests" / "eval" / "qa.jsonl") if q.answerable]
    base = FusionWeights()
    settings_to_try = {
        "dense only": FusionWeights(1, 0, 1, 0),
        "lexical only": FusionWeights(0, 1, 0, 1),
        "plain RRF k=60 (equal)": FusionWeights(1, 1, 1, 1, 60),
        "dense 1 / lexical 0.35 (plain: 0.35 / 1), k=10, no cross slot": replace(base, cross_margin=-1.0),
        **{
            f"chosen weights, cross slot within {m}": replace(base, cross_margin=m)
            for m in (0.0, 0.02, 0.03, 0.05, 0.08)
        },
    }
    groups = {
        "all": lambda q: True,
        "vi:plain": lambda q: q.lang == "vi" and not q.accented,
        "cross": _cross,
        "ar/fa": lambda q: q.lang in ("ar", "fa"),
    }
    print(f"{'setting':62}" + "".join(f" {s[:4]}:{g:8}" for s in (TUNING, HELD_OUT) for g in groups))
    for name, weights in settings_to_try.items():
        searcher = HybridSearcher(index, embedder, weights)
        hit = {
            q.id: any(is_hit(q, c) for c in to_citations(searcher.search(strip_courtesy(q.question), k=10))[:3])
            for q in questions
        }
        cells = []
        for split in (TUNING, HELD_OUT):
            for test in groups.values():
                chosen = [q for q in questions if q.split == split and test(q)]
                cells.append(f" {sum(hit[q.id] for q in chosen) / len(chosen):13.3f}" if chosen else f" {'—':>13}")
        print(f"{name:62}" + "".join(cells), flush=True)


if __name__ == "__main__":
    main()
