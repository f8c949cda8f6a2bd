"""Deterministic synthetic Vietnamese documents for benchmarks, recombined from docs_corpus sentences."""

from __future__ import annotations

import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sentences() -> list[str]:
    out: list[str] = []
    for path in sorted((ROOT / "docs_corpus").glob("*.md")):
        body = path.read_text(encoding="utf-8").split("---", 2)[-1]
        for line in body.splitlines():
            line = line.strip()
            if len(line) > 60 and not line.startswith("|"):
                out.extend(s.strip() for s in re.split(r"(?<=[.;])\s+", line) if len(s.strip()) > 40)
    return out


def write_corpus(folder: Path, n_docs: int, *, points: int = 3, seed: int = 57) -> Path:
    """`n_docs` small plans, each with a header and `points` numbered items (about one chunk each)."""
    rng = random.Random(seed)
    pool = sentences()
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n_docs):
        items = "\n".join(f"{k}. {rng.choice(pool)}" for k in range(1, points + 1))
        text = (
            f"---\ntitle: \"Kế hoạch thử nghiệm số {i}\"\nsymbol: \"{1000 + i}-KH/BENCH\"\ntype: \"Kế hoạch\"\n"
            f"date: \"2026-{1 + i % 12:02d}-{1 + i % 28:02d}\"\n---\nI. NHIỆM VỤ\n{items}\n"
        )
        (folder / f"kh-{i:05d}.md").write_text(text, encoding="utf-8")
    return folder
