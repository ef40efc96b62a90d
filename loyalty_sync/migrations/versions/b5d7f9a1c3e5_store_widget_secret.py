"""stores.widget_secret: signs the shop's customers for the on-site widget.

Every store gets its own random secret, the ones that exist now included.

Revision ID: b5d7f9a1c3e5
Revises: f3b8d1e5a7c2
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = "b5d7f9a1c3e5"
down_revision = "f3b8d1e5a7c2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("stores") as batch_op:
        batch_op.add_column(sa.Column("widget_secret", sa.String(length=64), nullable=False, server_default=""))
    stores = sa.table("stores", sa.column("id", sa.Integer), sa.column("widget_secret", sa.String))
    connection = op.get_bind()
    for (store_id,) in connection.execute(sa.select(stores.c.id)).all():
        connection.execute(stores.update().where(stores.c.id == store_id)
                           .values(widget_secret=secrets.token_urlsafe(32)))


def downgrade():
    with op.batch_alter_table("stores") as batch_op:
        batch_op.drop_column("widget_secret")
