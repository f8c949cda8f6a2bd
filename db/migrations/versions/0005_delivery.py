"""delivery: what was delivered once — the morning digest per official and day, and the Telegram updates
taken for handling — so that N bot replicas and restarts send and handle each once

Revision ID: 0005_delivery
Revises: 0004_catalog
Create Date: 2026-12-05 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_delivery"
down_revision = "0004_catalog"  # chained after the catalog (both were written on 0003_org)
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digest_sent",
        sa.Column("official_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(["official_id"], ["official.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("official_id", "day", name="pk_digest_sent"),
    )
    op.create_index("ix_digest_sent_day", "digest_sent", ["day"], unique=False)
    op.create_table(
        "handled_update",
        sa.Column("bot_id", sa.BigInteger(), nullable=False),
        sa.Column("update_id", sa.BigInteger(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("owner", sa.String(length=32), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("bot_id", "update_id", name="pk_handled_update"),
    )
    op.create_index("ix_handled_update_received_at", "handled_update", ["received_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_handled_update_received_at", table_name="handled_update")
    op.drop_table("handled_update")
    op.drop_index("ix_digest_sent_day", table_name="digest_sent")
    op.drop_table("digest_sent")
