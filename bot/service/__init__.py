"""The assistant: the service that decides and authorises (core, over access/views/errors and the use cases
grouped by domain) and the transport-independent dialog (dialog.py, with the command table of commands.py
and the button codec of callbacks.py)."""

from bot.service.core import Assistant
from bot.service.errors import Denied, NotRegistered, ServiceError, Unavailable
from bot.service.views import Caller, Evidence, Me

__all__ = ["Assistant", "Caller", "Denied", "Evidence", "Me", "NotRegistered", "ServiceError", "Unavailable"]
