"""``lakeai usage``: rows written by UsageRecorder, summed and priced, in-process and remote."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from lakeai.gateway.usage import UsageEvent, UsageRecorder, usage_location
from tests.cli.conftest import as_json, invoke

NOV = datetime(2026, 11, 2, 10, tzinfo=UTC)
OCT = datetime(2026, 10, 15, 10, tzinfo=UTC)


def _write(location: Path, uid: str) -> tuple[str, str]:
    chat, embed = f"chat-{uid}", f"embed-{uid}"
    recorder = UsageRecorder(location, flush_seconds=3600)
    calls = [
        (chat, "alice", "openai", "gpt-4o-mini", 1_000_000, 1_000_000, NOV),
        (chat, "alice", "openai", "gpt-4o-mini", 1_000_000, 0, NOV),
        (chat, "bob", "vllm", f"mystery-{uid}", 100, 100, NOV),
        (chat, "bob", "openai", "gpt-4o", 1_000_000, 0, NOV),
        (embed, "alice", "lakeai", "minilm-embed", 500, 0, NOV),
        (chat, "alice", "openai", "gpt-4o-mini", 9, 9, OCT),  # before --since
    ]
    for i, (endpoint, who, provider, model, tin, tout, when) in enumerate(calls):
        recorder.record(
            UsageEvent(
                request_id=f"{uid}-{i}", endpoint_name=endpoint, requester=who,
                requester_kind="user", status_code=200, provider=provider, model=model,
                input_tokens=tin, output_tokens=tout, latency_ms=5, event_time=when,
            )
        )  # fmt: skip
    recorder.close()
    return chat, embed


def _location(cli, tmp_path: Path, request) -> Path:
    if cli.target == "local":
        invoke(["--workspace", str(tmp_path / "ws"), "catalogs", "list"])  # bootstrap it
        return usage_location(tmp_path / "ws")
    return usage_location(request.getfixturevalue("live_server").workspace)


def test_usage_by_endpoint_and_user(cli, uid: str, tmp_path: Path, request) -> None:
    chat, embed = _write(_location(cli, tmp_path, request), uid)
    out = as_json(cli("usage", "--since", "2026-11-01", "--until", "2026-11-30", "--json"))
    rows = {(r["endpoint"], r["user"]): r for r in out["rows"] if uid in r["endpoint"]}
    alice = rows[(chat, "alice")]
    assert (alice["requests"], alice["input_tokens"], alice["output_tokens"]) == (
        2, 2_000_000, 1_000_000,
    )  # fmt: skip
    assert alice["cost_usd"] == "0.900000" and alice["cost_complete"]
    bob = rows[(chat, "bob")]
    assert not bob["cost_complete"] and bob["unpriced_models"] == [f"vllm/mystery-{uid}"]
    assert rows[(embed, "alice")]["cost_usd"] == "0.000000"
    if cli.target == "local":
        assert out["total"]["requests"] == 5 and not out["total"]["cost_complete"]
        assert out["total"]["cost_usd"] == "3.400000"
    by_endpoint = as_json(cli("usage", "--since", "2026-11-01", "--by", "endpoint", "--json"))
    assert {r["endpoint"]: r["requests"] for r in by_endpoint["rows"] if uid in r["endpoint"]} == {
        chat: 4, embed: 1,
    }  # fmt: skip
    everything = as_json(cli("usage", "--by", "user", "--json"))
    if cli.target == "local":
        assert [r["user"] for r in everything["rows"]] == ["alice", "bob"]
        assert everything["total"]["requests"] == 6


def test_usage_table_for_people(cli, uid: str, tmp_path: Path, request) -> None:
    _write(_location(cli, tmp_path, request), uid)
    text = cli("usage", "--since", "2026-11-01", "--by", "endpoint,user").stdout
    assert "unknown" in text and "+ unknown" in text
    assert "Total:" in text
    bad = cli("usage", "--since", "yesterday", ok=False)
    assert bad.exit_code == 1 and "--since must be an ISO date" in bad.stderr
    assert "endpoint,user" in cli("usage", "--by", "team", ok=False).stderr


def test_usage_follows_grants_and_workspace_prices(tmp_path: Path) -> None:
    from lakeai import Workspace

    ws = Workspace(tmp_path / "ws")
    row = ws.platform.principals.create("user", "carol")
    token, _ = ws.platform.principals.create_token(row.id)
    ws.close()
    _write(usage_location(tmp_path / "ws"), "g")
    (tmp_path / "ws" / "prices.yaml").write_text(
        "version: 2\nprices:\n  - {provider: vllm, model: mystery-g, input_per_million: 1,"
        " output_per_million: 1, currency: USD, effective_from: 2026-01-01}\n"
    )
    prefix = ["--workspace", str(tmp_path / "ws")]
    out = as_json(invoke([*prefix, "usage", "--since", "2026-11-01", "--json"]))
    assert out["total"]["cost_complete"] and out["total"]["cost_usd"] == "3.400200"
    denied = invoke([*prefix, "--token", token, "usage"])
    assert denied.exit_code == 1 and "PERMISSION_DENIED" in denied.stderr
