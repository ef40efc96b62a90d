"""stores.timezone and stores.display_name: the shop's zone and name, from WordPress.

Existing stores start in UTC with no display name (what the panel showed until
now); the next connection test or daily upkeep reads both from the store.

Revision ID: a4c6e8f0b2d4
Revises: f3a9c1e5b7d2
"""
import sqlalchemy as sa
from alembic import op

revision = "a4c6e8f0b2d4"
down_revision = "f3a9c1e5b7d2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("stores") as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=False, server_default="UTC"))
        batch_op.add_column(sa.Column("display_name", sa.String(length=200), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("stores") as batch_op:
        batch_op.drop_column("display_name")
        batch_op.drop_column("timezone")
