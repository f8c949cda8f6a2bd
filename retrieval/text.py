"""Text normalisation for lexical search: Vietnamese accent folding and tokens that keep document numbers whole."""

from __future__ import annotations

import re
import unicodedata

# 57-NQ/TW, 71/NQ-CP, 02-KH/BCĐTW, 3456/BKHCN-CĐSQG, 125/QĐ-BCĐTW: digits, then letters/digits joined by - or /.
SYMBOL_RE = re.compile(r"\b\d+[\w]*(?:[-/][^\W_]+)+\b", re.UNICODE)
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)


def _is_latin(ch: str) -> bool:
    return ch < "\u0250" or "\u1e00" <= ch <= "\u1eff"


def fold(text: str) -> str:
    """Lower-case; strip diacritics from Latin letters only (`đ`→`d`). Arabic and Persian are left alone:
    stripping their marks merges different hamza forms."""
    text = unicodedata.normalize("NFC", text).lower().replace("đ", "d")
    out: list[str] = []
    for ch in text:
        if _is_latin(ch) and not ch.isascii():
            base = unicodedata.normalize("NFD", ch)
            out.append("".join(c for c in base if unicodedata.category(c) != "Mn"))
        else:
            out.append(ch)
    return "".join(out)


def symbol_token(symbol: str) -> str:
    """One token for a document number: `57-NQ/TW` → `57_nq_tw` (also matches `57 nq tw` typed loosely? no —
    the parts are indexed too)."""
    return "_".join(_WORD_RE.findall(fold(symbol)))


def tokens(text: str) -> list[str]:
    """Folded word tokens, plus one whole token per document number found in the text."""
    folded = fold(text)
    out = [symbol_token(m.group(0)) for m in SYMBOL_RE.finditer(folded)]
    out.extend(_WORD_RE.findall(folded))
    return out


def has_vietnamese_diacritics(text: str) -> bool:
    return any(_is_latin(ch) and not ch.isascii() for ch in unicodedata.normalize("NFC", text))
