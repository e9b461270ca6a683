"""The ``lakeai`` command line: one Typer module per command group, over the same services."""
