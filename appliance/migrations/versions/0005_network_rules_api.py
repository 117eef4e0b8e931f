"""network rules API: per-network rules version, related rules, egress rules without an address, load balancer details and members

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 21:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import appliance.models.base


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('network', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rules_version', sa.Integer(), server_default='0',
                                      nullable=False))

    with op.batch_alter_table('firewall_rule', schema=None) as batch_op:
        batch_op.add_column(sa.Column('related_rule_id', sa.String(length=36), nullable=True))
        batch_op.alter_column('ip_address_id', existing_type=sa.String(length=36),
                              nullable=True)
        batch_op.create_index(batch_op.f('ix_firewall_rule_related_rule_id'),
                              ['related_rule_id'], unique=False)

    op.create_table('load_balancer_rule',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.String(length=4096), nullable=True),
    sa.Column('algorithm', sa.String(length=16), nullable=False),
    sa.Column('private_port', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['id'], ['firewall_rule.id'], name=op.f('fk_load_balancer_rule_id_firewall_rule'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_load_balancer_rule'))
    )
    op.create_table('load_balancer_vm',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('rule_id', sa.String(length=36), nullable=False),
    sa.Column('vm_id', sa.String(length=36), nullable=False),
    sa.Column('created', appliance.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['rule_id'], ['firewall_rule.id'], name=op.f('fk_load_balancer_vm_rule_id_firewall_rule'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['vm_id'], ['vm_instance.id'], name=op.f('fk_load_balancer_vm_vm_id_vm_instance')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_load_balancer_vm')),
    sa.UniqueConstraint('rule_id', 'vm_id', name=op.f('uq_load_balancer_vm_rule_id_vm_id'))
    )
    with op.batch_alter_table('load_balancer_vm', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_load_balancer_vm_rule_id'), ['rule_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_load_balancer_vm_vm_id'), ['vm_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('load_balancer_vm', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_load_balancer_vm_vm_id'))
        batch_op.drop_index(batch_op.f('ix_load_balancer_vm_rule_id'))

    op.drop_table('load_balancer_vm')
    op.drop_table('load_balancer_rule')
    with op.batch_alter_table('firewall_rule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_firewall_rule_related_rule_id'))
        batch_op.drop_column('related_rule_id')
        batch_op.alter_column('ip_address_id', existing_type=sa.String(length=36),
                              nullable=False)
    with op.batch_alter_table('network', schema=None) as batch_op:
        batch_op.drop_column('rules_version')
