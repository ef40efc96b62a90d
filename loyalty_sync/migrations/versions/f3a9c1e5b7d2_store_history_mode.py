"""stores.history_mode and stores.connected_at: how a store's past counts.

Stores that exist when this runs keep behaving as before: mode "award"
(every past order earned), connected at their `created_at`.

Revision ID: f3a9c1e5b7d2
Revises: f3b8d1e5c7a2
"""

import sqlalchemy as sa

import loyalty_sync.models.types
from alembic import op

revision = "f3a9c1e5b7d2"
down_revision = "f3b8d1e5c7a2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("stores") as batch_op:
        batch_op.add_column(sa.Column("history_mode", sa.String(length=24), nullable=False, server_default="award"))
        batch_op.add_column(sa.Column("connected_at", loyalty_sync.models.types.UTCDateTime(), nullable=True))
    op.execute("UPDATE stores SET connected_at = created_at")


def downgrade():
    with op.batch_alter_table("stores") as batch_op:
        batch_op.drop_column("connected_at")
        batch_op.drop_column("history_mode")
