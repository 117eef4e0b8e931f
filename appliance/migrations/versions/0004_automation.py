"""automation: job log lines and automation locks

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import appliance.models.base


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('job_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('job_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('created', appliance.models.base.UTCDateTime(), nullable=False),
    sa.Column('playbook', sa.String(length=255), nullable=True),
    sa.Column('host', sa.String(length=255), nullable=True),
    sa.Column('task', sa.String(length=1024), nullable=True),
    sa.Column('event', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('diff', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['async_job.id'], name=op.f('fk_job_log_job_id_async_job'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_log')),
    sa.UniqueConstraint('job_id', 'seq', name=op.f('uq_job_log_job_id_seq'))
    )
    with op.batch_alter_table('job_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_log_job_id'), ['job_id'], unique=False)

    op.create_table('automation_lock',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('owner', sa.String(length=255), nullable=False),
    sa.Column('acquired', appliance.models.base.UTCDateTime(), nullable=False),
    sa.Column('expires', appliance.models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_automation_lock'))
    )
    with op.batch_alter_table('automation_lock', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_automation_lock_expires'), ['expires'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('automation_lock', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_automation_lock_expires'))

    op.drop_table('automation_lock')
    with op.batch_alter_table('job_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_log_job_id'))

    op.drop_table('job_log')
