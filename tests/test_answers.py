"""Cited answers on the real corpus: the evaluation gate, `troly ask`, filters, refusal and the LLM path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_llm import FakeLLM  # type: ignore[import-not-found]

from bot.cli import cli
from bot.config import Settings
from retrieval.answer import ExtractiveAnswerer, LLMAnswerer
from retrieval.build import build_answerer
from retrieval.evaluate import evaluate, load_questions
from retrieval.protocols import SearchFilters
from retrieval.text import strip_courtesy

QA = Path(__file__).parent / "eval" / "qa.jsonl"
TROLY = str(Path(sys.executable).with_name("troly"))


def test_eval_set_is_what_the_issue_asks_for() -> None:
    qs = load_questions(QA)
    assert len(qs) >= 80
    vi = [q for q in qs if q["lang"] == "vi" and q["answerable"]]
    assert sum(q["accented"] for q in vi) >= 20 and sum(not q["accented"] for q in vi) >= 20
    assert sum(q["lang"] == "en" for q in qs) >= 5 and sum(q["lang"] in ("ar", "fa") for q in qs) >= 5
    assert sum(not q["answerable"] for q in qs) >= 15
    assert all(q["source"] and q["fact"] for q in qs if q["answerable"])


def test_quality_gates_on_the_eval_set(corpus_data: Path) -> None:
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    report = evaluate(answerer, load_questions(QA))
    m = report.as_dict()
    print(json.dumps(m, indent=1))
    overall, accented, plain = m["all"], m["vi:accented"], m["vi:unaccented"]
    assert overall["hit@3"] >= 0.90, report.misses
    assert overall["mrr@10"] >= 0.80
    assert overall["refusal"] >= 0.80
    assert plain["hit@3"] >= accented["hit@3"] - 0.05
    assert overall["answered"] >= 0.9  # refusing is not a way to pass


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
    # Every quoted sentence is verbatim from a cited passage.
    for quote in [line.split("»")[0].lstrip("«") for line in data["answer"].splitlines() if line.startswith("«")]:
        assert any(quote in c["text"] for c in data["citations"])


def test_ask_reads_questions_from_stdin_one_json_per_line(corpus_data: Path) -> None:
    env = {**os.environ, "TROLY_DATA_DIR": str(corpus_data)}
    questions = ["han hoan thanh he thong dieu phoi giai quyet tthc", "Cách nấu phở bò ngon?", "What is the GDP target for the digital economy by 2030?"]
    out = subprocess.run([TROLY, "ask"], input="\n".join(questions) + "\n", env=env, capture_output=True, text=True, check=True)
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [x["question"] for x in lines] == questions
    assert lines[0]["found"] and "20 tháng 12 năm 2025" in lines[0]["answer"]
    assert not lines[1]["found"] and "Không tìm thấy" in lines[1]["answer"]
    assert lines[2]["found"] and lines[2]["citations"][0]["symbol"] == "57-NQ/TW"


def test_off_topic_questions_are_refused(corpus_data: Path) -> None:
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    for question in ("Thời tiết Hà Nội ngày mai thế nào?", "ket qua bong da ngoai hang anh", "Recipe for bánh mì?",
                     "Nghị quyết 123-NQ/TW nói gì?"):
        ans = answerer.answer(question)
        assert not ans.found, question
        assert "Không tìm thấy" in ans.text


@pytest.mark.parametrize(("message", "question"), [
    ("Cho tôi hỏi: Nghị quyết 57 đặt mục tiêu gì? Cảm ơn.", "Nghị quyết 57 đặt mục tiêu gì?"),
    ("Đồng chí cho hỏi hạn nộp báo cáo là ngày nào ạ?", "Hạn nộp báo cáo là ngày nào?"),
    ("Nhờ Trợ lý tra giúp: kinh phí năm 2026? Cần gấp để báo cáo.", "Kinh phí năm 2026?"),
    ("Văn phòng UBND xã hỏi: có bao nhiêu nhiệm vụ quá hạn? Trả lời ngắn giúp tôi.", "Có bao nhiêu nhiệm vụ quá hạn?"),
    ("cho toi hoi: han hoan thanh he thong tthc? cam on", "han hoan thanh he thong tthc?"),
    ("Hạn nộp báo cáo là ngày nào ạ? Xin cảm ơn. Cần gấp để báo cáo.", "Hạn nộp báo cáo là ngày nào?"),
    ("Please tell me: who chairs the committee? Thanks.", "Who chairs the committee?"),
    # Not courtesy: left alone.
    ("Chi hội phụ nữ xã có nhiệm vụ gì?", "Chi hội phụ nữ xã có nhiệm vụ gì?"),
    ("Hội nghị: ai chủ trì?", "Hội nghị: ai chủ trì?"),
    ("Phụ lục A", "Phụ lục A"),
    ("Cảm ơn", "Cảm ơn"),
])
def test_courtesy_is_not_part_of_the_question(message: str, question: str) -> None:
    assert strip_courtesy(message) == question


def test_courteous_wording_gets_the_same_answer(corpus_data: Path) -> None:
    # "Cảm ơn", "Nhờ", "cần gấp" are in no document: before strip_courtesy only 16 of these 60 wrapped
    # questions got the bare question's answer (most were refused). Each accented one, wrapped:
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    wraps = [("Cho tôi hỏi: ", " Cảm ơn."), ("Nhờ Trợ lý tra giúp: ", " Cần gấp để báo cáo."), ("Xin hỏi, ", " ạ"),
             ("Văn phòng xã hỏi: ", " Trả lời ngắn giúp tôi.")]
    qs = [q for q in load_questions(QA) if q["answerable"] and q["lang"] == "vi" and q["accented"]]
    same = 0
    for i, q in enumerate(qs):
        bare = answerer.answer(q["question"])
        opening, closing = wraps[i % len(wraps)]
        wrapped = answerer.answer(opening + q["question"][0].lower() + q["question"][1:] + closing)
        same += wrapped.found == bare.found and wrapped.citations[0].source == bare.citations[0].source
    assert same >= 0.95 * len(qs), (same, len(qs))


def test_cross_language_and_filters(corpus_data: Path) -> None:
    answerer = build_answerer(Settings.from_env({"TROLY_DATA_DIR": str(corpus_data)}))
    # Questions in Vietnamese/English whose only source is an Arabic or Persian article, and the reverse.
    cross = [q for q in load_questions(QA) if q["answerable"] and q["source"].endswith(".txt") and q["lang"] in ("vi", "en")]
    arabic = [q for q in load_questions(QA) if q["lang"] in ("ar", "fa")]
    assert len(cross) >= 5 and len(arabic) >= 5
    hits = 0
    for q in cross + arabic:
        got = [c.source for c in answerer.answer(q["question"]).citations[:3]]
        hits += bool({q["source"], *q["also"]} & set(got))
    assert hits / len(cross + arabic) >= 0.6, hits  # measured 12/19 (see the issue note)
    only_plans = answerer.answer("nhiệm vụ của xã, phường về chuyển đổi số", filters=SearchFilters(doc_types=("Kế hoạch",)))
    assert only_plans.citations and {c.symbol for c in only_plans.citations} <= {"02-KH/BCĐTW", "350/KH-UBND", "112-KH/TU"}
    one_doc = answerer.answer("thời hạn", filters=SearchFilters(symbols=("45-TB/TW",)))
    assert one_doc.citations and {c.symbol for c in one_doc.citations} == {"45-TB/TW"}
    dated = answerer.answer("Nghị quyết", filters=SearchFilters(date_to="2025-01-31"))
    assert dated.citations and {c.symbol for c in dated.citations} == {"57-NQ/TW"}


def test_llm_mode_cites_only_given_passages(corpus_data: Path) -> None:
    def reply(request: dict[str, object]) -> str:
        return "Theo [1], hạn là ngày 20 tháng 12 năm 2025 [1]; xem thêm [9]."

    with FakeLLM(reply=reply).run_in_thread() as llm:
        conf = Settings.from_env({"TROLY_DATA_DIR": str(corpus_data), "LLM_BASE_URL": llm.base_url, "LLM_MODEL": "fake"})
        answerer = build_answerer(conf)
        assert isinstance(answerer, LLMAnswerer)
        ans = answerer.answer("Hệ thống điều phối giải quyết thủ tục hành chính phải hoàn thành trước ngày nào?")
        sent = llm.last_user_message
    assert ans.found and "20 tháng 12 năm 2025 [1]" in ans.text and "[9]" not in ans.text
    assert [c.rank for c in ans.citations] == [1]
    assert "[1]" in sent and "Câu hỏi:" in sent  # numbered passages went to the model
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
    plain = ExtractiveAnswerer(answerer.extractive.searcher).answer("Hệ thống điều phối giải quyết thủ tục hành chính phải hoàn thành trước ngày nào?")
    assert plain.text == ans.text
