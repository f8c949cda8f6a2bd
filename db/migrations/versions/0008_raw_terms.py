"""raw terms: how many live chunks hold each word with its diacritics (catalog_raw_term); fresh vectors:
documents by the time they went live (an index on catalog_document.indexed_at), recent vectors kept in
catalog_vector.vector

Whether the index holds a word ("phở", a place name) is asked for every question; on PostgreSQL a match
for a word no chunk holds was planned as a scan of every chunk (113 ms at 50,000 chunks). Kept as chunks
are written, like catalog_term, the answer is one look-up. Filled here from the existing raw index.

An embedded Chroma client of a large index is not reloaded on each change made by another process (it
cannot search, nor even read, vectors written after it loaded): the chunks made live since it was loaded
are found by the documents' indexed_at, and their vectors, kept for a day in catalog_vector.vector, are
compared in memory.

Revision ID: 0008_raw_terms
Revises: 0007_jobs
Create Date: 2026-11-30 08:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_raw_terms"
down_revision = "0007_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalog_raw_term",
        sa.Column("term", sa.Text(), nullable=False),
        sa.Column("chunks", sa.BigInteger(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("term"),
    )
    op.create_index("ix_catalog_document_indexed_at", "catalog_document", ["indexed_at"])
    op.add_column("catalog_vector", sa.Column("vector", sa.LargeBinary(), nullable=True))
    kept = sa.text("vector IS NOT NULL")  # the vectors to forget after a day, without reading the others
    op.create_index(
        "ix_catalog_vector_kept", "catalog_vector", ["written_at"], sqlite_where=kept, postgresql_where=kept
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE temp.catalog_raw_vocabulary USING fts5vocab(main, catalog_chunk_raw, row)")
        op.execute("INSERT INTO catalog_raw_term (term, chunks) SELECT term, doc FROM temp.catalog_raw_vocabulary")
        op.execute("DROP TABLE temp.catalog_raw_vocabulary")
    else:
        op.execute(
            "INSERT INTO catalog_raw_term (term, chunks) SELECT word, ndoc FROM ts_stat('SELECT raw FROM catalog_chunk')"
        )


def downgrade() -> None:
    op.drop_index("ix_catalog_vector_kept", table_name="catalog_vector")
    op.drop_column("catalog_vector", "vector")
    op.drop_index("ix_catalog_document_indexed_at", table_name="catalog_document")
    op.drop_table("catalog_raw_term")
