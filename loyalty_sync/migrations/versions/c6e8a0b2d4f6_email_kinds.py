"""email_settings: on/off for the remaining member emails (tier at risk, VIP
welcome, birthday, campaign coupon, referral reward, NPS invite) and how many
days before a demotion the "keep your tier" email goes.

Revision ID: c6e8a0b2d4f6
Revises: b5d7f9a1c3e5
"""

import sqlalchemy as sa
from alembic import op

revision = "c6e8a0b2d4f6"
down_revision = "b5d7f9a1c3e5"
branch_labels = None
depends_on = None

KINDS = ("tier_at_risk", "vip_welcome", "birthday", "campaign_coupon", "referral_reward", "nps_invite")


def upgrade():
    with op.batch_alter_table("email_settings") as batch_op:
        for kind in KINDS:
            batch_op.add_column(sa.Column(kind, sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column("tier_risk_days", sa.Integer(), nullable=False, server_default="14"))


def downgrade():
    with op.batch_alter_table("email_settings") as batch_op:
        batch_op.drop_column("tier_risk_days")
        for kind in reversed(KINDS):
            batch_op.drop_column(kind)
