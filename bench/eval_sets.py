"""Every question set against the index it is asked of, in one table, and each miss with the reason it was refused.

    python -m bench.eval_sets DATA_DIR [--sets corpus fresh new tl hv alqac xonly] [--out DIR]

DATA_DIR holds one index per set of documents, built there on first use and reused after (the embedding takes
minutes): docs_corpus + ../shared/seeds (qa, paraphrased, off-topic, cross-language), that plus tests/fixtures
loaded later (fresh), plus tests/fixtures_new (newdocs), docs_corpus + a province's fixtures (Thanh Lâm, Hải Vân:
held out, read in aggregate), the ALQAC development set, and the articles beside other provinces' documents only
(cross-language, as the tests ask it). With --out, DIR/<set>.json holds the metrics and, per missed question,
what was asked, wanted, cited and why it was refused — what a person reads to learn why, without the tests.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from bot.config import Settings
from ingestion.sync import build_library
from retrieval.answer import ExtractiveAnswerer
from retrieval.build import build_answerer
from retrieval.evaluate import EvalQuestion, evaluate, load_questions
from retrieval.text import strip_courtesy

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
EVAL = ROOT / "tests" / "eval"
CORPUS = [ROOT / "docs_corpus", SHARED / "seeds"]
FIX = ROOT / "tests"

# set name → (folders indexed, in the order loaded; question files)
SETS: dict[str, tuple[list[Path], list[Path]]] = {
    "corpus": (CORPUS, [EVAL / f for f in ("qa.jsonl", "paraphrased.jsonl", "offtopic.jsonl", "crosslang.jsonl")]),
    "fresh": ([*CORPUS, FIX / "fixtures"], [EVAL / "fresh.jsonl"]),
    "new": ([*CORPUS, FIX / "fixtures_new"], [EVAL / "newdocs.jsonl"]),
    "plain": ([ROOT / "docs_corpus"], []),
    "tl": ([ROOT / "docs_corpus", FIX / "fixtures_thanh_lam"], [EVAL / "thanh_lam.jsonl"]),
    "hv": ([ROOT / "docs_corpus", FIX / "fixtures_hai_van"], [EVAL / "hai_van.jsonl"]),
    "alqac": ([SHARED / "eval" / "alqac-dev" / "docs"], [SHARED / "eval" / "alqac-dev" / "qa.jsonl"]),
    "xonly": ([SHARED / "seeds", FIX / "fixtures", FIX / "fixtures_new"], [EVAL / "crosslang.jsonl"]),
}


def answerer_of(data: Path, folders: list[Path]) -> ExtractiveAnswerer:
    present = [f for f in folders if f.exists()]
    if not data.exists():
        # Start from the index of the folders this one begins with, where built: the embedding is most of the time.
        for other, (base, _) in SETS.items():
            source = data.parent / other
            if source != data and len(base) < len(folders) and folders[: len(base)] == base and source.exists():
                shutil.copytree(source, data, ignore=shutil.ignore_patterns(".built"))
                present = [f for f in present if f not in base]
                break
    settings = Settings.from_env({"TROLY_DATA_DIR": str(data), "DOCS_DIR": str(present[0])})
    library = build_library(settings)
    if not (data / ".built").exists():
        for folder in present:  # one at a time: a document loaded later is ranked as the tests load it
            report = library.sync([folder])
            if report.failed:
                raise SystemExit(f"{folder}: {report.failed}")
        (data / ".built").touch()
    library.close()
    answerer = build_answerer(settings)
    assert isinstance(answerer, ExtractiveAnswerer)
    return answerer


def run(name: str, data: Path) -> dict[str, object]:
    folders, files = SETS[name]
    answerer = answerer_of(data / name, folders)
    questions: list[EvalQuestion] = [q for f in files if f.exists() for q in load_questions(f)]
    if not questions:  # an index others start from
        return {"metrics": {}, "misses": []}
    report = evaluate(answerer, questions)
    misses = []
    for miss in report.misses:
        q = next(q for q in questions if q.id == miss["id"])
        if not miss["found"]:
            asked = strip_courtesy(q.question)
            hits = answerer.searcher.search(asked, k=5)
            miss["why"] = answerer.refusal_reason(answerer.spelt(asked, hits), hits)
        misses.append(miss)
    return {"metrics": report.as_dict(), "misses": misses}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", type=Path)
    ap.add_argument("--sets", nargs="+", choices=sorted(SETS), default=list(SETS))
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    cols = ["n", "hit@1", "hit@3", "answered", "contains", "direct", "refusal", "median_len"]
    print(f"{'group':42}" + "".join(f"{c:>11}" for c in cols))
    for name in args.sets:
        if name in ("alqac", "xonly") and not SHARED.exists():
            print(f"{name}: ../shared is not here, skipped")
            continue
        result = run(name, args.data)
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / f"{name}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
        metrics: dict[str, dict[str, object]] = result["metrics"]  # type: ignore[assignment]
        for group, m in metrics.items():
            if "·" in group and not group.startswith(("qa/held_out", "alqac")):
                continue
            shown = ["—" if m[c] is None else str(m[c]) for c in cols]
            print(f"{name + ':' + group:42}" + "".join(f"{v:>11}" for v in shown))


if __name__ == "__main__":
    main()
