"""Exactly once across bot replicas and restarts: the morning digest per official and day, and each Telegram
update. The records live in the database (db/delivery.py) so that every process of a deployment sees them."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from bot.config import DEFAULT_UPDATE_LEASE_SECONDS
from bot.service.access import ServiceBase
from db import delivery
from db import task_updates as tu
from db.delivery import Claim

log = logging.getLogger(__name__)

# Telegram keeps an update it could not deliver for at most 24 hours: ids older than that cannot come again.
KEEP_UPDATE_IDS = timedelta(days=3)
# A replica handling an update for longer than this is taken for dead (a /reload runs as a job, not in a handler)
UPDATE_LEASE = timedelta(seconds=DEFAULT_UPDATE_LEASE_SECONDS)
KEEP_DIGEST_DAYS = 30  # a month of "who got their digest, and what failed", for whoever runs the bot


class DeliveryCases(ServiceBase):
    """Claims taken before work that must happen once, and their clean-up."""

    def claim_update(self, bot_id: int, update_id: int, owner: str, lease: timedelta = UPDATE_LEASE) -> Claim:
        """Take update `update_id` for process `owner` before any handler runs (see `db.delivery.claim_update`).

        Webhook mode acknowledges an update once it is handled, so Telegram (through the load balancer) sends
        again an update whose replica died half-way: its claim, never finished, is taken over once `lease` has
        passed; until then the update is "busy" and the transport asks Telegram to try again later. In long
        polling Telegram serves one process at a time, so an unfinished claim of another process is always a
        dead one's: lease 0."""
        with self.db.session() as s:
            return delivery.claim_update(s, bot_id, update_id, owner, self.time.now(), lease)

    def update_handled(self, bot_id: int, update_id: int, owner: str) -> None:
        with self.db.session() as s:
            delivery.update_handled(s, bot_id, update_id, owner, self.time.now())

    def claim_digest(self, official_id: int, day: date) -> bool:
        """Take the digest of `official_id` for `day`: only the process whose claim went in sends it."""
        with self.db.session() as s:
            return delivery.claim_digest(s, official_id, day, self.time.now())

    def digest_outcome(self, official_id: int, day: date, error: str | None = None) -> None:
        """Record that a claimed digest was sent, or why it was not.

        A failed digest keeps its claim and is not sent again that day: a send can fail after Telegram
        accepted the message (a read timeout), so sending again could deliver it twice, while a missed digest
        costs little — /viec shows the same lists. The error stays on the record for whoever runs the bot.
        """
        with self.db.session() as s:
            delivery.digest_outcome(s, official_id, day, self.time.now(), error)

    def prune_delivery(self) -> delivery.Pruned:
        """Forget update ids that cannot be redelivered any more, and digest records older than a month."""
        now = self.time.now()
        with self.db.session() as s:
            pruned = delivery.prune(
                s, updates_before=now - KEEP_UPDATE_IDS, digests_before=self.clock() - timedelta(KEEP_DIGEST_DAYS)
            )
            if pruned.updates or pruned.digests:
                tu.audit(
                    s, channel="job", action="prune", detail=f"{pruned.updates} update ids, {pruned.digests} digests"
                )
        return pruned
