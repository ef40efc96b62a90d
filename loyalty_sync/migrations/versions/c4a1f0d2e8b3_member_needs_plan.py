"""members.needs_plan: facts stored, books to re-plan (once per member per pass),
plus an index for the dashboard's active-member counts.

Revision ID: c4a1f0d2e8b3
Revises: b7e2c4d91f05
"""
import sqlalchemy as sa
from alembic import op

revision = "c4a1f0d2e8b3"
down_revision = "b7e2c4d91f05"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("needs_plan", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.create_index("ix_members_needs_plan", ["needs_plan"])
    op.create_index("ix_orders_store_status_created", "orders", ["store_id", "status", "created"])


def downgrade():
    op.drop_index("ix_orders_store_status_created", table_name="orders")
    with op.batch_alter_table("members") as batch:
        batch.drop_index("ix_members_needs_plan")
        batch.drop_column("needs_plan")
