"""Volumes, snapshots and their policies, secondary storage files (seed §7)."""
