"""stores.installation_id: which installation of loyalty-sync pushed a coupon.

Stores that exist when this runs keep "" (legacy): the coupons they already
pushed carry `loyalty_sync_key` = the coupon's key without an installation,
and they keep finding them. Stores added afterwards get a random id (the
model's default) that goes into every reference they write to the store.

Revision ID: e7b2d4f6a8c1
Revises: d5e3a7c9b1f4
"""
import sqlalchemy as sa
from alembic import op

revision = "e7b2d4f6a8c1"
down_revision = "d5e3a7c9b1f4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("stores") as batch_op:
        batch_op.add_column(sa.Column("installation_id", sa.String(length=16), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("stores") as batch_op:
        batch_op.drop_column("installation_id")
