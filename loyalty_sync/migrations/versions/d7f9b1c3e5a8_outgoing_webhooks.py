"""Outgoing signed webhooks: the endpoint and secret per store, and the
outbox's channel (email or webhook).

Revision ID: d7f9b1c3e5a8
Revises: c6e8a0b2d4f6
"""

import sqlalchemy as sa
from alembic import op

revision = "d7f9b1c3e5a8"
down_revision = "c6e8a0b2d4f6"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("email_settings") as batch_op:
        batch_op.add_column(sa.Column("webhook_url", sa.String(length=500), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("webhook_secret", sa.String(length=128), nullable=False, server_default=""))
    with op.batch_alter_table("email_outbox") as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=10), nullable=False, server_default="email"))


def downgrade():
    with op.batch_alter_table("email_outbox") as batch_op:
        batch_op.drop_column("channel")
    with op.batch_alter_table("email_settings") as batch_op:
        batch_op.drop_column("webhook_secret")
        batch_op.drop_column("webhook_url")
