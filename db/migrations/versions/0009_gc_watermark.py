"""gc watermark: the cutoff of the last garbage collection (catalog_state.gc_cutoff)

A collection looked for orphan vectors among every vector the deployment wrote (a join over all of
catalog_vector: 4.8 s at 500,000 on SQLite with a cold cache), at each sync that changed something. Vectors
older than the last collection's cutoff were looked at then; any the catalog stopped referencing since were
marked (written_at = 0) as it did. So a collection now looks only at vectors written since, and those marked.

Revision ID: 0009_gc_watermark
Revises: 0008_raw_terms
Create Date: 2026-11-30 09:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_gc_watermark"
down_revision = "0008_raw_terms"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("catalog_state", sa.Column("gc_cutoff", sa.Float(), nullable=True))


def downgrade() -> None:
    op.drop_column("catalog_state", "gc_cutoff")
