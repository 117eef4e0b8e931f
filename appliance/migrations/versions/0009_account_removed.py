"""accounts are soft-deleted: removed timestamp, and (domain, name) unique among live ones

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import appliance.models.base


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The new key is made before the old one goes: on MariaDB an index on domain_id
    # always remains for the foreign key.
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active_key', sa.String(length=36), nullable=False,
                                      server_default='1'))
        batch_op.add_column(sa.Column('removed', appliance.models.base.UTCDateTime(),
                                      nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_account_domain_id_name_active_key'),
                                          ['domain_id', 'name', 'active_key'])
        batch_op.drop_constraint(batch_op.f('uq_account_domain_id_name'), type_='unique')


def downgrade() -> None:
    # Removed accounts would break the old key: a downgrade needs none to be left.
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_account_domain_id_name'),
                                          ['domain_id', 'name'])
        batch_op.drop_constraint(batch_op.f('uq_account_domain_id_name_active_key'),
                                 type_='unique')
        batch_op.drop_column('removed')
        batch_op.drop_column('active_key')
