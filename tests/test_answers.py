"""Cited answers on the real corpus: the evaluation gate, `troly ask`, filters, refusal and the LLM path."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_llm import FakeLLM  # type: ignore[import-not-found]

from bot.cli import cli
from bot.config import Settings
from bot.render.html import render_answer, visible_length
from bot.render.out import TextOut
from bot.render.text import unmet_note
from bot.service.views import answer_view
from retrieval.accents import restore_marks
from retrieval.answer import (
    ExtractiveAnswerer,
    LLMAnswerer,
    closest,
    names_places_asked,
    says_more_across,
    to_citations,
)
from retrieval.bridge import arabic_stem, arabic_stems, arabic_words, bridged_terms, dates_of, held_terms, holds
from retrieval.build import build_answerer
from retrieval.compose import (
    _named_only,
    about_elsewhere,
    asked_across,
    completed_answer,
    compose,
    days_of,
    echoes,
    from_signing,
    labelled,
    numbered_run,
    question_terms,
    restated,
    states_deadline,
    unframed,
    vietnamese_date,
)
from retrieval.evaluate import HELD_OUT, TUNING, EvalQuestion, evaluate, is_hit, load_questions, norm
from retrieval.extract import (
    CONTACT,
    DATE,
    DEFINITION,
    JOIN,
    LIST,
    MOST,
    ORGAN,
    QUANTITY,
    RANGE,
    agent,
    asked_for,
    asks_target,
    called,
    cell_asked,
    completion,
    condition_for,
    defines,
    definition_of,
    is_target,
    named_kind,
    named_of_kind,
    named_span,
    names_role,
    ordinal_asked,
    ordinal_in,
    preceding,
    quoted_name,
    role_asked,
    spans,
    units,
    which_noun,
    yes_or_no,
)
from retrieval.parts import Part, asks_whole, label, named_part, part_text, parts_held
from retrieval.parts import holds as part_holds
from retrieval.places import asked_names, issuer_place, names_organ, organs, places, proper_names, syllable_spellings
from retrieval.protocols import SearchFilters
from retrieval.refusal import (
    AskedWords,
    asking_phrase_removed,
    days_named,
    figure_stated,
    figure_stated_across,
    gather_evidence,
    laws_named,
    unchecked_law_removed,
    unknown_words,
    unloaded_document_numbers,
    years,
)
from retrieval.search import (
    _names,
    at_most_two_rows,
    bridged_question,
    kind_held,
    lexical_lead,
    named_documents,
    query_kind,
)
from retrieval.text import (
    english_terms,
    fold,
    function_words_split,
    initials_spelt,
    present,
    question_words_split,
    spelt_out,
    strip_courtesy,
    words,
)
from retrieval.types import DocumentMeta, Hit, StoredChunk

QA = Path(__file__).parent / "eval" / "qa.jsonl"
FRESH = QA.with_name("fresh.jsonl")
FIXTURES = Path(__file__).parent / "fixtures"
NEW_DOCUMENTS = Path(__file__).parent / "fixtures_new"
CORPUS = Path(__file__).resolve().parent.parent / "docs_corpus"
ALQAC = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "alqac-dev"
SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
_SEED = re.compile(r"^\d{3}_[0-9a-f]{16}$")  # the seed articles' file stems


def loaded(questions: list[EvalQuestion]) -> list[EvalQuestion]:
    """The questions whose documents the corpus index holds (no seed articles on a user's clone)."""
    if SEEDS.exists():
        return questions
    return [q for q in questions if not q.answerable or not all(_SEED.match(s) for s in q.sources)]


needs_seeds = pytest.mark.skipif(not SEEDS.exists(), reason="../shared/seeds is not here (a user's clone)")
TROLY = str(Path(sys.executable).with_name("troly"))


def test_eval_set_is_what_the_issue_asks_for() -> None:
    qs = load_questions(QA)
    assert len(qs) >= 80
    vi = [q for q in qs if q.lang == "vi" and q.answerable]
    assert sum(q.accented for q in vi) >= 20 and sum(not q.accented for q in vi) >= 20
    assert sum(q.lang == "en" for q in qs) >= 5 and sum(q.lang in ("ar", "fa") for q in qs) >= 5
    assert sum(not q.answerable for q in qs) >= 15
    assert all(q.sources and q.fact for q in qs if q.answerable)
    # Split by document: no document has questions in both halves.
    halves = {q.split for q in qs}
    assert halves == {TUNING, HELD_OUT}
    primary = {}
    for line in QA.read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        if raw["answerable"]:
            primary.setdefault(raw["source"], set()).add(next(q.split for q in qs if q.id == raw["id"]))
    assert all(len(splits) == 1 for splits in primary.values()), primary
    # Documents loaded after the corpus (tests/fixtures), asked about by people who had not seen the system.
    fresh = load_questions(FRESH)
    assert len(fresh) >= 60 and {q.split for q in fresh} == {TUNING, HELD_OUT}
    assert {(q.lang, q.accented) for q in fresh if q.answerable} == {("vi", True), ("vi", False), ("en", True)}
    for q in fresh:
        if q.answerable:
            (source,) = q.sources
            assert q.fact in (FIXTURES / f"{source}.md").read_text(encoding="utf-8"), q.id
    # The corpus's tuning-half documents, asked about in other words by people who had not seen the system.
    paraphrased = load_questions(QA.with_name("paraphrased.jsonl"))
    assert len(paraphrased) >= 60 and all(q.split == TUNING for q in paraphrased if q.answerable)
    for q in paraphrased:
        if q.answerable:
            assert any(q.fact in (CORPUS / f"{s}.md").read_text(encoding="utf-8") for s in q.sources), q.id
    # A fact an article states, restated by a Vietnamese document in its own words: verbatim there.
    crosslang = load_questions(QA.with_name("crosslang.jsonl"))
    assert sum(bool(q.restated) for q in crosslang) >= 30
    for q in crosslang:
        for doc, fact in q.restated:
            assert fact in (CORPUS / f"{doc}.md").read_text(encoding="utf-8"), (q.id, doc)
    offtopic = load_questions(QA.with_name("offtopic.jsonl"))
    assert len(offtopic) >= 100 and not any(q.answerable for q in offtopic)
    assert {(q.lang, q.accented) for q in offtopic} == {("vi", True), ("vi", False), ("en", True)}


def _gate(metrics: dict[str, dict[str, float | None]], group: str, **floors: float) -> None:
    got = metrics[group]
    for name, floor in floors.items():
        value = got[name]
        assert value is not None and value >= floor, (group, name, value, floor)


def test_quality_gates_on_the_held_out_half(corpus_data: Path) -> None:
    """Rules and the refusal model were fitted on the tuning half: the held-out half is what counts."""
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    questions = [
        q for q in loaded(load_questions(QA)) + load_questions(QA.with_name("offtopic.jsonl")) if q.split == HELD_OUT
    ]
    report = evaluate(answerer, questions)
    m = report.as_dict()
    print(json.dumps(m, indent=1))
    # Before (thresholds fitted on all own questions, this half included): hit@3 0.905, answered 0.984,
    # contains 0.492, refusal 0.818 (own) / 0.808 (off-topic, all 120), median 985 characters.
    # Measured: hit@3 0.937, answered 0.921, contains 0.825, direct 0.651 (the bold first line holds the fact),
    # refusal 0.909 (own: 11 questions) / 0.883 (off-topic: 60), median 247. The refusal model is refitted whenever
    # its signals change; these move by a question or two (the own set's 11 held-out unanswerable questions: 7 of
    # them refused on a user's clone, without the seeds).
    _gate(m, "qa/held_out", **{"hit@3": 0.85, "answered": 0.85, "contains": 0.76, "direct": 0.58, "refusal": 0.6})
    # Then (session 10): hit@3 0.921, answered 0.905, contains 0.841, direct 0.651; off-topic 0.933 (English words
    # outside the glossary, unloaded documents named by number).
    _gate(m, "offtopic/held_out", refusal=0.88)
    _gate(m, "offtopic/held_out · vi:plain", refusal=0.8)  # off-topic typed without diacritics is refused too
    length = m["qa/held_out"]["median_len"]
    assert length is not None and length <= 320, length  # was ~900: quotes, sources twice, passages


def test_quality_gates_on_the_development_set(alqac_index_dir: Path, hermetic_env: Path) -> None:
    """Real legal questions nobody here wrote (../shared/eval/alqac-dev); skipped on a user's clone."""
    shutil.copytree(alqac_index_dir, hermetic_env, dirs_exist_ok=True)
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(hermetic_env)}))
    report = evaluate(answerer, load_questions(ALQAC / "qa.jsonl"))
    m = report.as_dict()
    print(json.dumps(m["alqac-dev"], indent=1))
    # Before issue 9: contains 0.643, answered 0.762, refusal 0.793, median 597. Measured: 0.907 / 0.947 / 0.966 / 236;
    # the direct answer (the bold line) holds the gold answer for 0.41 (most questions here ask for no figure).
    # Since word pairs stop at punctuation: 0.903 / 0.943 / 0.897 (26 of 29 unloaded articles refused; the goal is
    # 0.7), traded for officials' wording (paraphrased tuning answered 0.708 -> 0.75, fresh tuning 0.825 -> 0.85).
    # Since a law's article numbers are unchecked with its name («Theo Điều 25, Bộ luật dân sự 2015»): answered 0.952.
    _gate(m, "alqac-dev", **{"hit@3": 0.95, "answered": 0.9, "contains": 0.88, "direct": 0.37, "refusal": 0.85})
    assert (m["alqac-dev"]["median_len"] or 999) <= 300
    # What a phone shows before the collapsed passages, for every answer and refusal of the set.
    shown = sorted(
        visible_length(html)
        for ans in report.answers.values()
        for out in render_answer(answer_view(None, "q", ans, "vi"))
        if isinstance(out, TextOut)
        for html in [out.html]
    )
    p90 = shown[int(0.9 * (len(shown) - 1))]
    print(f"visible before the collapsed passages: median {shown[len(shown) // 2]}, p90 {p90}, max {shown[-1]}")
    assert p90 <= 700, p90


@needs_seeds
def test_quality_across_scripts_beside_the_vietnamese_retellings(corpus_data: Path) -> None:
    """The same questions over docs_corpus and the articles: the Vietnamese documents restate 38 of the 40 facts in
    their own words (crosslang.jsonl "restated", each checked verbatim in its document), and citing one of them with
    its wording of the fact is a right answer. Counting only the article (as before) gave held-out hit@3 0.688,
    contains 0: the Vietnamese retelling answered, in Vietnamese. (Of the two facts no Vietnamese document states,
    who attended the Government steering committee's meeting is still missed: the Persian paragraph on another
    meeting that he co-chaired takes the third place.)"""
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    m = evaluate(answerer, load_questions(QA.with_name("crosslang.jsonl"))).as_dict()
    print(json.dumps({k: v for k, v in m.items() if k.startswith("crosslang/")}, indent=1))
    # Measured when the gate was set: held-out hit@3 0.938, answered 0.875, contains 0.812; tuning 0.875 / 0.917 / 0.75.
    _gate(m, "crosslang/held_out", **{"hit@3": 0.85, "answered": 0.8, "contains": 0.7})
    _gate(m, "crosslang/tuning", **{"hit@3": 0.8, "answered": 0.85, "contains": 0.65})


def test_quality_across_scripts_where_only_the_articles_answer(articles_index_dir: Path, hermetic_env: Path) -> None:
    """Vietnamese and English questions on the Arabic and Persian articles (tests/eval/crosslang.jsonl), asked of an
    index where Vietnamese documents on the same Resolution do not restate them (other provinces): the articles are
    the only source, as the goal is stated. Over docs_corpus, which retells the same meetings in Vietnamese, the
    Vietnamese passage answers (the test below). Skipped on a user's clone."""
    shutil.copytree(articles_index_dir, hermetic_env, dirs_exist_ok=True)
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(hermetic_env)}))
    assert isinstance(answerer, ExtractiveAnswerer)
    m = evaluate(answerer, load_questions(QA.with_name("crosslang.jsonl"))).as_dict()
    print(json.dumps({k: v for k, v in m.items() if k.startswith("crosslang/")}, indent=1))
    # Measured when the gate was set: tuning hit@3 0.708, answered 0.75; held-out 0.5 / 0.438 (goal 0.8). Since the
    # articles' words are compared as stems, a long term's inner terms count, names count whole and passages in two
    # scripts are weighed on the words both can be checked for: tuning 0.75 / 0.792, held-out 0.812 / 0.688. Since
    # plain questions look across scripts with their marks restored and the place asked decides: held-out 0.875 / 0.75.
    _gate(m, "crosslang/tuning", **{"hit@3": 0.7, "answered": 0.75})
    _gate(m, "crosslang/held_out", **{"hit@3": 0.8, "answered": 0.7})
    # Asked for a date, an article's sentence that states it gives the direct answer, verbatim, as one in Vietnamese
    # does (it gave none: the kinds asked were read in Vietnamese and English text only).
    ans = answerer.answer(
        "Hà Nội phải hoàn thành Trung tâm phục vụ hành chính công theo mô hình tập trung, thống nhất trước ngày nào?"
    )
    assert ans.found and ans.short == "وقبل 5 ديسمبر 2025", ans.text
    assert ans.citations[ans.short_rank - 1].source.startswith("003_"), ans.citations[:3]
    # Two paragraphs holding terms of equal weight: the one whose terms say more of the question's words is the
    # candidate ("khung kiến trúc thủ tục hành chính" over "chủ trì"), not the one e5 puts nearer across languages.
    question = "Ban Chỉ đạo thống nhất giao bộ nào chủ trì triển khai khung kiến trúc thủ tục hành chính?"
    hits = answerer.searcher.search(question, k=5)
    assert any(h.chunk.doc_id.startswith("004_") and "وزارت امنیت عمومی" in h.chunk.text for h in hits[:3]), [
        (h.chunk.doc_id, h.chunk.section) for h in hits[:3]
    ]


def test_a_condition_is_answered_from_the_clause_that_states_it(alqac_index_dir: Path, hermetic_env: Path) -> None:
    """Penalties in law articles: the clause whose condition the question names, the bound it asks for."""
    shutil.copytree(alqac_index_dir, hermetic_env, dirs_exist_ok=True)
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(hermetic_env)}))
    cases = [
        ("Chiếm đoạt di vật của tử sỹ mà là sĩ quan thì bị phạt tù bao nhiêu năm?", "từ 02 năm đến 07 năm", "sĩ quan"),
        ("Chiếm đoạt di vật của tử sĩ có thể bị phạt tù lên đến bao nhiêu năm?", "07 năm", "07 năm"),
        (
            "Người nào chuẩn bị phạm tội huy động, hỗ trợ tiền, tài sản cho tổ chức, cá nhân khủng bố thì bị phạt tù "
            "bao nhiêu năm?",
            "từ 01 năm đến 05 năm",
            "chuẩn bị",
        ),
        # "khi nào" in a law: no calendar date, the event or condition it names
        ("Di chúc có hiệu lực khi nào?", "từ thời điểm mở thừa kế", "mở thừa kế"),
        ("Cấm huy động vốn được áp dụng khi nào?", "khi xét thấy", "huy động vốn"),
        # "tuổi" is all of what is counted: "16 tuổi trở lên phải chịu …"
        ("Người từ đủ bao nhiêu tuổi phải chịu trách nhiệm hình sự về mọi tội phạm?", "16 tuổi", "16 tuổi"),
    ]
    for question, short, quoted in cases:
        ans = answerer.answer(question)
        assert ans.found and short in ans.short, (question, ans.short)
        assert any(quoted in q.text for q in ans.quotes), ans.quotes


def test_an_ordinal_asked_is_answered_with_the_ordinal_whose_condition_the_question_names(
    alqac_index_dir: Path, hermetic_env: Path
) -> None:
    """ "Từ tháng thứ bao nhiêu", "điều mấy" ask which one, not how many: the text's own "từ tháng thứ 06", "Điều 3".
    Of two in one sentence, the one whose clause says the question's condition (vùng cao …), and without it the
    one with no condition the question did not name."""
    shutil.copytree(alqac_index_dir, hermetic_env, dirs_exist_ok=True)
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(hermetic_env)}))
    cases = [
        (
            "Không được sử dụng lao động nữ khi họ mang thai từ tháng thứ bao nhiêu trong trường hợp làm việc ban "
            "đêm, làm thêm giờ và đi công tác xa ở vùng cao, vùng sâu, vùng xa, biên giới, hải đảo?",
            "từ tháng thứ 06",
        ),
        ("Không được sử dụng lao động nữ làm việc ban đêm khi mang thai từ tháng thứ mấy?", "từ tháng thứ 07"),
        (
            "Việc tự bảo vệ quyền dân sự không được trái với các nguyên tắc cơ bản của pháp luật dân sự quy định tại "
            "điều mấy trong bộ luật này?",
            "Điều 3",
        ),
        # Several asked: the list, not one of them.
        ("Cá nhân thực hiện quyền dân sự không được trái với quy định tại những Điều nào?", "Điều 3 và Điều 10"),
    ]
    for question, short in cases:
        ans = answerer.answer(question)
        assert ans.found and ans.short.startswith(short), (question, ans.short)
    assert (ordinal_asked("Mang thai từ tháng thứ mấy?"), ordinal_asked("Tháng nào?")) == ("thang thu", "")
    assert ordinal_in("1. Phạt tù từ 02 năm; tái phạm lần thứ 2 thì phạt gấp đôi.", "lan thu", "Lần thứ mấy?") == (
        "lần thứ 2"
    )


def test_the_answer_is_what_the_question_does_not_already_say(alqac_index_dir: Path, hermetic_env: Path) -> None:
    """The year that names a law is not evidence for the date that holds it; a list asked for is quoted whole."""
    shutil.copytree(alqac_index_dir, hermetic_env, dirs_exist_ok=True)
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(hermetic_env)}))
    # The fourth and fifth passages lead only with a unit that says more of the question than the first three:
    # not with "Cơ quan, tổ chức được chỉ định …" for "Ai công bố di chúc …".
    ans = answerer.answer("Ai công bố di chúc nếu di chúc bằng văn bản được lưu tại tổ chức hành nghề công chứng?")
    # Who does the act the question names, as the text names them before it: "công chứng viên là người công bố di chúc".
    assert ans.found and "công chứng viên là người công bố" in ans.body and ans.short == "công chứng viên", ans.body
    ans = answerer.answer("Chủ thể nào được ưu tiên mua tài sản đem bán là tài sản thuộc di tích lịch sử - văn hoá?")
    assert ans.found and ans.short == "Nhà nước", ans.body  # «… thì Nhà nước có quyền ưu tiên mua»
    # A term of six words is defined by the sentence that opens with it (the last four words open none).
    ans = answerer.answer("Hợp đồng trao đổi tài sản là gì?")
    assert ans.found and ans.short.startswith("Hợp đồng trao đổi tài sản là sự thỏa thuận giữa các bên"), ans.body
    # The harshest penalty is the most severe the clause names, not its longest term ("… tù chung thân hoặc tử hình").
    ans = answerer.answer(
        "Thu thập, cung cấp tin tức, tài liệu khác nhằm mục đích để nước ngoài sử dụng chống nước Cộng hòa xã hội chủ "
        "nghĩa Việt Nam bị hình phạt cao nhất là gì?"
    )
    assert ans.found and ans.short == "tử hình", ans.body
    # The least term of the clause the question restates, not of a lesser case or of preparing the crime in the
    # article's later clauses (which said «từ 06 tháng đến 03 năm» and «từ 01 năm đến 05 năm»).
    for question, least in (
        (
            "Phá hoại việc thực hiện các chính sách kinh tế - xã hội nhằm chống chính quyền nhân dân thì bị phạt tù "
            "tối thiểu bao nhiêu năm?",
            "từ 07 năm đến 15 năm",
        ),
        (
            "Người nào huy động, hỗ trợ tiền, tài sản dưới bất kỳ hình thức nào cho tổ chức, cá nhân khủng bố, thì bị "
            "phạt tù tối thiểu bao nhiêu năm?",
            "từ 05 năm đến 10 năm",
        ),
    ):
        ans = answerer.answer(question)
        assert ans.found and ans.short == least, (question, ans.short)
    ans = answerer.answer("Luật An ninh mạng 2018 có hiệu lực thi hành từ ngày nào?")
    assert ans.found and "01 tháng 01 năm 2019" in ans.short, ans.short
    ans = answerer.answer(
        "Theo Bộ luật dân sự 2015, cá nhân có quyền yêu cầu cơ quan nhà nước có thẩm quyền công nhận "
        "việc thay đổi họ trong trường hợp nào?"
    )
    listed = "\n".join(q.text for q in ans.quotes)
    assert ans.found and all(f"\n{p}) " in listed for p in "abcdđegh"), listed


def test_a_law_named_as_the_source_counts_only_where_titles_name_laws(
    alqac_index_dir: Path, hermetic_env: Path, tmp_path: Path
) -> None:
    """Excerpts titled "TRÍCH VĂN BẢN PHÁP LUẬT — PHẦN n" cannot tell whether they are the Civil Code: the law a
    question names as its source is then neither for nor against a passage. Once a document's title names a
    law, the name stays and counts like any word."""
    from ingestion.sync import build_library

    shutil.copytree(alqac_index_dir, hermetic_env, dirs_exist_ok=True)
    settings = Settings.from_env({"TROLY_DATA_DIR": str(hermetic_env)})
    answerer = build_answerer(settings)
    index = answerer.searcher.index
    assert laws_named("Theo Bộ luật Hình sự năm 2017, người …; vi phạm luật an ninh mạng?") == [
        "hinh su",
        "an ninh mang",
    ]
    assert laws_named("Không được xử lý kỷ luật; văn bản pháp luật") == []
    question = "Mô tả quyền đối với quốc tịch theo Bộ luật dân sự 2015."
    assert unchecked_law_removed(question, index).split() == [
        "Mô",
        "tả",
        "quyền",
        "đối",
        "với",
        "quốc",
        "tịch",
        "theo",
        ".",
    ]
    ans = answerer.answer(question)
    assert ans.found and any("Cá nhân có quyền có quốc tịch" in q.text for q in ans.quotes), ans.body
    # The article of a law that cannot be checked cannot be either: excerpts number their articles anew (the
    # Code's Điều 25 is this excerpt's Điều 263).
    cited = "Theo Điều 25, Bộ luật dân sự 2015, quyền nhân thân là gì?"
    assert unchecked_law_removed(cited, index).split() == ["Theo", ",", ",", "quyền", "nhân", "thân", "là", "gì?"]
    ans = answerer.answer(cited)
    assert ans.found and "không thể chuyển giao cho người khác" in ans.text, ans.text
    # The law itself asked about keeps its name.
    assert unchecked_law_removed("Bộ luật Lao động quy định điều gì?", index) == "Bộ luật Lao động quy định điều gì?"

    folder = tmp_path / "laws"
    folder.mkdir()
    (folder / "luat-bao-ve-moi-truong.md").write_text(
        "LUẬT BẢO VỆ MÔI TRƯỜNG\n\nĐiều 1. Phạm vi điều chỉnh\n\nLuật này quy định về hoạt động bảo vệ môi trường.\n",
        encoding="utf-8",
    )
    library = build_library(settings)
    report = library.sync([folder])
    library.close()
    assert not report.failed and index.document_meta(), report.failed
    assert unchecked_law_removed(question, build_answerer(settings).searcher.index) == question


def test_the_direct_answer_leads_with_the_fact_asked_for(corpus_data: Path) -> None:
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    cases = [
        ("Tổ công tác số 1 do cơ quan nào chủ trì?", "Bộ Tư pháp"),  # the row, not the caption
        # Not the "Căn cứ …" line naming the committee (a legal basis), nor the committee the question names
        ("co quan thuong truc ban chi dao trung uong ve khcn dmst cds la co quan nao", "Văn phòng Trung ương Đảng"),
        # The item labelled with the question's own words ("7.4. Báo cáo năm: …"), not its neighbour "Báo cáo quý"
        ("bao cao nam tren he thong theo doi nq57 gui truoc ngay nao", "15 tháng 12 hằng năm"),
        # Asked at its latest: the date the text states so ("chậm nhất ngày …"), not the year the count is for
        ("105 cơ sở dữ liệu phải hoàn thành chậm nhất khi nào?", "chậm nhất ngày 31 tháng 12 năm 2025"),
        ("Hà Nội phải công bố danh mục dữ liệu dùng chung trước ngày nào?", "31 tháng 12 năm 2025"),
        ("Nghị quyết 57-NQ/TW đặt mục tiêu quy mô kinh tế số đạt bao nhiêu phần trăm GDP vào năm 2030?", "30%"),
        # Not three rows of the table: the clause above them says how many groups it sets up
        ("Quyết định 125/QĐ-BCĐTW thành lập bao nhiêu Tổ công tác chuyên trách?", "06 Tổ công tác chuyên trách"),
        # Fourth: the Arabic passage takes the third place, and the third passage's figure is another one
        (
            "Thủ tướng Chính phủ đã đồng ý phân bổ bao nhiêu kinh phí cho các nhiệm vụ thực hiện Nghị quyết 57?",
            "13.659,992",
        ),
    ]
    for question, fact in cases:
        ans = answerer.answer(question)
        assert ans.found and fact in ans.short, (question, ans.short, ans.body)
        assert ans.body.startswith(ans.short)
        cited = {c.rank: c.text for c in ans.citations}
        assert ans.short in cited[ans.short_rank]  # verbatim from the passage it cites
        for quote in ans.quotes:  # each quote verbatim, a lead-in and its point joined by JOIN
            assert all(part in cited[quote.rank] for part in re.split(f"{JOIN}|\n", quote.text))
            assert not quote.text.rstrip().endswith(":") or ans.short in quote.text  # never a caption alone
        assert len({q.text for q in ans.quotes}) == len(ans.quotes) <= 2


def test_the_span_the_question_restates_is_its_answer() -> None:
    """Several figures in one unit: the one whose neighbours are the question's words either side of
    "bao nhiêu", then the one with the question's words in its own sentence."""
    cases = [
        (
            "Theo báo cáo, trong năm 2026 còn bao nhiêu hồ sơ phải giải quyết?",
            "Trong 610 hồ sơ đang xử lý, có 580 hồ sơ phải giải quyết trước ngày 30 tháng 6 năm 2026. Cộng với 45 "
            "hồ sơ trễ hạn, trong năm 2026 còn 625 hồ sơ phải giải quyết.",
            "625 hồ sơ",
        ),
        (
            "Ủy ban nhân dân tỉnh đã đồng ý phân bổ bao nhiêu kinh phí cho các xã?",
            "Sở Tài chính đề xuất bố trí 92,5 tỷ đồng cho 12 sở (60,1 tỷ đồng) và 40 xã (32,4 tỷ đồng). Ủy ban "
            "nhân dân tỉnh đã đồng ý phân bổ 80,25 tỷ đồng; số còn lại là 12,25 tỷ đồng.",
            "80,25 tỷ đồng",
        ),
        (  # "ubnd" is "Ủy ban nhân dân", and a person's titles follow the name, up to the next ";"
            "chu tich ubnd tinh ninh thuan la ai",
            "Dự tại điểm cầu tỉnh Ninh Thuận có đồng chí Lê Văn An, Bí thư Tỉnh ủy; đồng chí Trần Thị Bình, Phó Bí "
            "thư Tỉnh ủy, Chủ tịch Ủy ban nhân dân tỉnh; đồng chí Võ Minh Cường, Trưởng Đoàn đại biểu Quốc hội tỉnh.",
            "đồng chí Trần Thị Bình",
        ),
    ]
    for question, unit, answer in cases:
        asked = asked_for(question)
        found = tuple(sp for sp in spans(unit, asked) if not echoes(sp, asked, question))
        assert restated(found, unit, question).text.startswith(answer), [sp.text for sp in found]


def test_an_organ_is_named_without_the_question_s_own_predicate(corpus_data: Path) -> None:
    """ "Ai ban hành …" is answered by the organ, not by "<organ> ban hành …": what follows "ai / cơ quan nào"
    in the question follows the organ in the text."""
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    ans = answerer.answer("Cơ quan nào trình Thủ tướng Chính phủ ban hành Danh mục công nghệ chiến lược?")
    assert ans.found and ans.short == "Bộ Khoa học và Công nghệ", ans.short  # was "… Công nghệ trình Thủ tướng Chính"
    assert _named_only("Thủ tướng Chính phủ ban hành và sửa đổi", "Ai là người ban hành và sửa đổi Danh mục?") == (
        "Thủ tướng Chính phủ"
    )
    assert _named_only("Chính phủ xác lập", "Không gian mạng quốc gia là do ai xác lập?") == "Chính phủ"
    # Capitalised words are the name's own, even where the question says them after "nào"
    assert _named_only("Bộ Khoa học và Công nghệ", "Cơ quan nào thuộc Bộ Khoa học và Công nghệ?") == (
        "Bộ Khoa học và Công nghệ"
    )


@pytest.mark.parametrize(
    ("question", "counted"),
    [
        ("Trong năm 2025 còn bao nhiêu nhiệm vụ phải hoàn thành?", "nhiem vu"),  # up to the auxiliary
        ("Hà Nội còn bao nhiêu nhiệm vụ chậm theo chỉ đạo Trung ương?", "nhiem vu cham"),  # up to the preposition
        ("Mô hình đã triển khai tại bao nhiêu đại học trọng điểm?", "dai hoc trong diem"),  # "trọng" is no "trong"
        ("Quyết định thành lập bao nhiêu Tổ công tác chuyên trách?", "to cong tac chuyen trach"),  # five words
        ("Người từ đủ bao nhiêu tuổi phải chịu trách nhiệm hình sự?", "tuoi"),  # a measure word
        (
            "Mỗi xã có ít nhất mấy công chức chuyên trách chuyển đổi số?",
            "cong chuc chuyen trach chuyen doi so",
        ),  # seven
        ("Kế hoạch 02 tập trung làm mấy CSDL trọng điểm?", "co so du lieu trong diem"),  # as documents spell it
        ("Xã đã xong được mấy nhiệm vụ NQ57 rồi?", "nhiem vu"),  # the document named after it is not counted
        ("Có bao nhiêu nhiệm vụ Kế hoạch số 02 đã hoàn thành?", "nhiem vu"),
    ],
)
def test_the_noun_a_question_counts(question: str, counted: str) -> None:
    assert asked_for(question).counted == counted


def test_a_passage_far_ahead_on_the_question_s_words_takes_second_place() -> None:
    chunks = {c: StoredChunk(c, "kh.md", f"đoạn {c}", "Mục I", 0) for c in ("a", "b", "c", "d", "lead")}
    hits = [Hit(chunks[c], 1.0 - i / 10, dense=0.85) for i, c in enumerate("abcd")]
    dense = [("a", 0.85), ("lead", 0.80)]
    led = lexical_lead(hits, dense, [("lead", 13.8), ("b", 7.9)], chunks, "vi", 1.2)
    assert [h.chunk.id for h in led] == ["a", "lead", "b", "c"] and led[1].dense == 0.80
    # Not when the lead is narrow, nor when fusion already put it first or second.
    assert lexical_lead(hits, dense, [("lead", 9.0), ("b", 7.9)], chunks, "vi", 1.2) == hits
    assert lexical_lead(hits, dense, [("b", 13.8), ("c", 7.9)], chunks, "vi", 1.2) == hits


def test_paraphrased_questions_are_found_and_half_answered(corpus_data: Path) -> None:
    """Questions on the corpus in an official's own words (tests/eval/paraphrased.jsonl): the passage is found as
    for our own questions, but the refusal, fitted mostly on questions that restate their documents, refuses many."""
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    m = evaluate(answerer, load_questions(QA.with_name("paraphrased.jsonl"))).as_dict()
    print(json.dumps(m["paraphrased/tuning"], indent=1))
    # Measured: hit@3 0.917, answered 0.583, contains 0.521; the unanswerable ones refused 0.143 / 1.0 (halves).
    # With everyday words met (a final "rồi"/"vậy" dropped, "lo", "làm", "tiền" … as the documents say them):
    # answered 0.667, contains 0.583; with English function words not weighed as Vietnamese syllables, 0.688 / 0.604.
    _gate(m, "paraphrased/tuning", **{"hit@3": 0.85, "answered": 0.6, "contains": 0.55})


def test_everyday_words_of_a_question_meet_the_documents_formal_ones(corpus_data: Path) -> None:
    """Officials ask "… họp mấy cuộc rồi?", "Ai lo khâu tuyên truyền …?": the particle says nothing and "lo" is
    what the documents call "chủ trì"; both questions were refused for those words."""
    assert present("lo", words("Ban Tuyên giáo Trung ương chủ trì")) and not present("lo", words("Bộ Tài chính"))
    assert present("tien", words("Kinh phí thực hiện")) and present("lam", words("thực hiện Nghị quyết"))
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    ans = answerer.answer("Từ đầu năm 2025 BCĐ họp mấy cuộc rồi?")
    assert ans.found and "25 cuộc" in ans.text, ans.text
    ans = answerer.answer("Ai lo khâu tuyên truyền, quán triệt nghị quyết 57?")
    assert ans.found and "Ban Tuyên giáo Trung ương" in ans.text, ans.text


def test_a_passage_holds_for_search_the_place_its_issuer_is_of(hermetic_env: Path) -> None:
    """A commune's report names the commune in its header only ("ỦY BAN NHÂN DÂN XÃ HÒA MINH SƠN"); its passages
    with the figures say "xã". Searched by words, a question about that commune finds the report's passages before
    another commune's or province's on the same topic."""
    from ingestion.sync import build_library

    assert issuer_place("ỦY BAN NHÂN DÂN XÃ HÒA MINH SƠN") == "hoa minh son"
    assert (
        issuer_place("Tỉnh ủy Gia Lai") == "gia lai"
        and issuer_place("Bản tin Ban Chỉ đạo 57 Thành ủy Hà Nội") == "ha noi"
    )
    assert issuer_place("Ban Chỉ đạo Trung ương về phát triển khoa học, công nghệ") == ""
    settings = Settings.from_env({"TROLY_DATA_DIR": str(hermetic_env), "DOCS_DIR": str(FIXTURES)})
    library = build_library(settings)
    assert not library.sync([FIXTURES]).failed
    report = "07-BC-UBND_bao-cao-ket-qua-thuc-hien-nq57-nam-2025.md"
    found = library.index.search_lexical("Hòa Minh Sơn", 100)
    chunks = library.index.get_chunks([cid for cid, _ in found])
    passages = library.index.documents()[report].chunks
    first = [chunks[cid].doc_id for cid, _ in found[:passages]]
    assert passages > 5 and first == [report] * passages, first  # every passage of the report, before any other
    assert any("62,5%" in chunks[cid].text and "Hòa Minh Sơn" not in chunks[cid].text for cid, _ in found)
    library.close()


def test_a_figure_set_as_a_target_is_told_from_one_reached() -> None:
    text = (
        "Tỷ lệ hồ sơ được giải quyết trực tuyến toàn trình đạt 62,5%, vượt chỉ tiêu tỉnh giao (50%). Phấn đấu đến"
        " năm 2026, tỷ lệ này đạt 80% trở lên; cắt giảm 235 thủ tục (cao hơn chỉ tiêu 30%), công bố 2.144 thủ tục."
    )
    asked = asked_for("Tỷ lệ hồ sơ giải quyết trực tuyến toàn trình đạt bao nhiêu?")
    targets = {sp.text: is_target(sp, text) for sp in spans(text, asked)}
    assert targets == {"đạt 62,5%": False, "50%": True, "đạt 80%": True, "30%": True}, targets
    counted = {sp.text: is_target(sp, text) for sp in spans(text, asked_for("Công bố bao nhiêu thủ tục?"))}
    assert counted.get("2.144 thủ tục") is False, counted  # a target in parentheses before it sets not this one
    assert not asks_target("Tỷ lệ hồ sơ trực tuyến đạt bao nhiêu?")
    assert asks_target("Chỉ tiêu tỷ lệ hồ sơ trực tuyến là bao nhiêu?") and asks_target("Xã phải đạt bao nhiêu %?")
    # Read with diacritics: "cán bộ" is not "cần", spending ("chi tiêu") is no target ("chỉ tiêu").
    assert not asks_target("Bao nhiêu cán bộ đạt chuẩn?") and asks_target("xa phai dat bao nhieu phan tram")
    spent = "Tổng chi tiêu cho chuyển đổi số đạt 12% ngân sách."
    assert [is_target(sp, spent) for sp in spans(spent, asked)] == [False]


def test_a_target_asked_by_name_is_the_figure_set_as_one_and_a_row_s_unit_column_says_what_its_figures_are(
    corpus_data: Path,
) -> None:
    """A plan states this year's result and next year's target of one share; a table sets targets with "≥" and its
    unit in a column of its own. Asked for the target by name, the figure reached is not the answer."""
    row = (
        "STT: 3 | Chỉ tiêu: Tỷ lệ người dân có chữ ký số cá nhân | Đơn vị tính: % | Năm 2026: 41 | "
        "Giá trị mục tiêu năm 2027: ≥ 60 | Nguồn số liệu: Công an xã"
    )
    share = asked_for("Chỉ tiêu tỷ lệ người dân có chữ ký số năm 2027 là bao nhiêu phần trăm?")
    assert [(sp.text, is_target(sp, row)) for sp in spans(row, share)] == [("41", False), ("≥ 60", True)]
    count_row = "STT: 5 | Chỉ tiêu: Số camera giám sát | Đơn vị tính: camera/xã | Giá trị mục tiêu năm 2027: ≥ 40"
    assert [sp.text for sp in spans(count_row, asked_for("Mỗi xã lắp ít nhất bao nhiêu camera?"))] == ["≥ 40"]
    assert spans(count_row, share) == []  # a count is no share, whatever its row's other words
    assert [sp.text for sp in spans("Tỷ lệ đạt ≥ 95% kế hoạch.", share)] == ["≥ 95%"]

    def hit(doc: str, section: str, text: str) -> Hit:
        return Hit(StoredChunk(doc, doc, text, section, 0), 1.0, dense=0.88)

    hits = [
        hit(
            "kh.md",
            "Mục I",
            "### I. KẾT QUẢ NĂM 2026\n1. Tỷ lệ người dân có chữ ký số cá nhân đạt 41%, tăng 9% so với năm 2025.",
        ),
        hit("kh.md", "Mục II", "### II. NHIỆM VỤ NĂM 2027\n2. Tỷ lệ người dân có chữ ký số cá nhân đạt tối thiểu 60%."),
    ]
    index = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)})).searcher.index
    assert compose("Mục tiêu năm 2027 tỷ lệ người dân có chữ ký số ít nhất bao nhiêu?", hits, index).short == (
        "tối thiểu 60%"
    )
    assert compose("Tỷ lệ người dân có chữ ký số đạt bao nhiêu?", hits, index).short == "đạt 41%"
    # Asked for the least, the figure stated as a floor, not a plan's own figure for the same thing.
    floors = [
        hit("kh.md", "Mục III", "### III. CHỈ TIÊU NĂM 2027\n3. Lắp đặt 52 camera giám sát tại các thôn."),
        hit("hd.md", "Mục IV", count_row),
    ]
    assert compose("Mỗi xã phải lắp tối thiểu bao nhiêu camera giám sát?", floors, index).short == "≥ 40"


def with_fixtures(data: Path, folder: Path = FIXTURES) -> ExtractiveAnswerer:
    """The (extractive) answerer of an index that holds tests/fixtures too (or `folder`), loaded after what it
    held."""
    from ingestion.sync import build_library

    settings = Settings.from_env({"TROLY_DATA_DIR": str(data)})
    library = build_library(settings)
    report = library.sync([folder])
    library.close()
    assert not report.failed, report.failed
    answerer = build_answerer(settings)
    assert isinstance(answerer, ExtractiveAnswerer)
    return answerer


def test_quality_on_new_documents_asked_by_people_who_had_not_seen_the_system(corpus_data: Path) -> None:
    """Four more documents of another invented province (tests/fixtures_new: a commune's plan, a department's
    quarterly report, a conclusion notice, a decision issuing regulations) and their questions
    (tests/eval/newdocs.jsonl), written by someone who read neither the code nor the other sets. Two documents
    are its tuning half, looked at; the report and the decision are held out, measured only."""
    answerer = with_fixtures(corpus_data, NEW_DOCUMENTS)
    m = evaluate(answerer, load_questions(QA.with_name("newdocs.jsonl"))).as_dict()
    print(json.dumps({k: v for k, v in m.items() if k.startswith("newdocs/")}, indent=1))
    # Measured when the set was written: tuning answered 0.667, contains 0.556; held-out 0.667 / 0.5.
    _gate(m, "newdocs/tuning", **{"hit@3": 0.85, "answered": 0.85, "contains": 0.75})
    _gate(m, "newdocs/held_out", **{"hit@3": 0.9, "answered": 0.75, "contains": 0.55})
    # Spoken particles are no words of the subject: "vừa rồi" weighed as the rarest words, and none held.
    assert answerer.answer("Cuộc họp BCĐ đánh giá quý III vừa rồi ai chủ trì?").short.startswith(
        "đồng chí Phạm Đức Long"
    )
    # An abbreviation an official made ("Tổ CNSCĐ"): the documents write "Tổ công nghệ số cộng đồng".
    ans = answerer.answer("Xã Bản Mế có hạn đến bao giờ để lập đủ Tổ CNSCĐ ở tất cả các thôn?")
    assert ans.found and "05/11/2026" in ans.short, ans.text
    # English in the documents' words: "send in", "written", "self-review" (the glossary had none of them).
    question = "By what date must the chairs of Nam Khe and Ta Lung communes send in their written self-review reports?"
    assert answerer.answer(question).short == "trước ngày 25/10/2026"
    # The commune's plan is for 2026: its total is no answer for 2025.
    assert not answerer.answer("Tổng kinh phí chuyển đổi số của xã Đông Phú năm 2025 là bao nhiêu?").found
    assert answerer.answer("Tổng kinh phí chuyển đổi số của xã Đông Phú năm 2026 là bao nhiêu?").found


@needs_seeds
def test_an_article_retelling_the_answer_is_cited_beside_it(corpus_data: Path) -> None:
    """The Arabic article on the Gia Lai connection point names the Party Secretary who spoke there, as the
    Vietnamese news does. Holding as much of the question (through the bridge) as the third Vietnamese passage,
    it takes that place, cited beside the answer and not read for it: the answer is the Vietnamese sentence."""
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    question = "Ai là Bí thư Tỉnh ủy Gia Lai phát biểu tại điểm cầu của tỉnh?"
    hits = answerer.searcher.search(question, k=5)
    assert hits[2].chunk.doc_id.startswith("001_") and hits[2].beside, [(h.chunk.doc_id, h.beside) for h in hits]
    ans = answerer.answer(question)
    assert ans.short.startswith("đồng chí Thái Đại Ngọc") and ans.citations[2].source.startswith("001_")
    assert not re.search(r"[\u0600-\u06ff]", ans.body), ans.body


def test_english_plurals_in_ies_are_their_terms() -> None:
    assert english_terms("Which ministries and authorities?").split() == english_terms("ministry authority").split()
    assert "bo" in english_terms("Which ministries?").split()


def test_words_of_no_topic_weigh_nothing_in_the_refusal_evidence(corpus_data: Path) -> None:
    """Officials add words of no topic: "còn", "thêm … nữa", "bên Sở", "cả tỉnh", "ít nhất" (text.FUNCTION_WORDS).
    Documents rarely write them, so weighed by rarity they were a question's rarest words, missing: "Sở Tài chính
    còn được xin lùi hạn thêm lần nữa …" was refused with its passage first. The evidence is now that of the same
    question without them. Known only with diacritics: unaccented, "con" is as much "con dấu" as "còn"."""
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    index = answerer.searcher.index
    plain = "Hà Nội phải hoàn thành 105 cơ sở dữ liệu trước ngày nào?"
    added = "Hà Nội còn phải hoàn thành thêm 105 cơ sở dữ liệu nữa trước ngày nào ạ?"
    hits = answerer.searcher.search(plain, k=10)
    bare, said = gather_evidence(plain, hits, index), gather_evidence(added, hits, index)
    assert (said.cover, said.focus, said.unknown) == (bare.cover, bare.focus, bare.unknown), said.describe()
    # A syllable that also makes content words is kept ("quá hạn", "thiết bị"), and so is every word unaccented.
    assert fold(function_words_split("Xã còn mấy nhiệm vụ quá hạn?")).split() == "xa , may nhiem vu qua han?".split()
    assert function_words_split("xa con may nhiem vu") == "xa con may nhiem vu"
    assert fold(function_words_split("lập đủ ở tất cả các thôn")).split() == "lap du o , cac thon".split()  # not "tất"
    # "những" marks a plural ("công khai những gì?", "những nguồn nào"): no phrase with the word before it.
    assert fold(function_words_split("công khai những gì")).split() == "cong khai , gi".split()
    ans = answerer.answer('"Ba công khai" là công khai những gì?')
    assert ans.found and "ba công khai" in ans.body.lower(), ans.body


def test_the_words_that_ask_are_no_phrases_a_passage_could_hold(corpus_data: Path) -> None:
    """ "nhà mạng nào", "bao nhiêu phần trăm", "bản giấy không?": a passage that answers states the thing asked for
    instead, so the word pairs the asking words make were missing from every passage, and officials' questions (which
    ask in the middle, not as the documents' headings read) scored as about something else: 5 of Thanh Lâm's 22
    answerable accented questions were refused with their passage in hand. The words that ask now break phrases."""
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    index = answerer.searcher.index
    for asked, stated in (
        ("Bộ, ngành nào được giao nhiều nhiệm vụ nhất năm 2025?", "Bộ, ngành, được giao nhiều nhiệm vụ nhất năm 2025"),
        (
            "Cơ sở dữ liệu về đất đai và nhà ở có phải hoàn thành trong năm 2025 không?",
            "Cơ sở dữ liệu về đất đai và nhà ở có phải hoàn thành trong năm 2025",
        ),
        ("Kế hoạch 02 còn mấy nhiệm vụ chậm, quá hạn?", "Kế hoạch 02 còn, nhiệm vụ chậm, quá hạn"),
    ):
        hits = answerer.searcher.search(asked, k=10)
        said, bare = gather_evidence(asked, hits, index), gather_evidence(stated, hits, index)
        assert said.pairs == bare.pairs, (asked, said.describe(), bare.describe())
    # "không" inside a question is a word of its topic; a trailing one asks. Unaccented, "nao" may be "não".
    assert (
        fold(question_words_split("Xã không dùng giấy từ ngày nào?")).split()
        == "xa khong dung giay tu ngay , ?".split()
    )
    assert question_words_split("xa nao chua xong") == "xa nao chua xong"


def test_a_figure_asked_of_passages_that_state_none_is_refused(corpus_data: Path) -> None:
    """The passages on the digital literacy movement say much of the question, and state no sum of money at all:
    they cannot say its budget. Refused, whatever the score."""
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    assert isinstance(answerer, ExtractiveAnswerer)
    question = "Ngân sách năm 2026 cho phong trào Bình dân học vụ số là bao nhiêu?"
    hits = answerer.searcher.search(question, k=5)
    assert answerer.refusal_reason(question, hits).startswith("no money stated"), answerer.refusal_reason(
        question, hits
    )
    refused = answerer.answer(question)
    assert not refused.found and refused.unmet == "money"
    # As a phone shows it: what was searched, that the passages state no amount, then the two closest, collapsed.
    html = "".join(o.html for o in render_answer(answer_view(None, "q", refused, "vi")) if isinstance(o, TextOut))
    said = [html.index(s) for s in ("Không tìm thấy", "không nêu số tiền mà câu hỏi cần", "Hai đoạn gần nhất")]
    assert said == sorted(said), html
    # Asked for a figure they state, they answer.
    assert answerer.answer("Nghị quyết 57 đặt mục tiêu kinh tế số đạt bao nhiêu phần trăm GDP năm 2030?").found
    # Of a year whose figure they do not state, not: a plan for 2026 states its total, which is no total for 2025.
    plan = DocumentMeta(title="Kế hoạch chuyển đổi số xã Đông Phú năm 2026", language="vi")
    total = Hit(StoredChunk("c1", "kh.md", "Tổng kinh phí thực hiện: 1.850 triệu đồng.", "IV", 0, plan), 1.0)
    asked = "Tổng kinh phí chuyển đổi số của xã Đông Phú năm {} là bao nhiêu?"
    assert not figure_stated(asked.format(2025), [total]) and figure_stated(asked.format(2026), [total])
    # A sentence naming its own year is of that year, whatever its passage's title says.
    said = Hit(StoredChunk("c2", "kh.md", "Năm 2025, xã đã chi 320 triệu đồng.", "I", 0, plan), 1.0)
    assert figure_stated(asked.format(2025), [said]) and not figure_stated(asked.format(2026), [said])
    assert figure_stated("Tổng kinh phí chuyển đổi số của xã Đông Phú là bao nhiêu?", [total])
    # A rate asks for a sum however it is counted; "số lượng" in a condition asks nothing.
    asked = asked_for("Tổ trưởng được hỗ trợ bao nhiêu một tháng?")
    assert asked.kind == QUANTITY and asked.measured and not asked.counted
    assert asked_for("Bên vay có nghĩa vụ gì nếu không thể trả vật đúng số lượng, chất lượng?").kind != QUANTITY
    assert asked_for("Số lượng thành viên Ban Chỉ đạo?").kind == QUANTITY


def test_spoken_particles_and_made_up_abbreviations() -> None:
    # With diacritics the particles are unambiguous; folded they would be other words ("rời", "cá", "vua").
    said = re.findall(r"\w+", unframed("Cuộc họp vừa rồi ai chủ trì, tất cả các xã đều dự ạ?"))
    assert said == "cuoc hop ai chu tri cac xa du".split(), said
    assert "gia lai" in unframed("Tỉnh Gia Lai làm lại kế hoạch") and "ca nhan" in unframed("Cá nhân có quyền gì?")
    passage = ["Mỗi thôn thành lập 01 Tổ công nghệ số cộng đồng, gồm từ 05 đến 09 thành viên."]
    unknown = lambda word: False  # noqa: E731
    assert initials_spelt("Tổ CNSCĐ có mấy người?", passage, unknown) == "Tổ công nghệ số cộng đồng có mấy người?"
    # One the index knows, one no passage spells, one typed in lower case: left as typed.
    assert initials_spelt("Tổ CNSCĐ có mấy người?", passage, lambda word: True) == "Tổ CNSCĐ có mấy người?"
    assert initials_spelt("Tổ XYZ có mấy người?", passage, unknown) == "Tổ XYZ có mấy người?"
    assert initials_spelt("to cnscd co may nguoi", passage, unknown) == "to cnscd co may nguoi"


def test_an_abbreviation_a_question_types_is_present_where_the_passage_writes_it_out() -> None:
    passage = words("Tỷ lệ thủ tục hành chính giải quyết trực tuyến; Nghị quyết số 57 về chuyển đổi số.")
    assert present("tthc", passage) and present("cds", passage) and present("nq57", passage)
    assert not present("nq58", passage) and not present("csdl", passage)  # another number; words it does not hold


def test_a_qualified_deadline_is_a_deadline_and_whom_to_contact_is_a_person() -> None:
    assert asked_for("Hạn ban đầu để nộp hồ sơ là ngày nào?").deadline
    assert asked_for("Hạn mới sau khi gia hạn là ngày nào?").deadline
    assert not asked_for("Hội nghị diễn ra vào ngày nào?").deadline
    text = "Thông báo số 12/TB-UBND ngày 03/4/2026 giao nhiệm vụ, có thời hạn ngày 30/6/2026."
    deadline = asked_for("Hạn ban đầu của nhiệm vụ giao tại Thông báo 12 là ngày nào?")
    assert [sp.text for sp in spans(text, deadline) if states_deadline(sp, text)] == ["ngày 30/6/2026"]
    assert asked_for("Muốn hỏi cách nhập số liệu thì liên hệ cán bộ nào?").person
    assert asked_for("Cần hướng dẫn thì liên hệ với ai?").person
    assert not asked_for("Cơ quan nào chủ trì nhiệm vụ này?").person


def test_an_acronym_after_the_noun_counted_is_not_part_of_it() -> None:
    asked = asked_for("Nộp báo cáo trễ thì bị trừ bao nhiêu điểm DTI?")
    assert asked.counted == "diem"
    text = "b) Chậm từ 05 ngày làm việc trở lên: trừ 10 điểm khi chấm Chỉ số chuyển đổi số (DTI) năm 2027;"
    assert [sp.text for sp in spans(text, asked)] == ["10 điểm"]
    assert asked_for("Có mấy CSDL trọng điểm?").counted == "co so du lieu trong diem"  # the noun itself: spelt out


def test_the_words_asking_for_a_date_or_an_organ_are_not_looked_for_in_the_passage() -> None:
    """A table's row says "Thời hạn: 31/3/2027" and "Cơ quan chủ trì: …": a date or an organ answers "xong trước ngày
    nào", "bộ phận nào chịu trách nhiệm chính", not the same words."""
    said = lambda q: re.findall(r"\w+", asking_phrase_removed(q))  # noqa: E731
    assert said("Sổ hộ tịch phải số hóa xong trước ngày nào?") == "Sổ hộ tịch phải số hóa".split()
    assert said("Việc số hóa do bộ phận nào của xã chịu trách nhiệm chính?") == "Việc số hóa do".split()
    assert said("Hạn chót nộp báo cáo quý là khi nào?") == "nộp báo cáo quý là".split()
    # Other kinds keep their words: what is counted, what is done.
    assert said("Xã phải hoàn thành bao nhiêu nhiệm vụ?") == "Xã phải hoàn thành bao nhiêu nhiệm vụ".split()


def test_an_organ_s_name_ends_before_what_it_does_with_an_amount() -> None:
    organ = asked_for("Cơ quan nào hỗ trợ kinh phí?")
    text = "3. Đề nghị Sở Tài chính hỗ trợ 450 triệu đồng để hoàn thành số hóa hồ sơ địa chính."
    assert [sp.text for sp in spans(text, organ)] == ["Sở Tài chính"]
    assert [sp.text for sp in spans("Ban Chỉ đạo 389 quốc gia theo dõi.", organ)] == ["Ban Chỉ đạo 389 quốc gia"]


def test_the_courts_words_reach_an_article_in_another_script() -> None:
    """The vocabulary of the courts (court, council of judges, litigation, the digital environment) is put into the
    documents' words and from them into the articles' script, as offices and acts are."""
    question = "Which court issued the Council of Judges resolution on litigation in the digital environment?"
    terms = bridged_question(question, "en")
    said = arabic_stems("أصدرت المحكمة قرار مجلس القضاة بشأن إجراءات التقاضي في البيئة الرقمية.")
    held = [t for t in terms if holds(said, t)]
    assert {"toa an", "hoi dong tham phan", "to tung", "moi truong so"} <= set(held), held
    assert holds(arabic_stems("دادگاه شورای قضات را تشکیل داد"), "hoi dong tham phan")


def test_quality_on_documents_loaded_after_the_corpus(corpus_data: Path) -> None:
    """Five documents the corpus did not hold (tests/fixtures: a commune's plan, report and a province's decision,
    notice and letter), loaded later, and questions typed by people who had not seen the system
    (tests/eval/fresh.jsonl); split by document like the own set."""
    answerer = with_fixtures(corpus_data)
    m = evaluate(answerer, load_questions(FRESH)).as_dict()
    print(json.dumps({k: v for k, v in m.items() if k.startswith("fresh/") and "·" not in k}, indent=1))
    # Measured: tuning hit@3 0.925, answered 0.75; held-out 0.792 / 0.458 (refused with the passage found: the
    # calibration fitted on these tuning documents too does not carry to the others). Then tuning 0.95 / 0.825,
    # held-out 0.792 / 0.5 (everyday words; Markdown headers read).
    _gate(m, "fresh/tuning", **{"hit@3": 0.9, "answered": 0.75, "contains": 0.65})
    _gate(m, "fresh/held_out", **{"hit@3": 0.7, "answered": 0.4})
    # Meaning and words weigh the same (search.FusionWeights): with the words at 0.35 of the meaning, the passage
    # answering each of these came fourth to sixth, behind passages on the same topic that e5 put nearer.
    by_id = {q.id: q for q in load_questions(FRESH)}
    for qid in ("f034", "f050", "f065"):
        cited = to_citations(answerer.searcher.search(by_id[qid].question, k=5))[:3]
        assert any(is_hit(by_id[qid], c) for c in cited), (qid, [f"{c.source} {c.section}" for c in cited])
    # The Arabic passage closest to every question on the Resolution ("ministries and localities have made
    # efforts …") holds none of this question's terms put into Arabic: it does not take the third place.
    hits = answerer.searcher.search("Xã Hòa Minh Sơn năm 2025 xong được mấy nhiệm vụ NQ57 rồi?", k=5)
    assert all(h.chunk.meta.language == "vi" for h in hits[:3]), [h.chunk.doc_id for h in hits[:3]]
    # Two documents named: the decision, which no other title names, is the source; the resolution is the topic.
    question = "Theo Quyết định 210 ai làm Trưởng ban chỉ đạo NQ57 của tỉnh?"
    hits = answerer.searcher.search(question, k=5)
    assert [h.chunk.doc_id[:11] for h in hits[:3]] == ["210-QD-UBND"] * 3, [h.chunk.doc_id for h in hits[:3]]
    assert answerer.answer(question).short == "Ông Trần Quốc Vinh, Chủ tịch UBND tỉnh"
    # A report gives what was reached and next year's target for the same share: asked what it reached, the figure
    # reached; asked what it aims for, the target.
    # Its proposals, numbered under a heading with no lead-in: all three, as one list (two quotes left one out).
    ans = answerer.answer("Xã Hòa Minh Sơn kiến nghị những gì?")
    assert (
        ans.found
        and len(ans.quotes) == 1
        and [line[:3] for line in ans.quotes[0].text.split("\n")]
        == [
            "1. ",
            "2. ",
            "3. ",
        ]
    ), ans.text
    reached = "Tỷ lệ hồ sơ giải quyết trực tuyến toàn trình của xã Hòa Minh Sơn đạt bao nhiêu?"
    assert answerer.answer(reached).short == "đạt 62,5%"
    aimed = "Xã Hòa Minh Sơn phấn đấu tỷ lệ hồ sơ giải quyết trực tuyến toàn trình đạt bao nhiêu?"
    assert answerer.answer(aimed).short == "đạt 80%"
    # An English question naming Decision 210 (as the fresh set asks it): of that decision, the passage its words
    # meet once put into the documents' ("support team" → tổ giúp việc), not its opening.
    question = "Under Decision 210, who leads the support team (Tổ giúp việc) of the steering committee?"
    first = answerer.searcher.search(question, k=5)[0]
    assert "Thành lập Tổ giúp việc" in first.chunk.text, first.chunk.section
    # No article in another script takes the third place from a question about a commune the passages found name,
    # nor from one that names its source, a loaded document ("Thông báo 12"; "Nghị quyết 57" is the topic all
    # documents share, not a source). Each took it before.
    for local in (
        "Ai đứng đầu Ban Chỉ đạo chuyển đổi số của xã Hòa Minh Sơn?",
        "Who leads the review of administrative procedures in Tan Lap commune?",
        "Cơ quan thường trực theo dõi việc thực hiện Thông báo 12 là cơ quan nào?",
        question,
    ):
        hits = answerer.searcher.search(local, k=5)
        assert not any(h.kept for h in hits[:3]), (local, [h.chunk.doc_id for h in hits[:3]])
    assert not answerer.searcher.about_a_loaded_source("Ai chủ trì Hội nghị về Nghị quyết 57?", "vi")
    # A commune's report says "xã" in its passages; its header (the issuer) names the commune. A unit inherits the
    # place the question names from its document's issuer, as it inherits its title: the intro sentence naming the
    # commune ("Ủy ban nhân dân tỉnh Lâm Giang") no longer wins (nor does that intro, the report's basis, get quoted).
    ans = answerer.answer("Ai đứng đầu Ban Chỉ đạo chuyển đổi số của xã Hòa Minh Sơn?")
    assert ans.short == "đồng chí Lê Văn Khánh, Chủ tịch UBND xã", ans.text
    # English names the commune without its kind word; the province's notice on 4G is about another place.
    ans = answerer.answer("Which villages in Hoa Minh Son still have no stable 4G signal?")
    assert "Khe Dứa và Làng Mộc" in ans.text, ans.text
    # "BCĐ" is spelt out before the meaning is embedded: e5 put the decision's article on the committee's
    # meetings 8th for "BCĐ tỉnh …" (2nd for "Ban Chỉ đạo tỉnh …"), and "Định kỳ 02 tuần một lần" of another
    # body's working group was the answer.
    ans = answerer.answer("BCĐ tỉnh họp định kỳ bao lâu một lần?")
    assert ans.short == "mỗi quý một lần", ans.text


def test_a_question_about_a_place_is_answered_from_documents_that_name_it(corpus_data: Path) -> None:
    """ "… của xã Tân Lập": a province's plan sharing more of the question's words is not where the answer is,
    when a passage of the commune's own plan (its title names the commune) is among those found."""

    def hit(doc: str, title: str, text: str) -> Hit:
        chunk = StoredChunk(doc, doc, text, "Mục II", 0)
        return Hit(replace(chunk, meta=replace(chunk.meta, title=title)), 1.0, dense=0.85)

    hits = [
        hit(
            "tu.md",
            "Kế hoạch của Tỉnh ủy Gia Lai",
            "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính trong tháng 10.",
        ),
        hit("kh.md", "Kế hoạch chuyển đổi số của xã Tân Lập", "3. Số hóa 100% hồ sơ trước ngày 31 tháng 10 năm 2026."),
    ]
    question = "han so hoa ho so ket qua giai quyet thu tuc hanh chinh cua xa tan lap"
    assert about_elsewhere(question, hits) == {0}
    assert about_elsewhere("han so hoa ho so cua xa hoa binh", hits) == set()  # no passage names it: no cut
    assert about_elsewhere("Hạn số hóa hồ sơ là khi nào?", hits) == set()
    index = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)})).searcher.index
    assert compose(question, hits, index).short == "trước ngày 31 tháng 10 năm 2026"
    assert compose(question, hits[:1], index).short != "trước ngày 31 tháng 10 năm 2026"  # only the province's


def test_a_documents_closing_formula_is_never_quoted(corpus_data: Path) -> None:
    """ "Trên đây là báo cáo của Ủy ban nhân dân xã Hòa Minh Sơn./." names the document and its commune, so it held
    most of a question about that commune and was its first quote; it states nothing."""
    chunk = StoredChunk(
        "bc.md",
        "bc.md",
        "3. Đề nghị Sở Tài chính hỗ trợ 450 triệu đồng.\nTrên đây là báo cáo của Ủy ban nhân dân xã Hòa Minh Sơn./.",
        "Mục V",
        0,
    )
    index = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)})).searcher.index
    draft = compose("Ủy ban nhân dân xã Hòa Minh Sơn báo cáo gì?", [Hit(chunk, 1.0, dense=0.9)], index)
    assert draft.quotes and not any("Trên đây" in q.text for q in draft.quotes), draft.quotes


def test_a_plans_opening_that_names_its_bases_is_never_quoted_though_its_units_split(corpus_data: Path) -> None:
    """ "Thực hiện Nghị quyết …; Thông báo kết luận số 45 … của đồng chí Tổng Bí thư … tại Hội nghị …, Ban Thường vụ
    Tỉnh ủy ban hành Kế hoạch thực hiện như sau." is one basis, split into units at ";": its second unit held the
    question's words (Bí thư, Tỉnh ủy, hội nghị) and answered "Bí thư Tỉnh ủy … là ai?" with "Ban Chỉ đạo Trung
    ương"."""
    opening = StoredChunk(
        "kh.md",
        "kh.md",
        "Thực hiện Nghị quyết số 57-NQ/TW ngày 22 tháng 12 năm 2024 của Bộ Chính trị; Thông báo kết luận số 45-TB/TW "
        "của đồng chí Tổng Bí thư, Trưởng Ban Chỉ đạo Trung ương tại Hội nghị sơ kết quý III năm 2025 (tỉnh Gia Lai "
        "tham dự tại điểm cầu của Tỉnh), Ban Thường vụ Tỉnh ủy ban hành Kế hoạch thực hiện như sau.",
        "Mở đầu",
        0,
    )
    news = StoredChunk(
        "tt.md",
        "tt.md",
        "Tham dự tại điểm cầu tỉnh Gia Lai có đồng chí Thái Đại Ngọc, Ủy viên Trung ương Đảng, Bí thư Tỉnh ủy.",
        "3",
        0,
    )
    index = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)})).searcher.index
    question = "Bí thư Tỉnh ủy Gia Lai dự hội nghị sơ kết quý III là ai?"
    draft = compose(question, [Hit(opening, 1.0, dense=0.9), Hit(news, 0.9, dense=0.88)], index)
    assert draft.short.startswith("đồng chí Thái Đại Ngọc") and not any("Thực hiện" in q.text for q in draft.quotes), (
        draft
    )
    asked = compose("Kế hoạch được ban hành căn cứ văn bản nào?", [Hit(opening, 1.0, dense=0.9)], index)
    assert asked.quotes and "Thông báo kết luận" in " ".join(q.text for q in asked.quotes)  # unless it is asked


def test_a_case_asked_is_answered_by_the_sentence_that_names_it(corpus_data: Path) -> None:
    """ "…, trừ trường hợp nào?" asks for a case, which one sentence names after the question's words: that sentence
    answers it, not a list in the next passage (which held the kind a list question asks for, and so led)."""
    article = StoredChunk(
        "c1",
        "bl.md",
        "Điều 9. Thực hiện quyền dân sự\n1. Cá nhân, pháp nhân thực hiện quyền dân sự theo ý chí của mình.\n2. Việc cá"
        " nhân, pháp nhân không thực hiện quyền dân sự của mình không phải là căn cứ làm chấm dứt quyền, trừ trường"
        " hợp luật có quy định khác.",
        "Điều 9",
        0,
    )
    listed = StoredChunk(
        "c2",
        "bl.md",
        "Điều 11. Bảo vệ quyền dân sự\nKhi quyền dân sự của cá nhân, pháp nhân bị xâm phạm thì chủ thể đó có quyền:\n"
        "1. Công nhận, tôn trọng quyền dân sự của mình.\n2. Buộc chấm dứt hành vi xâm phạm.",
        "Điều 11",
        1,
    )
    index = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)})).searcher.index
    question = (
        "Việc cá nhân, pháp nhân không thực hiện quyền dân sự của mình không phải là căn cứ làm chấm dứt quyền, trừ"
        " trường hợp nào?"
    )
    draft = compose(question, [Hit(article, 1.0, dense=0.9), Hit(listed, 0.9, dense=0.89)], index)
    assert draft.short == "luật có quy định khác", draft


def test_a_passage_kept_for_another_script_is_not_part_of_e5_s_margin() -> None:
    """The refusal's margin (best similarity over the fifth) is e5's: the Arabic passage kept the third place sits
    lower on another language's scale, which would read as a focused match."""
    from retrieval.refusal import gather_evidence as evidence

    class NoIndex:
        def chunk_frequency(self, terms: list[str]) -> dict[str, int]:
            return {}

        def count_chunks(self) -> int:
            return 1

        def document_frequency(self, terms: list[str], raw: bool = False) -> dict[str, int]:
            return {t: 1 for t in terms}

        def document_meta(self) -> dict[str, object]:
            return {}

    def hit(cid: str, dense: float, language: str = "vi", kept: bool = False) -> Hit:
        chunk = StoredChunk(cid, f"{cid}.md", "Nội dung.", "Mục I", 0)
        return Hit(replace(chunk, meta=replace(chunk.meta, language=language)), 1.0, dense=dense, kept=kept)

    same = [hit("a", 0.90), hit("b", 0.89), hit("c", 0.885), hit("d", 0.88)]
    kept = [*same[:2], hit("ar", 0.80, "ar", kept=True), *same[2:]]
    question = "Có bao nhiêu nhiệm vụ?"
    assert evidence(question, kept, NoIndex()).margin == pytest.approx(0.02)  # type: ignore[arg-type]
    assert evidence(question, kept, NoIndex()).margin == evidence(question, same, NoIndex()).margin  # type: ignore[arg-type]


def test_an_answer_is_never_blank_when_nothing_in_the_passages_can_be_quoted(tmp_path: Path) -> None:
    """The commune's report only (tests/fixtures): its header leads a question naming the commune, and the header
    is not quoted (a document's basis and place, not an answer); the other passages are about other places. The
    answer was found with no text at all (a blank message on the phone); it is a refusal, naming what was
    searched, on both paths (the model is not asked)."""
    from ingestion.sync import build_library

    settings = Settings.from_env({"TROLY_DATA_DIR": str(tmp_path / "data"), "DOCS_DIR": str(FIXTURES)})
    library = build_library(settings)
    assert not library.sync([FIXTURES]).failed
    library.close()
    # (Worded "năm 2025 xong được mấy … rồi", the question also finds the report's funding paragraph, quoted though
    # it gives no count: the case needs passages with nothing to quote.)
    question = "Xã Hòa Minh Sơn xong bao nhiêu nhiệm vụ Nghị quyết 57?"
    answerer = build_answerer(settings)
    assert isinstance(answerer, ExtractiveAnswerer)
    hits, found = answerer.retrieve(question)
    assert found and answerer.draft(question, hits).empty  # what the passages hold, as the answer sees it
    ans = answerer.answer(question)
    assert not ans.found and ans.text.startswith("Không tìm thấy") and 0 < len(ans.citations) <= 2, ans.text
    with FakeLLM(reply=lambda request: "Theo [1], 17 nhiệm vụ [1].").run_in_thread() as llm:
        conf = Settings.from_env({"TROLY_DATA_DIR": str(tmp_path / "data"), "LLM_BASE_URL": llm.base_url})
        model = build_answerer(conf)
        assert isinstance(model, LLMAnswerer)
        by_model = model.answer(question)
        assert not by_model.found and by_model.text == ans.text and not llm.requests


def test_a_question_naming_its_source_is_answered_from_it(corpus_data: Path) -> None:
    """A question that names its source, a loaded document ("Kế hoạch 85 giao …", "Công văn 33 yêu cầu …"), is
    about that document: its best passages lead, and when it holds every word of what is asked the question is
    answered, however few of them one passage holds (each was refused; "Công văn 33 …" found report 07 first). A
    word the document never uses leaves it to the score, which refuses: "phụ cấp" of a decision that sets none,
    who signed a plan whose signature is not among its passages."""
    answerer = with_fixtures(corpus_data)
    for question, symbol, said in [
        ("Kế hoạch 85 giao Công an xã những việc gì?", "85/KH-UBND", "Công an xã phối hợp"),
        ("ke hoach 85 giao cong an xa viec gi", "85/KH-UBND", "Công an xã phối hợp"),
        ("Công văn 33 yêu cầu các xã làm gì?", "33/SKHCN-QLCN", "khẩn trương thực hiện"),
        ("QĐ 210 thay cho quyết định cũ nào?", "210/QĐ-UBND", "1125/QĐ-UBND"),
        ("Quyết định 210 có hiệu lực chưa?", "210/QĐ-UBND", "có hiệu lực từ ngày 01 tháng 8 năm 2025"),
    ]:
        ans = answerer.answer(question)
        assert ans.found and said in ans.body, (question, ans.body)
        assert ans.citations[0].symbol == symbol and {c.symbol for c in ans.cited()} == {symbol}, question
    for question in (
        "Thành viên Ban Chỉ đạo theo QĐ 210 được phụ cấp bao nhiêu mỗi tháng?",
        "Kế hoạch 85 do ai ký?",
        "Thông báo 12 giao Sở Y tế làm gì?",
    ):
        ans = answerer.answer(question)
        assert not ans.found, (question, ans.body)


def test_a_fresh_plan_is_answered_where_its_words_lead_though_e5_ranks_it_low(corpus_data: Path) -> None:
    """A commune's plan the index never held (tests/fixtures): its duties share one passage, which e5 ranks
    below passages of the other documents on the same topic; BM25 finds it far ahead of any other."""
    answerer = with_fixtures(corpus_data)
    cases = [
        ("Phòng Kinh tế phải trình đề xuất kinh phí trước ngày nào?", "trước ngày 28 tháng 02 năm 2026"),
        ("Ai trực tiếp chỉ đạo thực hiện Kế hoạch 85?", "Đồng chí Nguyễn Văn Hải, Phó Chủ tịch Ủy ban nhân dân xã"),
        ("Kinh phí đầu tư máy tính cho bộ phận một cửa là bao nhiêu?", "450 triệu đồng"),
        ("Bao nhiêu phần trăm người dân trưởng thành phải có tài khoản định danh mức 2?", "Tối thiểu 70%"),
        # The document named leads, and its units carry its number: not "Thông báo kết luận 45"'s standing office.
        ("Cơ quan thường trực theo dõi việc thực hiện Thông báo 12 là cơ quan nào?", "Sở Khoa học và Công nghệ"),
        # Why: the cause the notice gives, not the count of late tasks it explains.
        (
            "nguyen nhan tinh binh son cham tien do",
            "hạ tầng mạng tại 9 xã miền núi chưa bảo đảm; đội ngũ công chức chuyên trách công nghệ thông tin cấp xã còn "
            "thiếu, bình quân mỗi xã chỉ có 0,6 người",
        ),
    ]
    for question, short in cases:
        ans = answerer.answer(question)
        assert ans.found and ans.short == short, (question, ans.body)
    # Named by kind and number, a document is among the first three though its words do not lead.
    documents = answerer.searcher.index.document_meta()
    named = {
        q: named_documents(q, documents)
        for q in ("Theo KH 85, ai chỉ đạo?", "Thông báo 12 giao gì?", "Năm 2025?", "Under Decision No. 210, who leads?")
    }
    assert named == {
        "Theo KH 85, ai chỉ đạo?": ["85-KH-UBND_ke-hoach-xa-tan-lap.md"],
        "Thông báo 12 giao gì?": ["12-TB-UBND_thong-bao-ket-luan-tinh-binh-son.md"],
        "Năm 2025?": [],
        "Under Decision No. 210, who leads?": ["210-QD-UBND_quyet-dinh-thanh-lap-ban-chi-dao-nq57.md"],
    }, named
    answerer.searcher.weights = replace(answerer.searcher.weights, lexical_lead=float("inf"))
    ans = answerer.answer("Ai trực tiếp chỉ đạo thực hiện Kế hoạch 85?")
    assert ans.found and ans.short == "Đồng chí Nguyễn Văn Hải, Phó Chủ tịch Ủy ban nhân dân xã", ans.body


def test_a_title_names_a_document_by_its_whole_number_however_its_zeros_are_written() -> None:
    plan = DocumentMeta("Kế hoạch thực hiện Kế hoạch số 05-KH/BCĐTW và Nghị quyết 57", "12-KH/UBND")
    assert _names(plan, DocumentMeta("", "5-KH/BCĐTW"))
    assert _names(plan, DocumentMeta("", "005-KH/BCĐTW"))
    assert not _names(plan, DocumentMeta("", "57-NQ/TW"))  # "Nghị quyết 57" without its symbol names no document
    assert not _names(plan, DocumentMeta("", "50-KH/BCĐTW"))
    assert not _names(plan, DocumentMeta("", "5-KH/UBND"))


def test_the_first_three_passages_hold_at_most_two_rows_of_one_table() -> None:
    def hit(section: str, text: str, doc: str = "qd.md") -> Hit:
        return Hit(StoredChunk(section, doc, text, section, 0), 1.0)

    rows = [hit(f"Điều 1 › Khoản 2 › dòng {n}", f"Điều 1.\nTổ: Tổ số {n} | Chủ trì: Bộ {n}") for n in (3, 1, 2, 4)]
    clause = hit("Điều 1 › Khoản 1", "Điều 1.\n1. Thành lập 06 Tổ công tác chuyên trách.")
    assert [h.chunk.section for h in at_most_two_rows([*rows, clause])][:3] == [
        "Điều 1 › Khoản 2 › dòng 3",
        "Điều 1 › Khoản 2 › dòng 1",
        "Điều 1 › Khoản 1",
    ]
    other_table = [hit("Phụ lục › dòng 1", "Phụ lục\nSTT: 1 | Nhiệm vụ: Gửi báo cáo", "kh.md"), *rows]
    assert at_most_two_rows(other_table) == other_table  # rows of two tables: nothing to change


def test_an_answer_says_when_the_figure_asked_for_is_not_in_its_passages(corpus_data: Path) -> None:
    """On topic, yet no number to call: the passages are quoted with a note that they do not state it, rather than
    as if they answered. An answer with its figure has no such note. A figure asked of passages that state none of
    its kind is refused (test_a_figure_asked_of_passages_that_state_none_is_refused)."""
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    money = answerer.answer("Hà Nội chi bao nhiêu tiền cho phong trào Bình dân học vụ số?")
    assert not money.found and money.citations, money.text
    # A number to call asked for, where the passage only names whom to contact: said so, not quoted as the answer.
    phone = answerer.answer("Số điện thoại liên hệ của Cục Chuyển đổi số quốc gia là gì?")
    assert phone.found and not phone.short and phone.unmet == "contact", (phone.short, phone.unmet)
    assert "không nêu số điện thoại" in unmet_note(phone.unmet, "vi")
    ans = phone
    # A word that frames a definition ("được hiểu là gì") is no word the documents lack: answered, not refused
    # …while a content word before "?" is still read (the framing is cut from the words, not the raw text)
    for asked in ("Kế hoạch nấu phở?", "Kế hoạch nấu phở"):
        hits = answerer.searcher.search(asked, k=5)
        assert gather_evidence(asked, hits, answerer.searcher.index).unknown == 0.5  # "nấu", "phở" of 4
    defined = answerer.answer("Nhiệm vụ quá hạn được hiểu là gì?")
    assert defined.found and any("Quá hạn: Nhiệm vụ chưa hoàn thành" in q.text for q in defined.quotes)
    (shown,) = [o.html for o in render_answer(answer_view(None, "q", ans, "vi")) if isinstance(o, TextOut)][:1]
    assert "không nêu số điện thoại" in shown, shown
    ans = answerer.answer(
        "Nghị quyết 57-NQ/TW đặt mục tiêu quy mô kinh tế số đạt bao nhiêu phần trăm GDP vào năm 2030?"
    )
    assert ans.short and not ans.unmet
    html = "".join(o.html for o in render_answer(answer_view(None, "q", ans, "vi")) if isinstance(o, TextOut))
    assert "không nêu" not in html
    result = CliRunner().invoke(
        cli,
        ["ask", "--json", "Số điện thoại liên hệ của Cục Chuyển đổi số quốc gia là gì?"],
        env={"TROLY_DATA_DIR": str(corpus_data)},
    )
    assert json.loads(result.output)["unmet"] == "contact"


def test_a_date_is_no_duration_and_a_provision_number_no_figure_of_the_question() -> None:
    asked = asked_for("Trong thời hạn bao nhiêu tháng phải hoàn thành việc rà soát?")
    assert spans("Các đơn vị hoàn thành việc rà soát trước ngày 31 tháng 8 năm 2025.", asked) == []
    question = "Trong thời hạn bao nhiêu tháng chủ quản hệ thống phải đánh giá theo Điều 12 của Luật này?"
    unit = "Trong thời hạn 12 tháng kể từ ngày được bổ sung, chủ quản hệ thống đánh giá theo Điều 12 của Luật này."
    assert [sp.text for sp in spans(unit, asked) if not echoes(sp, asked, question)] == ["Trong thời hạn 12 tháng"]


def test_an_item_labelled_as_the_question_names_it_is_the_answer_not_its_siblings(corpus_data: Path) -> None:
    """ "7.3. Báo cáo quý: …" holds "gửi báo cáo" ("nộp" is "gửi"), yet the question names the annual report."""
    assert present("nop", words("đơn vị gửi báo cáo")) and present("chot", words("trong thời hạn được giao"))
    index = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)})).searcher.index
    text = (
        "7. Chế độ báo cáo\n7.3. Báo cáo quý: Trước ngày 20 của tháng cuối quý, đơn vị gửi báo cáo tóm tắt kết "
        "quả qua Hệ thống.\n7.4. Báo cáo năm: Trước ngày 15 tháng 12 hằng năm, đơn vị tự đánh giá toàn bộ nhiệm vụ."
    )
    hits = [Hit(StoredChunk("c1", "hd.md", text, "Mục II › 7", 0), 1.0, dense=0.86)]
    draft = compose("Hạn chót nộp báo cáo năm là ngày mấy, tháng mấy?", hits, index)
    assert draft.short == "Trước ngày 15 tháng 12 hằng năm", draft


ARTICLE = (
    "Điều 256. Tội chứa chấp việc sử dụng trái phép chất ma túy\n"
    "1. Người nào cho thuê, cho mượn địa điểm hoặc có bất kỳ hành vi nào khác chứa chấp việc sử dụng trái phép "
    "chất ma túy, nếu không thuộc trường hợp quy định tại Điều 255 của Bộ luật này, thì bị phạt tù từ 02 năm "
    "đến 07 năm.\n"
    "2. Phạm tội thuộc một trong các trường hợp sau đây, thì bị phạt tù từ 07 năm đến 15 năm:\n"
    "a) Phạm tội 02 lần trở lên;\nb) Đối với 02 người trở lên;\nc) Đối với người dưới 16 tuổi;\n"
    "d) Tái phạm nguy hiểm.\n"
    "3. Người phạm tội còn có thể bị phạt tiền từ 10.000.000 đồng đến 100.000.000 đồng."
)


@pytest.mark.parametrize(
    ("question", "short"),
    [
        # The act alone: clause 1 states it and its sanction.
        (
            "Người nào cho thuê địa điểm chứa chấp việc sử dụng trái phép chất ma túy thì bị phạt như thế nào?",
            "phạt tù từ 02 năm đến 07 năm",
        ),
        # The act with a condition a later clause names: that clause, though clause 1 restates more of the act.
        (
            "Người nào cho thuê, cho mượn địa điểm hoặc có bất kỳ hành vi nào khác chứa chấp việc sử dụng trái phép "
            "chất ma túy, nếu tái phạm nguy hiểm thì bị phạt như thế nào?",
            "phạt tù từ 07 năm đến 15 năm",
        ),
    ],
)
def test_how_one_is_punished_is_the_whole_sanction_of_the_clause_whose_condition_is_named(
    corpus_data: Path, question: str, short: str
) -> None:
    index = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)})).searcher.index
    hits = [Hit(StoredChunk("c1", "blhs.txt", ARTICLE, "Điều 256", 0), 1.0, dense=0.9)]
    draft = compose(question, hits, index)
    assert draft.short == short, draft
    asked = asked_for("thì bị phạt như thế nào?")
    # "đã bị xử phạt …" is a condition, not the sanction; a fine's figures go on through their dots.
    unit = "Người nào đã bị xử phạt vi phạm hành chính mà còn vi phạm, thì bị phạt tiền từ 10.000.000 đồng đến 50.000.000 đồng."
    assert [sp.text for sp in spans(unit, asked)] == ["phạt tiền từ 10.000.000 đồng đến 50.000.000 đồng"]
    # A bound the question states ("lên đến 05 năm") is not one it asks for.
    assert asked_for("Gây thiệt hại bao nhiêu thì bị phạt tù lên đến 05 năm?").bound == ""
    assert asked_for("Có thể bị phạt tù lên đến bao nhiêu năm?").bound == "max"


def test_items_under_a_title_are_its_list_and_a_short_bullet_is_an_item() -> None:
    passage = (
        "a) Mục tiêu đến năm 2030\n- Kinh tế số đạt 30% GDP.\n- Chi cho nghiên cứu đạt 2% GDP.\n"
        "b) Tầm nhìn đến năm 2045\n- Kinh tế số đạt 50% GDP\n- Thu nhập cao"
    )
    assert [u.text for u in units(passage) if u.kind == "list"] == [
        "a) Mục tiêu đến năm 2030\n- Kinh tế số đạt 30% GDP.\n- Chi cho nghiên cứu đạt 2% GDP.",
        "b) Tầm nhìn đến năm 2045\n- Kinh tế số đạt 50% GDP\n- Thu nhập cao",  # unpunctuated items too
    ]
    listed = [u.text for u in units("Hồ sơ gồm:\n- Đơn đề nghị\n- Bản sao giấy tờ;\n- Ảnh.") if u.kind == "list"]
    assert listed == ["Hồ sơ gồm:\n- Đơn đề nghị\n- Bản sao giấy tờ;\n- Ảnh."]  # "- Đơn đề nghị" was lost


def test_a_day_of_every_month_is_a_date() -> None:
    asked = asked_for("Công an xã báo cáo kết quả khi nào?")
    text = "Công an xã hướng dẫn người dân kích hoạt tài khoản định danh; báo cáo kết quả hằng tháng trước ngày 25."
    assert [sp.text for sp in spans(text, asked)] == ["hằng tháng trước ngày 25"]
    assert [sp.text for sp in spans("gửi hằng tháng trước ngày 25 tháng 12 năm 2025", asked)] == [
        "trước ngày 25 tháng 12 năm 2025"
    ]


def test_how_much_the_fine_is_restates_the_words_before_the_fine() -> None:
    """ "… thì bị phạt tiền như thế nào": the span after "thì bị phạt tiền", not the damage named as a condition."""
    question = (
        "Người nào sử dụng trái phép tần số vô tuyến điện gây thiệt hại, đã bị kết án về tội này mà còn vi phạm thì bị "
        "phạt tiền như thế nào?"
    )
    text = (
        "1. Người nào sử dụng trái phép tần số vô tuyến điện gây thiệt hại từ 200.000.000 đồng đến dưới 500.000.000 "
        "đồng hoặc đã bị kết án về tội này mà còn vi phạm, thì bị phạt tiền từ 50.000.000 đồng đến 100.000.000 đồng."
    )
    found = tuple(spans(text, asked_for(question)))
    assert restated(found, text, question).text == "từ 50.000.000 đồng đến 100.000.000 đồng"


def test_a_share_is_written_with_either_percent_sign() -> None:
    asked = asked_for("ما هي نسبة التخفيض؟")
    assert [sp.text for sp in spans("بمعدل تخفيض قدره 44.05٪ (الهدف 30%)", asked)] == ["44.05٪", "30%"]


def test_a_bound_or_an_age_goes_with_its_figure() -> None:
    asked = asked_for("Ranh giới đã tồn tại bao lâu mà không có tranh chấp?")
    text = "Ranh giới có thể được xác định theo ranh giới đã tồn tại từ 30 năm trở lên mà không có tranh chấp."
    assert [sp.text for sp in spans(text, asked)] == ["từ 30 năm trở lên"]
    asked = asked_for("Lao động nữ nuôi con dưới bao nhiêu tháng tuổi?")
    assert [sp.text for sp in spans("người lao động nuôi con dưới 12 tháng tuổi", asked)] == ["12 tháng tuổi"]
    asked = asked_for("Gây thiệt hại bao nhiêu thì bị phạt tù?")
    assert [sp.text for sp in spans("b) Gây thiệt hại 500.000.000 đồng trở lên;", asked)] == [
        "500.000.000 đồng trở lên"
    ]


def test_how_often_is_answered_by_the_period_not_by_a_duration() -> None:
    asked = asked_for("Tổ giúp việc báo cáo Ban Chỉ đạo bao lâu một lần?")
    text = "Tổ giúp việc họp trong 02 ngày; định kỳ 02 tuần một lần báo cáo Ban Chỉ đạo, mỗi quý một lần sơ kết."
    assert [sp.text for sp in spans(text, asked)] == ["định kỳ 02 tuần một lần", "mỗi quý một lần"]
    assert [sp.text for sp in spans("Ban Chỉ đạo họp hằng quý và khi cần.", asked)] == ["hằng quý"]
    assert [sp.text for sp in spans("Kiểm tra 2 lần/năm tại mỗi xã.", asked)] == ["2 lần/năm"]
    assert [sp.text for sp in spans("Định kỳ 6 tháng và hằng năm báo cáo Tỉnh ủy.", asked)] == [
        "Định kỳ 6 tháng",
        "hằng năm",
    ]
    assert spans("Hội nghị kéo dài 02 ngày.", asked) == []  # a duration is no frequency


def test_a_bound_the_passage_states_is_the_answer_to_a_question_asking_that_bound(corpus_data: Path) -> None:
    """ "ít nhất bao nhiêu %": the text's own "ít nhất 3% …", not the smallest figure of the passage ("2% GDP")."""
    question = "Tỉnh phải dành ít nhất bao nhiêu phần trăm tổng chi ngân sách cho khoa học, công nghệ?"
    unit = (
        "Kinh phí cho nghiên cứu phát triển đạt 2% GDP; bố trí ít nhất 3% tổng chi ngân sách hằng năm cho khoa học, "
        "công nghệ, đổi mới sáng tạo."
    )
    index = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)})).searcher.index
    draft = compose(question, [Hit(StoredChunk("c1", "57.md", unit, "Mục III", 0), 1.0, dense=0.9)], index)
    assert draft.short.startswith("ít nhất 3% tổng chi ngân sách"), draft


def test_how_much_a_thing_reaches_is_answered_by_a_share_or_a_sum_not_only_a_count() -> None:
    asked = asked_for("Quy mô kinh tế số đến năm 2045 đạt tối thiểu bao nhiêu?")
    assert asked.kind == "quantity" and asked.measured
    text = "Đến năm 2045, quy mô kinh tế số đạt tối thiểu 50% GDP; có 10 trung tâm dữ liệu."
    assert "tối thiểu 50% GDP" in [sp.text for sp in spans(text, asked)]
    # What is counted is named: a share in the passage is no count of it.
    counted = asked_for("Số lượng doanh nghiệp công nghệ số đạt bao nhiêu?")
    assert not counted.measured or counted.counted
    found = [sp.text for sp in spans("Số doanh nghiệp công nghệ số tăng 150%, đạt 1.500 doanh nghiệp.", counted)]
    assert not any("%" in t for t in found), found


def test_abbreviations_are_spelt_out_as_the_documents_write_them() -> None:
    assert spelt_out("BCĐ tỉnh họp định kỳ bao lâu một lần?") == "Ban Chỉ đạo tỉnh họp định kỳ bao lâu một lần?"
    assert spelt_out("Theo QĐ 210, ai làm trưởng ban NQ57?") == "Theo Quyết định 210, ai làm trưởng ban Nghị quyết 57?"
    assert spelt_out("bcd tinh hop may lan") == "ban chi dao tinh hop may lan"  # folded, as typed
    # A document number stays whole; with diacritics, a word in lower case is a word ("tb", "cv" are not typed).
    assert spelt_out("Theo 57-NQ/TW và 125/QĐ-BCĐTW") == "Theo 57-NQ/TW và 125/QĐ-BCĐTW"
    assert spelt_out("Sở KHCN và sở tài chính, hd số 1") == "Sở khoa học công nghệ và sở tài chính, hd số 1"


def test_a_passage_with_no_similarity_is_not_outweighed_by_a_later_one_that_has_one(corpus_data: Path) -> None:
    """The first three passages found by their words alone have no similarity (0.0): a fifth found by e5 too
    gained its whole similarity over them, and its "trong năm 2025" displaced the first's "trong tháng 8 …"."""
    index = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)})).searcher.index
    first = StoredChunk(
        "c1",
        "71.md",
        "b) Bộ Công an đưa vào vận hành Trung tâm dữ liệu quốc gia số 1 trong tháng 8 năm 2025.",
        "Điều 2",
        0,
    )
    fifth = StoredChunk(
        "c5", "47.md", "a) 105 cơ sở dữ liệu quốc gia phải hoàn thành trong năm 2025 theo Nghị quyết số 71.", "2.5", 0
    )
    others = [StoredChunk(f"c{i}", f"o{i}.md", "Các bộ, ngành tiếp tục triển khai.", "Mục I", 0) for i in (2, 3, 4)]
    hits = [Hit(first, 1.0), *(Hit(c, 0.9 - i / 10) for i, c in enumerate(others)), Hit(fifth, 0.5, dense=0.825)]
    draft = compose("tt du lieu quoc gia so 1 phai dua vao van hanh khi nao theo nq 71", hits, index)
    assert draft.short == "trong tháng 8 năm 2025", draft


@pytest.mark.parametrize(
    ("text", "question", "answer"),
    [
        # The asked noun left out by the text, and what the question already says skipped: "tù", not "tử".
        (
            "Người bị kết án tử hình được ân giảm thì hình phạt tử hình chuyển thành tù chung thân.",
            "Người bị kết án tử hình được ân giảm thì hình phạt tử hình được chuyển thành hình phạt gì?",
            "tù chung thân",
        ),
        # "có quyền gì" reads on from "quyền", to the end of the clause.
        (
            "Khi bên vay chậm trả thì bên cho vay có quyền yêu cầu trả nợ gốc, lãi và bồi thường; bên vay phải trả.",
            "Bên cho vay có quyền gì khi bên vay chậm trả?",
            "quyền yêu cầu trả nợ gốc, lãi và bồi thường",
        ),
        ("Kinh phí còn thừa được nộp vào ngân sách tỉnh.", "Kinh phí còn thừa nộp vào đâu?", "ngân sách tỉnh"),
        # Where the question goes on after "gì", the answer ends.
        (
            "Tổ chức tự nguyện khắc phục hậu quả thì được miễn trách nhiệm bồi thường về khoản thiệt hại này.",
            "Tổ chức tự nguyện khắc phục hậu quả thì được miễn trách nhiệm gì về khoản thiệt hại?",
            "trách nhiệm bồi thường",
        ),
        ("Xã Tân Lập phải rà soát thủ tục hành chính.", "Xã Tân Lập phải làm gì?", "phải rà soát thủ tục hành chính"),
        # A duty asked with "cần phải" is said by the text with "có trách nhiệm", up to the question's condition.
        (
            "Cha mẹ, giáo viên và người chăm sóc trẻ em có trách nhiệm bảo vệ trẻ em khi trẻ em dùng mạng xã hội.",
            "Cha mẹ, giáo viên cần phải làm gì khi trẻ em dùng mạng xã hội?",
            "trách nhiệm bảo vệ trẻ em",
        ),
        # "… do cơ quan nào thực hiện": up to where the question goes on.
        (
            "Việc số hóa hồ sơ địa chính phải do Văn phòng đăng ký đất đai thực hiện trước quý IV.",
            "Việc số hóa hồ sơ địa chính phải do cơ quan nào thực hiện?",
            "Văn phòng đăng ký đất đai",
        ),
        # Several asked for ("những … nào"): a list, which the quotes give whole; one sentence naming them after the
        # question's words names them there. A word left over is no answer.
        (f"Xã triển khai các ứng dụng sau:{JOIN}a) VNeID;", "Xã triển khai những ứng dụng nào?", ""),
        (
            "Xã triển khai các ứng dụng VNeID, iHanoi.",
            "Xã triển khai những ứng dụng nào?",
            "các ứng dụng VNeID, iHanoi",
        ),
        ("Báo cáo gửi trước ngày 15, sau.", "Báo cáo gửi trước ngày 15 rồi làm gì?", ""),
        # A name is asked ("tên gì"), and a text that does not say the question's words answers nothing.
        ("Chủ tịch Ủy ban nhân dân tỉnh là ông Trần Quốc Vinh.", "Chủ tịch Ủy ban nhân dân tỉnh tên gì?", ""),
        ("Ban Chỉ đạo họp mỗi quý một lần.", "Sở Tài chính phải nộp báo cáo gì?", ""),
        # The source a question opens with is not what it already says: "dân sự" of the law's name is the answer.
        (
            "1. Ở Việt Nam, các quyền dân sự được công nhận, tôn trọng và bảo đảm theo Hiến pháp.",
            "Theo Bộ luật dân sự 2015, ở Việt Nam, các quyền gì được công nhận, tôn trọng và bảo đảm theo Hiến pháp?",
            "quyền dân sự",
        ),
        # Nor are its words around an anchor: «dân sự» before «quy định» is the law's name, and «định» alone is
        # not «xác định». The clause that says the question's own words answers.
        (
            "3. Việc đặt tên bị hạn chế trong trường hợp trái với các nguyên tắc cơ bản của pháp luật dân sự quy định"
            " tại Điều 3 của Bộ luật này.",
            "Theo Điều 26, Bộ luật dân sự 2015, họ tên của một người được xác định như thế nào?",
            "",
        ),
        (
            "1. Cá nhân có quyền có họ, tên. Họ, tên của một người được xác định theo họ, tên khai sinh của người đó.",
            "Theo Điều 26, Bộ luật dân sự 2015, họ tên của một người được xác định như thế nào?",
            "theo họ, tên khai sinh của người đó",
        ),
    ],
)
def test_what_gi_dau_or_nao_asks_is_what_the_text_says_after_the_question_s_words(
    text: str, question: str, answer: str
) -> None:
    assert completion(text, question) == answer


def test_who_is_read_where_the_text_says_the_rest_of_the_question_and_an_identity_only_by_a_name() -> None:
    text = "3. Hỗ trợ kinh phí được áp dụng đối với hộ nghèo, hộ cận nghèo ở các thôn đặc biệt khó khăn."
    question = "Hỗ trợ kinh phí được áp dụng đối với ai?"
    assert completed_answer(asked_for(question), text, question) == (
        "hộ nghèo, hộ cận nghèo ở các thôn đặc biệt khó khăn"
    )
    # "… là ai" asks for a name: the words around "là" in another sentence are no answer.
    question = "Bí thư Tỉnh ủy Bình Sơn là ai?"
    text = "Chủ tịch Ủy ban nhân dân tỉnh Bình Sơn là ông Trần Minh Đức."
    assert completed_answer(asked_for(question), text, question) == ""


def test_a_row_answers_with_the_cell_under_the_column_the_question_names() -> None:
    row = (
        "STT: 4 | Nhiệm vụ: Số hóa hồ sơ địa chính | Cơ quan chủ trì: Phòng Kinh tế | Thời hạn: 30/9/2026 | "
        "Sản phẩm: Cơ sở dữ liệu đất đai của xã"
    )
    assert cell_asked(row, "Sản phẩm của nhiệm vụ số hóa hồ sơ địa chính là gì?") == "Cơ sở dữ liệu đất đai của xã"
    # The column whose value the question already says ("Nhiệm vụ: Số hóa …") names the row, it is not asked.
    assert cell_asked(row, "Nhiệm vụ số hóa hồ sơ địa chính là gì?") == ""
    assert cell_asked("Số hóa hồ sơ địa chính do Phòng Kinh tế chủ trì.", "Sản phẩm là gì?") == ""  # no row


def test_a_question_opening_with_the_noun_it_asks_one_of_names_it_whole() -> None:
    question = "Báo cáo nào phải gửi Sở Khoa học và Công nghệ?"
    which = which_noun(question)
    assert which is not None and which.noun == "bao cao"  # not "cáo": "báo" alone is a function word
    text = "Các xã gửi Báo cáo tự đánh giá Bộ 16 tiêu chí, kèm minh chứng, về Sở Khoa học và Công nghệ."
    assert named_span(text, which, question) == "Báo cáo tự đánh giá Bộ 16 tiêu chí"


def test_what_a_term_is_leads_with_the_sentence_that_defines_it() -> None:
    text = (
        "Điều 9. Giải thích từ ngữ … 2. Nhiệm vụ thường xuyên là nhiệm vụ không ấn định thời hạn kết thúc; ví dụ: họp."
    )
    asked = asked_for("Nhiệm vụ thường xuyên là gì?")
    assert definition_of(text, asked.term) == "Nhiệm vụ thường xuyên là nhiệm vụ không ấn định thời hạn kết thúc"
    assert definition_of("c) Nhiệm vụ đột xuất: nhiệm vụ phát sinh ngoài kế hoạch.", "nhiem vu dot xuat") == (
        "Nhiệm vụ đột xuất: nhiệm vụ phát sinh ngoài kế hoạch."
    )
    assert definition_of("Các nhiệm vụ thường xuyên được rà soát hằng quý.", asked.term) == ""  # named, not defined
    # Where the law says the term is defined, between the term and "là".
    personal = "1. Quyền nhân thân được quy định trong Bộ luật này là quyền dân sự gắn liền với mỗi cá nhân."
    assert definition_of(personal, asked_for("Quyền nhân thân là gì?").term) == personal[3:]
    assert definition_of("Quyền nhân thân được quy định chặt chẽ là đúng.", "quyen nhan than") == ""
    # Said before the term is named: "<what it is> là <term>", the sentence whole; not "<a kind> là <term> <more>",
    # which says what kind of the term something is.
    pooled = "2. Tiền và vật do các hộ góp, cùng mua sắm là tài sản chung theo phần của tổ hợp tác."
    term = asked_for("Tài sản chung của tổ hợp tác là gì?").term
    assert (
        definition_of(pooled, term)
        == "Tiền và vật do các hộ góp, cùng mua sắm là tài sản chung theo phần của tổ hợp tác."
    )
    assert defines(pooled, term)
    fine = "Phạt tiền được áp dụng là hình phạt chính hoặc hình phạt bổ sung đối với pháp nhân thương mại phạm tội."
    assert definition_of(fine, asked_for("Hình phạt là gì?").term) == ""
    # Whole, as long as a law's one sentence runs: not cut mid-phrase at thirty words.
    safe = (
        "An toàn dữ liệu là sự bảo đảm dữ liệu trên các hệ thống thông tin của cơ quan nhà nước không bị truy cập, sửa "
        "đổi, sao chép trái phép hay làm mất, không gây phương hại đến quyền và lợi ích hợp pháp của cơ quan, tổ chức, "
        "cá nhân."
    )
    assert definition_of(safe, asked_for("An toàn dữ liệu là gì?").term) == safe


def test_a_direct_answer_that_is_its_whole_unit_is_not_quoted_again(corpus_data: Path) -> None:
    index = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)})).searcher.index
    unit = "2. Nhiệm vụ đột xuất là nhiệm vụ phát sinh ngoài kế hoạch được cấp có thẩm quyền giao."
    hits = [Hit(StoredChunk("c1", "hd.md", unit, "Mục I", 0), 1.0, dense=0.9)]
    draft = compose("Nhiệm vụ đột xuất là gì?", hits, index)
    assert draft.short == unit[3:] and draft.quotes == (), draft  # one line on the phone, not the same one twice
    longer = unit + " Nhiệm vụ đột xuất được theo dõi như nhiệm vụ thường xuyên."
    draft = compose("Nhiệm vụ đột xuất là gì?", [Hit(StoredChunk("c1", "hd.md", longer, "Mục I", 0), 1.0)], index)
    assert draft.short == unit[3:] and len(draft.quotes) == 1, draft


def test_what_a_description_is_called_is_the_term_whose_definition_says_it_closest() -> None:
    text = (
        "1. Nhiệm vụ quá hạn là nhiệm vụ đã hết thời hạn mà chưa hoàn thành. 2. Nhiệm vụ quá hạn kéo dài là nhiệm vụ "
        "đã hết thời hạn trên 3 tháng mà chưa hoàn thành."
    )
    question = "Nhiệm vụ đã hết thời hạn trên 3 tháng mà chưa hoàn thành được gọi là gì?"
    assert called(text, question) == "Nhiệm vụ quá hạn kéo dài"
    assert called(text, "Nhiệm vụ đã hết thời hạn mà chưa hoàn thành thì gọi là gì?") == "Nhiệm vụ quá hạn"
    assert called(text, "Nhiệm vụ hoàn thành sớm được gọi là gì?") == ""  # two of its three words: not described
    assert called(text, "Nhiệm vụ quá hạn là gì?") == ""  # a term asked, not named
    # A description long enough to be one, then "là <noun> gì?": the term too.
    question = "Nhiệm vụ đã hết thời hạn trên 3 tháng mà chưa hoàn thành là nhiệm vụ gì?"
    assert called(text, question) == "Nhiệm vụ quá hạn kéo dài"


def test_whether_is_answered_from_the_unit_that_says_it(corpus_data: Path) -> None:
    """ "Có được chia thừa kế … không?": of the passage's units, the one saying "không được chia thừa kế" answers, though
    another shares more of the question's words. "Có — Ông Đỗ Văn Lương, Giám đốc Sở Tài chính" restates a point whole,
    but not its lead-in: the point is quoted with it, as that is what says he is a member of the Ban Chỉ đạo."""
    index = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)})).searcher.index
    inheritance = (
        "1. Trường hợp những người thừa kế thỏa thuận việc chia thừa kế đất hương hỏa của dòng họ cho con cháu trong "
        "dòng họ thì phải lập văn bản.\n"
        "2. Đất hương hỏa thì không được chia thừa kế."
    )
    board = (
        "Thành lập Ban Chỉ đạo phát triển khoa học, công nghệ tỉnh Lâm Giang gồm 10 thành viên, cụ thể như sau:\n"
        "1. Trưởng ban: Ông Trần Quốc Vinh, Chủ tịch UBND tỉnh.\n2. Các thành viên:\n"
        "a) Ông Đỗ Văn Lương, Giám đốc Sở Tài chính;\nb) Ông Phan Văn Tú, Giám đốc Sở Nội vụ."
    )
    drafts = {
        question: compose(question, [Hit(StoredChunk("c1", "x.md", text, "Điều 1", 0), 1.0, dense=0.88)], index)
        for question, text in (
            ("Có được chia thừa kế đất hương hỏa của dòng họ không?", inheritance),
            ("Giám đốc Sở Tài chính có nằm trong Ban Chỉ đạo tỉnh không?", board),
        )
    }
    assert drafts["Có được chia thừa kế đất hương hỏa của dòng họ không?"].short == "Không"
    member = drafts["Giám đốc Sở Tài chính có nằm trong Ban Chỉ đạo tỉnh không?"]
    assert member.short == "Có — Ông Đỗ Văn Lương, Giám đốc Sở Tài chính", member
    assert any("gồm 10 thành viên" in q.text and "Đỗ Văn Lương" in q.text for q in member.quotes), member.quotes


@pytest.mark.parametrize(
    ("text", "question", "answer"),
    [
        (
            "Xã đơn phương dừng dự án trái quy định thì không được hỗ trợ kinh phí.",
            "Xã đơn phương dừng dự án có được hỗ trợ kinh phí không?",
            "Không",
        ),
        ("Hồ sơ nộp qua Hệ thống, không phải nộp bản giấy.", "Có phải nộp bản giấy không?", "Không"),
        (
            "Việc chia sẻ dữ liệu giữa các xã được khuyến khích.",
            "Việc chia sẻ dữ liệu có được khuyến khích không?",
            "Có",
        ),
        # Said both ways, or not said: no answer of one word.
        ("Xã được hỗ trợ máy tính; thôn không được hỗ trợ máy tính.", "Thôn có được hỗ trợ máy tính không?", ""),
        ("Ban Chỉ đạo họp mỗi quý một lần.", "Giám đốc Sở Tài chính có nằm trong Ban Chỉ đạo không?", ""),
        # Among those a list names: "Có —" and the item that names them, where its lead-in names what they are in.
        (
            f"Thành lập Ban Chỉ đạo … tỉnh Lâm Giang gồm 10 thành viên, cụ thể như sau:{JOIN}a) Ông Đỗ Văn Lương, "
            "Giám đốc Sở Tài chính;",
            "Giám đốc Sở Tài chính có nằm trong Ban Chỉ đạo tỉnh không?",
            "Có — Ông Đỗ Văn Lương, Giám đốc Sở Tài chính",
        ),
        (  # another member, or another list: the list does not say they are not in it
            f"Thành lập Ban Chỉ đạo … gồm 10 thành viên, cụ thể như sau:{JOIN}b) Ông Phan Văn Tú, Giám đốc Sở Nội vụ;",
            "Giám đốc Sở Tài chính có nằm trong Ban Chỉ đạo tỉnh không?",
            "",
        ),
        (
            f"Tổ giúp việc gồm các công chức sau:{JOIN}a) Ông Đỗ Văn Lương, Giám đốc Sở Tài chính;",
            "Giám đốc Sở Tài chính có nằm trong Ban Chỉ đạo tỉnh không?",
            "",
        ),
    ],
)
def test_whether_is_answered_by_the_text_saying_the_predicate_with_or_without_a_negation(
    text: str, question: str, answer: str
) -> None:
    assert yes_or_no(text, question) == answer


def test_a_what_question_leads_with_what_the_text_says_in_its_place(corpus_data: Path) -> None:
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    ans = answerer.answer("Tỉnh ủy Gia Lai kiến nghị Bộ Công an việc gì?")
    assert ans.short.startswith("phân cấp cho địa phương quản lý học liệu"), ans.text


def test_a_cause_is_what_follows_nguyen_nhan_or_la_do_not_a_bare_do() -> None:
    asked = asked_for("Vì sao chậm tiến độ?")
    text = "Nguyên nhân chủ yếu: hạ tầng mạng chưa bảo đảm; thiếu 1.200 công chức. Dự án do Sở Tài chính chủ trì."
    assert [sp.text for sp in spans(text, asked)] == ["hạ tầng mạng chưa bảo đảm; thiếu 1.200 công chức"]
    assert [sp.text for sp in spans("Chậm là do thiếu kinh phí; đề nghị bổ sung.", asked)] == ["thiếu kinh phí"]
    assert spans("Dự án do Sở Tài chính chủ trì, vì vậy.", asked) == []


def test_a_count_written_in_words_is_a_count() -> None:
    asked = asked_for("Mỗi nhiệm vụ trên Hệ thống được xác định theo mấy trạng thái?")
    text = "Mỗi nhiệm vụ được xác định theo một trong năm trạng thái: Hoàn thành; Đang thực hiện; Quá hạn."
    assert [sp.text for sp in spans(text, asked)] == ["năm trạng thái"]
    asked = asked_for("Chỉ được thử việc bao nhiêu lần đối với một công việc?")
    assert [sp.text for sp in spans("Người lao động chỉ phải thử việc một lần đối với một công việc.", asked)] == [
        "một lần"
    ]
    # "một số" is no count: the counted noun must follow the number words at once.
    assert spans("Một số nhiệm vụ đã hoàn thành.", asked_for("Có bao nhiêu nhiệm vụ đã hoàn thành?")) == []
    # "17/24 nhiệm vụ" counts tasks (17 of 24); a date or a document's number before the noun does not.
    asked = asked_for("Xã đã hoàn thành mấy nhiệm vụ?")
    text = "Tính đến ngày 15/12/2025, xã đã hoàn thành 17/24 nhiệm vụ; Kế hoạch 85/KH nhiệm vụ trọng tâm."
    assert [sp.text for sp in spans(text, asked)] == ["17/24 nhiệm vụ"]


def test_a_count_names_all_of_what_it_counts_and_a_table_cell_its_column() -> None:
    asked = asked_for("Có bao nhiêu cơ sở dữ liệu có nguy cơ cao không hoàn thành?")
    sentence = "Hiện có 38 cơ sở dữ liệu đang triển khai, có nguy cơ cao không hoàn thành."
    assert [sp.text for sp in spans(sentence, asked)] == ["38 cơ sở dữ liệu"]  # not "38 cơ sở"
    row = "Tình trạng: Chưa triển khai, nguy cơ cao không hoàn thành | Số cơ sở dữ liệu: 38"
    assert [sp.text for sp in spans(row, asked)] == ["Số cơ sở dữ liệu: 38"]
    assert spans(row, asked_for("Có bao nhiêu nhiệm vụ quá hạn?")) == []  # the column counts something else
    # People are counted by what the text calls them.
    people = asked_for("Ban chỉ đạo tỉnh có tổng cộng mấy người?")
    text = "Thành lập Ban Chỉ đạo gồm 10 thành viên; họp 4 lần, mỗi lần 02 ngày."
    assert [sp.text for sp in spans(text, people)] == ["10 thành viên"]


def test_either_spelling_of_a_syllable_finds_the_other(corpus_data: Path) -> None:
    index = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)})).searcher.index
    found = index.get_chunks([cid for cid, _ in index.search_lexical("tỷ lệ", 200)])
    assert any("tỉ lệ" in c.text and "tỷ" not in c.text for c in found.values())
    assert any("tỷ" in c.text for c in found.values())


def test_who_holds_a_role_own_script_passages_only_mention_is_read_where_an_article_names_the_role(
    corpus_data: Path,
) -> None:
    """ "Đồng chí Chủ tịch Quốc hội dự Hội nghị … là ai?" asks for a name. The conclusion notice says only that he
    attended: no passage in the question's script holds what is asked, so an article in another script may take
    the third place, and of its sentences the one naming the role (where the person is named) is quoted, not the
    one holding more of the question's other words (its date, its quarter)."""
    question = "Đồng chí Chủ tịch Quốc hội dự Hội nghị sơ kết quý III năm 2025 (ngày 15/10/2025) là ai?"
    assert asked_for(question).person
    assert asked_for("Ai là đồng chí chủ trì Hội nghị?").person
    assert not asked_for("Chủ đầu tư dự án là ai?").person  # an organ may be one
    # The name of one who holds an office is asked for as "tên gì" too; a document's name is not a person's.
    assert asked_for("chu tich ubnd tinh gia lai ten gi").person and asked_for("Bí thư Tỉnh ủy tên là gì?").person
    assert not asked_for("Kế hoạch 02 tên là gì?").person
    # An office asked by "nào" is one who holds it: "do Thủ tướng nào chủ trì?"; "Bộ nào chủ trì?" is an organ.
    assert asked_for("Phiên họp do Thủ tướng nào chủ trì?").person
    assert asked_for("Thứ trưởng Bộ Công an nào dự hội nghị?").person
    assert not asked_for("Bộ nào chủ trì?").person and not asked_for("Cơ quan nào chủ trì?").person
    news = StoredChunk(
        "tt.md",
        "tt.md",
        "Tham dự tại điểm cầu tỉnh Gia Lai có đồng chí Thái Đại Ngọc, Ủy viên Trung ương Đảng, Bí thư Tỉnh ủy; đồng"
        " chí Phạm Anh Tuấn, Phó Bí thư Tỉnh ủy, Chủ tịch Ủy ban nhân dân tỉnh.",
        "3",
        0,
    )
    index = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)})).searcher.index
    named = compose("chu tich ubnd tinh gia lai ten gi", [Hit(news, 1.0, dense=0.9)], index)
    assert named.short == "đồng chí Phạm Anh Tuấn, Phó Bí thư Tỉnh ủy, Chủ tịch Ủy ban nhân dân tỉnh", named
    notice = Hit(
        StoredChunk(
            "c1",
            "tb.md",
            "Dự Hội nghị có đồng chí Chủ tịch Quốc hội, đồng chí Thường trực Ban Bí thư và lãnh đạo các bộ, ngành.",
            "Mở đầu",
            0,
            DocumentMeta(language="vi"),
        ),
        1.0,
        dense=0.9,
    )
    dated = "في 15 أكتوبر 2025 عقدت اللجنة التوجيهية مؤتمرا لمراجعة الربع الثالث من عام 2025."
    named = "شارك في المؤتمر نغوين فان آن، رئيس الجمعية الوطنية، مع قادة الوزارات."
    article = Hit(
        StoredChunk("c2", "ar.txt", f"{dated}\n{named}", "Đoạn 1–2", 0, DocumentMeta(language="ar")),
        0.9,
        dense=0.83,
    )
    assert not kind_held(question, [notice])
    assert kind_held(
        "Ai là Bí thư Tỉnh ủy?",
        [
            replace(
                notice, chunk=replace(notice.chunk, text=f"{notice.chunk.text} Đồng chí Thái Đại Ngọc, Bí thư Tỉnh ủy.")
            )
        ],
    )
    quoted = [q.text for q in compose(question, [notice, article], index).quotes]
    assert named in quoted and dated not in quoted, quoted


def test_a_rank_before_a_name_introduces_a_person_and_an_english_question_s_lexical_lead_counts(
    corpus_data: Path,
) -> None:
    """ "Thượng tướng Lê Quốc Hùng" is a person as "đồng chí …" is. The Hanoi conference's news leads the lexical
    list far ahead of the next passage for an English question put into the documents' words, while e5 ranks it
    below thirty others: it takes one of the first two places, and its sentence naming the deputy minister answers."""
    asked = asked_for("Which Deputy Minister attended the conference?")
    sentence = "Dự Hội nghị có Thượng tướng Lê Quốc Hùng, Thứ trưởng Bộ Công an; đại diện các bộ, ngành."
    assert [sp.text for sp in spans(sentence, asked) if sp.person] == [
        "Thượng tướng Lê Quốc Hùng, Thứ trưởng Bộ Công an"
    ]
    assert [sp.text for sp in spans("Phó Giáo sư Trần Văn Bình trình bày tham luận.", asked) if sp.person] == [
        "Phó Giáo sư Trần Văn Bình"
    ]
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    question = "Who was the Deputy Minister of Public Security at the Hanoi conference on Resolution 57?"
    hits = answerer.searcher.search(question, k=10)
    news = [h for h in hits[:2] if h.chunk.doc_id.startswith("TT-57-2025-02")]
    assert news, [h.chunk.doc_id for h in hits[:3]]
    # Its sentence naming him answers; which of the first passages wins depends on the rest of the corpus (with
    # only the Vietnamese documents, a notice naming the Hanoi Party secretary scores a little higher).
    assert compose(question, news, answerer.searcher.index).short.startswith("Thượng tướng Lê Quốc Hùng")


def test_an_english_question_s_figure_is_the_one_its_terms_stand_just_before(corpus_data: Path) -> None:
    """English words come in another order than the text's: the figure asked for is the one the question's terms
    (put into the documents' words) stand just before: "complete" is "đã hoàn thành 176", not "được giao 214"."""
    index = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)})).searcher.index
    text = "Năm 2025, tỉnh được giao 214 nhiệm vụ, đã hoàn thành 176 nhiệm vụ (đạt 82,2%); còn 38 nhiệm vụ chậm."
    hits = [Hit(StoredChunk("c1", "bc.md", text, "Mục I", 0, DocumentMeta(language="vi")), 1.0, dense=0.85)]
    assert compose("How many tasks did the province complete in 2025?", hits, index).short == "176 nhiệm vụ"
    assert compose("How many tasks was the province assigned in 2025?", hits, index).short == "214 nhiệm vụ"
    # After what it counts, to the end of its clause: "có nguy cơ cao không hoàn thành" is said of the 38.
    text = (
        "Đối với 105 cơ sở dữ liệu phải hoàn thành: hiện có 31 cơ sở dữ liệu đã có nền tảng; 36 cơ sở dữ liệu đang "
        "triển khai; 38 cơ sở dữ liệu đang triển khai hoặc chưa triển khai, có nguy cơ cao không hoàn thành."
    )
    hits = [Hit(StoredChunk("c2", "tb.md", text, "Mục 2", 0, DocumentMeta(language="vi")), 1.0, dense=0.85)]
    short = compose("How many of the 105 databases were at high risk of not being completed?", hits, index).short
    assert short.startswith("38 cơ sở dữ liệu"), short


def test_a_deadline_asked_is_the_date_the_text_states_as_one(corpus_data: Path) -> None:
    """ "Hạn hoàn thành … là khi nào": of a start and a deadline in one sentence, the deadline ("chậm nhất …");
    asked from when, the start."""
    index = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)})).searcher.index
    text = (
        "b) Sở Tư pháp triển khai cơ sở dữ liệu hộ tịch, đưa vào sử dụng từ ngày 01 tháng 02 năm 2026 và hoàn thành "
        "chậm nhất ngày 30 tháng 6 năm 2026."
    )
    hits = [Hit(StoredChunk("c1", "tb.md", text, "Mục 2", 0, DocumentMeta(language="vi")), 1.0, dense=0.86)]
    assert compose("han hoan thanh co so du lieu ho tich la khi nao", hits, index).short == (
        "chậm nhất ngày 30 tháng 6 năm 2026"
    )
    assert compose("Cơ sở dữ liệu hộ tịch được đưa vào sử dụng từ ngày nào?", hits, index).short == (
        "từ ngày 01 tháng 02 năm 2026"
    )
    # A unit holding only a period's ends does not answer a deadline; the one stating it ("Thời hạn: …") does.
    period = (
        "Trong giai đoạn từ ngày 20 tháng 7 năm 2025 đến ngày 23 tháng 9 năm 2025, việc hoàn thành các nhiệm vụ quá hạn "
        "đã được đôn đốc."
    )
    due = "Các bộ, ngành khẩn trương xử lý nhiệm vụ còn tồn đọng. Thời hạn: 31/10/2025."
    hits = [
        Hit(StoredChunk("c2", "cv.md", period, "Mục I", 0, DocumentMeta(language="vi")), 1.0, dense=0.86),
        Hit(StoredChunk("c3", "cv.md", due, "Mục II", 1, DocumentMeta(language="vi")), 0.9, dense=0.85),
    ]
    assert compose("Hạn hoàn thành các nhiệm vụ quá hạn là khi nào?", hits, index).short == "31/10/2025"


def test_a_deadline_word_is_read_whole_at_the_text_s_start_and_never_from_a_cut_word() -> None:
    asked = asked_for("Hạn hoàn thành là khi nào?")
    text = "Hạn: 31/10/2025."
    assert states_deadline(spans(text, asked)[0], text)  # its first word was dropped as if cut
    # 60 characters before the date fall inside "khẩn": "hẩn" folds to "han" and is no deadline word.
    filler = "các bộ ngành xử lý việc còn tồn đọng của năm qua"
    text = "khẩn " + filler.ljust(55) + " 31/10/2025"
    span = spans(text, asked)[0]
    assert span.start == 61 and not states_deadline(span, text)
    # A date something runs from is a start, though "trong" (within) precedes it; a period's end is no deadline.
    text = "Trong giai đoạn từ ngày 20 tháng 7 năm 2025 đến ngày 23 tháng 9 năm 2025, có 12 nhiệm vụ được giao."
    assert [states_deadline(sp, text) for sp in spans(text, asked)] == [False, False]  # a period: no deadline


def test_a_count_asked_in_arabic_or_persian_is_the_figure_before_the_noun_counted(corpus_data: Path) -> None:
    """ "كم عدد المندوبين …" counts delegates, which the text writes "450 مندوبًا" (another number and case of the noun:
    compared by a light stem); "چند پروژه … در معرض خطر …" is the figure whose clause says the rest of the question."""
    assert arabic_stem("المندوبين") == arabic_stem("مندوبًا") == arabic_stem("مندوب")
    assert arabic_stem("المهام") == arabic_stem("مهمة")
    asked = asked_for("كم عدد المندوبين الذين شاركوا في الاجتماع؟")
    assert asked.kind == QUANTITY
    arabic = "شارك في الاجتماع 450 مندوبًا من 30 مقاطعة، وتمت مناقشة 12 مهمة."
    assert [sp.text for sp in spans(arabic, asked)] == ["450 مندوبًا"]
    index = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)})).searcher.index
    persian = (
        "با توجه به وضعیت فعلی ۸۰ پروژه فناوری که طبق برنامه ۴۵ تعیین شده است، ۲۰ پروژه فناوری دارای پایه هستند؛ "
        "۱۶ پروژه فناوری در حال ساخت هستند که در ابتدا در حال طراحی هستند؛ ۱۴ پروژه فناوری در حال ساخت نبوده‌اند و "
        "خطر عدم تکمیل آنها زیاد است."
    )
    hits = [Hit(StoredChunk("c1", "fa.txt", persian, "Đoạn 1", 0, DocumentMeta(language="fa")), 1.0, dense=0.88)]
    question = "از ۸۰ پروژه فناوری طبق برنامه ۴۵، چند پروژه فناوری در معرض خطر بالای عدم تکمیل هستند؟"
    assert compose(question, hits, index).short == "۱۴ پروژه فناوری"


def test_a_date_asked_in_arabic_or_persian_is_the_one_whose_clause_says_the_rest_of_the_question(
    corpus_data: Path,
) -> None:
    """ "متى …", "تا چه تاریخی …" ask for a date, which the articles write with a month's name ("بحلول يناير 2026",
    "تا اول ژوئن ۲۰۲۶"); of two in one sentence, the one whose own clause says the question's words."""
    assert asked_for("متى يجب تدريب الموظفين؟").kind == asked_for("اداره ثبت تا چه تاریخی باید …؟").kind == DATE
    index = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)})).searcher.index
    cases = [
        (
            "يجب إنجاز البوابة الموحدة قبل 20 نوفمبر 2025، وتدريب جميع الموظفين عليها بحلول يناير 2026.",
            "ar",
            "متى يجب تدريب جميع الموظفين على البوابة؟",
            "بحلول يناير 2026",
        ),
        (
            "اداره ثبت باید سامانه را مستقر کند تا تا اول آوریل ۲۰۲۶، هر واحد آن را به کار گیرد و کل سامانه تا اول ژوئن "
            "۲۰۲۶ آماده بهره‌برداری باشد.",
            "fa",
            "اداره ثبت تا چه تاریخی باید کل سامانه را آماده بهره‌برداری کند؟",
            "تا اول ژوئن ۲۰۲۶",
        ),
    ]
    for text, language, question, short in cases:
        hits = [Hit(StoredChunk("c1", "x.txt", text, "Đoạn 1", 0, DocumentMeta(language=language)), 1.0, dense=0.88)]
        assert compose(question, hits, index).short == short, question


def test_of_close_units_a_completion_is_read_from_the_one_saying_the_question_s_words_most_fully(
    corpus_data: Path,
) -> None:
    """ "… phải làm gì?": clause 1 says "Người bắt được gia cầm bị thất lạc phải …" in one run; clause 2, scoring as
    well on the question's words, says only "… và phải bồi thường …" after a condition."""
    index = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)})).searcher.index
    text = (
        "Điều 230. Xác lập quyền sở hữu đối với gia cầm bị thất lạc\n"
        "1. Người bắt được gia cầm bị thất lạc phải nuôi giữ và báo ngay cho Ủy ban nhân dân cấp xã nơi người đó cư "
        "trú.\n2. Trong thời gian nuôi giữ gia cầm bị thất lạc, người bắt được gia cầm được hưởng hoa lợi và phải bồi "
        "thường thiệt hại nếu có lỗi cố ý làm chết gia cầm."
    )
    hits = [Hit(StoredChunk("c1", "bl.txt", text, "Điều 230", 0, DocumentMeta(language="vi")), 1.0, dense=0.9)]
    assert compose("Người bắt được gia cầm bị thất lạc phải làm gì?", hits, index).short == (
        "phải nuôi giữ và báo ngay cho Ủy ban nhân dân cấp xã nơi người đó cư trú"
    )


def test_what_is_asked_before_the_question_s_words_is_what_the_text_says_before_them() -> None:
    """ "… cái gì là điểm nghẽn lớn nhất?": the text's subject of "là điểm nghẽn lớn nhất", from its clause's start."""
    text = 'b) Thể chế là "điểm nghẽn" lớn nhất; chính sách chưa tạo được động lực cho doanh nghiệp.'
    assert preceding(text, "Nghị quyết nói cái gì là điểm nghẽn lớn nhất vậy?") == "Thể chế"
    assert preceding("Năm 2025, nhân lực là khâu yếu nhất.", "Khâu nào là khâu yếu nhất?") == "nhân lực"
    assert preceding("Nhân lực còn là khâu yếu.", "Khâu nào là khâu yếu nhất?") == ""  # not said so
    assert preceding(text, "Điểm nghẽn lớn nhất là gì?") == ""  # asked after: a completion's, not this


def test_a_question_that_stops_where_its_answer_starts_is_completed() -> None:
    """ "… không được lạm dụng quyền dân sự của mình để?": what the text says after the question's last words, as if it
    ended in "gì"; not a choice between two ("A hay B thì phải chứng minh?")."""
    text = (
        "1. Cá nhân, pháp nhân không được lạm dụng quyền dân sự của mình gây thiệt hại cho người khác, để vi phạm "
        "nghĩa vụ của mình hoặc thực hiện mục đích khác trái pháp luật."
    )
    question = "Cá nhân, pháp nhân không được lạm dụng quyền dân sự của mình để?"
    assert completion(text, question).startswith("gây thiệt hại cho người khác, để vi phạm nghĩa vụ của mình")
    text = "1. Người chiếm hữu được suy đoán là ngay tình; người nào cho rằng người chiếm hữu không ngay tình thì phải chứng minh."
    assert completion(text, "Người chiếm hữu ngay tình hay người chiếm hữu không ngay tình thì phải chứng minh?") == ""


def test_cases_asked_of_one_sentence_are_what_it_says_after_the_question_s_words() -> None:
    """ "… bị hạn chế trong trường hợp nào?" asks for cases, a list; a unit of one sentence that says the question's
    words gives them after those words. A sentence opening with "Trường hợp …" states another condition: no answer."""
    asked = asked_for("Quyền định đoạt bị hạn chế trong trường hợp nào?")
    assert asked.kind == LIST
    limited = "1. Quyền khai thác chỉ bị hạn chế trong trường hợp do nghị định của Chính phủ quy định."
    assert completed_answer(asked, limited, "Quyền khai thác bị hạn chế trong trường hợp nào?") == (
        "do nghị định của Chính phủ quy định"
    )
    other = "Trường hợp người thuê gây hư hỏng nhẹ do sơ suất thì người thuê phải bồi thường một phần."
    assert completed_answer(asked, other, "Người thuê không phải bồi thường trong trường hợp nào?") == ""
    assert completed_answer(asked, f"Bao gồm:{JOIN}a) Do luật quy định;", "Bị hạn chế trong trường hợp nào?") == ""


def test_several_asked_of_one_sentence_are_what_it_says_after_the_question_s_words() -> None:
    """ "… những Điều nào …?" asks for several, which a list gives whole; one sentence naming them after the question's
    words gives them there. A list unit, or a sentence saying too few of the question's words, gives none."""
    rule = "1. Hộ kinh doanh thực hiện quyền của mình nhưng không được trái với quy định tại Điều 4 và Điều 12 của Luật này."
    question = "Hộ kinh doanh thực hiện quyền nhưng không được trái với quy định tại những Điều nào của Luật?"
    assert completion(rule, question) == "Điều 4 và Điều 12"  # up to where the question goes on ("của Luật")
    assert completion(f"Không được trái với quy định tại các Điều sau:{JOIN}a) Điều 4;", question) == ""
    assert completion("Các Điều khác của Luật này áp dụng cho hộ gia đình.", question) == ""
    # Where the question says "những chủ thể", the text names them: read on from the words before, to the names alone.
    text = (
        "Quyền sử dụng lối đi chung có hiệu lực đối với mọi hộ gia đình, cá nhân và được ghi vào sổ khi chuyển nhượng."
    )
    assert (
        completion(text, "Quyền sử dụng lối đi chung có hiệu lực đối với những chủ thể nào?")
        == "mọi hộ gia đình, cá nhân"
    )


def test_a_duty_or_right_someone_has_is_what_the_text_says_they_have() -> None:
    """ "Trách nhiệm của X là gì?" where the law says "X có trách nhiệm …": what follows, read on from the noun; a unit
    about someone else's duty answers nothing."""
    question = "Trách nhiệm của công chức văn hóa xã là gì?"
    asked = asked_for(question)
    text = "2. Công chức văn hóa xã có trách nhiệm hướng dẫn, kiểm tra hoạt động của thư viện thôn."
    assert completed_answer(asked, text, question) == "trách nhiệm hướng dẫn, kiểm tra hoạt động của thư viện thôn"
    other = "3. Trưởng thôn có trách nhiệm báo cáo hằng quý."
    assert completed_answer(asked, other, question) == ""
    # To the clause's end, though it runs past thirty words: not cut mid-phrase.
    duty = (
        "hướng dẫn, kiểm tra, đôn đốc hoạt động của thư viện thôn, tủ sách cộng đồng, điểm bưu điện văn hóa xã và các "
        "thiết chế văn hóa khác trên địa bàn, bảo đảm phục vụ người dân, nhất là người cao tuổi, trẻ em và người khuyết tật"
    )
    assert completed_answer(asked, f"2. Công chức văn hóa xã có trách nhiệm {duty}.", question) == f"trách nhiệm {duty}"


def test_a_condition_asked_is_what_the_text_says_of_the_subject_before_the_outcome() -> None:
    """ "X cần điều kiện gì để <outcome>?": what the text says after X and before "thì <outcome>"; where the unit does
    not state the outcome (its article's title does), after X to the clause's end; nothing where X is not said."""
    question = "Người đã nhận tiền hỗ trợ sai, cần điều kiện gì để được miễn xử phạt?"
    text = "3. Người đã nhận tiền hỗ trợ sai, nhưng tự nguyện hoàn trả trước khi bị phát hiện, thì được miễn xử phạt."
    assert condition_for(text, question) == "tự nguyện hoàn trả trước khi bị phát hiện"
    question = "Hồ sơ của hộ nghèo ở xã đặc biệt khó khăn cần điều kiện gì để được xét duyệt trước?"
    text = "2. Hồ sơ của hộ nghèo ở xã đặc biệt khó khăn có xác nhận của Trưởng thôn nơi cư trú."
    assert condition_for(text, question) == "có xác nhận của Trưởng thôn nơi cư trú"
    assert condition_for("2. Hồ sơ của hộ cận nghèo có xác nhận của xã.", question) == ""


def test_what_a_thing_is_called_in_quotation_marks_answers_what_it_is() -> None:
    """ "phuong cham hanh dong cua xa nam 2026 la gi": the motto the text gives in quotation marks after the thing's
    head words, in the same sentence that says the rest of the question; not a quotation in the next sentence, nor
    after another thing."""
    text = (
        "Năm 2026, xã thực hiện phương châm hành động của xã đã được Đảng ủy thống nhất: “Dân biết - Dân làm - Dân "
        "hưởng”, gắn với chuyển đổi số."
    )
    question = "phuong cham hanh dong cua xa nam 2026 la gi"
    assert asked_for(question).kind == DEFINITION
    assert quoted_name(text, question) == "Dân biết - Dân làm - Dân hưởng"
    assert quoted_name("Xã thực hiện phương châm hành động năm 2026. “Dân biết” là khẩu hiệu cũ.", question) == ""
    assert quoted_name("Xã thực hiện kế hoạch “Dân biết - Dân làm” năm 2026.", question) == ""


@pytest.mark.parametrize(
    ("text", "question", "answer"),
    [
        # "số 1125/QĐ-UBND" names nothing alone: the kind the text names it by, with its number.
        (
            "1. Quyết định này có hiệu lực từ ngày 01 tháng 8 năm 2025 và thay thế Quyết định số 1125/QĐ-UBND ngày 20 "
            "tháng 9 năm 2023 của Chủ tịch UBND tỉnh về việc thành lập Ban Chỉ đạo chuyển đổi số tỉnh.",
            "QĐ 210 thay cho quyết định cũ nào?",
            "Quyết định số 1125/QĐ-UBND ngày 20 tháng 9 năm 2023 của Chủ tịch UBND tỉnh về việc thành lập Ban Chỉ đạo "
            "chuyển đổi số tỉnh",
        ),
        # A completion that is no number starts after the anchor.
        (
            "Hồ sơ gửi về Sở Tư pháp để thẩm định trước khi trình Ủy ban nhân dân tỉnh.",
            "Hồ sơ gửi về Sở Tư pháp để làm gì?",
            "thẩm định trước khi trình Ủy ban nhân dân tỉnh",
        ),
        # "phải thực hiện nghĩa vụ gì" asks what is to be done, as "phải làm gì": read on from "phải".
        (
            "1. Người thuê được nhận lại xe bị giữ nhưng phải thanh toán phí trông giữ cho bãi xe.",
            "Người thuê được nhận lại xe phải thực hiện nghĩa vụ gì với bãi xe?",
            "phải thanh toán phí trông giữ cho bãi xe",
        ),
        # "cần làm thủ tục gì": what is to be done too, which the text says as a duty ("thì phải …").
        (
            "2. Hộ gia đình đã chuyển đi muốn nhập lại hộ khẩu tại xã thì phải đăng ký thường trú.",
            "Hộ gia đình đã chuyển đi muốn nhập lại hộ khẩu tại xã thì cần làm thủ tục gì?",
            "phải đăng ký thường trú",
        ),
        # "đảm bảo" is "bảo đảm", in either order.
        (
            "2. Bảo đảm có đủ phòng đọc và chỗ để xe cho người dân.",
            "Thư viện xã cần đảm bảo điều gì?",
            "có đủ phòng đọc và chỗ để xe cho người dân",
        ),
    ],
)
def test_what_is_to_be_done_or_named_is_read_after_the_question_s_words(text: str, question: str, answer: str) -> None:
    assert completion(text, question) == answer


def test_which_of_the_kinds_a_list_names_is_the_label_of_its_item() -> None:
    """ "… thì được xếp vào trạng thái nào?": the item's label, when its lead-in enumerates that kind; not a label of a
    list about something else, nor a unit with no lead-in."""
    item = (
        f"Mỗi nhiệm vụ trên Hệ thống được xác định theo một trong năm trạng thái sau:{JOIN}d) Quá hạn: Nhiệm vụ chưa "
        "hoàn thành khi đã hết thời hạn được giao (kể cả trường hợp đã đề nghị gia hạn nhưng chưa được chấp thuận)."
    )
    assert labelled(item, "trang thai") == "Quá hạn"
    assert labelled(item, "muc do") == ""  # the list names states, not levels
    assert labelled("d) Quá hạn: Nhiệm vụ chưa hoàn thành khi đã hết thời hạn.", "trang thai") == ""


def test_several_of_a_kind_asked_by_name_are_the_names_the_text_gives_them() -> None:
    """ "Những thôn nào …?" / "Which villages …?": the names after the kind ("thôn Khe Dứa và Làng Mộc"), the kind
    said again or not; not a single name, nor a kind the question does not ask."""
    assert named_kind("Những thôn nào chưa có sóng 4G?") == "thon"
    assert named_kind("Which villages in Hoa Minh Son still have no stable 4G signal?") == "thon"  # the glossary's
    assert named_kind("Thôn Khe Dứa có sóng 4G chưa?") == ""
    text = "- Có 9/11 thôn được phủ sóng 4G ổn định; còn 02 thôn Khe Dứa và Làng Mộc chưa có sóng ổn định."
    assert named_of_kind(text, "thon") == "thôn Khe Dứa và Làng Mộc"
    assert named_of_kind("Phủ sóng 4G thôn Khe Dứa, thôn Làng Mộc | Phòng Văn hóa", "thon") == (
        "thôn Khe Dứa, thôn Làng Mộc"
    )
    assert named_of_kind("Phủ sóng 4G thôn Khe Dứa trước tháng 12.", "thon") == ""  # one name: no run
    assert named_of_kind(text, "xa") == ""


def test_who_does_an_act_is_who_the_text_names_before_it() -> None:
    """ "Ai <act> …?", "Chủ thể nào <act> …?": the doer the text names before the act, past its link ("là người",
    "có quyền") and from its clause's "thì"; nothing where the text does not say the act."""
    will = "1. Trường hợp di chúc bằng văn bản được lưu giữ tại tổ chức hành nghề công chứng thì công chứng viên là người công bố di chúc."
    assert agent(will, "Ai công bố di chúc nếu di chúc được lưu tại tổ chức hành nghề công chứng?") == "công chứng viên"
    sale = "2. Khi tài sản đem bán là di tích lịch sử - văn hóa thì Nhà nước có quyền ưu tiên mua."
    assert agent(sale, "Chủ thể nào được ưu tiên mua tài sản là di tích?") == "Nhà nước"
    duty = "a) Ủy ban nhân dân cấp xã phải thông báo công khai cho chủ sở hữu biết."
    assert agent(duty, "Cơ quan nào thông báo công khai cho chủ sở hữu?") == "Ủy ban nhân dân cấp xã"
    assert agent(will, "Ai lưu giữ di chúc?") == ""  # the text does not say who keeps it
    assert agent(will, "Di chúc do ai công bố?") == ""  # "do ai": what is read after, a completion's
    # What the question opens with may be of any kind ("Nguồn tài chính nào …"); not several, nor the cases.
    fund = "3. Ngân sách huyện giữ vai trò chủ đạo trong tổng nguồn lực đầu tư cho thư viện xã."
    assert agent(fund, "Nguồn tài chính nào giữ vai trò chủ đạo trong đầu tư cho thư viện xã?") == "Ngân sách huyện"
    assert agent(fund, "Những nguồn nào giữ vai trò chủ đạo trong đầu tư cho thư viện xã?") == ""
    # "Ai là người <act>": who does it; "Cán bộ" opens a noun, though folded it is "cần".
    staff = "2. Cán bộ văn hóa xã giữ vai trò nòng cốt trong việc tổ chức các hoạt động thư viện."
    assert agent(staff, "Ai là người giữ vai trò nòng cốt trong tổ chức hoạt động thư viện?") == "Cán bộ văn hóa xã"
    # A point says who does it, not its lead-in: "Thẩm quyền thẩm định …" frames the list.
    point = f"Thẩm quyền thẩm định hồ sơ được quy định như sau:{JOIN}c) Văn phòng Sở thẩm định hồ sơ về thi đua."
    assert agent(point, "Đơn vị nào thẩm định hồ sơ về thi đua?") == "Văn phòng Sở"


def test_a_unit_naming_who_does_the_act_answers_who_before_an_organ_named_elsewhere(corpus_data: Path) -> None:
    """ "Ai là người giữ vai trò …?": the first passage names who (no organ), the second names organs about something
    else; the doer of the first answers."""
    index = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)})).searcher.index
    staff = "2. Cán bộ văn hóa xã giữ vai trò nòng cốt trong việc tổ chức các hoạt động thư viện."
    organs = (
        "Bộ Văn hóa, Thể thao và Du lịch giúp Chính phủ quản lý nhà nước về thư viện và tổ chức hoạt động thư viện."
    )
    hits = [
        Hit(StoredChunk("c1", "a.md", staff, "Điều 5", 0), 1.0, dense=0.88),
        Hit(StoredChunk("c2", "b.md", organs, "Điều 9", 0), 0.9, dense=0.87),
    ]
    question = "Ai là người giữ vai trò nòng cốt trong tổ chức hoạt động thư viện?"
    assert compose(question, hits, index).short == "Cán bộ văn hóa xã"


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Who chairs the committee?", "en"),
        ("How many tasks are overdue in the province?", "en"),
        ("Tổ công tác số 4 do bộ nào làm tổ trưởng?", "vi"),
        # "to", "do", "the" are Vietnamese syllables typed without accents too: no English marker here
        ("to cong tac so 4 do bo nao lam to truong", "vi_plain"),
        ("quy trinh nhu the nao", "vi_plain"),
        ("كم عدد المهام؟", "other"),
    ],
)
def test_the_language_a_question_is_typed_in(question: str, kind: str) -> None:
    assert query_kind(question) == kind


@pytest.mark.parametrize(
    ("question", "part", "whole"),
    [
        ("Điều 3 Quyết định 210 quy định gì?", Part(article=3), True),
        ("khoan 2 dieu 2 qd 125 noi gi", Part(article=2, item=2), True),
        ("What does Article 5 of Decision 210 say?", Part(article=5), True),
        ("Nội dung chính của Mục II Kế hoạch số 85 là gì?", Part(heading=2), True),
        ("mục III.2 kế hoạch 02 giao ai theo dõi?", Part(heading=3, item=2), False),
        ("Theo Điều 1 Quyết định 210, Ban Chỉ đạo có bao nhiêu thành viên?", Part(article=1), False),
        ("Mục tiêu của Kế hoạch 85 là gì?", Part(), False),  # "mục tiêu", not "Mục I"
        ("Điều kiện để được hỗ trợ là gì?", Part(), False),
        ("Theo Điều 5 và Điều 6 của Luật này …", Part(), False),  # two articles: no one part
        ("Quyết định 210 quy định gì?", Part(), False),
    ],
)
def test_the_part_of_a_document_a_question_names(question: str, part: Part, whole: bool) -> None:
    assert named_part(question) == part
    assert asks_whole(question) is whole


def test_which_passages_hold_a_named_part() -> None:
    clause = Part(article=2, item=2)
    assert part_holds("Điều 2 › Khoản 2 › a)–d)", clause)
    assert part_holds("Điều 2", clause)  # the whole article holds its clauses
    assert part_holds("QUYẾT ĐỊNH: › Điều 1–2", clause)  # a passage of two articles holds both
    assert not part_holds("Điều 2 › Khoản 1", clause)
    assert not part_holds("Điều 12", Part(article=2))
    assert part_holds("Mục II › 1–3", Part(heading=2, item=3))
    assert not part_holds("Mục III › 3", Part(heading=2, item=3))
    assert not part_holds("Mục I › 1 › 1.1 › dòng 2", Part(heading=1, item=2))
    passage = "## Điều 3. Chế độ\n1. Họp mỗi quý.\n2. Báo cáo năm.\n## Điều 4. Hiệu lực\n1. Từ ngày ký."
    assert part_text(passage, Part(article=3)) == ("Điều 3. Chế độ", ["1. Họp mỗi quý.", "2. Báo cáo năm."])
    assert part_text(passage, Part(article=4)) == ("Điều 4. Hiệu lực", ["1. Từ ngày ký."])
    assert part_text(passage, Part(article=3, item=2)) == ("Điều 3. Chế độ", ["2. Báo cáo năm."])
    sections = ["Mở đầu", "Điều 1", "Điều 2 › Khoản 1", "QUYẾT ĐỊNH: › Điều 3–4", "Điều 6"]
    assert parts_held(sections, Part(article=9)) == "Điều 1–4, 6"
    assert parts_held(["Mục I › 1", "Mục II", "Mục III › 2 › a)"], Part(heading=5)) == "Mục I–III"
    assert parts_held(["Đoạn 1–4"], Part(article=2)) == ""  # not divided into articles: nothing to say
    assert (label(Part(article=2, item=5)), label(Part(heading=2, item=3))) == ("khoản 5 Điều 2", "Mục II.3")


def test_a_part_named_is_answered_from_that_part(corpus_data: Path) -> None:
    """ "Điều 3 Quyết định 125 quy định gì?" holds none of the article's words: it was refused, its article
    second among the closest passages. The part named leads, is what the question is about, and the answer is
    read from it: its title, then its first units in order; or, asked something of it, what it says of that."""
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    for question, section, short, quoted in [
        ("Điều 3 Quyết định 125 quy định gì?", "Điều 3", "Điều 3. Chế độ làm việc", "1. Tổ công tác làm việc"),
        ("What does Article 4 of Decision 125 say?", "Điều 4", "Điều 4. Hiệu lực", "1. Quyết định này có hiệu lực"),
        ("khoản 2 Điều 2 QĐ 125 nói gì", "Điều 2 › Khoản 2 › a)", "Điều 2. Nhiệm vụ", "a) Tổ số 1:"),
        ("Nội dung chính của Mục III Kế hoạch 02-KH/BCĐTW là gì?", "Mục III", "III. TỔ CHỨC THỰC HIỆN", "1. Các ban"),
        ("Theo khoản 3 Điều 2 Quyết định 125, Tổ công tác có quyền gì?", "Điều 2 › Khoản 3", "", "3. Quyền hạn"),
    ]:
        ans = answerer.answer(question)
        assert ans.found, question
        assert ans.short.startswith(short), (question, ans.short)
        assert ans.quotes[0].text.startswith(quoted), (question, ans.quotes)
        assert all(c.section.startswith(section) and c.symbol.startswith(("125/", "02-")) for c in ans.cited())
    # A part the document does not have is said to be missing, with the parts it has, in the reader's language;
    # before, "Điều 9 …" was answered with Điều 2 of the decision it names (every word of it is there).
    ans = answerer.answer("Điều 9 Quyết định 125 quy định gì?")
    assert not ans.found and ans.absent == ("Điều 9", "125/QĐ-BCĐTW", "Điều 1–4"), ans.text
    assert ans.text.startswith("125/QĐ-BCĐTW không có Điều 9; văn bản có Điều 1–4. Không tìm thấy")
    for lang, said in (("vi", "125/QĐ-BCĐTW không có Điều 9"), ("en", "125/QĐ-BCĐTW has no Điều 9; it has Điều 1–4")):
        shown = "".join(o.html for o in render_answer(answer_view(None, "q", ans, lang)) if isinstance(o, TextOut))
        assert said in shown, shown
    assert answerer.answer("Mục VII Kế hoạch 02 nói gì?").absent == ("Mục VII", "02-KH/BCĐTW", "Mục I–III")


def test_when_a_named_document_was_issued_is_its_own_date(corpus_data: Path) -> None:
    # The header's "Hà Nội, ngày 18 tháng 11 năm 2025" is the document's date, not a passage: before, the
    # answer led with some other date of the plan ("trước ngày 15 tháng 12 năm 2026").
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    for question, date in [
        ("Kế hoạch 350/KH-UBND của UBND thành phố Hà Nội được ban hành ngày nào?", "ngày 18 tháng 11 năm 2025"),
        ("cong van 3456 bkhcn ky ngay nao", "ngày 29 tháng 9 năm 2025"),
        ("On what date was Decision 125/QĐ-BCĐTW signed?", "ngày 24 tháng 10 năm 2025"),
        ("Kế hoạch số 02-KH/BCĐTW được ban hành ngày nào?", "ngày 19 tháng 6 năm 2025"),
        # The Resolution every other title names is still the source asked about: it leads ("NQ57": "57").
        ("NQ57 ban hành ngày nào?", "ngày 22 tháng 12 năm 2024"),
        ("When was Resolution 57 issued?", "ngày 22 tháng 12 năm 2024"),
    ]:
        ans = answerer.answer(question)
        assert ans.found and ans.short == date, (question, ans.short)
        assert ans.body == f"{date} [{ans.short_rank}]" and ans.cited()[0].rank == ans.short_rank
    assert vietnamese_date("2026-02-05") == "ngày 05 tháng 02 năm 2026"  # zeros as documents write them


def test_a_phrase_does_not_run_across_punctuation() -> None:
    """Officials write "Theo báo cáo 07, tổng tiền …": "07 tổng" is no phrase a passage could hold, and a table's
    cells or a sentence's end make none either; numbers and symbols keep theirs. The glossary's words for an
    English question's terms are searched as phrases each."""
    from retrieval.search import in_document_words
    from retrieval.text import word_pairs

    assert word_pairs("Theo báo cáo 07, tổng tiền là bao nhiêu?") == {
        ("bao", "cao"),
        ("cao", "7"),
        ("tong", "tien"),
        ("tien", "la"),
    }
    assert ("thong", "co") not in word_pairs("Nhiệm vụ: Xây dựng hệ thống | Cơ quan chủ trì: Bộ Tài chính")
    assert ("bo", "tai") in word_pairs("Cơ quan chủ trì: Bộ Tài chính")
    assert not {("2025", "ban"), ("dat", "so")} & word_pairs("Hoàn thành năm 2025. Ban chỉ đạo đạt 3,5%; số liệu")
    assert {("1", "287"), ("3", "5"), ("nghe", "cdsqg")} <= word_pairs("giao 1.287 việc, đạt 3,5% (3456/BKHCN-CĐSQG)")
    assert ("trao", "binh") in word_pairs('qua phong trào "Bình dân học vụ số"')  # a quoted name goes on its phrase
    # An English question's terms in the documents' words are phrases of their own ("chinh ke" is none).
    english = word_pairs(in_document_words("Which Ministry of Finance plan funds the tasks", "en"), spelt=False)
    assert {("tai", "chinh"), ("ke", "hoach"), ("kinh", "phi")} <= english
    assert not {("chinh", "ke"), ("hoach", "kinh"), ("tasks", "bo")} & english
    # Dates in figures and abbreviations read as the documents write them: "Tính tới 4/12/2025 BCĐ đã giao …"
    # shares "ngày 04 tháng 12", "Ban Chỉ đạo đã giao" with "Tính đến ngày 04 tháng 12 năm 2025, Ban Chỉ đạo đã giao".
    asked = word_pairs("Tính tới 4/12/2025 BCĐ đã giao bao nhiêu nhiệm vụ?")
    said = word_pairs("Tính đến ngày 04 tháng 12 năm 2025, Ban Chỉ đạo đã giao tổng số 1.287 nhiệm vụ")
    assert {("ngay", "4"), ("4", "thang"), ("thang", "12"), ("dao", "da"), ("da", "giao")} <= asked & said
    assert ("thang", "12") in word_pairs("rà soát tháng 12/2025") & word_pairs("tháng 12 năm 2025")
    assert ("nghi", "quyet") in word_pairs("NQ57 đặt mục tiêu")
    # The composer reads them as written: "… về KHCN, ĐMST, CĐS" names the Resolution's topic, and spelt out
    # its phrases favoured a unit restating the topic (test_the_direct_answer_leads_with_the_fact_asked_for,
    # without the seed articles).
    assert ("khoa", "hoc") not in word_pairs("ban chỉ đạo về KHCN", spelt=False)
    assert ("ve", "khcn") in word_pairs("ban chỉ đạo về KHCN", spelt=False)


def test_english_terms_meet_the_documents_words() -> None:
    assert english_terms("By when must the Ministry of Finance issue guidance?") == "bo tai chinh ban hanh huong dan"
    assert english_terms("Which working group handles databases?") == "to cong tac co so du lieu"
    # Plurals and hyphenated terms meet theirs; the longest term wins ("deputy minister", not "minister").
    assert english_terms("changing its focal-point staff") == "thay doi dau moi nhan su"
    assert english_terms("Which Deputy Ministers attended?") == "thu truong du"
    assert english_terms("by 5 December 2025, in Q3") == "thang 12 quy iii"  # the documents write dates in words
    # A commune's and a province's reports count villages, signal, households: their words are known too.
    assert english_terms("villages with no mobile signal") == "thon di dong song"
    assert english_terms("What share of households reached the target?") == "ty le ho gia dinh dat muc tieu"
    # An English question restates the sentence of its answer through these terms, as a Vietnamese one does.
    text = (
        "Đơn vị cập nhật minh chứng trước ngày 10 tháng 12 năm 2025. Cơ quan thường trực gửi báo cáo tổng hợp "
        "trước ngày 25 tháng 12 năm 2025."
    )
    asked = asked_for("By when?")
    found = tuple(spans(text, asked))
    assert restated(found, text, "By when must the Standing Office send its summary report?").text.endswith(
        "25 tháng 12 năm 2025"
    )
    assert restated(found, text, "By when must units update their evidence?").text.endswith("10 tháng 12 năm 2025")
    assert english_terms("What is the weather?") == ""


@pytest.mark.parametrize(
    ("question", "framing", "content"),
    [
        ("Mô tả quyền được khai sinh, khai tử theo Bộ luật dân sự 2015.", {"mo", "ta"}, {"quyen", "khai", "sinh"}),
        ("Theo Bộ luật dân sự 2015, hãy liệt kê 9 căn cứ xác lập nên quyền dân sự.", {"liet", "ke"}, {"xac", "lap"}),
        ("ai trinh bay bao cao tai hoi nghi", set(), {"trinh", "bay"}),  # here "trình bày" is what was done
        # "hiểu" folds to "hieu" like "hiệu" (hiệu lực, hiệu quả): counted, it sank the definition's cover
        ("Nhiệm vụ quá hạn được hiểu là gì?", {"hieu"}, {"qua"}),
        ("Hiệu lực của luật được hiểu như thế nào?", set(), {"hieu", "luat"}),  # "hiệu" is content
        # "bao nhiêu phần trăm" asks for a share, which the documents write "70%"; elsewhere the words are content
        ("Bao nhiêu phần trăm người dân có tài khoản định danh?", {"phan", "tram"}, {"dinh", "danh"}),
        ("Tỷ lệ phần trăm của từng trạng thái tính thế nào?", set(), {"phan", "tram"}),
    ],
)
def test_words_that_only_frame_a_question_are_not_its_content(
    question: str, framing: set[str], content: set[str]
) -> None:
    terms = set(question_terms(question))
    assert content <= terms
    assert not framing & terms


def test_a_definition_question_is_answered_by_the_sentence_that_defines_the_term() -> None:
    asked = asked_for("Theo Điều 5 Bộ luật dân sự 2015, tập quán là gì?")
    assert (asked.kind, asked.term) == ("definition", "tap quan")
    assert defines("Tập quán là quy tắc xử sự có nội dung rõ ràng…", asked.term)
    assert not defines("Trường hợp các bên không có thỏa thuận thì có thể áp dụng tập quán.", asked.term)
    asked = asked_for("nhiem vu thuong xuyen duoc hieu la gi")
    assert defines("đ) Nhiệm vụ thường xuyên: Nhiệm vụ không ấn định thời hạn kết thúc.", asked.term)
    assert not defines("6.3. Đề nghị chuyển thành nhiệm vụ thường xuyên: Áp dụng với nhiệm vụ …", asked.term)


def test_a_point_is_quoted_with_the_lead_in_of_its_clause() -> None:
    passage = (
        "Điều 1. Tội chiếm đoạt hoặc hủy hoại di vật của tử sỹ\n"
        "1. Người nào chiếm đoạt hoặc hủy hoại di vật của tử sỹ, thì bị phạt cải tạo không giam giữ đến 03 năm "
        "hoặc phạt tù từ 06 tháng đến 03 năm.\n"
        "2. Phạm tội thuộc một trong các trường hợp sau đây, thì bị phạt tù từ 02 năm đến 07 năm:\n"
        "a) Là chỉ huy hoặc sĩ quan;\nb) Chiếm đoạt hoặc hủy hoại di vật của 02 tử sỹ trở lên."
    )
    found = units(passage)
    assert [u.kind for u in found] == ["clause", "lead", "point", "point", "list"]  # the heading is no unit
    assert found[4].text.splitlines()[1:] == [
        "a) Là chỉ huy hoặc sĩ quan;",
        "b) Chiếm đoạt hoặc hủy hoại di vật của 02 tử sỹ trở lên.",
    ]
    assert found[2].text == (
        "2. Phạm tội thuộc một trong các trường hợp sau đây, thì bị phạt tù từ 02 năm đến 07 năm:"
        + JOIN
        + "a) Là chỉ huy hoặc sĩ quan;"
    )
    asked = asked_for("Chiếm đoạt di vật của tử sĩ có thể bị phạt tù lên đến bao nhiêu năm?")
    assert (asked.kind, asked.bound) == ("range", "max")
    assert [s.text for s in spans(found[0].text, asked)] == ["đến 03 năm", "từ 06 tháng đến 03 năm"]
    assert max(s.value for s in spans(found[1].text, asked)) > max(s.value for s in spans(found[0].text, asked))


def test_numbered_clauses_under_a_lead_in_are_its_items_and_a_definition_opens_its_item() -> None:
    passage = (
        "Điều 2. Giải thích từ ngữ\nTrong Luật này, các từ ngữ dưới đây được hiểu như sau:\n"
        "1. An ninh mạng là sự bảo đảm hoạt động trên không gian mạng không gây phương hại đến an ninh quốc gia.\n"
        "2. Bảo vệ an ninh mạng là phòng ngừa, phát hiện, ngăn chặn, xử lý hành vi xâm phạm an ninh mạng."
    )
    found = units(passage)
    assert [u.kind for u in found] == ["lead", "point", "point", "list"]
    asked = asked_for("An ninh mạng là gì?")
    assert [defines(u.text, asked.term) for u in found[1:3]] == [True, False]
    # A clause's number is not a sentence of its own when a long clause is split into sentences.
    long_clause = "1. " + "Người thành niên không đủ khả năng nhận thức, làm chủ hành vi. " * 6
    assert [u.text[:20] for u in units(long_clause)][0] == "1. Người thành niên "
    # A clause is not an item of the clause before it.
    assert [u.kind for u in units("1. Phạm tội thì bị phạt:\na) Là sĩ quan;\nb) Có tổ chức.\n2. Phạm tội khác.")][
        -1
    ] == "clause"


def test_a_phone_number_or_an_email_asked_is_read_as_one() -> None:
    """ "số điện thoại liên hệ … là bao nhiêu" asks for a number to call, not a count; "email": the address. Dates,
    decimals and document numbers are no telephone numbers."""
    text = (
        "3. Nếu có vướng mắc, đề nghị liên hệ bà Đặng Thị Ngọc Lan (Sở Khoa học và Công nghệ); điện thoại: 0912 468 357; "
        "thư điện tử: ngoclan.skhcn@lamgiang.gov.vn. Kiểm tra tại 12 xã từ ngày 02/3/2026, đạt 0,5 điểm theo Công văn "
        "số 0123/SKHCN-QLCN; tổng đài 0269.3822.123."
    )
    asked = asked_for("so dien thoai lien he cua so khcn trong cong van 33")
    assert asked.kind == CONTACT and [sp.text for sp in spans(text, asked)] == ["0912 468 357", "0269.3822.123"]
    asked = asked_for("Email của bà Lan là gì?")
    assert asked.kind == CONTACT and [sp.text for sp in spans(text, asked)] == ["ngoclan.skhcn@lamgiang.gov.vn"]
    assert asked_for("Có bao nhiêu xã được kiểm tra?").kind != CONTACT


def test_units_counted_together_are_counted_as_the_text_pairs_them() -> None:
    """ "14 xã, phường": two kinds of unit counted together, with a comma between; asked for either, the count is of
    both, and a question that goes on ("mấy xã chưa gửi báo cáo") still finds it."""
    text = "Đến ngày 31/12/2025, toàn tỉnh có 38/52 xã, phường đã gửi báo cáo; còn 14 xã, phường chưa gửi báo cáo."
    assert [sp.text for sp in spans(text, asked_for("Còn bao nhiêu xã, phường chưa gửi báo cáo?"))] == ["14 xã, phường"]
    found = [sp.text for sp in spans(text, asked_for("Còn mấy xã chưa gửi báo cáo?"))]
    assert found == ["14 xã, phường chưa gửi báo cáo"], found
    assert [sp.text for sp in spans("Có 63 tỉnh, thành phố tham gia.", asked_for("Có bao nhiêu tỉnh?"))] == [
        "63 tỉnh, thành phố"
    ]


def test_a_count_of_a_whole_is_aligned_with_what_it_counts() -> None:
    """ "2.014/2.177 thủ tục hành chính" is aligned on the words after the whole fraction, as a plain figure is: the
    question says what the localities provided, not the national total beside it. What is counted ends before
    what it relates to ("bao nhiêu luật liên quan đến …": laws)."""
    question = "Các địa phương đã cung cấp dịch vụ công trực tuyến cho bao nhiêu thủ tục hành chính?"
    text = (
        "3.1. Tổng số thủ tục hành chính trên toàn quốc là 5.527 thủ tục. Các địa phương đã cung cấp dịch vụ công "
        "trực tuyến đối với 2.014/2.177 thủ tục hành chính, đạt 92,5%."
    )
    assert restated(tuple(spans(text, asked_for(question))), text, question).text == "2.014/2.177 thủ tục hành chính"
    asked = asked_for("Đã ban hành bao nhiêu luật liên quan đến khoa học, công nghệ?")
    assert asked.counted == "luat"
    text = "Đã ban hành 17 luật, 59 nghị định và 702 văn bản của địa phương liên quan đến khoa học, công nghệ."
    assert [sp.text for sp in spans(text, asked)] == ["17 luật"]


def test_a_share_the_law_writes_in_words_and_a_penalty_asked_by_its_name() -> None:
    """ "không quá bao nhiêu phần …" is answered by "không quá một phần hai", not by a percentage in another clause;
    "được áp dụng mức hình phạt nào" by the penalty the text names ("Cảnh cáo"), while "phạt tù tối thiểu bao
    nhiêu năm" still asks for a term: there a named penalty is not the answer."""
    asked = asked_for("Mức tiền phạt đối với người dưới 18 tuổi phạm tội không quá bao nhiêu phần mức luật định?")
    text = (
        "Mức tiền phạt đối với người dưới 18 tuổi phạm tội không quá một phần hai mức tiền phạt mà điều luật quy định."
    )
    assert [sp.text for sp in spans(text, asked)] == ["không quá một phần hai"]
    asked = asked_for("Người phạm tội ít nghiêm trọng thì được áp dụng mức hình phạt nào?")
    assert asked.penalty_named
    text = "Cảnh cáo được áp dụng đối với người phạm tội ít nghiêm trọng và có nhiều tình tiết giảm nhẹ."
    assert [sp.text for sp in spans(text, asked)] == ["Cảnh cáo"]
    asked = asked_for("Người chuẩn bị phạm tội này thì bị phạt tù tối thiểu bao nhiêu năm?")
    text = (
        "Người chuẩn bị phạm tội này, thì bị phạt cải tạo không giam giữ đến 03 năm hoặc phạt tù từ 01 năm đến 03 năm."
    )
    assert not asked.penalty_named
    assert [sp.text for sp in spans(text, asked)] == ["đến 03 năm", "từ 01 năm đến 03 năm"]
    asked = asked_for("Hành vi gián điệp có hình phạt cao nhất là gì?")  # the harshest: named, the largest
    assert asked.kind == RANGE and asked.penalty_named and asked.bound == "max"


def test_a_span_that_restates_the_question_is_not_its_answer() -> None:
    question = (
        "Người đánh bạc được thua trị giá từ 5.000.000 đồng đến dưới 50.000.000 đồng thì bị phạt tiền từ bao "
        "nhiêu đến bao nhiêu?"
    )
    asked = asked_for(question)
    unit = (
        "Người nào đánh bạc được thua trị giá từ 5.000.000 đồng đến dưới 50.000.000 đồng, thì bị phạt tiền từ "
        "20.000.000 đồng đến 100.000.000 đồng."
    )
    kept = [sp.text for sp in spans(unit, asked) if not echoes(sp, asked, question)]
    assert kept == ["từ 20.000.000 đồng đến 100.000.000 đồng"]
    asked = asked_for("How many of the 105 databases were at high risk?")
    assert [
        sp.text
        for sp in spans(
            "105 cơ sở dữ liệu phải hoàn thành; 38 cơ sở dữ liệu có nguy cơ không hoàn "
            "thành vào ngày 31 tháng 12 năm 2025.",
            asked,
        )
        if not echoes(sp, asked, "How many of the 105 databases were at high risk?")
    ] == ["38 cơ sở dữ liệu"]
    # An English question names a body in its own words: "the steering committee" is the Ban Chỉ đạo. A name that
    # only contains such a term is another body ("education and training" is not the Bộ Giáo dục và Đào tạo).
    question = "Who leads the support team of the steering committee?"
    asked = asked_for(question)
    sentence = "Thành lập Tổ giúp việc Ban Chỉ đạo do ông Bùi Thanh Sơn làm Tổ trưởng."
    kept = [sp.text for sp in spans(sentence, asked) if not echoes(sp, asked, question)]
    assert kept[0] == "ông Bùi Thanh Sơn" and "Ban Chỉ đạo" not in kept, kept
    question = "Which agency leads the task of completing the education and training database?"
    asked = asked_for(question)
    sentence = "Bộ Giáo dục và Đào tạo chủ trì hoàn thiện cơ sở dữ liệu về giáo dục và đào tạo."
    assert [sp.text for sp in spans(sentence, asked) if not echoes(sp, asked, question)] == ["Bộ Giáo dục và Đào tạo"]


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("Tỉnh Nghệ An đã hoàn thành bao nhiêu nhiệm vụ?", ["nghe an"]),
        ("xa hoa binh co bao nhieu nhiem vu", ["hoa binh"]),
        ("tp hcm dau tu ha tang cho bao nhieu xa", ["ho chi minh"]),
        ("How many tasks has Can Tho city completed?", ["can tho"]),
        ("Các xã, phường ở Hà Nội phải gửi gì?", []),
        ("xã phải hoàn thành trước ngày nào", []),
        ("UBND các tỉnh phải trang bị gì?", []),
        ("Tình hình xã hội hóa nguồn lực thế nào?", []),
        ("tinh hinh xa hoi hoa the nao", []),
        ("Sở Khoa học và Công nghệ thành phố Hà Nội", ["ha noi"]),
        ("phuong cham ba tru cot ba cong khai la gi", []),  # "phương châm": a motto, not a ward
        ("tinh nang cua he thong la gi", []),  # "tính năng": "tính" folds to "tinh" too
        ("giao nhiem vu cho cac co quan don vi", []),  # "cơ quan": an agency, not a district
        ("quan hoan kiem co bao nhieu phuong", ["hoan kiem"]),
        # The party's committee of a place names it: "Tỉnh ủy Bình Sơn" is about Bình Sơn (both spellings of "ủy").
        ("Ai là Bí thư Tỉnh ủy Bình Sơn?", ["binh son"]),
        ("Thành uỷ Hà Nội giao nhiệm vụ gì?", ["ha noi"]),
        ("tinh uy binh son giao gi", ["binh son"]),
        ("Tỉnh ủy giao nhiệm vụ gì cho xã?", []),
        # English names a place without its kind: capitalised Vietnamese syllables after a preposition.
        ("Which villages in Hoa Minh Son still have no stable 4G signal?", ["hoa minh son"]),
        ("Who chaired the meeting of the Central Steering Committee?", []),
        ("What does Resolution 57 say about Hanoi?", []),
        # A capitalised question word, determiner or preposition before the kind word is no name.
        ("Which commune vice-chair is directly steering the Dong Phu plan?", []),
        ("In Tan Lap commune, who chairs the review?", ["tan lap"]),
    ],
)
def test_the_places_a_question_is_about(question: str, named: list[str]) -> None:
    """A question about a place no document names is refused for it (a signal of the refusal model)."""
    assert places(question) == named


def test_an_english_place_name_is_the_documents_place_written_joined(corpus_data: Path) -> None:
    assert "ha noi" in syllable_spellings("hanoi") and "hai phong" in syllable_spellings("haiphong")
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    index = answerer.searcher.index

    def place_unknown(question: str) -> bool:
        return gather_evidence(question, answerer.searcher.search(question), index).place_unknown

    # The Hanoi plan says "Hà Nội": a question about "Hanoi" is about a place the documents name…
    assert not place_unknown("By when must 100% of Hanoi commune and ward officials finish the course?")
    # …one about a province they never mention is not, however it is written.
    assert place_unknown("By when must 100% of Camau province officials finish the course?")


def test_a_year_the_documents_never_mention_is_a_time_they_do_not_cover(corpus_data: Path) -> None:
    assert years("Năm 2027 Chính phủ giao chỉ tiêu gì?") == ["2027"]
    assert years("How many days off in 2027?") == ["2027"]
    assert years("Nghị quyết 57 đặt mục tiêu gì cho năm 2030?") == ["2030"]
    # The year of a law's name is which law, not when: "Bộ luật Hình sự năm 2017", "Luật An ninh mạng 2018".
    assert years("Theo Bộ luật Hình sự năm 2017, trục xuất là gì?") == []
    assert years("Luật An ninh mạng 2018 có hiệu lực từ ngày nào?") == []
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    asked = "ngan sach nam 2027 cua da nang cho chuyen doi so la bao nhieu"
    assert gather_evidence(asked, answerer.searcher.search(asked), answerer.searcher.index).place_unknown
    assert not answerer.answer(asked).found
    known = "Nghị quyết 57 đặt mục tiêu gì đến năm 2030?"
    assert not gather_evidence(known, answerer.searcher.search(known), answerer.searcher.index).place_unknown


def test_an_organ_s_name_goes_on_through_the_list_inside_it() -> None:
    """ "Bộ Văn hóa, Thể thao và Du lịch" is one ministry and the Central Steering Committee's name lists its topics;
    "Bộ Tài chính, Bộ Công an" are two, and "…, các bộ, ngành" is not part of a name."""
    asked = asked_for("Cơ quan nào chủ trì?")
    cases = [
        ("Bộ Văn hóa, Thể thao và Du lịch chủ trì xây dựng đề án.", "Bộ Văn hóa, Thể thao và Du lịch"),
        (
            "Thông báo của Ban Chỉ đạo Trung ương về phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số "
            "tại Hội nghị.",
            "Ban Chỉ đạo Trung ương về phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số",
        ),
        ("Bộ Tài chính, Bộ Công an phối hợp.", "Bộ Tài chính"),
        ("Bảo vệ an ninh mạng đặt dưới sự lãnh đạo của Đảng Cộng sản Việt Nam.", "Đảng Cộng sản Việt Nam"),
        ("Giao Bộ Khoa học và Công nghệ, các bộ, ngành và địa phương triển khai.", "Bộ Khoa học và Công nghệ"),
        # What an organ does ends its name: it advises, issues, acts as (lower-case; "Ủy ban Kiểm tra" is a name).
        (
            "Giao Sở Khoa học và Công nghệ chủ trì, phối hợp với Sở Nội vụ tham mưu Trưởng ban ban hành Quy chế.",
            "Sở Khoa học và Công nghệ",
        ),
        ("phối hợp với Sở Nội vụ tham mưu Trưởng ban ban hành Quy chế.", "Sở Nội vụ"),
        ("Sở Khoa học và Công nghệ làm cơ quan thường trực.", "Sở Khoa học và Công nghệ"),
        ("Ủy ban Kiểm tra Tỉnh ủy kiểm tra việc thực hiện.", "Ủy ban Kiểm tra Tỉnh ủy"),
    ]
    for text, name in cases:
        assert spans(text, asked)[0].text == name, (text, spans(text, asked))
    found = [sp.text for sp in spans("Thành lập Tổ giúp việc Ban Chỉ đạo do ông Bùi Thanh Sơn làm Tổ trưởng.", asked)]
    assert "Ban Chỉ đạo" in found and not any("do ông" in f for f in found), found


def test_who_holds_a_role_is_answered_only_by_a_name_the_text_gives_that_role(corpus_data: Path) -> None:
    text = (
        "Ngày 27 tháng 02 năm 2026, đồng chí Trần Minh Đức, Chủ tịch Ủy ban nhân dân tỉnh chủ trì cuộc họp về tiến độ "
        "thực hiện Nghị quyết số 57-NQ/TW trên địa bàn tỉnh Bình Sơn."
    )
    index = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)})).searcher.index
    hits = [Hit(StoredChunk("c1", "tb.md", text, "Mở đầu", 0), 1.0, dense=0.86)]
    assert compose("Ai chủ trì cuộc họp ngày 27/02/2026?", hits, index).short == (
        "đồng chí Trần Minh Đức, Chủ tịch Ủy ban nhân dân tỉnh"
    )
    assert compose("chu tich ubnd tinh binh son la ai", hits, index).short == (
        "đồng chí Trần Minh Đức, Chủ tịch Ủy ban nhân dân tỉnh"
    )
    # Nobody here is the provincial Party secretary: no name in bold, the passage is still quoted.
    draft = compose("Ai là Bí thư Tỉnh ủy Bình Sơn?", hits, index)
    assert draft.short == "" and draft.quotes, draft


def test_which_one_of_a_kind_is_answered_by_the_phrase_the_passage_names_it_with(corpus_data: Path) -> None:
    """ "… của bên nào?", "… và quyền nào?", "… thì phần nào có hiệu lực?" ask for one thing of the kind the noun
    names: the direct answer is the passage's phrase opening with that noun, not one the question names already
    (unless it stands where the question asks); a list ("những quyền nào") or a manner ("như thế nào") gets none."""
    index = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)})).searcher.index

    def short(question: str, text: str) -> str:
        return compose(question, [Hit(StoredChunk("c1", "bl.md", text, "Điều 4", 0), 1.0, dense=0.86)], index).short

    sale = "Trong thời hạn dùng thử, vật mua vẫn thuộc sở hữu của bên bán; bên mua có quyền trả lại vật."
    assert short("Trong thời gian dùng thử, vật mua thuộc sở hữu của bên nào?", sale) == "bên bán"
    rights = "Quyền sở hữu bao gồm quyền chiếm hữu, quyền sử dụng và quyền định đoạt tài sản của chủ sở hữu."
    assert short("Quyền sở hữu gồm quyền chiếm hữu, quyền định đoạt và quyền nào?", rights) == "quyền sử dụng"
    assert short("Quyền sở hữu gồm quyền sử dụng, quyền chiếm hữu và quyền nào?", rights).startswith(
        "quyền định đoạt tài sản"
    )
    annex = "Nếu phần bổ sung trái với phần đã ký kết thì phần bổ sung có hiệu lực."
    assert short("Phần bổ sung trái với phần đã ký kết thì phần nào có hiệu lực?", annex) == "phần bổ sung"
    assert short("Những quyền nào thuộc quyền sở hữu?", rights) == ""
    assert short("Quyền sở hữu được xác lập như thế nào?", rights) == ""


def test_a_role_only_a_person_holds_is_answered_by_a_name_not_an_organ(corpus_data: Path) -> None:
    """ "Which Deputy Minister …" asks for a person, like "who"; "which provincial agency" for an organ, though
    its noun is qualified. An organ in the first passage does not answer the first; the person in the second does."""
    assert asked_for("Which provincial agency is the standing body that monitors the plan?").kind == ORGAN
    assert asked_for("Which Deputy Minister of Public Security attended the conference?").kind == ORGAN
    # A commune's vice-chair is a person too, however the office is qualified; "which agency" is still not.
    assert asked_for("Which commune vice-chair is directly steering the Dong Phu plan?").person
    assert asked_for("Which chairperson signed it?").person and not asked_for("Which agency chairs it?").person
    index = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)})).searcher.index
    organ = "Thứ trưởng Bộ Công an dự hội nghị do Ban Chỉ đạo của Chính phủ tổ chức."
    person = "Phát biểu tại hội nghị, đồng chí Lê Quốc Hùng đề nghị các sở, ngành phối hợp chặt chẽ."
    hits = [
        Hit(StoredChunk("c1", "bc.md", organ, "Mở đầu", 0), 1.0, dense=0.88),
        Hit(StoredChunk("c2", "tt.md", person, "Mở đầu", 0), 0.9, dense=0.87),
    ]
    question = "Which Deputy Minister of Public Security attended the conference?"
    assert compose(question, hits, index).short == "đồng chí Lê Quốc Hùng"
    assert compose("Đồng chí nào là Thứ trưởng Bộ Công an dự hội nghị?", hits, index).short == "đồng chí Lê Quốc Hùng"
    # The refusal reads the fact asked for alike: the organ alone is none.
    assert not gather_evidence(question, hits[:1], index).fact_found
    assert gather_evidence(question, hits, index).fact_found


def test_who_is_answered_by_the_person_named() -> None:
    asked = asked_for("Ai là Bí thư Tỉnh ủy Gia Lai dự Hội nghị?")
    sentence = "Tham dự tại điểm cầu tỉnh Gia Lai có đồng chí Thái Đại Ngọc, Ủy viên Trung ương Đảng, Bí thư Tỉnh ủy."
    found = [sp for sp in spans(sentence, asked) if not echoes(sp, asked, "Ai là Bí thư Tỉnh ủy Gia Lai dự Hội nghị?")]
    # With the offices the text gives after the name, to where it goes on.
    assert [sp.text for sp in found] == ["đồng chí Thái Đại Ngọc, Ủy viên Trung ương Đảng, Bí thư Tỉnh ủy"]
    # With the form of address the text gives: "Bà Nguyễn Thị Thu Hà", as a Vietnamese reader names her.
    row = "2. Phó Trưởng ban thường trực: Bà Nguyễn Thị Thu Hà, Phó Chủ tịch UBND tỉnh."
    assert [sp.text for sp in spans(row, asked_for("Phó trưởng ban thường trực là ai?")) if sp.person] == [
        "Bà Nguyễn Thị Thu Hà, Phó Chủ tịch UBND tỉnh"
    ]
    # Not what the person does next: "… Chủ tịch UBND xã làm Trưởng ban", "… Sở Khoa học và Công nghệ phát biểu".
    for text, person in [
        ("do đồng chí Lê Văn Khánh, Chủ tịch UBND xã làm Trưởng ban;", "đồng chí Lê Văn Khánh, Chủ tịch UBND xã"),
        (
            "Bà Lê Thu Hà, Giám đốc Sở Khoa học và Công nghệ phát biểu.",
            "Bà Lê Thu Hà, Giám đốc Sở Khoa học và Công nghệ",
        ),
        ("ông Bùi Thanh Sơn, Phó Giám đốc Sở Nội vụ - Tổ trưởng", "ông Bùi Thanh Sơn, Phó Giám đốc Sở Nội vụ"),
        ("đồng chí Lê Hoa và các đồng chí", "đồng chí Lê Hoa"),
    ]:
        assert [sp.text for sp in spans(text, asked) if sp.person] == [person], text
    # "Ai …?": the person the unit names, not the organ of their title; a title alone names nobody.
    question = "ai trinh bay bao cao tai hoi nghi"
    unit = "Báo cáo do đồng chí Lê Thị Hoa, Phó Chủ tịch Ủy ban nhân dân Tỉnh trình bày cho biết kết quả."
    assert restated(tuple(spans(unit, asked_for(question))), unit, question).text == (
        "đồng chí Lê Thị Hoa, Phó Chủ tịch Ủy ban nhân dân Tỉnh"
    )
    assert not [sp for sp in spans("Kết luận của đồng chí Tổng Bí thư tại Hội nghị.", asked) if sp.person]
    # "Ai là Trưởng Ban …?": the name or organ the text sets beside those words ("…, Trưởng Ban Chỉ đạo …"), and
    # an organ's name stops at a time ("Ban Chỉ đạo vào cuối tháng 12" is "Ban Chỉ đạo")
    question = "Ai là Trưởng Ban Chỉ đạo Trung ương về phát triển khoa học?"
    unit = (
        "Thông báo kết luận của đồng chí Tổng Bí thư, Trưởng Ban Chỉ đạo Trung ương về phát triển khoa học tại Hội "
        "nghị; Ban Chỉ đạo vào cuối tháng 12 năm 2025 sẽ họp."
    )
    found = tuple(spans(unit, asked_for(question)))
    assert "Ban Chỉ đạo" in [sp.text for sp in found] and restated(found, unit, question).text == "Tổng Bí thư"
    # "… ngày nào?" asks for a day, not the quarter the question itself names
    question = "Hội nghị sơ kết quý III diễn ra ngày nào?"
    unit = "Ngày 15 tháng 10 năm 2025, Ban Chỉ đạo tổ chức Hội nghị sơ kết quý III năm 2025."
    found = tuple(spans(unit, asked_for(question)))
    assert len(found) == 2 and restated(found, unit, question).text == "Ngày 15 tháng 10 năm 2025"
    # A conference is no organ: "Hội nghị ngày 15 tháng 10" names none.
    assert spans("Hội nghị ngày 15 tháng 10 năm 2025 do Ban Chỉ đạo tổ chức.", asked)[0].text == "Ban Chỉ đạo"
    # A name is capitalised: lower-case letters with diacritics ("ấy", "ở") do not make one.
    assert not [sp.text for sp in spans("Theo ông ấy ở đó, việc này cần làm ngay.", asked) if "ấy" in sp.text]


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Hạn nộp báo cáo là ngày nào?", "date"),
        ("han nop bao cao la ngay nao", "date"),
        ("ra soat nhiem vu hang thang truoc ngay may", "date"),  # "ngày mấy" is a day, not a count
        ("By when must the ministry issue the guidance?", "date"),
        ("Cơ chế tài chính đặc thù phải hoàn thành trong thời gian nào?", "date"),
        ("han cap nhat minh chung len he thong", "date"),  # a question that opens with "hạn" asks for one
        ("Hạn chế của việc triển khai là gì?", "definition"),
        ("Có bao nhiêu nhiệm vụ quá hạn?", "quantity"),
        ("co may nhiem vu qua han", "quantity"),
        ("How many tasks are overdue?", "quantity"),
        ("Tỷ lệ hồ sơ trực tuyến đạt bao nhiêu?", "share"),
        ("Tỉ lệ số hóa hồ sơ mới đạt bao nhiêu?", "share"),  # tỉ and tỷ are both correct spellings
        ("What percentage of GDP?", "share"),
        ("Thời hạn cấm cư trú là từ bao nhiêu đến bao nhiêu năm?", "range"),
        ("phat tu bao lau", "range"),
        ("Người nào chứa chấp việc sử dụng trái phép chất ma túy thì bị phạt như thế nào?", "penalty"),
        ("nguoi tang tru trai phep chat ma tuy bi xu ly the nao", "penalty"),
        ("What is the penalty for illegal gambling?", "penalty"),
        ("Hình phạt là gì?", "definition"),
        ("Gây thiệt hại bao nhiêu thì bị phạt tù lên đến 05 năm?", "money"),  # damage is an amount
        ("Cơ quan nào chủ trì?", "organ"),
        ("Cấp nào phê duyệt kế hoạch?", "organ"),
        ("Thông báo nêu những hạn chế, bất cập nào cần khắc phục?", "other"),  # "bất cập nào" folds to "… cap nao"
        ("ai chu tri hoi nghi", "organ"),
        ("Who chairs the committee?", "organ"),
        ("Hồ sơ gồm những gì?", "list"),
        ("Liệt kê các phương thức mà cơ quan có thẩm quyền áp dụng", "list"),
        ("Cá nhân có quyền yêu cầu cơ quan có thẩm quyền công nhận việc thay đổi họ trong trường hợp nào?", "list"),
        ("Có phải nộp bản giấy không?", "yesno"),
        ("Tù chung thân là gì?", "definition"),
        ("nhiem vu thuong xuyen duoc hieu la gi", "definition"),
        ("Vì sao tỉnh chậm tiến độ?", "reason"),
        ("nguyen nhan tinh cham tien do", "reason"),  # a question that opens with "nguyên nhân" asks for one
        ("Nguyên nhân chủ yếu là gì?", "reason"),
        ("Why are the tasks overdue?", "reason"),
        ("Bỏ việc bao nhiêu ngày không có lý do thì bị sa thải?", "range"),  # "lý do" here is a condition
        ("ما هي نسبة تخفيض وقت المعالجة التي حققتها المقاطعة؟", "share"),  # Arabic: "what share"
        ("كم عدد المندوبين؟", "quantity"),  # an Arabic count: the figure before the noun counted ("450 مندوبًا")
        ("Cần đảm bảo điều gì cho lao động nữ tại nơi làm việc?", "other"),  # "cần" folds to English "can"
        ("Can the commune send the report late?", "yesno"),
        ("What was the commune's online payment rate in 2025?", "share"),
        ("What score did the province achieve on the index?", "quantity"),
        ("Ngày hội chuyển đổi số cấp xã phải làm vào lúc nào?", "date"),
        ("Bộ phận nào phụ trách số hóa hồ sơ?", "organ"),
        ("Ban Chỉ đạo tỉnh họp định kỳ bao lâu một lần?", "frequency"),  # how often, not how long
        ("bao cao bao lau 1 lan", "frequency"),
        ("How often does the steering committee meet?", "frequency"),
        ("Ban Chỉ đạo họp bao lâu?", "range"),
    ],
)
def test_what_a_question_asks_for(question: str, kind: str) -> None:
    assert asked_for(question).kind == kind


def test_ask_json_contract_and_exact_quotes(corpus_data: Path) -> None:
    q = "Bộ Công an phải đưa toàn bộ quy trình khung kiến trúc thủ tục hành chính vào sử dụng khi nào?"
    result = CliRunner().invoke(cli, ["ask", q, "--json", "-k", "4"], env={"TROLY_DATA_DIR": str(corpus_data)})
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"question", "found", "answer", "citations", "took_ms"}
    assert data["found"] and 1 <= len(data["citations"]) <= 4
    first = data["citations"][0]
    assert set(first) == {"rank", "document", "symbol", "section", "source", "text", "score"}
    assert first["source"] == "47-TB-TW_thong-bao-ket-luan-ra-soat-nhiem-vu-2025.md" and first["symbol"] == "47-TB/TW"
    assert "01 tháng 3 năm 2026" in data["answer"]  # the date exactly as the document writes it
    assert "47-TB/TW" in data["answer"] and first["section"] in data["answer"]
    assert data["short"] and data["answer"].startswith(data["short"])
    # Every quoted unit is verbatim from a cited passage (a lead-in and its point: each part).
    for quote in [line.split("»")[0].lstrip("«") for line in data["answer"].splitlines() if line.startswith("«")]:
        assert all(any(part in c["text"] for c in data["citations"]) for part in re.split(f"{JOIN}|\n", quote))


def test_eval_reads_both_formats_per_set_split_and_language(corpus_data: Path, tmp_path: Path) -> None:
    own, dev = tmp_path / "mine", tmp_path / "alqac-dev"
    own.mkdir()
    dev.mkdir()
    target = "57-NQ-TW_nghi-quyet-57.md"
    article, other = "000_not-loaded.txt", "001_not-loaded.txt"
    (own / "split.json").write_text(json.dumps({"held_out": [target, article, other]}), encoding="utf-8")
    (own / "qa.jsonl").write_text(
        "\n".join(
            json.dumps(q, ensure_ascii=False)
            for q in [
                {
                    "id": "m1",
                    "question": "Nghị quyết 57-NQ/TW đặt mục tiêu quy mô kinh tế số đạt bao nhiêu phần trăm GDP vào năm 2030?",
                    "lang": "vi",
                    "accented": True,
                    "answerable": True,
                    "source": target,
                    "also": [],
                    "fact": "30% GDP",
                },
                {"id": "m2", "question": "Cách nấu phở bò ngon?", "lang": "vi", "accented": True, "answerable": False},
                # An article's fact that a loaded Vietnamese document restates in its own words: citing that
                # document is a hit, its wording the fact contained.
                {
                    "id": "m3",
                    "question": "Quy mô kinh tế số phải đạt bao nhiêu phần trăm GDP vào năm 2030?",
                    "lang": "vi",
                    "answerable": True,
                    "source": article,
                    "fact": "٣٠٪ من الناتج المحلي",
                    "restated": [{"source": target, "fact": "30% GDP"}],
                },
                # Restated by a document the answer does not cite: the same words in the answer are not its fact.
                {
                    "id": "m5",
                    "question": "Quy mô kinh tế số phải đạt bao nhiêu phần trăm GDP vào năm 2030?",
                    "lang": "vi",
                    "answerable": True,
                    "source": other,
                    "fact": "٣٠٪ من الناتج المحلي",
                    "restated": [{"source": "71-NQ-CP_chuong-trinh-hanh-dong-chinh-phu.md", "fact": "30% GDP"}],
                },
            ]
        ),
        encoding="utf-8",
    )
    (dev / "qa.jsonl").write_text(
        "\n".join(
            json.dumps(q, ensure_ascii=False)
            for q in [
                {
                    "id": "a1",
                    "q": "Nghị quyết 57-NQ/TW đặt mục tiêu quy mô kinh tế số đạt bao nhiêu phần trăm GDP vào năm 2030?",
                    "answer": "30% GDP",
                    "doc": "57-NQ-TW_nghi-quyet-57",
                    "article": 2,
                },  # no "Điều 2" there: never a hit
                {"id": "a2", "q": "Giá vàng hôm nay bao nhiêu?", "answer": "", "doc": None, "article": None},
            ]
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli,
        ["eval", str(own / "qa.jsonl"), str(dev / "qa.jsonl"), "--split", "held_out", "--json"],
        env={"TROLY_DATA_DIR": str(corpus_data)},
    )
    assert result.exit_code == 0, result.output
    m = json.loads(result.output)["metrics"]
    assert "qa/tuning" not in m and m["qa/held_out"]["n"] == 3  # m2 (even number) is in the tuning half
    assert m["qa/held_out"]["hit@3"] == 0.667 and m["qa/held_out"]["contains"] == 0.667  # m5 neither
    assert m["qa/held_out"]["direct"] == 0.667  # "30% GDP" is the bold first line itself
    assert m["alqac-dev"]["n"] == 2 and m["alqac-dev"]["hit@3"] == 0.0  # the article rule of the ALQAC format
    assert m["alqac-dev"]["contains"] == 1.0 and m["alqac-dev"]["refusal"] == 1.0
    assert m["alqac-dev · vi"]["n"] == 2 and m["all"]["n"] == 5 and 0 < m["all"]["median_len"] <= 300


def test_ask_reads_questions_from_stdin_one_json_per_line(corpus_data: Path) -> None:
    env = {**os.environ, "TROLY_DATA_DIR": str(corpus_data)}
    questions = [
        "han hoan thanh he thong dieu phoi giai quyet tthc",
        "Cách nấu phở bò ngon?",
        "What is the GDP target for the digital economy by 2030?",
    ]
    out = subprocess.run(
        [TROLY, "ask"], input="\n".join(questions) + "\n", env=env, capture_output=True, text=True, check=True
    )
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [x["question"] for x in lines] == questions
    assert lines[0]["found"] and "20 tháng 12 năm 2025" in lines[0]["answer"]
    assert not lines[1]["found"] and "Không tìm thấy" in lines[1]["answer"]
    assert lines[2]["found"] and lines[2]["citations"][0]["symbol"] == "57-NQ/TW"


def test_off_topic_questions_are_refused(corpus_data: Path) -> None:
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    for question in (
        "Thời tiết Hà Nội ngày mai thế nào?",
        "ket qua bong da ngoai hang anh",
        "Recipe for bánh mì?",
        "Nghị quyết 123-NQ/TW nói gì?",
    ):
        ans = answerer.answer(question)
        assert not ans.found, question
        assert "Không tìm thấy" in ans.text
    # `troly ask` shows a refusal as the chat does: the closest two passages, labelled as not answering it.
    result = CliRunner().invoke(
        cli, ["ask", "Thời tiết Hà Nội ngày mai thế nào?"], env={"TROLY_DATA_DIR": str(corpus_data)}
    )
    assert result.exit_code == 0, result.output
    refusal, closest = result.output.split("\n\n", 1)
    assert refusal.startswith("Không tìm thấy") and "«" not in result.output  # nothing quoted as if it answered
    label, *sources = closest.strip().splitlines()
    assert label == "Hai đoạn gần nhất (không trả lời câu hỏi):", label
    assert 1 <= len(sources) <= 2 and all(line.startswith("📄 [") for line in sources), sources
    # In the reader's language, as the chat says it (the stored refusal is Vietnamese).
    result = CliRunner().invoke(
        cli, ["--lang", "en", "ask", "Thời tiết Hà Nội ngày mai thế nào?"], env={"TROLY_DATA_DIR": str(corpus_data)}
    )
    refusal, closest = result.output.split("\n\n", 1)
    assert refusal.startswith("Nothing in the ") and "Không" not in result.output, result.output
    assert closest.startswith("The two closest passages (they do not answer the question):"), closest


def test_abbreviations_officials_type_are_not_unknown_words(corpus_data: Path) -> None:
    """ "NQ57", "KHCN", "BCĐ": no passage holds them as typed, all spell them out; they are not words no document
    holds. A word no passage holds at all still is."""
    index = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)})).searcher.index
    question = "Ban chỉ đạo TW về KHCN, ĐMST, CĐS thì ai làm trưởng ban, theo NQ57?"
    content, missing = unknown_words(question, "vi", question_terms(question), index)
    assert {"khcn", "đmst", "cđs", "nq57"} <= set(content) and missing == [], missing
    assert "phở" in unknown_words("Giá phở bò ở Hà Nội?", "vi", [], index)[1]
    # "KH&CN" is one abbreviation, not "KH" (kế hoạch) and "CN".
    question = "Đặt hàng nhiệm vụ KH&CN cấp tỉnh thì hạn chót nộp khi nào?"
    assert unknown_words(question, "vi", question_terms(question), index)[1] == []
    assert {"khoa", "hoc", "cong", "nghe"} <= set(question_terms(question)) and "hoach" not in question_terms(question)
    # How a question asks ("vào thời gian nào" is "khi nào"; "ở đâu ra" is where) is not what it asks about; "đầu"
    # is a word.
    assert question_terms("Sở kiểm tra mấy xã, vào thời gian nào?") == ["kiem", "tra", "xa"]
    assert question_terms("Tiền lấy ở đâu ra?") == ["tien", "lay"]
    assert "dau" in question_terms("Người đứng đầu là ai?")


def test_english_function_words_are_not_weighed_as_vietnamese_syllables(corpus_data: Path) -> None:
    """ "no" is a Vietnamese syllable too ("nợ", "nó"): weighed by its rarity among Vietnamese passages it was two
    thirds of "how many villages … still have no mobile coverage?", missing from the passage that answers it,
    and the question was refused."""
    question = "According to report 15, how many villages nationwide still have no mobile coverage?"
    assert "no" not in question_terms(question, translated=True)
    assert "tong" in question_terms("What is the total budget?", translated=True)  # the documents' words stay
    ans = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)})).answer(question)
    assert ans.found and "308 thôn" in ans.text, ans.text


def test_a_question_naming_a_document_no_passage_holds_is_refused(corpus_data: Path) -> None:
    """ "Kế hoạch 999 …" names a plan that is not loaded and that no passage cites: like a place or a year no
    passage mentions, it is about something the documents do not cover (without this, both were answered
    from the documents on the same topic). A loaded document named by its number is not such a one."""
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    index = answerer.searcher.index
    assert unloaded_document_numbers("Nghị quyết 57 đặt mục tiêu gì?", index) == []
    assert unloaded_document_numbers("Luật số 91 quy định gì?", index) == []  # laws: excerpts carry no number
    assert index.document_frequency(["99"])["99"]  # a figure of some passage, not the resolution below
    for question, number in (
        ("Kế hoạch 999 giao bộ nào xây dựng cơ sở dữ liệu quốc gia?", "999"),
        ("quyet dinh 2468 ve chuong trinh chuyen doi so quoc gia dat muc tieu gi", "2468"),
        # Written with its symbol, it is looked for by it: some passage holds the figure 99 ("99 nhiệm vụ").
        ("What does Resolution 99-NQ/TW say about digital transformation?", "99_nq_tw"),
    ):
        assert unloaded_document_numbers(question, index) == [number]
        assert gather_evidence(question, answerer.searcher.search(question), index).place_unknown
        assert not answerer.answer(question).found, question


def test_english_questions_outside_the_documents_vocabulary_are_refused(corpus_data: Path) -> None:
    """An English word no Vietnamese passage holds weighed nothing, so "weather forecast … Ho Chi Minh City"
    looked fully covered by the Hanoi plan's "Hồ Chí Minh"; words the glossary cannot put into the documents'
    words now count as asked and missing. Questions in the documents' vocabulary are still answered."""
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    index = answerer.searcher.index
    question = "What's the weather forecast for Ho Chi Minh City this weekend?"
    content, missing = unknown_words(question, "en", [], index)
    assert missing == ["weather", "forecast", "weekend"], (content, missing)
    assert unknown_words("Which ministry leads the task?", "en", [], index)[1] == []
    for off_topic in (question, "What was the total value of Vietnam's semiconductor chip exports in 2025?"):
        assert not answerer.answer(off_topic).found, off_topic
    answered = answerer.answer("What is the GDP target for the digital economy by 2030?")
    assert answered.found and "30% GDP" in answered.text


@pytest.mark.parametrize(
    ("message", "question"),
    [
        ("Cho tôi hỏi: Nghị quyết 57 đặt mục tiêu gì? Cảm ơn.", "Nghị quyết 57 đặt mục tiêu gì?"),
        ("Đồng chí cho hỏi hạn nộp báo cáo là ngày nào ạ?", "Hạn nộp báo cáo là ngày nào?"),
        ("Nhờ Trợ lý tra giúp: kinh phí năm 2026? Cần gấp để báo cáo.", "Kinh phí năm 2026?"),
        (
            "Văn phòng UBND xã hỏi: có bao nhiêu nhiệm vụ quá hạn? Trả lời ngắn giúp tôi.",
            "Có bao nhiêu nhiệm vụ quá hạn?",
        ),
        ("cho toi hoi: han hoan thanh he thong tthc? cam on", "han hoan thanh he thong tthc?"),
        # A particle that ends a spoken question.
        ("Từ đầu năm BCĐ họp mấy cuộc rồi?", "Từ đầu năm BCĐ họp mấy cuộc?"),
        ("NQ57 nói cái gì vậy ạ?", "NQ57 nói cái gì?"),
        ("tu dau nam bcd hop may cuoc roi", "tu dau nam bcd hop may cuoc"),
        ("Ngân hàng nào cho vay?", "Ngân hàng nào cho vay?"),  # bare "vay" may be a loan: left
        ("Hạn nộp báo cáo là ngày nào ạ? Xin cảm ơn. Cần gấp để báo cáo.", "Hạn nộp báo cáo là ngày nào?"),
        ("Please tell me: who chairs the committee? Thanks.", "Who chairs the committee?"),
        # Not courtesy: left alone.
        ("Chi hội phụ nữ xã có nhiệm vụ gì?", "Chi hội phụ nữ xã có nhiệm vụ gì?"),
        ("Hội nghị: ai chủ trì?", "Hội nghị: ai chủ trì?"),
        ("Phụ lục A", "Phụ lục A"),
        ("Cảm ơn", "Cảm ơn"),
    ],
)
def test_courtesy_is_not_part_of_the_question(message: str, question: str) -> None:
    assert strip_courtesy(message) == question


def test_courteous_wording_gets_the_same_answer(corpus_data: Path) -> None:
    # "Cảm ơn", "Nhờ", "cần gấp" are in no document: before strip_courtesy only 16 of these 60 wrapped
    # questions got the bare question's answer (most were refused). Each accented one, wrapped:
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    wraps = [
        ("Cho tôi hỏi: ", " Cảm ơn."),
        ("Nhờ Trợ lý tra giúp: ", " Cần gấp để báo cáo."),
        ("Xin hỏi, ", " ạ"),
        ("Văn phòng xã hỏi: ", " Trả lời ngắn giúp tôi."),
    ]
    qs = [q.question for q in load_questions(QA) if q.answerable and q.lang == "vi" and q.accented]
    same = 0
    for i, q in enumerate(qs):
        bare = answerer.answer(q)
        opening, closing = wraps[i % len(wraps)]
        wrapped = answerer.answer(opening + q[0].lower() + q[1:] + closing)
        same += wrapped.found == bare.found and wrapped.citations[0].source == bare.citations[0].source
    assert same >= 0.95 * len(qs), (same, len(qs))


def test_an_english_question_is_searched_with_the_documents_words(corpus_data: Path) -> None:
    """English words meet no Vietnamese passage; their glossary terms do ("Standing Office" → cơ quan thường trực)."""
    searcher = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)})).searcher
    question = (
        "Under Guideline 01-HD/BCĐTW, how many working days does the Standing Office have to add the tasks of a new "
        "conclusion notice to the System?"
    )
    hits = searcher.search(question, k=5)
    assert any("05 ngày làm việc" in h.chunk.text and "thông báo kết luận mới" in h.chunk.text for h in hits[:3]), [
        (h.chunk.doc_id, h.chunk.section) for h in hits
    ]
    ans = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)})).answer(question)
    assert ans.found and ans.short.endswith("05 ngày làm việc"), ans.body


@needs_seeds
def test_a_refusal_offers_the_paragraph_in_another_script_where_it_says_more(corpus_data: Path) -> None:
    """A refusal offers two passages. The third place is kept for a passage in another script, found by meaning
    alone; when it holds as much of the question's words (put into its script) as the second, it is offered
    instead of the second: the Arabic paragraph on the Prime Minister's meeting, not a second Vietnamese letter
    on another meeting. Not so for the province's steering committee, where a Vietnamese report on the committees'
    tasks comes second and an Arabic paragraph on the Government's meeting third."""
    answerer = with_fixtures(corpus_data)
    index = answerer.searcher.index
    meeting = (
        "Tại phiên họp Ban Chỉ đạo của Chính phủ về khoa học, công nghệ và Đề án 06, Thủ tướng nêu tinh thần gì "
        "khi nói yêu cầu ngày càng cao hơn?"
    )
    hits = answerer.searcher.search(meeting, k=5)
    assert [h.chunk.meta.language for h in hits[:3]] == ["vi", "vi", "ar"], [h.chunk.doc_id for h in hits[:3]]
    assert closest(meeting, hits, index) == [0, 2]
    refused = answerer.refused(meeting, None, to_citations(hits), hits)
    assert [c.rank for c in refused.citations] == [1, 3] and refused.used == (1, 3), refused.citations
    assert refused.citations[1].source.startswith("002_"), refused.citations[1]
    committee = "Ban chỉ đạo tỉnh có tổng cộng mấy người?"
    hits = answerer.searcher.search(committee, k=5)
    assert hits[2].chunk.meta.language == "ar" and hits[1].chunk.meta.language == "vi", hits[:3]
    assert closest(committee, hits, index) == [0, 1]


@needs_seeds
def test_cross_language(corpus_data: Path) -> None:
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    # Questions in Vietnamese/English whose only source is an Arabic or Persian article, and the reverse.
    qs = load_questions(QA)
    raw = {json.loads(line)["id"]: json.loads(line) for line in QA.read_text(encoding="utf-8").splitlines()}
    cross = [q for q in qs if q.answerable and raw[q.id]["source"].endswith(".txt") and q.lang in ("vi", "en")]
    arabic = [q for q in qs if q.lang in ("ar", "fa")]
    assert len(cross) >= 5 and len(arabic) >= 5
    found, answered = {}, {}
    for q in cross + arabic:
        ans = answerer.answer(q.question)
        found[q.id] = any(is_hit(q, c) for c in ans.citations[:3])
        answered[q.id] = ans.found
    print(
        f"cross-language {sum(found[q.id] for q in cross)}/{len(cross)}, ar/fa {sum(found[q.id] for q in arabic)}/{len(arabic)}"
    )
    assert sum(found.values()) / len(found) >= 0.6, found
    # The paragraph that states the fact among the first three passages found: 4 of the 9 Vietnamese/English
    # questions before the bridge (retrieval/bridge.py), 6 with it. Cited after the refusal: 5, then 4 once an
    # English question's words outside the glossary count as missing (q126's answer, which quoted a working
    # group's duties and not the traditions asked for, is now a refusal).
    paragraph = {
        q.id: any(
            is_hit(q, to_citations([h])[0]) and norm(q.fact) in norm(h.chunk.text)
            for h in answerer.searcher.search(q.question, k=10)[:3]
        )
        for q in cross
    }
    assert sum(paragraph.values()) >= 6, paragraph
    # Among the first three citations: 4 of 9, then 9 once a refusal offers the paragraph in another script
    # where it holds as much of the question's words as the second passage (4 of the 9 are refused).
    assert sum(found[q.id] for q in cross) / len(cross) >= 0.8, {q.id: found[q.id] for q in cross}
    # Answered: 4 of the 9, then 6 once a passage in another script that says more of the question than those in
    # the question's script is judged alone (q120, q121).
    assert sum(answered[q.id] for q in cross) >= 6, {q.id: answered[q.id] for q in cross}


@needs_seeds
def test_a_passage_in_another_script_that_says_more_is_judged_alone(corpus_data: Path) -> None:
    """Two Vietnamese letters on other meetings lead, an Arabic paragraph on the Prime Minister's meeting is kept
    third: judged together, the three were refused (the letters say part of the question, closely alike). Words
    compare only within a script; the paragraph holds more of the question's words (put into Arabic) than either
    letter, so it is judged alone, as a question answered across scripts: it answers, leads and is quoted."""
    answerer = with_fixtures(corpus_data)
    question = (
        "Phiên họp trực tuyến của Ban Chỉ đạo của Chính phủ với 34 tỉnh, thành phố về khoa học, công nghệ và Đề án 06"
        " do Thủ tướng nào chủ trì?"
    )
    hits = answerer.searcher.search(question, k=5)
    assert [h.chunk.meta.language for h in hits[:3]] == ["vi", "vi", "ar"] and hits[2].kept, hits[:3]
    assert says_more_across(question, hits, answerer.searcher.index) is hits[2]
    ans = answerer.answer(question)
    assert ans.found and ans.citations[0].source.startswith("002_"), ans.citations[:3]
    assert "فام مينه تشينه" in ans.text, ans.text
    # Where the letters say as much, they are judged with it: the province's steering committee stays refused.
    committee = "Ban chỉ đạo tỉnh có tổng cộng mấy người?"
    assert says_more_across(committee, answerer.searcher.search(committee, k=5), answerer.searcher.index) is None


@needs_seeds
def test_a_question_answered_by_an_arabic_article_quotes_its_sentence_that_answers(corpus_data: Path) -> None:
    """Words compare only within a script, so every unit of an Arabic passage held none of an English question's
    words and the shortest won ("By 23 September 2025, 270 tasks …" for which ministry reported on administrative
    reform); the question's terms it renders (retrieval/bridge.py) now count as its words. The kinds asked (a
    person, an organ) cannot be read in Arabic: a Vietnamese passage ranked fourth that shows a name no longer
    answers for it ("Nguyễn Duy Ngọc" from another meeting). A link line ("المصدر: https://…", its address the
    title spelt out) is never a quote. The refusal reads such passages through the same terms, so these are
    answered; questions on something else whose closest passages are the articles are still refused."""
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    for question, fact in (
        (
            "At the Government Steering Committee meeting, which ministry's leaders reported on the results of "
            "administrative reform?",
            "وزارة الداخلية تقريراً عن نتائج تنفيذ الإصلاح الإداري",
        ),
        (
            "Who was the Standing Member of the Party Secretariat attending the 15 October 2025 review conference "
            "on Resolution 57?",
            "وتران كام تو، عضو المكتب السياسي، العضو الدائم في الأمانة العامة",
        ),
    ):
        ans = answerer.answer(question)
        assert ans.found and fact in ans.text.split("\n\n")[0], ans.text  # the first quote
        assert "https://" not in ans.text and "Nguyễn Duy Ngọc" not in ans.short, ans.text
    for question in ("What is Vingroup's stock price today?", "When is the best time of year to visit Ha Long Bay?"):
        hits = answerer.searcher.search(question)
        assert any(h.chunk.meta.language in ("ar", "fa") for h in hits[:3]), question  # read through the bridge
        assert not answerer.answer(question).found, question


@needs_seeds
def test_an_arabic_article_sharing_only_the_topic_does_not_crowd_out_the_vietnamese_passage(corpus_data: Path) -> None:
    """For an English question, e5 puts the Arabic articles on Resolution 57 as near as the Vietnamese notice that
    answers, and a passage in another script took the lexical weight too from its dense rank: the three articles
    filled the first places and the notice was fourth. They take it now in the measure that they hold the
    question's terms put into Arabic."""
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    question = (
        "What share of GDP growth did the Q3 2025 conclusion notice attribute to science, technology, innovation and "
        "digital transformation?"
    )
    hits = answerer.searcher.search(question)
    assert any(h.chunk.meta.symbol == "45-TB/TW" for h in hits[:3]), [(h.chunk.doc_id, h.chunk.section) for h in hits]
    ans = answerer.answer(question)
    assert ans.found and "16%" in ans.text, ans.text


@needs_seeds
def test_articles_in_another_script_take_at_most_two_of_the_first_three_places(corpus_data: Path) -> None:
    """The Arabic and Persian articles retell what the Vietnamese documents state; for this English question
    they filled the first three places (the cross-script one kept among them), and "up to the Q3 review
    conference" was read as asking the largest figure. A passage in the question's script takes the third."""
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    question = (
        "How many meetings had the Central Steering Committee held from the start of 2025 up to the Q3 review "
        "conference?"
    )
    assert asked_for(question).bound == "" and asked_for("Up to how many years in prison?").bound == "max"
    hits = answerer.searcher.search(question)
    assert sum(h.chunk.meta.language in ("ar", "fa") for h in hits[:3]) == 2, [h.chunk.doc_id for h in hits]
    ans = answerer.answer(question)
    assert ans.found and "25 cuộc họp" in ans.text, ans.text


def test_when_asks_a_date_only_as_the_questions_word() -> None:
    """ "What saying … did the Prime Minister quote when urging …" asks for a saying: "when" there joins a clause,
    and read as a date question its answer was "the passages do not state the date asked for"."""
    assert (
        asked_for("What saying did the Prime Minister quote when urging to bring science into all activities?").kind
        != "date"
    )
    for question in ("When did the Law come into force?", "By when must the plan be done?", "The report is due when?"):
        assert asked_for(question).kind == "date", question


def test_terms_put_into_arabic_and_persian_meet_the_articles_words() -> None:
    """Clitics, short vowels, letter forms, joiners and digits do not keep a term from its article's word."""
    assert arabic_words("وبالتحول الرقميُّ للجنة اللجنة، کمیته‌های ۲۰۲۵ ووزارة") == "تحول رقمي جنه جنه ميته هاي 2025 زاره"
    said = arabic_stems("ترأس المؤتمر الأمين العام، بمشاركة رئيس الجمعية الوطنية ووزارة العلوم والتكنولوجيا")
    assert holds(said, "chu tich quoc hoi") and holds(said, "bo khoa hoc va cong nghe") and holds(said, "tong bi thu")
    assert not holds(said, "thu tuong")
    assert holds(arabic_stems("وزارت علوم و فناوری گزارش داد"), "bo khoa hoc va cong nghe")
    # The longest term first: "chủ tịch" inside "Chủ tịch Quốc hội" is not a second term.
    assert bridged_terms("Chủ tịch Quốc hội dự hội nghị quý III") == ["chu tich quoc hoi", "hoi nghi", "quy iii"]


def test_words_compare_across_scripts_as_stems_names_and_the_terms_inside_a_longer_one() -> None:
    """What a passage in another script says of a question is read fairly before it is weighed against passages in
    the question's script: a noun in another number or case is the list's noun; of a long term it does not hold, the
    shorter terms inside it that it does; a place is a name, not the syllables of other words."""
    # The list writes "المندوبين"; the article "3152 مندوبًا".
    assert holds(arabic_stems("انعقد المؤتمر بمشاركة 3152 مندوبًا في 212 نقطة اتصال"), "dai bieu")
    assert not holds(arabic_words("انعقد المؤتمر بمشاركة 3152 مندوبًا في 212 نقطة اتصال"), "dai bieu")
    # "اللجنة التوجيهية" without "المركزية" is the steering committee of "Ban Chỉ đạo Trung ương", not nothing.
    said = arabic_stems("في 15 أكتوبر 2025، عقدت اللجنة التوجيهية مؤتمرا لمراجعة تنفيذ القرار")
    assert held_terms(said, ["ban chi dao trung uong", "hoi nghi"]) == ["ban chi dao", "hoi nghi"]
    # "đánh giá lại" folds to the syllables of Gia Lai: with diacritics, a place is one written with capitals.
    review = "Bộ Tư pháp phải rà soát, đánh giá lại toàn bộ thủ tục hành chính cấp tỉnh trước thời hạn nào?"
    assert "gia lai" not in bridged_question(review, "vi") and "bo tu phap" in bridged_question(review, "vi")
    assert "gia lai" in bridged_question("Ai là Bí thư Tỉnh ủy Gia Lai phát biểu tại điểm cầu của tỉnh?", "vi")
    assert "gia lai" in bridged_question("gia lai bo tri bao nhieu ty dong cho cap xa", "vi_plain")  # no capitals
    assert proper_names("Hội nghị của Ban Chỉ đạo 57 Thành ủy Hà Nội có bao nhiêu đại biểu?") == ["ban chi", "ha noi"]
    assert proper_names("ha noi co bao nhieu xa") == [] and proper_names("Tỷ lệ NQ57 quý III là bao nhiêu?") == []


def test_a_passage_in_another_script_is_weighed_on_the_words_both_scripts_can_be_checked_for() -> None:
    """Between scripts, a question's words count only where a passage in either script can hold them: a word the
    list cannot put into Arabic is held by no Arabic passage, and weighed it favoured every Vietnamese one. A name
    counts whole: a report on Đông Hà Sơn holds "hà" and, in "nội dung", "nội", and says nothing of Hà Nội."""
    question = "Hội nghị của Thành ủy Hà Nội có bao nhiêu đại biểu tham dự?"
    weight = {"hoi": 1.0, "nghi": 1.0, "thanh": 1.0, "uy": 1.0, "ha": 2.0, "noi": 2.0, "dai": 3.0, "bieu": 3.0,
              "tham": 1.0, "du": 1.0, "kinh": 4.0}  # fmt: skip
    asked = AskedWords("vi", weight, list(weight), [], bridged_question(question, "vi"))

    def hit(text: str, language: str) -> Hit:
        return Hit(StoredChunk("c", "d", text, "", 0, DocumentMeta(language=language)), 1.0)

    other_place = hit("Hội nghị Thành ủy Đông Hà Sơn: 120 đại biểu tham dự, bàn nội dung kinh tế số.", "vi")
    article = hit("انعقد مؤتمر لجنة الحزب في هانوي بمشاركة 3152 مندوبًا.", "ar")
    # Weighed on every word, with the name in pieces, the report on another province says more than the article.
    assert asked.passage_share(other_place) > asked.passage_share(article)
    fair = asked.between_scripts(question)
    assert "kinh" not in fair.weight and fair.names == ("ha noi",)
    assert fair.passage_share(article) > fair.passage_share(other_place)


def test_filters(corpus_data: Path) -> None:
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    only_plans = answerer.answer(
        "nhiệm vụ của xã, phường về chuyển đổi số", filters=SearchFilters(doc_types=("Kế hoạch",))
    )
    assert only_plans.citations and {c.symbol for c in only_plans.citations} <= {
        "02-KH/BCĐTW",
        "350/KH-UBND",
        "112-KH/TU",
    }
    one_doc = answerer.answer("thời hạn", filters=SearchFilters(symbols=("45-TB/TW",)))
    assert one_doc.citations and {c.symbol for c in one_doc.citations} == {"45-TB/TW"}
    dated = answerer.answer("Nghị quyết", filters=SearchFilters(date_to="2025-01-31"))
    assert dated.citations and {c.symbol for c in dated.citations} == {"57-NQ/TW"}


def test_llm_mode_cites_only_given_passages(corpus_data: Path) -> None:
    def reply(request: dict[str, object]) -> str:
        return "Theo [1], hạn là ngày 20 tháng 12 năm 2025 [1]; xem thêm [9]."

    with FakeLLM(reply=reply).run_in_thread() as llm:
        conf = Settings.from_env(
            {"TROLY_DATA_DIR": str(corpus_data), "LLM_BASE_URL": llm.base_url, "LLM_MODEL": "fake"}
        )
        answerer = build_answerer(conf)
        assert isinstance(answerer, LLMAnswerer)
        ans = answerer.answer("Hệ thống điều phối giải quyết thủ tục hành chính phải hoàn thành trước ngày nào?")
        sent = llm.last_user_message
        asked = len(llm.requests)
        refused = answerer.answer("Cách nấu phở bò ngon như ngoài hàng?")  # the same refusal, the model not asked
        assert not refused.found and len(llm.requests) == asked and len(refused.citations) <= 2
    assert ans.found and "20 tháng 12 năm 2025 [1]" in ans.text and "[9]" not in ans.text
    assert ans.short and ans.body.startswith(ans.short)  # the direct answer first, verbatim, as extractive
    assert ans.short in next(c.text for c in ans.citations if c.rank == ans.short_rank)
    assert [c.rank for c in ans.cited()] == sorted({1, ans.short_rank})  # only passages that were given
    assert "[1]" in sent and "Câu hỏi:" in sent  # numbered passages went to the model
    assert "Câu trả lời trực tiếp" in sent and ans.short in sent  # and the direct answer it must not contradict
    assert not ans.note


@pytest.mark.parametrize("failure", ["status", "timeout"])
def test_llm_failure_falls_back_to_extractive(corpus_data: Path, failure: str) -> None:
    fake = FakeLLM(fail_status=500) if failure == "status" else FakeLLM(delay=30)
    with fake.run_in_thread() as llm:
        conf = Settings.from_env({"TROLY_DATA_DIR": str(corpus_data), "LLM_BASE_URL": llm.base_url})
        answerer = build_answerer(conf)
        assert isinstance(answerer, LLMAnswerer)
        from langchain_openai import ChatOpenAI

        answerer.chat = ChatOpenAI(base_url=llm.base_url, api_key="x", model="fake", timeout=1.0, max_retries=0)
        ans = answerer.answer("Hệ thống điều phối giải quyết thủ tục hành chính phải hoàn thành trước ngày nào?")
    assert ans.found and ans.note and "20 tháng 12 năm 2025" in ans.text
    plain = ExtractiveAnswerer(answerer.extractive.searcher).answer(
        "Hệ thống điều phối giải quyết thủ tục hành chính phải hoàn thành trước ngày nào?"
    )
    assert plain.text == ans.text


@needs_seeds
def test_nearest_in_a_few_documents_agrees_with_chroma(corpus_data: Path) -> None:
    """The cross-script slot compares vectors held in memory (a filtered Chroma query cost ~40 ms at 50k)."""
    from retrieval.build import build_embedder, build_index

    settings = Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)})
    embedder = build_embedder(settings)
    index = build_index(settings, embedder)
    by_language = index.document_meta().by_language
    arabic = by_language.get("ar", []) + by_language.get("fa", [])
    assert len(arabic) == 5
    for question in ("Ai chủ trì hội nghị của Thành ủy Hà Nội?", "How many tasks were overdue?"):
        vector = embedder.embed([question], query=True)[0]
        held = index.nearest_in(vector, 3, arabic)
        # Chroma's own filtered query (search_dense is itself exact in memory on an index this small)
        got = index._chroma().query(
            query_embeddings=[vector], n_results=3, where={"doc_id": {"$in": arabic}}, include=["distances"]
        )
        filtered = [(c, 1.0 - float(d)) for c, d in zip(got["ids"][0], got["distances"][0], strict=True)]
        assert [c for c, _ in held] == [c for c, _ in filtered]
        assert all(abs(a[1] - b[1]) < 1e-4 for a, b in zip(held, filtered, strict=True))


@needs_seeds
def test_a_place_only_the_article_names_makes_it_the_answer(hermetic_env: Path, tmp_path: Path) -> None:
    """Vietnamese documents of other provinces, and the Arabic article on Gia Lai's bridge point. Asked who Gia
    Lai's Party Secretary was, the Vietnamese passages share syllables with the question ("gia" of "quốc gia"), not
    the province; the article renders it ("جيا لاي"). A word no passage in the question's script holds weighs as
    the rarest when the scripts are compared, and the article, judged alone, names the place asked about: it
    answers, and the name is quoted."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for doc in (*NEW_DOCUMENTS.iterdir(), SEEDS / "001_39371dcd552196f0.txt"):
        shutil.copy(doc, folder / doc.name)
    answerer = with_fixtures(hermetic_env, folder)
    question = "Ai là Bí thư Tỉnh ủy Gia Lai phát biểu tại điểm cầu của tỉnh?"
    ans = answerer.answer(question)
    assert ans.found and ans.citations[0].source.startswith("001_"), (ans.text, ans.citations[:3])
    assert "ثاي داي نغوك" in ans.text, ans.text


@needs_seeds
def test_a_date_in_figures_meets_the_month_an_article_names(hermetic_env: Path, tmp_path: Path) -> None:
    """«Tính đến ngày 23/9/2025 …» asked of an Arabic article: its terms are put into Arabic with the date read in
    words, so "tháng 9" meets "سبتمبر" and the sentence «حتى 23 سبتمبر 2025، أُنجزت 270 مهمة …» is quoted, not the
    one before it on the year's 679 tasks (which shares more of the programme's name)."""
    assert "thang 9" in bridged_question("Tính đến ngày 23/9/2025, bao nhiêu nhiệm vụ đã hoàn thành?", "vi")
    folder = tmp_path / "docs"
    folder.mkdir()
    for doc in (*NEW_DOCUMENTS.iterdir(), SEEDS / "002_3120bd0f13bc3a50.txt"):
        shutil.copy(doc, folder / doc.name)
    answerer = with_fixtures(hermetic_env, folder)
    ans = answerer.answer(
        "Tính đến ngày 23/9/2025, bao nhiêu nhiệm vụ trong chương trình hành động của Chính phủ đã hoàn thành?"
    )
    assert ans.found and "270 مهمة" in ans.text, ans.text


def test_an_article_states_a_deadline_in_its_own_words() -> None:
    """ "قبل 31 ديسمبر 2025" (before), "بحلول" (by), Persian "پیش از": a deadline, as "trước ngày …" is; "حتى 23 سبتمبر
    2025، أُنجزت …" (as of) is the day progress was counted, not one."""
    asked = asked_for("Thời hạn hoàn thành trung tâm phục vụ hành chính công của Hà Nội là khi nào?")
    assert asked.kind == DATE and asked.deadline
    for text, deadline in (
        ("وقبل 5 ديسمبر 2025، يجب استكمال مركز خدمات الإدارة العامة", True),
        ("يجب الإعلان عن كتالوج البيانات المشتركة بحلول 31 ديسمبر 2025.", True),
        ("حتى 23 سبتمبر 2025، أُنجزت 270 مهمة", False),
    ):
        found = spans(text, asked)
        assert len(found) == 1 and states_deadline(found[0], text) is deadline, (text, found)


def test_organs_joined_by_and_are_named_whole() -> None:
    """An organ's name runs ten words at most, anew for each organ joined by "và": two long names together were cut
    in the second («… và Ban Chỉ đạo Trung», «… và Sở Khoa học»)."""
    asked = asked_for("Cơ quan nào phối hợp thực hiện?")
    text = "Ủy ban nhân dân tỉnh Lâm Giang và Sở Khoa học và Công nghệ tỉnh Lâm Giang phối hợp thực hiện."
    assert [sp.text for sp in spans(text, asked)] == [
        "Ủy ban nhân dân tỉnh Lâm Giang và Sở Khoa học và Công nghệ tỉnh Lâm Giang"
    ]
    text = "Định kỳ báo cáo Ban Thường vụ Tỉnh ủy và Ban Chỉ đạo Trung ương."
    assert [sp.text for sp in spans(text, asked)] == ["Ban Thường vụ Tỉnh ủy và Ban Chỉ đạo Trung ương"]
    assert [sp.text for sp in spans("Bộ Tài chính và Bộ Công an chủ trì.", asked)] == ["Bộ Tài chính và Bộ Công an"]


def test_a_count_in_another_script_is_of_the_noun_asked() -> None:
    """Judged alone, a paragraph in another script answers "bao nhiêu xã phường" only with a number of communes:
    "147 مهمة" counts tasks; the noun follows the figure as an Arabic question's count is read. Where the list cannot
    render the noun, any number may be it, but not one the text says counts a noun the list does render."""

    def article(text: str) -> Hit:
        return Hit(StoredChunk("c", "001.txt", text, "", 0, DocumentMeta(language="ar")), 1.0)

    delegates = article("انعقد المؤتمر بمشاركة 3152 مندوبًا في 212 نقطة اتصال.")
    assert figure_stated_across("Hội nghị có bao nhiêu đại biểu tham dự?", delegates)
    tasks = article("بعد دمج المقاطعة، ركزت مقاطعة جيا لاي على مراجعة وتنفيذ 147 مهمة من مهام القرار رقم 57-NQ/TW.")
    assert not figure_stated_across("tinh gia lai sau sap nhap co bao nhieu xa phuong", tasks)
    assert figure_stated_across("Gia Lai đã rà soát bao nhiêu nhiệm vụ của Nghị quyết 57?", tasks)
    # A noun the list does not render: "147 مهمة" are tasks, not charging stations; a bare number may be the count.
    assert not figure_stated_across("Gia Lai có bao nhiêu trạm sạc xe buýt?", tasks)
    # People counted: «56 وكالة» are agencies; «250 شخصا», «۲۵۰ نفر» are people.
    agencies = article("في عام 2025، هناك إجمالي 679 مهمة مخصصة لـ 56 وكالة (22 وزارة، و34 مقاطعة ومدينة).")
    assert not figure_stated_across("Ban chỉ đạo tỉnh có tổng cộng mấy người?", agencies)
    assert figure_stated_across("Hội nghị có mấy người dự?", article("وحضر الاجتماع 250 شخصا."))
    assert figure_stated_across("Hội nghị có mấy người dự?", article("در این جلسه ۲۵۰ نفر شرکت کردند."))
    assert not figure_stated_across("Gia Lai hoàn thành rà soát nhiệm vụ khi nào?", tasks)  # no date stated


def test_a_deadline_asked_across_scripts_is_a_date_stated_as_one() -> None:
    """ "… phải gửi kế hoạch … trước ngày nào" asks for a deadline, as "hạn hoàn thành … là khi nào" does: judged
    alone, a paragraph in another script answers it with a date it states as one («قبل 18 أكتوبر 2025»), not with
    the first day of the period it reports on («في الفترة من 20 يوليو 2025»), which gave a wrong answer."""

    def article(text: str) -> Hit:
        return Hit(StoredChunk("c", "000.txt", text, "", 0, DocumentMeta(language="ar")), 1.0)

    question = "cac bo nganh dia phuong phai gui ke hoach trien khai ve van phong trung uong dang truoc ngay nao"
    assert asked_for(question).deadline
    period = article("في الفترة من 20 يوليو 2025 إلى 23 سبتمبر 2025، كُلِّفت الوزارات والفروع والمحليات بـ 73 مهمة.")
    assert asked_for("Báo cáo phải gửi chậm nhất là ngày nào?").bound == "latest"
    assert not figure_stated_across("Báo cáo phải gửi chậm nhất là ngày nào?", period)
    assert asked_for("By when must the plan be sent?").deadline
    assert not asked_for("Hội nghị diễn ra ngày nào?").deadline
    assert not figure_stated_across(question, period)
    assert figure_stated_across("Hội nghị Ban Chỉ đạo diễn ra ngày nào?", period)  # any date, when a date is asked
    deadline = article("وإرسالها إلى المكتب المركزي للحزب قبل 18 أكتوبر 2025.")
    assert figure_stated_across(question, deadline)


def test_a_count_in_another_script_is_the_one_whose_clause_says_what_is_asked() -> None:
    """Across scripts a count is a number of the noun asked as the list renders it («۱۲۹ روستا» for "thôn"), and of two
    such in a sentence, the one whose clause holds the question's other terms: «۳۰۸ روستای دیگر دارای افت سیگنال
    هستند؛ ۱۲۹ روستا برق ندارند» — no electricity is the second, weak signal the first. A figure before a noun with the
    article is no count of it («المشروع 06 والمهام»: project 06 and the tasks). An Arabic date compares with a
    Vietnamese one as the same token."""
    text = "زیرساخت‌ها هنوز ناکافی است؛ ۳۰۸ روستای دیگر دارای افت سیگنال هستند؛ ۱۲۹ روستا برق ندارند."
    for question, count in (
        ("Hiện còn bao nhiêu thôn chưa có điện?", "۱۲۹ روستا"),
        ("Hiện còn bao nhiêu thôn lõm sóng?", "۳۰۸ روستای"),
    ):
        found = tuple(sp for read in asked_across(question, asked_for(question)) for sp in spans(text, read))
        assert sorted(sp.text for sp in found) == ["۱۲۹ روستا", "۳۰۸ روستای"], found
        assert restated(found, text, question).text == count
    assert (
        asked_across("How many villages have no electricity?", asked_for("How many villages have no electricity?"))
        == []
    )
    # The place and the topic a sentence names once, at its start, are every figure's: the words near each decide.
    gia_lai = "ركزت مقاطعة جيا لاي على مراجعة وتنفيذ 147 مهمة من مهام القرار رقم 57-NQ/TW، وقد أُنجزت 76 مهمة حتى الآن."
    question = "Gia Lai đã hoàn thành được bao nhiêu nhiệm vụ của Nghị quyết 57?"
    found = tuple(sp for read in asked_across(question, asked_for(question)) for sp in spans(gia_lai, read))
    assert restated(found, gia_lai, question).text == "76 مهمة", found
    # A sum is a figure before a whole unit of the đồng, thousands apart by an Arabic comma too.
    money = "تخصيص المقاطعة 263.3 مليار دونج فيتنامي؛ ورقمنة 2.9 مليون بيانات؛ بودجه ۳،۰۵۶،۰۸۲ میلیارد دونگ است."
    question = "Gia Lai bố trí bao nhiêu tỷ đồng?"
    sums = [sp.text for read in asked_across(question, asked_for(question)) for sp in spans(money, read)]
    assert sorted(sums) == sorted(["263.3 مليار دونج", "۳،۰۵۶،۰۸۲ میلیارد دونگ"]), sums
    project = "قدم قادة وزارة الأمن العام تقريراً عن نتائج تنفيذ المشروع 06 والمهام الرئيسية حتى نهاية عام 2025"
    question = "Đã hoàn thành bao nhiêu nhiệm vụ?"
    assert not [sp for read in asked_across(question, asked_for(question)) for sp in spans(project, read)]
    assert dates_of(arabic_stems("حتى 23 سبتمبر 2025، أُنجزت 270 مهمة")) == {"23_9_2025"}
    assert dates_of(arabic_stems("تا ۵ دسامبر ۲۰۲۵")) == {"5_12_2025"}


def test_articles_answer_a_count_where_the_passages_in_the_question_s_script_state_none(
    articles_index_dir: Path, hermetic_env: Path
) -> None:
    """Where the passages in the question's script say as much of it as the article but state no number of what it
    counts, the article answers, with the count in bold («۱۲۹ روستا»; it was refused); a count asked as of a day is
    the one in the clause that says what was done («أُنجزت 270 مهمة», not the year's «679 مهمة» of the unit naming
    the Government's programme at length)."""
    shutil.copytree(articles_index_dir, hermetic_env, dirs_exist_ok=True)
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(hermetic_env)}))
    for question, count, source in (
        ("hien con bao nhieu thon chua co dien", "۱۲۹ روستا", "004_"),
        (
            "gia lai bo tri bao nhieu ty dong de trang bi co so vat chat may moc thiet bi cho cap xa",
            "263.3 مليار دونج",
            "001_",
        ),
        (
            "Tính đến ngày 23/9/2025, bao nhiêu nhiệm vụ trong chương trình hành động của Chính phủ đã hoàn thành?",
            "270 مهمة",
            "002_",
        ),
    ):
        ans = answerer.answer(question)
        assert ans.found and ans.short == count, (question, ans.short, ans.text[:300])
        assert ans.citations[ans.short_rank - 1].source.startswith(source), ans.citations[:3]


def test_a_paragraph_in_another_script_answers_about_a_place_it_names() -> None:
    """The place a question asks about must be named by the paragraph in another script or its article's title
    (هانوي for Hà Nội, جيا لاي for Gia Lai); a place the list cannot render is not checked."""

    def article(text: str, title: str = "") -> Hit:
        return Hit(StoredChunk("c", "002.txt", text, "", 0, DocumentMeta(title=title, language="ar")), 1.0)

    national = article("حتى 23 سبتمبر 2025، أُنجزت 270 مهمة.", "تم ربط الاجتماع عبر الإنترنت من مقر الحكومة")
    assert not names_places_asked("Hà Nội đã hoàn thành bao nhiêu nhiệm vụ?", national)
    assert not names_places_asked("ha noi da hoan thanh bao nhieu nhiem vu", national)
    assert names_places_asked("Đã hoàn thành bao nhiêu nhiệm vụ?", national)
    assert names_places_asked("Tỉnh Quảng Trị đã hoàn thành bao nhiêu nhiệm vụ?", national)  # not in the list
    hanoi = article("أُنجزت 83 مهمة في الموعد المحدد.", "ترأس المؤتمر أمين لجنة حزب هانوي")
    assert names_places_asked("Hà Nội đã hoàn thành đúng hạn bao nhiêu nhiệm vụ?", hanoi)


def test_a_plain_question_takes_the_marks_its_passages_write_its_words_with() -> None:
    """Typed without diacritics, a question takes the marks that the passages its words found write them with, each
    word chosen with its neighbours: "xa phuong" is «xã, phường» where they list them so, "bao nhieu" «bao nhiêu»
    though «báo cáo» fills the reports. A word they never write stays as typed; a question with marks is unchanged."""
    texts = [
        "Thành phố đầu tư đồng bộ hạ tầng công nghệ thông tin cho 126 xã, phường; báo cáo kết quả trước ngày 15.",
        "Báo cáo tình hình triển khai. Hà Nội cần tập trung nguồn lực; báo cáo gửi Sở.",
        "Người dân ở xa trung tâm. Phương án báo cáo.",
    ]
    question = "Ha Noi can dau tu dong bo ha tang cong nghe thong tin cho bao nhieu xa phuong vneid"
    assert restore_marks(question, texts) == (
        "Hà Nội cần đầu tư đồng bộ hạ tầng công nghệ thông tin cho bao nhiêu xã phường vneid"
    )
    assert restore_marks("bao cao gui so truoc ngay nao?", texts) == "báo cáo gửi sở trước ngày nào?"
    # A province's name, where the passages found write its syllables only as other words («giá cả»)
    assert restore_marks("gia lai bo tri bao nhieu", ["Giá cả tăng; giá trị sản xuất. Bố trí kinh phí."]) == (
        "gia lai bố trí bao nhiêu"
    )
    accented = "Hà Nội cần bao nhieu xã"
    assert restore_marks(accented, texts) == accented


def test_a_plain_question_finds_the_article_across_scripts_and_the_place_it_names_decides(
    articles_index_dir: Path, hermetic_env: Path
) -> None:
    """Typed without diacritics, a question on an article is looked for across scripts with its marks restored: e5
    reads plain Vietnamese poorly and did not put the article among the nearest. And where the passages in the
    question's script that state a date are of documents that do not name the place asked (a commune's report of
    another province), the article that names it answers («Hà Nội», «ha noi»: هانوي)."""
    shutil.copytree(articles_index_dir, hermetic_env, dirs_exist_ok=True)
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(hermetic_env)}))
    for question in (
        "ha noi phai hoan thanh trung tam phuc vu hanh chinh cong truoc ngay nao",
        "Hà Nội phải hoàn thành trung tâm phục vụ hành chính công trước ngày nào?",
    ):
        ans = answerer.answer(question)
        assert ans.found and "5 ديسمبر 2025" in ans.short, (question, ans.short, ans.citations[:3])
        assert ans.citations[ans.short_rank - 1].source.startswith("003_"), ans.citations[:3]
    # Judged alone, a paragraph in another script answers a question about a place only where it or its article's
    # title names it: the Government meeting's national figure («270 مهمة») is no count of Hanoi's tasks.
    ans = answerer.answer("Hà Nội đã hoàn thành đúng hạn bao nhiêu nhiệm vụ do Trung ương giao?")
    assert not ans.found or ans.citations[ans.short_rank - 1].source.startswith("003_"), (ans.short, ans.citations[:3])
    assert asked_names("ha noi phai hoan thanh") == ["ha noi"]
    assert asked_names("Hà Nội phải hoàn thành") == ["ha noi"]
    hits = answerer.searcher.search("thu do ha noi dau tu ha tang cntt dong bo cho bao nhieu xa phuong", k=5)
    assert any(h.chunk.doc_id.startswith("003_") for h in hits[:3]), [h.chunk.doc_id for h in hits[:3]]


def test_a_month_with_its_levantine_name_and_a_noun_before_a_pronoun_are_read_across_scripts() -> None:
    """Arabic news writes a month with its Levantine name after it («15 نوفمبر/تشرين الثاني 2025») or alone: a date all
    the same, a deadline after «قبل», the day "15/11/2025". Before a pronoun the feminine ending is written «ت»:
    «لمراجعتها» (its review) is «مراجعة». "đánh giá lại" says "đánh giá", not the words of Gia Lai. "… trước thời
    hạn nào?" asks for a deadline."""
    question = "Bộ Tư pháp phải hoàn thành việc rà soát trước thời hạn nào?"
    asked = asked_for(question)
    assert asked.kind == DATE and asked.deadline
    sentence = "يُستكمل هذا العمل قبل 15 نوفمبر/تشرين الثاني 2025."
    found = [sp for u in units(sentence) for sp in spans(u.text, asked)]
    assert [sp.text for sp in found] == ["قبل 15 نوفمبر/تشرين الثاني 2025"], found
    assert all(states_deadline(sp, sentence) for sp in found)
    period = "وفي الفترة من 20 يوليو/تموز 2025 إلى 23 أيلول 2025، أنجزت 60 مهمة."
    assert [sp.text for sp in spans(period, asked_for("Khi nào?"))] == ["20 يوليو/تموز 2025", "23 أيلول 2025"]
    assert dates_of(arabic_stems(sentence)) == {"15_11_2025"}
    assert dates_of(arabic_stems(period)) == {"20_7_2025", "23_9_2025"}
    assert arabic_stem("لمراجعتها") == arabic_stem("مراجعة") and arabic_stem("تقييمها") == arabic_stem("تقييم")
    assert "danh gia" in bridged_question("Bộ Tư pháp đánh giá lại thủ tục hành chính", "vi")
    assert "gia lai" in bridged_question("Gia Lai đánh giá lại thủ tục hành chính", "vi")


def test_until_a_date_is_a_deadline_where_its_sentence_says_what_must_be_done() -> None:
    """«تا اول ژانویه ۲۰۲۶، هر بخش باید به کار گرفته شود» (by 1 January 2026 each part must be put to use): "until" a
    date with a "must" in its sentence is a deadline; «تا تاریخ ۴ دسامبر ۲۰۲۵ … محول کرده است» (as of that day, it has
    assigned) ends a period, and «حتى 23 سبتمبر 2025، أُنجزت …» reports."""
    asked = asked_for("Phải đưa vào sử dụng trước ngày nào?")
    for text, deadline in (
        ("وزارت امنیت عمومی آن را مستقر خواهد کرد تا تا اول ژانویه ۲۰۲۶، هر بخش باید به کار گرفته شود.", True),
        ("طبق گزارش، تا تاریخ ۴ دسامبر ۲۰۲۵، کمیته راهبری ۱۲۸۷ وظیفه را محول کرده است.", False),
        ("حتى 23 سبتمبر 2025، أُنجزت 270 مهمة.", False),
        ("ويجب إنجاز ذلك حتى 31 ديسمبر 2025.", True),
    ):
        found = spans(text, asked)
        assert found and [states_deadline(sp, text) for sp in found] == [deadline], (text, found)


def test_a_figure_of_a_day_named_is_not_answered_across_scripts_by_one_of_another_day() -> None:
    """ "Tính đến ngày 4/12/2025 … bao nhiêu nhiệm vụ": the articles are news and date their figures; a count «حتى 23
    سبتمبر 2025» is of another day and does not answer, judged alone; one of that day does."""

    def article(text: str) -> Hit:
        return Hit(StoredChunk("c", "000.txt", text, "", 0, DocumentMeta(language="ar")), 1.0)

    assert days_named("Tính đến ngày 4/12/2025, còn bao nhiêu nhiệm vụ?") == {"4_12_2025"}
    assert days_named("tinh den ngay 04 thang 12 nam 2025 con bao nhieu") == {"4_12_2025"}
    september = article("حتى 23 سبتمبر 2025، أُنجزت 270 مهمة؛ وهناك 27 مهمة متأخرة.")
    assert figure_stated_across("Đã hoàn thành bao nhiêu nhiệm vụ?", september)
    assert figure_stated_across("Tính đến ngày 23/9/2025 đã hoàn thành bao nhiêu nhiệm vụ?", september)
    assert not figure_stated_across("Tính đến ngày 4/12/2025 đã hoàn thành bao nhiêu nhiệm vụ?", september)


def test_a_ministry_named_is_answered_by_the_paragraph_naming_it_not_a_commune_plan(
    articles_index_dir: Path, hermetic_env: Path
) -> None:
    """A question naming a ministry asks of that ministry's duty: a commune plan that reviews its own procedures by
    another date («Văn phòng HĐND và UBND xã chủ trì rà soát … trước ngày 15 tháng 3 năm 2026») does not state it, and
    the article's paragraph that names the Ministry of Justice («وزارة العدل») answers alone. So too a ministry's
    count: the Ministry of Finance's tasks, not the province's «214 nhiệm vụ»."""
    shutil.copytree(articles_index_dir, hermetic_env, dirs_exist_ok=True)
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(hermetic_env)}))
    for question, fact, source in (
        ("Thời hạn Bộ Tư pháp rà soát thủ tục hành chính cấp tỉnh, cấp xã là khi nào?", "15 نوفمبر", "000_"),
        ("bo tu phap phai ra soat thu tuc hanh chinh cap tinh cap xa truoc ngay nao", "15 نوفمبر", "000_"),
        ("Bộ Tài chính được giao bao nhiêu nhiệm vụ trong năm 2025?", "175 مهمة", "002_"),
    ):
        ans = answerer.answer(question)
        assert ans.found and fact in ans.short, (question, ans.short, ans.citations[:3])
        assert ans.citations[ans.short_rank - 1].source.startswith(source), ans.citations[:3]


def test_a_whole_line_in_bold_is_the_title_of_the_fields_under_it_however_long() -> None:
    """A plan sets each task out as a bold title and its fields ("- Thời hạn: …"): the title, long as it may be, says
    what the fields are of, so they are one item with it — not a sentence beside bare fields that any task could own."""
    passage = (
        "**3. Nâng cấp Trung tâm Phục vụ hành chính công xã (lắp đặt 02 ki-ốt tra cứu thông tin và 01 hệ thống xếp "
        "hàng tự động)**\n- Chủ trì: Trung tâm Phục vụ hành chính công xã.\n- Phối hợp: Phòng Kinh tế.\n"
        "- Thời hạn: hoàn thành trước ngày 15 tháng 3 năm 2027.\n"
        "**4. Mở lớp phổ cập kỹ năng số cho người dân**\n- Chủ trì: Phòng Văn hóa - Xã hội.\n"
        "- Thời hạn: hoàn thành trước ngày 30 tháng 11 năm 2027."
    )
    lists = [u.text for u in units(passage) if u.kind == "list"]
    assert len(lists) == 2 and lists[0].startswith("**3. Nâng cấp") and "15 tháng 3" in lists[0], lists
    assert not [u for u in units(passage) if u.kind == "sentence"]


def test_which_figure_of_a_sentence_is_said_by_the_words_before_it() -> None:
    """Of several figures in a sentence, the one whose own words before it (back to the figure before it or "và") say
    the question's: "Ngân sách tỉnh bảo đảm 60% và ngân sách huyện bảo đảm 40%" — the province's share is 60%, whatever
    the clause's other words; the verb just before a figure weighs most, as the topic a sentence opens with is every
    figure's. Asked for the most of a list ("… nhiều nhiệm vụ nhất"), the largest."""
    for text, question, answer in (
        (
            "Ngân sách tỉnh bảo đảm 60% và ngân sách huyện bảo đảm 40% kinh phí hỗ trợ.",
            "Tiền hỗ trợ thì ngân sách tỉnh chịu bao nhiêu phần trăm?",
            "60%",
        ),
        (
            "Tổng vốn giao năm 2027 là 52,4 tỷ đồng; đến ngày 30/6/2027 đã giải ngân 18,9 tỷ đồng, đạt 36,1%.",
            "von nam 2027 den 30/6 giai ngan duoc bao nhieu ty",
            "18,9 tỷ đồng",
        ),
        (
            "b) Tỷ lệ học viên đạt yêu cầu bài kiểm tra cuối khóa là 88,0%, trong khi tỷ lệ học viên hoàn thành khóa học"
            " trực tuyến trên nền tảng số mới đạt 64,5%.",
            "Tỷ lệ học viên học xong khóa trực tuyến là bao nhiêu phần trăm?",
            "đạt 64,5%",
        ),
        (
            "Các sở được giao nhiều nhiệm vụ nhất gồm: Sở Y tế (41 nhiệm vụ), Sở Tài chính (57 nhiệm vụ), Sở Nội vụ (38"
            " nhiệm vụ).",
            "Sở nào được giao nhiều nhiệm vụ nhất, bao nhiêu nhiệm vụ?",
            "57 nhiệm vụ",
        ),
        (
            "Tập trung xây dựng, trước hết là 9 cơ sở dữ liệu trọng điểm thuộc phạm vi Kế hoạch này và 40 cơ sở dữ liệu"
            " khác.",
            "Kế hoạch này tập trung mấy CSDL trọng điểm?",
            "9 cơ sở dữ liệu trọng điểm",
        ),
    ):
        found = tuple(spans(text, asked_for(question)))
        assert restated(found, text, question).text == answer, (question, [sp.text for sp in found])
    assert not MOST.search(fold("có bao nhiêu văn bản thống nhất")) and not MOST.search(fold("nhiệm vụ nhất định"))


def test_a_clause_saying_only_the_deadline_states_it_of_the_clause_before() -> None:
    """«…, ký số và gửi, nhận trên môi trường mạng; hoàn thành trước ngày 31/3/2026.» — the clause after the semicolon
    says nothing but the date, which is the deadline of the clause before it: asked about signing and sending
    documents, that date answers, not the next point's (whose clause holds a word of the question: "điện tử")."""
    unit = (
        "1. Chính quyền số\n"
        "a) 100% văn bản đi, đến (trừ văn bản mật) được xử lý, ký số và gửi, nhận trên môi trường mạng; hoàn thành "
        "trước ngày 31/3/2026.\n"
        "b) Tỷ lệ hồ sơ thủ tục hành chính được tiếp nhận và giải quyết trực tuyến toàn trình đạt tối thiểu 75%.\n"
        "c) 100% hồ sơ thủ tục hành chính giải quyết thành công được số hóa, lưu trữ điện tử; số hóa toàn bộ sổ hộ tịch"
        " gốc từ năm 1995 đến nay (khoảng 9.600 trang) trước ngày 30/6/2026."
    )
    question = "By what date does Dong Phu commune have to be signing and sending 100% of its documents electronically?"
    found = spans(unit, asked_for(question))
    assert restated(tuple(found), unit, question).text == "trước ngày 31/3/2026", [sp.text for sp in found]
    # A clause with words of its own keeps its window: the second item of "…: A 750 triệu đồng; B 320 triệu đồng".
    budget = (
        "Tổng kinh phí là 1,2 tỷ đồng, trong đó: ngân sách tỉnh hỗ trợ 750 triệu đồng; ngân sách xã 320 triệu đồng."
    )
    question = "Ngân sách xã chi bao nhiêu tiền?"
    assert restated(tuple(spans(budget, asked_for(question))), budget, question).text == "320 triệu đồng"


def test_a_deadline_a_row_and_a_sentence_both_state_is_read_from_the_sentence(corpus_data: Path) -> None:
    """A plan states a deadline in its text and again in its appendix's row: the sentence answers ("trước ngày 25
    tháng 11 năm 2025"), as the document says it, not the cells ("Thời hạn: 25/11/2025"), though the row holds more of
    the question's words. A row whose day no sentence states still answers."""

    def hit(section: str, text: str) -> Hit:
        return Hit(StoredChunk(section, "kh.md", text, section, 0), 1.0, dense=0.88)

    row = (
        "STT: 1 | Nhiệm vụ: Gửi nhu cầu đầu tư hạ tầng, thiết bị về Sở Khoa học và Công nghệ | Cơ quan chủ trì: Ủy ban "
        "nhân dân các xã | Thời hạn: 25/11/2025"
    )
    sentence = "1.3. Việc tổng hợp nhu cầu của các xã hoàn thành trước ngày 25 tháng 11 năm 2025."
    other = "1.3. Các xã gửi báo cáo kết quả về Sở Khoa học và Công nghệ trước ngày 05 tháng 12 năm 2025."
    index = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)})).searcher.index
    question = "Các xã phải gửi nhu cầu đầu tư hạ tầng, thiết bị về Sở Khoa học và Công nghệ trước ngày nào?"
    assert days_of(row) == days_of(sentence) == {(25, 11, 2025)}
    draft = compose(question, [hit("Phụ lục › 1", row), hit("Mục III › 1", sentence)], index)
    assert draft.short == "trước ngày 25 tháng 11 năm 2025", draft
    assert compose(question, [hit("Phụ lục › 1", row), hit("Mục III › 1", other)], index).short == "25/11/2025"


def test_who_holds_a_role_is_not_answered_by_its_deputy(corpus_data: Path) -> None:
    """ "Ai là Trưởng Ban Chỉ đạo Trung ương?": the conclusion notice of the Deputy Head ("Phó Trưởng Ban Chỉ đạo")
    holds every word of the question and led; the deputy is another role. A passage naming the role itself leads,
    and the direct answer is who stands by it — not the committee the role's own words name."""
    question = "Ai là Trưởng Ban Chỉ đạo Trung ương?"
    assert role_asked(question) == ["truong", "ban"]  # the role's words as the text writes them together
    assert not names_role("dong chi nguyen duy ngoc pho truong ban chi dao", ["truong", "ban"])
    assert names_role("do dong chi tong bi thu lam truong ban chi dao", ["truong", "ban"])
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    ans = answerer.answer(question)
    assert ans.found and "Tổng Bí thư" in ans.short, (ans.short, ans.text)
    assert "Phó Trưởng Ban" not in ans.text, ans.text


def test_a_list_asked_of_numbered_clauses_is_quoted_whole() -> None:
    """Numbered clauses one after another with no lead-in are one list for a question asking for the list: each on
    its line, a clause's second sentence with it; a break in the numbering ends the list."""
    passage = (
        "## V. KIẾN NGHỊ, ĐỀ XUẤT\n1. Đề nghị bổ sung 01 biên chế. Ưu tiên người có chuyên môn.\n"
        "2. Đề nghị đầu tư 02 trạm BTS.\n3. Đề nghị hỗ trợ 450 triệu đồng.\n5. Mục khác."
    )
    second = next(u for u in units(passage) if u.text.startswith("2."))
    assert numbered_run(passage, second).split("\n") == [
        "1. Đề nghị bổ sung 01 biên chế. Ưu tiên người có chuyên môn.",
        "2. Đề nghị đầu tư 02 trạm BTS.",
        "3. Đề nghị hỗ trợ 450 triệu đồng.",
    ]
    assert numbered_run("1. Một điều duy nhất.", units("1. Một điều duy nhất.")[0]) == ""


def test_a_document_in_force_from_its_signing_is_answered_with_that_day(corpus_data: Path) -> None:
    """ "Quyết định 125 có hiệu lực từ ngày nào?": its Điều 4 says «Quyết định này có hiệu lực kể từ ngày ký.», which
    holds no date; a task of its Điều 2 holds one ("… có hiệu lực chậm nhất ngày 31 tháng 3 năm 2026") and was
    quoted. The answer is the day it was signed, its header's date, with the sentence saying so."""
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    ans = answerer.answer("Quyết định 125 có hiệu lực từ ngày nào?")
    assert ans.found and ans.short == "kể từ ngày ký (ngày 24 tháng 10 năm 2025)", ans.text
    assert [q.text for q in ans.quotes] == ["Quyết định này có hiệu lực kể từ ngày ký."], ans.text
    # Only the document the question names, and what it says of taking effect: Nghị quyết 57 says nothing of it (a
    # date of 71/NQ-CP, fifth, was the answer), so it is refused.
    assert not answerer.answer("Nghị quyết 57 có hiệu lực từ khi nào?").found
    # Asked when it was issued, not when it takes effect: the issue date's own path answers that.
    assert from_signing("Quyết định 125 ban hành ngày nào?", []) is None  # not asked when it takes effect


def test_the_noun_counted_follows_the_number() -> None:
    """ "Gia Lai có bao nhiêu xã, phường?": «… Bộ 16 tiêu chí về chuyển đổi số cấp xã …» counts criteria, not
    communes, though "xã" ends the phrase; the noun counted stands after the number (the words before it, "tổng số",
    "ít nhất", are the text's own)."""
    asked = asked_for("Gia Lai có bao nhiêu xã, phường?")
    text = (
        "c) Các xã, phường tự đánh giá Bộ 16 tiêu chí về chuyển đổi số cấp xã, báo cáo trước ngày 30 tháng 11 năm 2025."
    )
    assert spans(text, asked) == []
    assert [sp.text for sp in spans("Tỉnh có 135 xã, phường.", asked)] == ["135 xã, phường"]
    tasks = asked_for("Ban Chỉ đạo đã giao tổng cộng bao nhiêu nhiệm vụ?")
    assert [sp.text for sp in spans("đã giao tổng số 1.287 nhiệm vụ cho 56 cơ quan", tasks)] == [
        "tổng số 1.287 nhiệm vụ"
    ]


def test_an_amount_asked_per_month_is_a_rate_not_a_count() -> None:
    """ "Thành viên … được phụ cấp bao nhiêu mỗi tháng?" asks a rate: a decision that counts its members ("gồm 10
    thành viên"), a share of communes ("100% xã") or a table's count ("Số nhiệm vụ: 1.287") does not answer it, so
    passages that state no rate refuse it as stating no such figure (the score alone answered it, "10 thành viên")."""
    asked = asked_for("Thành viên Ban Chỉ đạo theo QĐ 210 được phụ cấp bao nhiêu mỗi tháng?")
    assert asked.rate
    for text in (
        "Ban Chỉ đạo gồm 10 thành viên.",
        "Bảo đảm 100% xã, phường có Trung tâm.",
        "Số nhiệm vụ: 1.287 | Tỉ lệ: 100%",
    ):
        assert not spans(text, asked), text
    for text, rate in (
        ("Mỗi thành viên được phụ cấp 500.000 đồng/tháng.", "500.000 đồng"),
        ("Tổ họp 2 lần/tháng.", "2 lần"),
        ("Hằng tháng, mỗi thành viên được hỗ trợ 300.000 đồng.", "300.000 đồng"),
        ("Chi 2 triệu đồng mỗi tháng.", "2 triệu đồng"),
    ):
        assert [sp.text for sp in spans(text, asked)] == [rate], text
    # A count asked ("mấy lần"), or a sum with nothing per ("bao nhiêu tiền"), is no rate.
    assert not asked_for("Mỗi tháng xã phải báo cáo mấy lần?").rate
    assert not asked_for("Tổ được cấp bao nhiêu tiền?").rate


def test_a_ministry_no_passage_names_is_not_what_they_are_about(corpus_data: Path) -> None:
    """ "Bộ Tư pháp được giao bao nhiêu nhiệm vụ?" found the report's list of the ministries given the most tasks,
    which says most of the question's words and does not name Bộ Tư pháp: it was answered (0.94) with another
    ministry's count. Like a place, a ministry or department the question names that no passage in its script names
    (in words or as officials abbreviate it) is not what the passages are about; where some passage names it, the
    others' figures are not the figure asked (without the seed articles, a news item naming Bộ Tư pháp came third, and the
    answer was another passage's "73 nhiệm vụ")."""
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    for question in (
        "Bộ Tư pháp được giao bao nhiêu nhiệm vụ năm 2025?",
        "Bộ Quốc phòng còn bao nhiêu nhiệm vụ chậm, quá hạn?",
    ):
        ans = answerer.answer(question)
        assert not ans.found, (question, ans.text)
    for question, said in (
        ("Bộ Công an được giao bao nhiêu nhiệm vụ?", "163 nhiệm vụ"),
        ("Bộ Khoa học và Công nghệ được giao bao nhiêu nhiệm vụ năm 2025?", "297 nhiệm vụ"),
    ):
        ans = answerer.answer(question)
        assert ans.found and said in ans.text, (question, ans.text)
    assert organs("Sở KH&CN và Bộ Y tế phối hợp") == ["y te"]  # an abbreviation asked is not checked
    assert names_organ("Giao Sở KH&CN chủ trì", "khoa hoc va cong nghe")
    assert not names_organ("Bộ Công an chủ trì", "y te")


def test_who_holds_an_office_is_answered_only_by_a_person_given_that_office(corpus_data: Path) -> None:
    """ "Bộ trưởng Bộ Khoa học và Công nghệ là ai?": no document names the minister, and the passages that say most of
    the question name the Hanoi Party Secretary as a deputy head of the steering committee; it was answered (0.99)
    with them. "<office> là ai?" asks for a person (as "… tên là gì" did), and a unit must name one and give them
    that office (not its deputy's), else the passages do not say who."""
    assert asked_for("Giám đốc Sở Khoa học và Công nghệ Gia Lai là ai?").person
    assert asked_for("giam doc so khoa hoc va cong nghe gia lai la ai").person
    assert not asked_for("Ai chủ trì Tổ công tác số 1?").person  # an organ answers
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    assert isinstance(answerer, ExtractiveAnswerer)
    question = "Bộ trưởng Bộ Khoa học và Công nghệ là ai?"
    hits = answerer.searcher.search(question, k=10)
    assert answerer.refusal_reason(question, hits).startswith("no person stated")
    assert not answerer.answer(question).found
    for question in ("Bí thư Thành ủy Hà Nội là ai?", "Ai là Trưởng Ban Chỉ đạo 57 của Thành ủy Hà Nội?"):
        ans = answerer.answer(question)
        assert ans.found and "Nguyễn Duy Ngọc" in ans.short, (question, ans.text)
