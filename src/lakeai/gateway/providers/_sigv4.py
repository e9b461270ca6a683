"""AWS Signature Version 4, with hashlib and hmac only (no boto3 for one signature).

Follows AWS's "Create a signed AWS API request" steps: canonical request, string to sign,
derived signing key, ``Authorization`` header. Paths are URI-encoded once more when
canonicalised (every service but S3 does this), which matters for Bedrock model ids that
contain ``:`` and so travel as ``%3A``. Known-answer tests check it against AWS's published
vectors.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

ALGORITHM = "AWS4-HMAC-SHA256"


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def signing_key(secret_key: str, date: str, region: str, service: str) -> bytes:
    """kSigning = HMAC chain over date, region, service and ``aws4_request``."""
    key = _hmac(f"AWS4{secret_key}".encode(), date)
    for part in (region, service, "aws4_request"):
        key = _hmac(key, part)
    return key


def _canonical_query(query: str) -> str:
    pairs = [[*p.split("=", 1), ""] for p in query.split("&") if p] if query else []
    encoded = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, v, *_ in pairs)
    return "&".join(f"{k}={v}" for k, v in encoded)


def canonical_request(
    method: str, url: str, headers: dict[str, str], body: bytes
) -> tuple[str, str]:
    """(canonical request, signed header list) for a request whose headers include host."""
    parts = urlsplit(url)
    path = quote(parts.path or "/", safe="/-_.~")
    lowered = {k.lower(): " ".join(str(v).split()) for k, v in headers.items()}
    signed = ";".join(sorted(lowered))
    header_block = "".join(f"{k}:{lowered[k]}\n" for k in sorted(lowered))
    payload_hash = hashlib.sha256(body).hexdigest()
    request = "\n".join(
        [method.upper(), path, _canonical_query(parts.query), header_block, signed, payload_hash]
    )
    return request, signed


def sign(
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes,
    *,
    access_key: str,
    secret_key: str,
    region: str,
    service: str,
    session_token: str | None = None,
    now: datetime | None = None,
) -> dict[str, str]:
    """The headers to send: ``headers`` plus host, x-amz-date, token and Authorization."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    parts = urlsplit(url)
    out = {**headers, "host": parts.netloc, "x-amz-date": stamp}
    if session_token:
        out["x-amz-security-token"] = session_token
    request, signed = canonical_request(method, url, out, body)
    scope = f"{stamp[:8]}/{region}/{service}/aws4_request"
    to_sign = "\n".join([ALGORITHM, stamp, scope, hashlib.sha256(request.encode()).hexdigest()])
    key = signing_key(secret_key, stamp[:8], region, service)
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    out["Authorization"] = (
        f"{ALGORITHM} Credential={access_key}/{scope}, SignedHeaders={signed}, "
        f"Signature={signature}"
    )
    return out
