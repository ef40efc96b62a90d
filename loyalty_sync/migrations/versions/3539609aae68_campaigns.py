"""campaigns (coupon campaigns to RFM segments)

Revision ID: 3539609aae68
Revises: 78a7ddb93693
Create Date: 2026-11-28 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import loyalty_sync.models.types


# revision identifiers, used by Alembic.
revision = '3539609aae68'
down_revision = '78a7ddb93693'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('segment', sa.String(length=40), nullable=False),
    sa.Column('member_filter', sa.JSON().with_variant(sa.JSON(none_as_null=True), 'postgresql'), nullable=False),
    sa.Column('discount_type', sa.String(length=20), nullable=False),
    sa.Column('amount', loyalty_sync.models.types.Money(), nullable=False),
    sa.Column('minimum_amount', loyalty_sync.models.types.Money(), nullable=False),
    sa.Column('free_shipping', sa.Boolean(), nullable=False),
    sa.Column('expires_days', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('issued', sa.Integer(), nullable=False),
    sa.Column('pushed', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=254), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', loyalty_sync.models.types.UTCDateTime(), nullable=False),
    sa.Column('finished_at', loyalty_sync.models.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaigns_store_id'), ['store_id'], unique=False)


def downgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaigns_store_id'))

    op.drop_table('campaigns')
