"""The Redis online store (``online_store_url = redis://...``): the same Sink as SQLite.

Each online table is two hashes (rows and event times) and a checkpoint key. An incremental
batch is one Lua script, so its rows and its checkpoint change in one atomic step; a full copy
is written into staging hashes first (invisible to lookups) and swapped in with the checkpoint
by one script, so a crash mid-copy leaves the old rows and the old checkpoint.
"""

from __future__ import annotations

from typing import Any

from lakeai.errors import InvalidParameterValue
from lakeai.features.online_codec import KeyedRows, decode_row, encode_key
from lakeai.pipelines.changes import ChangeBatch

# KEYS: rows, ts, checkpoint, staging rows, staging ts.
# ARGV: checkpoint, full (0/1), timeseries (0/1), n deletes, then (key, ts) pairs, then
# (key, ts, row) triples; ts is "" when absent.
_APPLY = """
local rows, tss, cp, srows, sts = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local timeseries = ARGV[3] == '1'
if ARGV[2] == '1' then
  if redis.call('EXISTS', srows) == 1 then redis.call('RENAME', srows, rows)
  else redis.call('DEL', rows) end
  if redis.call('EXISTS', sts) == 1 then redis.call('RENAME', sts, tss)
  else redis.call('DEL', tss) end
end
local n = tonumber(ARGV[4])
local i = 5
for _ = 1, n do
  local k, ts = ARGV[i], ARGV[i + 1]
  if not timeseries or redis.call('HGET', tss, k) == ts then
    redis.call('HDEL', rows, k)
    redis.call('HDEL', tss, k)
  end
  i = i + 2
end
while i <= #ARGV do
  local k, ts, v = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local keep = false
  if timeseries and ts ~= '' then
    local old = redis.call('HGET', tss, k)
    keep = old and old ~= '' and tonumber(old) > tonumber(ts)
  end
  if not keep then
    redis.call('HSET', rows, k, v)
    redis.call('HSET', tss, k, ts)
  end
  i = i + 3
end
redis.call('SET', cp, ARGV[1])
return 1
"""
WRITE_CHUNK = 5_000  # rows per round trip while staging a full copy


def _ts(value: float | int | None) -> str:
    return "" if value is None else repr(value)


class RedisOnlineStore:
    engine = "redis"

    def __init__(
        self, url: str, name: str, primary_key: list[str], timeseries_key: str | None
    ) -> None:
        try:
            import redis
        except ImportError as exc:  # pragma: no cover - redis is a dependency
            raise InvalidParameterValue(
                "online_store_url is a redis:// URL but the redis package is missing: "
                "pip install redis"
            ) from exc
        self.client = redis.Redis.from_url(url)
        self.rows = KeyedRows(primary_key, timeseries_key)
        base = f"lakeai:online:{name}"
        self.keys = [f"{base}:rows", f"{base}:ts", f"{base}:checkpoint"]
        self.staging = [f"{base}:staging:rows", f"{base}:staging:ts"]
        self._apply = self.client.register_script(_APPLY)

    def checkpoint(self) -> int | None:
        value = self.client.get(self.keys[2])
        return None if value is None else int(value)

    def _stage(self, upserts: list[tuple[str, Any, str]]) -> list[tuple[str, Any, str]]:
        """Write a full copy's newest row per key into the staging hashes; nothing visible."""
        self.client.delete(*self.staging)
        latest: dict[str, tuple[str, Any, str]] = {}
        for item in upserts:
            old = latest.get(item[0])
            if old is None or old[1] is None or (item[1] is not None and item[1] >= old[1]):
                latest[item[0]] = item
        items = list(latest.values())
        for start in range(0, len(items), WRITE_CHUNK):
            pipe = self.client.pipeline(transaction=False)
            chunk = items[start : start + WRITE_CHUNK]
            pipe.hset(self.staging[0], mapping={k: v for k, _, v in chunk})
            pipe.hset(self.staging[1], mapping={k: _ts(t) for k, t, _ in chunk})
            pipe.execute()
        return []

    def apply(self, batch: ChangeBatch) -> None:
        upserts = self.rows.upserts(batch)
        deletes = self.rows.deletes(batch)
        if batch.full:
            upserts, deletes = self._stage(upserts), []
        args: list[Any] = [
            batch.end_version,
            int(batch.full),
            int(self.rows.timeseries_key is not None),
            len(deletes),
        ]
        for key, ts in deletes:
            args += [key, _ts(ts)]
        for key, ts, row in upserts:
            args += [key, _ts(ts), row]
        self._apply(keys=[*self.keys, *self.staging], args=args)

    def lookup(self, keys: list[tuple]) -> list[dict[str, Any] | None]:
        if not keys:
            return []
        values = self.client.hmget(self.keys[0], [encode_key(k) for k in keys])
        return [decode_row(v) for v in values]

    def count(self) -> int:
        return int(self.client.hlen(self.keys[0]))

    def status(self) -> dict[str, Any]:
        return {"engine": self.engine, "row_count": self.count(), "checkpoint": self.checkpoint()}

    def close(self) -> None:
        self.client.close()

    def destroy(self) -> None:
        self.client.delete(*self.keys, *self.staging)
        self.close()
