"""``lakeai apply`` with vector_search_endpoints and vector_indexes, in-process."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from lakeai.cli.main import app

YAML = """
vector_search_endpoints:
  - name: docs-ep
vector_indexes:
  - name: main.default.faq_idx
    endpoint_name: docs-ep
    primary_key: id
    index_type: DELTA_SYNC
    delta_sync_index_spec:
      source_table: main.default.faq
      pipeline_type: TRIGGERED
      embedding_source_columns:
        - name: text
          embedding_model_endpoint_name: lakeai-embed
"""


def test_apply_creates_then_reports_unchanged(tmp_path):
    from lakeai import Workspace

    root = tmp_path / "ws"
    with Workspace(root) as ws:
        ws.tables.create(
            "main.default.faq",
            data=[{"id": 1, "text": "Returns within 30 days."}],
            primary_key="id",
        )
    spec = tmp_path / "vs.yaml"
    spec.write_text(YAML)
    runner = CliRunner()
    first = runner.invoke(app, ["--workspace", str(root), "apply", str(spec), "--json"])
    assert first.exit_code == 0, first.output
    assert [c["action"] for c in json.loads(first.output)["changes"]] == ["create", "create"]
    again = runner.invoke(app, ["--workspace", str(root), "apply", str(spec), "--json"])
    assert [c["action"] for c in json.loads(again.output)["changes"]] == ["unchanged", "unchanged"]
    with Workspace(root) as ws:
        assert (
            ws.vector_search.get_index("main.default.faq_idx")["status"]["indexed_row_count"] == 1
        )
