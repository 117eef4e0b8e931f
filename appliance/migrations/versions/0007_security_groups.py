"""security groups, their rules and VM memberships

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 23:09:35.861934
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import appliance.models.base


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('security_group',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.String(length=4096), nullable=True),
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('domain_id', sa.String(length=36), nullable=False),
    sa.Column('created', appliance.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_security_group_account_id_account')),
    sa.ForeignKeyConstraint(['domain_id'], ['domain.id'], name=op.f('fk_security_group_domain_id_domain')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_security_group')),
    sa.UniqueConstraint('account_id', 'name', name=op.f('uq_security_group_account_id_name'))
    )
    with op.batch_alter_table('security_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_security_group_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_security_group_domain_id'), ['domain_id'], unique=False)

    op.create_table('security_group_rule',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('security_group_id', sa.String(length=36), nullable=False),
    sa.Column('rule_type', sa.String(length=8), nullable=False),
    sa.Column('protocol', sa.String(length=8), nullable=False),
    sa.Column('start_port', sa.Integer(), nullable=True),
    sa.Column('end_port', sa.Integer(), nullable=True),
    sa.Column('icmp_type', sa.Integer(), nullable=True),
    sa.Column('icmp_code', sa.Integer(), nullable=True),
    sa.Column('cidr', sa.String(length=64), nullable=True),
    sa.Column('allowed_group_id', sa.String(length=36), nullable=True),
    sa.Column('created', appliance.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['allowed_group_id'], ['security_group.id'], name=op.f('fk_security_group_rule_allowed_group_id_security_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['security_group_id'], ['security_group.id'], name=op.f('fk_security_group_rule_security_group_id_security_group'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_security_group_rule'))
    )
    with op.batch_alter_table('security_group_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_security_group_rule_allowed_group_id'), ['allowed_group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_security_group_rule_security_group_id'), ['security_group_id'], unique=False)

    op.create_table('security_group_vm_map',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('security_group_id', sa.String(length=36), nullable=False),
    sa.Column('vm_id', sa.String(length=36), nullable=False),
    sa.Column('created', appliance.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['security_group_id'], ['security_group.id'], name=op.f('fk_security_group_vm_map_security_group_id_security_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['vm_id'], ['vm_instance.id'], name=op.f('fk_security_group_vm_map_vm_id_vm_instance')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_security_group_vm_map')),
    sa.UniqueConstraint('security_group_id', 'vm_id', name=op.f('uq_security_group_vm_map_security_group_id_vm_id'))
    )
    with op.batch_alter_table('security_group_vm_map', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_security_group_vm_map_security_group_id'), ['security_group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_security_group_vm_map_vm_id'), ['vm_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('security_group_vm_map', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_security_group_vm_map_vm_id'))
        batch_op.drop_index(batch_op.f('ix_security_group_vm_map_security_group_id'))

    op.drop_table('security_group_vm_map')
    with op.batch_alter_table('security_group_rule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_security_group_rule_security_group_id'))
        batch_op.drop_index(batch_op.f('ix_security_group_rule_allowed_group_id'))

    op.drop_table('security_group_rule')
    with op.batch_alter_table('security_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_security_group_domain_id'))
        batch_op.drop_index(batch_op.f('ix_security_group_account_id'))

    op.drop_table('security_group')
