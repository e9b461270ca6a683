"""Core: configuration, metastore, principals and grants, audit and secrets."""
