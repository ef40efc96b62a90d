"""Procrastinate's job-queue schema, on PostgreSQL only.

The worker runs on Procrastinate when DATABASE_URL is PostgreSQL; its tables
and functions are installed here so `flask --app wsgi db upgrade` builds
everything. On SQLite (the demo) jobs run in-process and need no schema.

Revision ID: 5b1e0c7a9f21
Revises: 03d4b1d11468
"""
from alembic import op

revision = "5b1e0c7a9f21"
down_revision = "03d4b1d11468"
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from procrastinate.schema import SchemaManager

    installed = bind.exec_driver_sql("SELECT to_regclass('procrastinate_jobs') IS NOT NULL").scalar()
    if not installed:
        bind.exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    bind.exec_driver_sql("DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers, "
                         "procrastinate_jobs, procrastinate_workers CASCADE")
