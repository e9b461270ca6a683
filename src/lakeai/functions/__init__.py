"""Catalog functions (``catalog.schema.fn``): SQL functions inlined into DuckDB queries and
Python functions run in an isolated worker pool. See ``docs/functions.md``."""
