"""Settings, declared once as typed data and resolved argument > environment > file > default.

The workspace config file is ``<workspace>/lakeai.yaml`` (a flat mapping of setting names).
Every setting is documented here; ``tests/core/test_config.py`` checks the docs list them all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from lakeai.errors import InvalidParameterValue

ENV_PREFIX = "LAKEAI_"
CONFIG_FILE = "lakeai.yaml"


@dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: Any
    help: str
    secret: bool = False

    @property
    def env_var(self) -> str:
        return ENV_PREFIX + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("workspace", str, "./lakeai-workspace", "Folder holding metadata, tables and keys."),
    Setting(
        "metastore_url",
        str,
        "",
        "SQLAlchemy URL of the metastore; empty means SQLite at <workspace>/metastore.db.",
        secret=True,
    ),
    Setting("host", str, "127.0.0.1", "Address `lakeai serve` listens on."),
    Setting("port", int, 8080, "Port `lakeai serve` listens on."),
    Setting(
        "admin_token", str, "", "Token of the admin created with a new workspace.", secret=True
    ),
    Setting(
        "secrets_key",
        str,
        "",
        "Fernet key encrypting secrets; empty means <workspace>/.secrets_key (mode 0600).",
        secret=True,
    ),
    Setting("sql_max_rows", int, 100_000, "Most rows an inline SQL statement result returns."),
    Setting("sql_threads", int, 0, "DuckDB threads per SQL statement; 0 means all cores."),
    Setting("log_level", str, "info", "Log level of the server."),
    Setting("gateway_timeout_seconds", float, 60.0, "Timeout of one call to a model provider."),
    Setting("gateway_max_retries", int, 1, "Retries of a provider call after a 5xx or timeout."),
    Setting(
        "gateway_retry_backoff_seconds", float, 0.25, "First retry backoff; doubles each retry."
    ),
    Setting(
        "gateway_allow_link_local",
        bool,
        False,
        "Allow provider base URLs on link-local/metadata addresses (admins only).",
    ),
    Setting(
        "ratelimit_url",
        str,
        "",
        "Where gateway rate-limit counters live: empty = in-process, redis://... = Redis.",
        secret=True,
    ),
    Setting(
        "online_store_url",
        str,
        "",
        "Where online tables live: empty = embedded SQLite in the workspace, redis://... = Redis.",
        secret=True,
    ),
    Setting(
        "usage_flush_seconds",
        float,
        2.0,
        "Most seconds a gateway usage event waits before its batch is appended.",
    ),
    Setting("usage_flush_rows", int, 5000, "Usage events that trigger an append at once."),
    Setting(
        "inference_tables_flush_seconds",
        float,
        1.0,
        "Most seconds a captured call waits before its batch is committed to its inference table.",
    ),
    Setting(
        "inference_tables_flush_rows",
        int,
        5000,
        "Queued inference-table rows that trigger a commit.",
    ),
    Setting(
        "inference_tables_max_pending",
        int,
        200_000,
        "Most inference-table rows held in memory; past it new rows are dropped and counted.",
    ),
    Setting(
        "inference_tables_max_payload_bytes",
        int,
        1_048_576,
        "Largest request or response stored; a larger one is stored as a truncation marker.",
    ),
    Setting(
        "inference_tables_redact_patterns",
        str,
        "",
        "Extra regexes (JSON list or one per line) redacted from inference tables, e.g. PII.",
    ),
    Setting(
        "functions_python_workers", int, 2, "Worker processes running catalog Python functions."
    ),
    Setting(
        "functions_python_timeout_seconds",
        float,
        5.0,
        "Most seconds one call of a catalog Python function (one batch) may run.",
    ),
    Setting(
        "functions_python_memory_mb",
        int,
        1024,
        "Address-space limit (RLIMIT_AS) of each Python function worker, in MiB; 0 = none.",
    ),
    Setting(
        "serving_model_workers",
        int,
        1,
        "Worker processes per served model version, unless its served entity sets workers.",
    ),
    Setting(
        "serving_max_queue",
        int,
        32,
        "Requests that may wait per served model version; past it 503 with Retry-After.",
    ),
    Setting(
        "serving_model_timeout_seconds",
        float,
        60.0,
        "Most seconds a served model request may wait and run; past it 504.",
    ),
    Setting(
        "serving_model_load_timeout_seconds",
        float,
        180.0,
        "Most seconds a model worker may take to load its model before a config fails.",
    ),
    Setting(
        "serving_drain_grace_seconds",
        float,
        3.0,
        "Seconds the old model workers keep answering after a config swap before draining.",
    ),
    Setting(
        "mlflow_backend_store_uri",
        str,
        "",
        "Database URL of MLflow's tracking store; empty = SQLite <workspace>/mlflow/mlflow.db.",
        secret=True,
    ),
    Setting(
        "mlflow_registry_store_uri",
        str,
        "",
        "Database URL of MLflow's model registry store; empty = the tracking store.",
        secret=True,
    ),
    Setting(
        "mlflow_artifacts_destination",
        str,
        "",
        "MLflow artifacts: a folder, s3://, gs:// or abfss://; empty = <workspace>/mlflow/artifacts.",
    ),
)

SETTINGS_BY_NAME = {s.name: s for s in SETTINGS}


def _coerce(setting: Setting, raw: Any) -> Any:
    if raw is None or isinstance(raw, setting.type):
        return raw
    if setting.type is bool:
        text = str(raw).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off", ""):
            return False
        raise InvalidParameterValue(
            f"Setting {setting.name} ({setting.env_var}) must be true or false."
        )
    try:
        return setting.type(raw)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterValue(
            f"Setting {setting.name} ({setting.env_var}) must be {setting.type.__name__}."
        ) from exc


def _file_values(workspace: Path) -> dict[str, Any]:
    path = workspace / CONFIG_FILE
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text()) or {}
    if not isinstance(data, dict):
        raise InvalidParameterValue(f"{path} must hold a mapping of setting names to values.")
    unknown = sorted(set(data) - set(SETTINGS_BY_NAME))
    if unknown:
        raise InvalidParameterValue(
            f"Unknown settings in {path}: {', '.join(unknown)}. Valid: {', '.join(SETTINGS_BY_NAME)}."
        )
    return data


@dataclass(frozen=True)
class Settings:
    values: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def workspace_path(self) -> Path:
        return Path(self.values["workspace"]).expanduser().resolve()


def resolve_settings(**overrides: Any) -> Settings:
    """Resolve every setting: explicit argument, then ``LAKEAI_*``, then lakeai.yaml, then default."""
    unknown = set(overrides) - set(SETTINGS_BY_NAME)
    if unknown:
        raise InvalidParameterValue(f"Unknown settings: {', '.join(sorted(unknown))}.")
    ws_setting = SETTINGS_BY_NAME["workspace"]
    workspace = (
        overrides.get("workspace") or os.environ.get(ws_setting.env_var) or ws_setting.default
    )
    from_file = _file_values(Path(str(workspace)).expanduser())
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = overrides.get(setting.name)
        if raw is None:
            raw = os.environ.get(setting.env_var)
        if raw is None:
            raw = from_file.get(setting.name, setting.default)
        values[setting.name] = _coerce(setting, raw)
    values["workspace"] = str(workspace)
    return Settings(values)
