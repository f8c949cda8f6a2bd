"""The assistant: the service that decides and authorises (core) and the transport-independent dialog."""

from bot.service.core import (
    Assistant,
    Caller,
    Denied,
    Evidence,
    Me,
    NotRegistered,
    ServiceError,
    Unavailable,
)

__all__ = ["Assistant", "Caller", "Denied", "Evidence", "Me", "NotRegistered", "ServiceError", "Unavailable"]
