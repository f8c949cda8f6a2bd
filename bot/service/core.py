"""The assistant service: one request from an official becomes work here.

`Assistant` puts together the use cases, grouped by domain — tasks (bot/service/tasks.py), documents
(documents.py), the organisation (organisation.py), answers and feedback (answers.py), exactly-once delivery (delivery.py) — over the
shared plumbing of access.py (identify, authorise, audit). Views are in views.py, errors in errors.py.
Transports (Telegram, console) only parse and render.
"""

from __future__ import annotations

from bot.service.answers import AnswerCases
from bot.service.delivery import DeliveryCases
from bot.service.documents import DocumentCases
from bot.service.organisation import OrganisationCases
from bot.service.tasks import TaskCases


class Assistant(TaskCases, DocumentCases, OrganisationCases, AnswerCases, DeliveryCases):
    """The transport-independent service. Synchronous; transports call it from a worker thread."""
