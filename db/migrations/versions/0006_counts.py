"""counts: the task tally (task counts per lead unit, assigning unit and monitoring category at a pivot
date), kept by triggers in the transaction of every task change, and filled from the existing tasks

Revision ID: 0006_counts
Revises: 0003_org
Create Date: 2026-11-30 04:40:00

The tally holds, per (lead unit, assigning unit), how many tasks were in each category as of one pivot
date (db/tally.py reads it for any as-of date: the tally plus the few tasks whose category differs
between the pivot and that date). Triggers rather than application code keep it, so every path that
writes tasks (the importer, done/progress updates, the demo seed and its COPY on PostgreSQL, deletes,
ad-hoc SQL) keeps it right. The trigger SQL is frozen here: a later change to it is a new migration.
"""

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0006_counts"
down_revision = "0005_delivery"
branch_labels = None
depends_on = None

# Category codes, in the tally's column order (db/tally.py TALLY_COLUMNS): 0 done on time, 1 done late,
# 2 in progress, 3 overdue, 4 recurring, 5 assigned after the pivot (not counted yet).
COLUMNS = ["done_on_time", "done_late", "in_progress", "overdue", "recurring", "later"]


def _category(row: str, pivot: str) -> str:
    """The category code of a task row as of the pivot (db/tally.py category_at builds the same in Python)."""
    return (
        f"CASE WHEN {row}.assigned_on > {pivot} THEN 5"
        f" WHEN {row}.deadline IS NULL THEN 4"
        f" WHEN {row}.completed_on <= {pivot} AND {row}.completed_on <= {row}.deadline THEN 0"
        f" WHEN {row}.completed_on <= {pivot} THEN 1"
        f" WHEN {row}.deadline >= {pivot} THEN 2"
        " ELSE 3 END"
    )


def _upsert_set(table: str) -> str:
    return ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COLUMNS)


def _sqlite_row(row: str, sign: int) -> str:
    """One upsert adding `sign` to the tally cell of an OLD/NEW row (SQLite triggers are per row)."""
    cells = ", ".join(f"({sign}) * (c = {i})" for i in range(len(COLUMNS)))
    return (
        f"INSERT INTO task_tally (lead_unit_id, assigned_by_id, lead_lft, {', '.join(COLUMNS)}) "
        f"SELECT {row}.lead_unit_id, COALESCE({row}.assigned_by_id, 0), "
        f"(SELECT u.lft FROM unit u WHERE u.id = {row}.lead_unit_id), {cells} "
        f"FROM (SELECT {_category(row, 's.pivot')} AS c FROM task_tally_state s WHERE s.id = 1) "
        # `WHERE true`: SQLite's parser needs it between a SELECT and ON CONFLICT
        f"WHERE true ON CONFLICT (lead_unit_id, assigned_by_id) DO UPDATE SET {_upsert_set('task_tally')};"
    )


def _pg_function(name: str, parts: list[tuple[str, int]]) -> str:
    """A statement-level trigger function over transition tables: one grouped upsert per statement, so a
    COPY of a million rows costs one aggregate, not a million upserts."""
    union = " UNION ALL ".join(
        f"SELECT r.lead_unit_id, COALESCE(r.assigned_by_id, 0) AS assigned_by_id, {_category('r', 'p')} AS c, "
        f"{sign} AS sign FROM {table} r"
        for table, sign in parts
    )
    sums = ", ".join(f"SUM(CASE WHEN c = {i} THEN sign ELSE 0 END)" for i in range(len(COLUMNS)))
    nonzero = " OR ".join(f"SUM(CASE WHEN c = {i} THEN sign ELSE 0 END) <> 0" for i in range(len(COLUMNS)))
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE p date;
BEGIN
    -- FOR SHARE: writers run side by side; moving the pivot (FOR UPDATE) waits for them and they for it,
    -- so no change is counted against a pivot that has just moved.
    SELECT pivot INTO p FROM task_tally_state WHERE id = 1 FOR SHARE;
    INSERT INTO task_tally AS t (lead_unit_id, assigned_by_id, lead_lft, {", ".join(COLUMNS)})
    SELECT d.lead_unit_id, d.assigned_by_id, u.lft, {sums}
    FROM ({union}) d JOIN unit u ON u.id = d.lead_unit_id
    GROUP BY d.lead_unit_id, d.assigned_by_id, u.lft
    HAVING {nonzero}
    ORDER BY d.lead_unit_id, d.assigned_by_id
    ON CONFLICT (lead_unit_id, assigned_by_id) DO UPDATE SET {_upsert_set("t")};
    RETURN NULL;
END $$;
"""


_TALLIED = "lead_unit_id, assigned_by_id, assigned_on, deadline, completed_on"


def upgrade() -> None:
    op.create_table(
        "task_tally",
        sa.Column("lead_unit_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=False),  # 0: no assigning unit
        # the lead unit's nested-set lft, copied (a unit trigger follows renumbering): a subtree is one range
        sa.Column("lead_lft", sa.Integer(), nullable=False, server_default="0"),
        *[sa.Column(c, sa.Integer(), nullable=False, server_default="0") for c in COLUMNS],
        sa.PrimaryKeyConstraint("lead_unit_id", "assigned_by_id"),
    )
    op.create_index("ix_task_tally_assigned_by", "task_tally", ["assigned_by_id", "lead_unit_id"])
    op.create_index("ix_task_tally_lead_lft", "task_tally", ["lead_lft"])
    op.create_table(
        "task_tally_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pivot", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # Reading the tally for a date other than the pivot visits the tasks with a date between the two.
    op.create_index("ix_task_deadline", "task", ["deadline"])
    op.create_index("ix_task_completed_on", "task", ["completed_on"])
    op.create_index("ix_task_assigned_on", "task", ["assigned_on"])
    bind = op.get_bind()
    state = sa.table("task_tally_state", sa.column("id", sa.Integer()), sa.column("pivot", sa.Date()))
    bind.execute(sa.insert(state).values(id=1, pivot=date.today()))
    cells = ", ".join(f"SUM(CASE WHEN c = {i} THEN 1 ELSE 0 END)" for i in range(len(COLUMNS)))
    bind.execute(
        sa.text(
            f"INSERT INTO task_tally (lead_unit_id, assigned_by_id, lead_lft, {', '.join(COLUMNS)}) "
            f"SELECT lead_unit_id, assigned_by_id, lft, {cells} FROM ("
            f"SELECT t.lead_unit_id, COALESCE(t.assigned_by_id, 0) AS assigned_by_id, u.lft, "
            f"{_category('t', 's.pivot')} AS c "
            "FROM task t JOIN unit u ON u.id = t.lead_unit_id CROSS JOIN task_tally_state s WHERE s.id = 1) d "
            "GROUP BY lead_unit_id, assigned_by_id, lft"
        )
    )
    if bind.dialect.name == "postgresql":
        op.execute(_pg_function("task_tally_insert", [("new_rows", 1)]))
        op.execute(_pg_function("task_tally_update", [("old_rows", -1), ("new_rows", 1)]))
        op.execute(_pg_function("task_tally_delete", [("old_rows", -1)]))
        op.execute(
            "CREATE TRIGGER task_tally_insert AFTER INSERT ON task REFERENCING NEW TABLE AS new_rows "
            "FOR EACH STATEMENT EXECUTE FUNCTION task_tally_insert()"
        )
        op.execute(
            "CREATE TRIGGER task_tally_update AFTER UPDATE ON task REFERENCING OLD TABLE AS old_rows "
            "NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION task_tally_update()"
        )
        op.execute(
            "CREATE TRIGGER task_tally_delete AFTER DELETE ON task REFERENCING OLD TABLE AS old_rows "
            "FOR EACH STATEMENT EXECUTE FUNCTION task_tally_delete()"
        )
        op.execute(
            "CREATE FUNCTION unit_tally_lft() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "UPDATE task_tally SET lead_lft = NEW.lft WHERE lead_unit_id = NEW.id; RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER unit_tally_lft AFTER UPDATE OF lft ON unit FOR EACH ROW "
            "WHEN (OLD.lft IS DISTINCT FROM NEW.lft) EXECUTE FUNCTION unit_tally_lft()"
        )
    else:
        op.execute(f"CREATE TRIGGER task_tally_insert AFTER INSERT ON task BEGIN {_sqlite_row('NEW', 1)} END")
        op.execute(
            f"CREATE TRIGGER task_tally_update AFTER UPDATE OF {_TALLIED} ON task "
            f"BEGIN {_sqlite_row('OLD', -1)} {_sqlite_row('NEW', 1)} END"
        )
        op.execute(f"CREATE TRIGGER task_tally_delete AFTER DELETE ON task BEGIN {_sqlite_row('OLD', -1)} END")
        op.execute(
            "CREATE TRIGGER unit_tally_lft AFTER UPDATE OF lft ON unit WHEN OLD.lft IS NOT NEW.lft "
            "BEGIN UPDATE task_tally SET lead_lft = NEW.lft WHERE lead_unit_id = NEW.id; END"
        )


def downgrade() -> None:
    for name in ("task_tally_insert", "task_tally_update", "task_tally_delete"):
        op.execute(
            f"DROP TRIGGER IF EXISTS {name}" + (" ON task" if op.get_bind().dialect.name == "postgresql" else "")
        )
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_index("ix_task_assigned_on", table_name="task")
    op.drop_index("ix_task_completed_on", table_name="task")
    op.drop_index("ix_task_deadline", table_name="task")
    op.drop_table("task_tally_state")
    op.drop_index("ix_task_tally_lead_lft", table_name="task_tally")
    op.drop_index("ix_task_tally_assigned_by", table_name="task_tally")
    op.drop_table("task_tally")
