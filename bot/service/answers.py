"""Use cases of questions about the documents: an answer (with citations), and 👍/👎 feedback on it."""

from __future__ import annotations

import logging

from bot.i18n import t
from bot.service.access import ServiceBase
from bot.service.views import (
    AnswerView,
    Caller,
    answer_view,
)
from db import task_updates as tu
from db.errors import DbError
from retrieval.types import Answer

log = logging.getLogger(__name__)


class AnswerCases(ServiceBase):
    """Questions and feedback."""

    # ------------------------------------------------------------------ questions and feedback

    def ask(self, who: Caller, question: str) -> AnswerView:
        question = question.strip()
        with self._request(who, "ask", question[:200]) as req:
            lang = req.me.lang
            answerer = self.services.answerer
            if answerer is None:
                req.detail += " | no index"
                return AnswerView(None, question, False, t("ask.unavailable", lang), [], "", lang, unavailable=True)
            try:
                answer: Answer = answerer.answer(question, k=5)
            except Exception as exc:  # noqa: BLE001 - the index or the LLM is down: say so, keep serving
                log.warning("answering failed: %s", exc, exc_info=True)
                req.detail += f" | failed: {type(exc).__name__}"
                return AnswerView(None, question, False, t("ask.failed", lang), [], "", lang, unavailable=True)
            answer_id = tu.store_answer(
                req.session,
                official_id=req.me.id,
                channel=who.channel,
                question=question,
                answer=answer.text,
                found=answer.found,
                citations=[c.as_dict() for c in answer.citations],
                note=answer.note,
            )
            req.detail += f" | answer {answer_id} found={answer.found}"
            return answer_view(answer_id, question, answer, lang)

    def vote(self, who: Caller, answer_id: int, up: bool) -> str:
        with self._request(who, "feedback", f"answer {answer_id} {'+' if up else '-'}") as req:
            try:
                tu.record_vote(req.session, answer_id, official_id=req.me.id, vote=1 if up else -1)
            except DbError as exc:
                raise self._deny(req, "feedback.not_yours") from exc
            return t("feedback.thanks", req.me.lang)
