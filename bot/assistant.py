"""The transport-independent assistant service (see bot/service/): re-exported under its short name."""

from bot.service.core import (
    COMMANDS,
    AnswerView,
    Assistant,
    Caller,
    Denied,
    DigestView,
    Evidence,
    Me,
    NotRegistered,
    ServiceError,
    SummaryView,
    TaskDetail,
    TaskPage,
    Unavailable,
    UpdateView,
)
from bot.service.dialog import Attachment, Channel, Dialog

__all__ = [
    "COMMANDS", "AnswerView", "Assistant", "Attachment", "Caller", "Channel", "Denied", "Dialog", "DigestView",
    "Evidence", "Me", "NotRegistered", "ServiceError", "SummaryView", "TaskDetail", "TaskPage", "Unavailable",
    "UpdateView",
]
