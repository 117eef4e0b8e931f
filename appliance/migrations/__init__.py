"""Alembic migrations of the appliance's schema."""
