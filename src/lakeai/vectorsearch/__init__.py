"""Vector search: indexes kept in sync with Delta tables, ANN engines, hybrid search.

Nothing heavy is imported here (numpy and hnswlib load when an index is opened), so
``import lakeai`` stays cheap. The pieces:

- ``engines``: the ANN engine registry (``hnsw`` over hnswlib, ``exact`` numpy brute force).
- ``store.IndexStore``: one index in a folder (SQLite rows + FTS5 + an ANN engine), a
  ``lakeai.pipelines.sink.Sink``.
- ``filters``: Databricks ``filters_json`` compiled to parameterised SQL.
"""
