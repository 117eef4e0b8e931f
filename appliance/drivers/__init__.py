"""drivers: see DESIGN.md §2 (filled by later issues)."""
