"""Fusion weights on the eval set: `python -m bench.tune_fusion` (needs an index of docs_corpus + seeds in
TROLY_DATA_DIR). Prints hit@3 / MRR@10 overall and for Vietnamese without diacritics, per setting,
including plain reciprocal-rank fusion (equal weights, k=60) for comparison."""

from __future__ import annotations

from dataclasses import replace

from bench.corpus import ROOT
from bot.config import Settings
from retrieval.answer import ExtractiveAnswerer
from retrieval.build import build_embedder, build_index
from retrieval.evaluate import evaluate, load_questions
from retrieval.search import FusionWeights, HybridSearcher


def main() -> None:
    settings = Settings.from_env()
    embedder = build_embedder(settings)
    index = build_index(settings, embedder)
    questions = load_questions(ROOT / "tests" / "eval" / "qa.jsonl")
    base = FusionWeights()
    settings_to_try = {
        "dense only": FusionWeights(1, 0, 1, 0),
        "lexical only": FusionWeights(0, 1, 0, 1),
        "plain RRF k=60 (equal)": FusionWeights(1, 1, 1, 1, 60),
        "RRF k=10 equal": FusionWeights(1, 1, 1, 1, 10),
        "dense 1 / lexical 0.35, k=60": replace(base, rrf_k=60),
        "chosen: dense 1 / lexical 0.35 (plain: 0.35 / 1), k=10": base,
        "dense 1 / lexical 0.2 (plain: 0.35 / 1), k=10": replace(base, lexical=0.2),
        "dense 1 / lexical 0.5 (plain: 0.35 / 1), k=10": replace(base, lexical=0.5),
        "no plain switch: dense 1 / lexical 0.35": replace(base, dense_plain=1.0, lexical_plain=0.35),
    }
    print(f"{'setting':58} {'hit@3':>6} {'mrr@10':>7} {'plain hit@3':>11} {'accented hit@3':>14}")
    for name, weights in settings_to_try.items():
        report = evaluate(ExtractiveAnswerer(HybridSearcher(index, embedder, weights)), questions)
        m = report.as_dict()
        print(f"{name:58} {m['all']['hit@3']:6.3f} {m['all']['mrr@10']:7.3f} {m['lang:vi:plain']['hit@3']:11.3f} "
              f"{m['lang:vi']['hit@3']:14.3f}", flush=True)


if __name__ == "__main__":
    main()
