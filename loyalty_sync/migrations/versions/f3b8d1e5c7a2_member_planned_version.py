"""members.planned_version: the program version a member's books were last
planned under, so a saved rule change is re-planned by the next pass.

Existing members get NULL (not known): the first pass after the upgrade
re-plans every member once under the rules in force, which also catches up
stores whose saved changes were still waiting for the daily upkeep.

Revision ID: f3b8d1e5c7a2
Revises: e7a2c9d4f6b1
"""

import sqlalchemy as sa
from alembic import op

revision = "f3b8d1e5c7a2"
down_revision = "e7a2c9d4f6b1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("planned_version", sa.Integer(), nullable=True))
        batch.create_index("ix_members_store_planned_version", ["store_id", "planned_version"])


def downgrade():
    with op.batch_alter_table("members") as batch:
        batch.drop_index("ix_members_store_planned_version")
        batch.drop_column("planned_version")
