"""members.customer_modified and orders.fee_discount.

- members.customer_modified: the store's `date_modified` of the customer copy
  the member was last written from. A copy older than it (a replayed
  `customer.updated` delivery, an old export) changes nothing, as for orders.
- orders.fee_discount: negative fee lines of the order (positive, without
  tax); they lower the eligible amount, never below 0.

Revision ID: e7a2c9d4f6b1
Revises: e8c2b4f6a1d3
"""
import sqlalchemy as sa
from alembic import op

import loyalty_sync.models.types

revision = "e7a2c9d4f6b1"
down_revision = "e8c2b4f6a1d3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("customer_modified", loyalty_sync.models.types.UTCDateTime(), nullable=True))
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("fee_discount", loyalty_sync.models.types.Money(), nullable=False,
                                   server_default="0"))


def downgrade():
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("fee_discount")
    with op.batch_alter_table("members") as batch:
        batch.drop_column("customer_modified")
