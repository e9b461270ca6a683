"""Governed SQL: the Databricks SQL dialect over catalog Delta tables, run by DuckDB."""
