"""Member emails' branding (logo, colour, footer) and the shop's own subject
and intro per kind and language.

Revision ID: c6e8a0b2d4f7
Revises: d7f9b1c3e5a8
"""

import sqlalchemy as sa
from alembic import op

revision = "c6e8a0b2d4f7"
down_revision = "d7f9b1c3e5a8"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("email_settings") as batch_op:
        batch_op.add_column(sa.Column("logo_url", sa.String(length=500), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("brand_colour", sa.String(length=7), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("footer_text", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "email_template_overrides",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("store_id", sa.Integer(), sa.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False, server_default=""),
        sa.Column("intro", sa.Text(), nullable=False, server_default=""),
        sa.UniqueConstraint("store_id", "kind", "locale"),
    )


def downgrade():
    op.drop_table("email_template_overrides")
    with op.batch_alter_table("email_settings") as batch_op:
        batch_op.drop_column("footer_text")
        batch_op.drop_column("brand_colour")
        batch_op.drop_column("logo_url")
