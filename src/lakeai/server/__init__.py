"""The REST server: one FastAPI app, one router module per service."""
