"""The change-feed sync engine: Delta table changes applied to a sink exactly once."""
