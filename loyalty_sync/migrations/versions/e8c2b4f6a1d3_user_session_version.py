"""users.session_version: a number every session of the user carries
(Flask-Login's user id is "<id>:<version>"). Logging out, a new password or
a new role bumps it, which ends every session made before, including a
copied cookie (sessions are signed cookies; nothing else could revoke them).

Revision ID: e8c2b4f6a1d3
Revises: e7b2d4f6a8c1
"""
import sqlalchemy as sa
from alembic import op

revision = "e8c2b4f6a1d3"
down_revision = "e7b2d4f6a8c1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_version", sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_version")
