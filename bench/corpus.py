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
            f'---\ntitle: "Kế hoạch thử nghiệm số {i}"\nsymbol: "{1000 + i}-KH/BENCH"\ntype: "Kế hoạch"\n'
            f'date: "2026-{1 + i % 12:02d}-{1 + i % 28:02d}"\n---\nI. NHIỆM VỤ\n{items}\n'
        )
        (folder / f"kh-{i:05d}.md").write_text(text, encoding="utf-8")
    return folder


# How officials open and close the same question differently (the answerer looks past these).
_VARIANTS = {
    "vi": (
        [
            "",
            "Cho tôi hỏi: ",
            "Xin hỏi, ",
            "Đồng chí cho hỏi ",
            "Nhờ Trợ lý tra giúp: ",
            "Văn phòng xã hỏi: ",
            "Anh cho tôi hỏi, ",
        ],
        ["", " ạ", " Cảm ơn.", " Cần gấp để báo cáo.", " Trả lời ngắn giúp tôi.", " Xin cảm ơn!"],
    ),
    "en": (
        ["", "Please tell me: ", "Quick question: ", "Could you check: "],
        ["", " Thanks.", " Short answer please.", " Needed for a report.", " Thank you!"],
    ),
}


def distinct_questions(base: list[tuple[str, str]], n: int, *, seed: int = 57) -> list[str]:
    """`n` different questions (no two alike, so none is served from a cache), varied from `base`.

    `base` is (question, language). The first questions are the base ones; the rest open and close a
    base question the way different officials do, in its language (without diacritics when it is typed
    without them).
    """
    from retrieval.text import fold, has_vietnamese_diacritics

    rng = random.Random(seed)
    out: list[str] = []
    seen: set[str] = set()
    for q, _ in base:
        if q not in seen and len(out) < n:
            seen.add(q)
            out.append(q)
    pool = [(q, _VARIANTS[lang]) for q, lang in base if lang in _VARIANTS]
    limit = len(out) + sum(len(a) * len(e) - 1 for _, (a, e) in pool)
    if n > limit:
        raise ValueError(f"at most {limit} distinct questions from {len(base)} base questions")
    while len(out) < n:
        q, (openings, closings) = rng.choice(pool)
        opening, closing = rng.choice(openings), rng.choice(closings)
        if not has_vietnamese_diacritics(q):
            opening, closing = fold(opening).capitalize(), fold(closing)
        text = (opening + q[0].lower() + q[1:] if opening else q) + closing
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out
