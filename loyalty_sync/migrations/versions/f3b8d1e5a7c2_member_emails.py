"""member emails: the outbox, per-store email settings, unsubscribed members

Revision ID: f3b8d1e5a7c2
Revises: a4c6e8f0b2d4
Create Date: 2026-12-08 01:00:00

"""
from alembic import op
import sqlalchemy as sa

import loyalty_sync.models.types


# revision identifiers, used by Alembic.
revision = 'f3b8d1e5a7c2'
down_revision = 'a4c6e8f0b2d4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('email_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('shop_name', sa.String(length=200), nullable=False),
    sa.Column('sender_name', sa.String(length=200), nullable=False),
    sa.Column('sender_address', sa.String(length=254), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('coupon_ready', sa.Boolean(), nullable=False),
    sa.Column('points_earned', sa.Boolean(), nullable=False),
    sa.Column('points_expiring', sa.Boolean(), nullable=False),
    sa.Column('tier_up', sa.Boolean(), nullable=False),
    sa.Column('expiry_reminder_days', sa.Integer(), nullable=False),
    sa.Column('per_minute', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('store_id')
    )
    op.create_table('email_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('payload', sa.JSON().with_variant(sa.JSON(none_as_null=True), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', loyalty_sync.models.types.UTCDateTime(), nullable=False),
    sa.Column('next_attempt_at', loyalty_sync.models.types.UTCDateTime(), nullable=False),
    sa.Column('claimed_at', loyalty_sync.models.types.UTCDateTime(), nullable=True),
    sa.Column('sent_at', loyalty_sync.models.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('store_id', 'key')
    )
    op.create_index('ix_email_outbox_status_due', 'email_outbox', ['status', 'next_attempt_at'], unique=False)
    op.create_index(op.f('ix_email_outbox_member_id'), 'email_outbox', ['member_id'], unique=False)
    op.create_table('email_opt_outs',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('at', loyalty_sync.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id')
    )
    op.create_index(op.f('ix_email_opt_outs_store_id'), 'email_opt_outs', ['store_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_email_opt_outs_store_id'), table_name='email_opt_outs')
    op.drop_table('email_opt_outs')
    op.drop_index(op.f('ix_email_outbox_member_id'), table_name='email_outbox')
    op.drop_index('ix_email_outbox_status_due', table_name='email_outbox')
    op.drop_table('email_outbox')
    op.drop_table('email_settings')
