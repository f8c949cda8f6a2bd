"""catalog: the document catalog, its versions and archived text, the lexical index, the generation and
sync lock, owned vectors and the embedding cache move into the database (one deployment state)

Revision ID: 0004_catalog
Revises: 0003_org
Create Date: 2026-12-05 09:00:00

Lexical search depends on the dialect: SQLite gets two FTS5 tables keyed by catalog_chunk.pk; PostgreSQL
gets two tsvector columns (our own folded tokens, kept as they are) with GIN indexes. The deployment id
is generated here, once: the default Chroma collection is named after it.
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0004_catalog"
down_revision = "0003_org"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalog_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("chunks", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("lexical_tokens", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("embedder", sa.String(255), nullable=True),
        sa.Column("deployment", sa.String(64), nullable=False),
        sa.Column("collection", sa.String(128), nullable=True),
        sa.Column("retired_collection", sa.String(128), nullable=True),
        sa.Column("retired_at", sa.Float(), nullable=True),
        sa.Column("changed_at", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute(
        sa.text(
            "INSERT INTO catalog_state (id, generation, chunks, lexical_tokens, deployment) VALUES (1, 0, 0, 0, :d)"
        ).bindparams(d=uuid.uuid4().hex)
    )
    op.create_table(
        "catalog_document",
        sa.Column("doc_id", sa.String(512), nullable=False),
        sa.Column("version", sa.String(128), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("symbol", sa.String(255), nullable=True),
        sa.Column("doc_type", sa.String(255), nullable=True),
        sa.Column("issuer", sa.Text(), nullable=True),
        sa.Column("date", sa.String(32), nullable=True),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("chunks", sa.Integer(), nullable=False),
        sa.Column("indexed_at", sa.String(32), nullable=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("content", sa.String(128), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("doc_id"),
    )
    op.create_table(
        "catalog_chunk",
        sa.Column("pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("doc_id", sa.String(512), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("section", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(32), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("lex_len", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("id", name="uq_catalog_chunk_id"),
    )
    op.create_index("ix_catalog_chunk_doc_id", "catalog_chunk", ["doc_id"])
    op.create_table(
        "catalog_version",
        sa.Column("doc_id", sa.String(512), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("content", sa.String(128), nullable=False),
        sa.Column("version", sa.String(128), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("symbol", sa.String(255), nullable=True),
        sa.Column("chunks", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("doc_id", "number"),
    )
    op.create_table(
        "catalog_archived_chunk",
        sa.Column("doc_id", sa.String(512), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("section", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(32), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("doc_id", "number", "ordinal"),
    )
    op.create_table(
        "catalog_term",
        sa.Column("term", sa.Text(), nullable=False),
        sa.Column("chunks", sa.BigInteger(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("term"),
    )
    op.create_table(
        "catalog_vector",
        sa.Column("collection", sa.String(128), nullable=False),
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("written_at", sa.Float(), nullable=False),
        sa.Column("written_by", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("collection", "id"),
    )
    op.create_index("ix_catalog_vector_written_at", "catalog_vector", ["written_at"])
    op.create_table(
        "embedding_cache",
        sa.Column("model", sa.String(255), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("model", "hash"),
    )
    op.create_table(
        "sync_lock",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("holder", sa.Text(), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("acquired_at", sa.Float(), nullable=False),
        sa.Column("heartbeat_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE catalog_chunk_fts USING fts5 "
            "(tokens, tokenize = \"unicode61 remove_diacritics 0 tokenchars '_'\")"
        )
        op.execute(
            'CREATE VIRTUAL TABLE catalog_chunk_raw USING fts5 (words, tokenize = "unicode61 remove_diacritics 0")'
        )
    else:
        op.execute("ALTER TABLE catalog_chunk ADD COLUMN lex tsvector, ADD COLUMN raw tsvector")
        op.execute("CREATE INDEX ix_catalog_chunk_lex ON catalog_chunk USING gin (lex)")
        op.execute("CREATE INDEX ix_catalog_chunk_raw ON catalog_chunk USING gin (raw)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS catalog_chunk_fts")
        op.execute("DROP TABLE IF EXISTS catalog_chunk_raw")
    for table in (
        "sync_lock",
        "embedding_cache",
        "catalog_vector",
        "catalog_term",
        "catalog_archived_chunk",
        "catalog_version",
        "catalog_chunk",
        "catalog_document",
        "catalog_state",
    ):
        op.drop_table(table)
