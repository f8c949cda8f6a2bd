"""Fusion settings on every question set: `python -m bench.tune_fusion DATA_DIR [--sets corpus fresh …]`.

Searches each answerable question of each set against the index it is asked of (built in DATA_DIR as
`bench.eval_sets` builds them, and shared with it) under each setting, and prints hit@3 per set and split. The
tuning groups choose (their mean, each group weighing the same: the 256 legal questions do not decide alone); the
held-out groups (the own set's held-out half, the fresh and new documents' held-out halves, Hải Vân) only check.
Settings: dense only, lexical only, plain reciprocal-rank fusion (equal weights, k=60), and the lexical weight of
accented Vietnamese and English questions (the dense weight 1) at two fusion constants; Vietnamese typed without
diacritics keeps its own weights. Each question is embedded once: the answerer's embedder remembers questions."""

from __future__ import annotations

import argparse
import statistics
from dataclasses import replace
from pathlib import Path

from bench.eval_sets import SETS, SHARED, answerer_of
from retrieval.answer import to_citations
from retrieval.evaluate import HELD_OUT, EvalQuestion, is_hit, load_questions
from retrieval.search import FusionWeights
from retrieval.text import strip_courtesy

ASKED_OF = ("corpus", "alqac", "fresh", "new", "tl", "hv")


def group_of(q: EvalQuestion) -> str:
    return f"{q.set}/{q.split}" if q.split else q.set


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", type=Path)
    ap.add_argument("--sets", nargs="+", choices=ASKED_OF, default=list(ASKED_OF))
    args = ap.parse_args()
    base = FusionWeights()
    settings_to_try = {
        "dense only": replace(base, dense=1, lexical=0),
        "lexical only": replace(base, dense=0, lexical=1),
        "plain RRF k=60 (equal)": replace(base, dense=1, lexical=1, rrf_k=60),
        **{
            f"lexical {w} k={k:g}": replace(base, lexical=w, rrf_k=k)
            for w in (0.35, 0.5, 0.7, 1.0, 1.5, 2.0)
            for k in (10.0, 30.0)
        },
    }
    hits: dict[str, dict[str, list[bool]]] = {name: {} for name in settings_to_try}
    for name in args.sets:
        if name == "alqac" and not SHARED.exists():
            continue
        folders, files = SETS[name]
        answerer = answerer_of(args.data / name, folders)
        questions = [q for f in files if f.exists() for q in load_questions(f) if q.answerable]
        questions = [q for q in questions if q.set != "crosslang" or name == "corpus"]
        for setting, weights in settings_to_try.items():
            answerer.searcher.weights = weights
            for q in questions:
                cited = to_citations(answerer.searcher.search(strip_courtesy(q.question), k=10))[:3]
                hits[setting].setdefault(group_of(q), []).append(any(is_hit(q, c) for c in cited))
    groups = sorted({g for by in hits.values() for g in by})
    tuning = [g for g in groups if not g.endswith(HELD_OUT) and not g.startswith("hai_van")]
    print(f"{'setting':24}{'tuning':>8}" + "".join(f"{g[:16]:>17}" for g in groups))
    for setting, by in hits.items():
        mean = statistics.mean(sum(by[g]) / len(by[g]) for g in tuning)
        print(f"{setting:24}{mean:8.3f}" + "".join(f"{sum(by[g]) / len(by[g]):17.3f}" for g in groups), flush=True)


if __name__ == "__main__":
    main()
