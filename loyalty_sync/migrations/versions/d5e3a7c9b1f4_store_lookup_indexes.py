"""Indexes for lookups that read a whole store's rows:
- reviews: one index on (store_id, reviewer_email) instead of reviewer_email
  alone. A pass looks up the reviews of a batch of members by store and email;
  with two single-column indexes SQLite chose the store's, reading every review
  of the store for each batch.
- sync_runs (status, store_id): runs pile up, one per pass, and the worker and
  each pass look up the few queued or running ones.

Revision ID: d5e3a7c9b1f4
Revises: c4a1f0d2e8b3
"""
from alembic import op

revision = "d5e3a7c9b1f4"
down_revision = "c4a1f0d2e8b3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_reviews_store_email", "reviews", ["store_id", "reviewer_email"])
    op.drop_index("ix_reviews_reviewer_email", table_name="reviews")
    op.create_index("ix_sync_runs_status_store", "sync_runs", ["status", "store_id"])


def downgrade():
    op.drop_index("ix_sync_runs_status_store", table_name="sync_runs")
    op.create_index("ix_reviews_reviewer_email", "reviews", ["reviewer_email"])
    op.drop_index("ix_reviews_store_email", table_name="reviews")
