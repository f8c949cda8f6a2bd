"""organisation: invites that re-link an official or are revoked, wrong invite codes kept per Telegram
user, and instants stored timezone-aware

Revision ID: 0003_org
Revises: 0002
Create Date: 2026-11-30 02:00:00

On PostgreSQL every instant becomes `timestamptz`; the naive values written before were the server's
clock, taken here as UTC (the servers this ran on). SQLite has no zone type: its columns keep their
type and the application writes UTC and reads it back aware (db.models.UTCDateTime).
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_org"
down_revision = "0002"
branch_labels = None
depends_on = None

INSTANTS = {
    "official": ["created_at"],
    "invite": ["expires_at", "created_at", "used_at"],
    "task": ["updated_at"],
    "task_event": ["at"],
    "audit_entry": ["at"],
    "feedback": ["at", "voted_at"],
}


def upgrade() -> None:
    with op.batch_alter_table("invite", schema=None) as batch_op:
        batch_op.add_column(sa.Column("official_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key("fk_invite_official_id", "official", ["official_id"], ["id"])
    op.create_table(
        "invite_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_invite_attempt_user_at", "invite_attempt", ["telegram_user_id", "at"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        for table, columns in INSTANTS.items():
            for column in columns:
                op.execute(
                    f"ALTER TABLE {table} ALTER COLUMN {column} TYPE TIMESTAMP WITH TIME ZONE "
                    f"USING {column} AT TIME ZONE 'UTC'"
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, columns in INSTANTS.items():
            for column in columns:
                op.execute(
                    f"ALTER TABLE {table} ALTER COLUMN {column} TYPE TIMESTAMP WITHOUT TIME ZONE "
                    f"USING {column} AT TIME ZONE 'UTC'"
                )
    op.drop_index("ix_invite_attempt_user_at", table_name="invite_attempt")
    op.drop_table("invite_attempt")
    with op.batch_alter_table("invite", schema=None) as batch_op:
        batch_op.drop_constraint("fk_invite_official_id", type_="foreignkey")
        batch_op.drop_column("revoked_at")
        batch_op.drop_column("official_id")
