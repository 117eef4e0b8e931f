"""The DB-backed async job queue, its workers and the takeover of dead processes' jobs."""
