"""virtual routers and remote access VPNs

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 22:41:14.220040
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import appliance.models.base


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('domain_router',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('network_id', sa.String(length=36), nullable=False),
    sa.Column('zone_id', sa.String(length=36), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=True),
    sa.Column('domain_id', sa.String(length=36), nullable=True),
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('host_id', sa.String(length=36), nullable=True),
    sa.Column('last_host_id', sa.String(length=36), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('state_reason', sa.Text(), nullable=True),
    sa.Column('guest_ip', sa.String(length=64), nullable=True),
    sa.Column('guest_mac', sa.String(length=17), nullable=False),
    sa.Column('public_ip', sa.String(length=64), nullable=True),
    sa.Column('public_mac', sa.String(length=17), nullable=False),
    sa.Column('control_ip', sa.String(length=64), nullable=False),
    sa.Column('applied_version', sa.Integer(), nullable=False),
    sa.Column('applied_at', appliance.models.base.UTCDateTime(), nullable=True),
    sa.Column('created', appliance.models.base.UTCDateTime(), nullable=False),
    sa.Column('removed', appliance.models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_domain_router_account_id_account')),
    sa.ForeignKeyConstraint(['domain_id'], ['domain.id'], name=op.f('fk_domain_router_domain_id_domain')),
    sa.ForeignKeyConstraint(['host_id'], ['host.id'], name=op.f('fk_domain_router_host_id_host')),
    sa.ForeignKeyConstraint(['last_host_id'], ['host.id'], name=op.f('fk_domain_router_last_host_id_host')),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_domain_router_network_id_network')),
    sa.ForeignKeyConstraint(['zone_id'], ['zone.id'], name=op.f('fk_domain_router_zone_id_zone')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_domain_router')),
    sa.UniqueConstraint('guest_mac', name=op.f('uq_domain_router_guest_mac')),
    sa.UniqueConstraint('name', name=op.f('uq_domain_router_name')),
    sa.UniqueConstraint('number', name=op.f('uq_domain_router_number')),
    sa.UniqueConstraint('public_mac', name=op.f('uq_domain_router_public_mac'))
    )
    with op.batch_alter_table('domain_router', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_domain_router_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_domain_router_domain_id'), ['domain_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_domain_router_host_id'), ['host_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_domain_router_network_id'), ['network_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_domain_router_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_domain_router_zone_id'), ['zone_id'], unique=False)

    op.create_table('vpn_user',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('domain_id', sa.String(length=36), nullable=False),
    sa.Column('username', sa.String(length=255), nullable=False),
    sa.Column('password', sa.String(length=255), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created', appliance.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_vpn_user_account_id_account')),
    sa.ForeignKeyConstraint(['domain_id'], ['domain.id'], name=op.f('fk_vpn_user_domain_id_domain')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vpn_user')),
    sa.UniqueConstraint('account_id', 'username', name=op.f('uq_vpn_user_account_id_username'))
    )
    with op.batch_alter_table('vpn_user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vpn_user_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vpn_user_domain_id'), ['domain_id'], unique=False)

    op.create_table('remote_access_vpn',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('ip_address_id', sa.String(length=36), nullable=False),
    sa.Column('network_id', sa.String(length=36), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('domain_id', sa.String(length=36), nullable=False),
    sa.Column('preshared_key', sa.String(length=255), nullable=False),
    sa.Column('ip_range', sa.String(length=64), nullable=False),
    sa.Column('local_ip', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created', appliance.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_remote_access_vpn_account_id_account')),
    sa.ForeignKeyConstraint(['domain_id'], ['domain.id'], name=op.f('fk_remote_access_vpn_domain_id_domain')),
    sa.ForeignKeyConstraint(['ip_address_id'], ['public_ip_address.id'], name=op.f('fk_remote_access_vpn_ip_address_id_public_ip_address')),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_remote_access_vpn_network_id_network')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_remote_access_vpn')),
    sa.UniqueConstraint('ip_address_id', name=op.f('uq_remote_access_vpn_ip_address_id'))
    )
    with op.batch_alter_table('remote_access_vpn', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remote_access_vpn_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_remote_access_vpn_domain_id'), ['domain_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_remote_access_vpn_network_id'), ['network_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('remote_access_vpn', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_remote_access_vpn_network_id'))
        batch_op.drop_index(batch_op.f('ix_remote_access_vpn_domain_id'))
        batch_op.drop_index(batch_op.f('ix_remote_access_vpn_account_id'))

    op.drop_table('remote_access_vpn')
    with op.batch_alter_table('vpn_user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vpn_user_domain_id'))
        batch_op.drop_index(batch_op.f('ix_vpn_user_account_id'))

    op.drop_table('vpn_user')
    with op.batch_alter_table('domain_router', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_domain_router_zone_id'))
        batch_op.drop_index(batch_op.f('ix_domain_router_state'))
        batch_op.drop_index(batch_op.f('ix_domain_router_network_id'))
        batch_op.drop_index(batch_op.f('ix_domain_router_host_id'))
        batch_op.drop_index(batch_op.f('ix_domain_router_domain_id'))
        batch_op.drop_index(batch_op.f('ix_domain_router_account_id'))

    op.drop_table('domain_router')
