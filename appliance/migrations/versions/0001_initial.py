"""identity, jobs, events, configuration and limits

Revision ID: 0001
Revises: -
Create Date: 2026-11-24 22:53:16.581913
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import appliance.models.base


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('async_job',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('domain_id', sa.String(length=36), nullable=False),
    sa.Column('cmd', sa.String(length=64), nullable=False),
    sa.Column('params', sa.Text(), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('proc_status', sa.Integer(), nullable=False),
    sa.Column('result_code', sa.Integer(), nullable=False),
    sa.Column('result_type', sa.String(length=32), nullable=False),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('instance_type', sa.String(length=64), nullable=True),
    sa.Column('instance_id', sa.String(length=36), nullable=True),
    sa.Column('event_id', sa.String(length=36), nullable=True),
    sa.Column('claimed_by', sa.String(length=36), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created', appliance.models.base.UTCDateTime(), nullable=False),
    sa.Column('started', appliance.models.base.UTCDateTime(), nullable=True),
    sa.Column('completed', appliance.models.base.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_async_job'))
    )
    with op.batch_alter_table('async_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_async_job_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_async_job_status_claimed', ['status', 'claimed_by'], unique=False)

    op.create_table('configuration',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('value', sa.Text(), nullable=True),
    sa.Column('updated', appliance.models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_configuration'))
    )
    op.create_table('domain',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('parent_id', sa.String(length=36), nullable=True),
    sa.Column('path', sa.String(length=700), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('network_domain', sa.String(length=255), nullable=True),
    sa.Column('created', appliance.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['domain.id'], name=op.f('fk_domain_parent_id_domain')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_domain')),
    sa.UniqueConstraint('parent_id', 'name', name=op.f('uq_domain_parent_id_name'))
    )
    with op.batch_alter_table('domain', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_domain_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_domain_path'), ['path'], unique=False)

    op.create_table('event',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(length=64), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=True),
    sa.Column('username', sa.String(length=255), nullable=True),
    sa.Column('account_id', sa.String(length=36), nullable=True),
    sa.Column('account_name', sa.String(length=255), nullable=True),
    sa.Column('domain_id', sa.String(length=36), nullable=True),
    sa.Column('domain_name', sa.String(length=255), nullable=True),
    sa.Column('domain_path', sa.String(length=1024), nullable=True),
    sa.Column('parent_id', sa.String(length=36), nullable=True),
    sa.Column('job_id', sa.String(length=36), nullable=True),
    sa.Column('created', appliance.models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event'))
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_domain_id'), ['domain_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_level'), ['level'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_type'), ['type'], unique=False)

    op.create_table('management_process',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('hostname', sa.String(length=255), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('started', appliance.models.base.UTCDateTime(), nullable=False),
    sa.Column('heartbeat', appliance.models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_management_process'))
    )
    op.create_table('resource_count',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('owner_kind', sa.String(length=8), nullable=False),
    sa.Column('owner_id', sa.String(length=36), nullable=False),
    sa.Column('resource_type', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_count')),
    sa.UniqueConstraint('owner_kind', 'owner_id', 'resource_type', name=op.f('uq_resource_count_owner_kind_owner_id_resource_type'))
    )
    with op.batch_alter_table('resource_count', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resource_count_owner_id'), ['owner_id'], unique=False)

    op.create_table('resource_limit',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('owner_kind', sa.String(length=8), nullable=False),
    sa.Column('owner_id', sa.String(length=36), nullable=False),
    sa.Column('resource_type', sa.Integer(), nullable=False),
    sa.Column('max', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_limit')),
    sa.UniqueConstraint('owner_kind', 'owner_id', 'resource_type', name=op.f('uq_resource_limit_owner_kind_owner_id_resource_type'))
    )
    op.create_table('account',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('type', sa.Integer(), nullable=False),
    sa.Column('domain_id', sa.String(length=36), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('network_domain', sa.String(length=255), nullable=True),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('created', appliance.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['domain_id'], ['domain.id'], name=op.f('fk_account_domain_id_domain')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account')),
    sa.UniqueConstraint('domain_id', 'name', name=op.f('uq_account_domain_id_name'))
    )
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_domain_id'), ['domain_id'], unique=False)

    op.create_table('user',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('domain_id', sa.String(length=36), nullable=False),
    sa.Column('username', sa.String(length=255), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('firstname', sa.String(length=255), nullable=False),
    sa.Column('lastname', sa.String(length=255), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=True),
    sa.Column('api_key', sa.String(length=255), nullable=True),
    sa.Column('secret_key', sa.String(length=255), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('created', appliance.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_user_account_id_account')),
    sa.ForeignKeyConstraint(['domain_id'], ['domain.id'], name=op.f('fk_user_domain_id_domain')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user')),
    sa.UniqueConstraint('api_key', name=op.f('uq_user_api_key')),
    sa.UniqueConstraint('domain_id', 'username', name=op.f('uq_user_domain_id_username'))
    )
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_account_id'), ['account_id'], unique=False)

    op.create_table('login_session',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('session_key', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('created', appliance.models.base.UTCDateTime(), nullable=False),
    sa.Column('last_access', appliance.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_login_session_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_session')),
    sa.UniqueConstraint('session_key', name=op.f('uq_login_session_session_key'))
    )
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_session_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_session_user_id'))

    op.drop_table('login_session')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_account_id'))

    op.drop_table('user')
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_domain_id'))

    op.drop_table('account')
    op.drop_table('resource_limit')
    with op.batch_alter_table('resource_count', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resource_count_owner_id'))

    op.drop_table('resource_count')
    op.drop_table('management_process')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_type'))
        batch_op.drop_index(batch_op.f('ix_event_level'))
        batch_op.drop_index(batch_op.f('ix_event_domain_id'))
        batch_op.drop_index(batch_op.f('ix_event_account_id'))

    op.drop_table('event')
    with op.batch_alter_table('domain', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_domain_path'))
        batch_op.drop_index(batch_op.f('ix_domain_parent_id'))

    op.drop_table('domain')
    op.drop_table('configuration')
    with op.batch_alter_table('async_job', schema=None) as batch_op:
        batch_op.drop_index('ix_async_job_status_claimed')
        batch_op.drop_index(batch_op.f('ix_async_job_account_id'))

    op.drop_table('async_job')
