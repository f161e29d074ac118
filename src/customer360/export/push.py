"""Push an audience to an HTTP endpoint in JSON batches, as reverse-ETL tools do.

Each POST carries `{"audience", "batch_key", "rows"}`; every row has its `idempotency_key`
(see audiences.py) and the request an `Idempotency-Key` header (the sha256 of the batch's row
keys), so a receiver that dedups by key takes each row once however often it is sent: after a
retry whose first attempt did arrive, or when a killed run is started again.

Retries: 429, 5xx, timeouts and dropped connections are retried with exponential backoff
(base x 2^(attempt-1), capped; a Retry-After header in seconds is honoured up to the cap)
for at most `max_attempts` attempts. No jitter: one client sends its batches one after another,
so there is no herd to spread, and a run's timing stays reproducible. Any other 4xx will not
succeed on retry: the run stops there. Batches go in order and the run stops at the first
batch that cannot be delivered, so "delivered" is always a prefix of the audience.

The URL may carry a secret (userinfo, a token in its path or query): only its scheme and
host are ever shown (`Receiver.display`); userinfo becomes a Basic Authorization header.
"""

from __future__ import annotations

import base64
import hashlib
import http
import http.client
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from customer360.export.audiences import KEY_COLUMN, AudienceRows, ExportError

RETRYABLE_STATUS = frozenset({429}) | frozenset(range(500, 600))


@dataclass(frozen=True)
class Receiver:
    """Where rows go: the request URL without userinfo, and the headers it needs."""

    request_url: str
    display: str
    headers: dict[str, str]

    @classmethod
    def from_url(cls, url: str) -> Receiver:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as error:
            raise ExportError("--url is not a valid URL") from error
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ExportError("--url must be an http:// or https:// URL with a host")
        host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
        netloc = host if port is None else f"{host}:{port}"
        headers = {"Content-Type": "application/json"}
        if parts.username is not None:
            credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            headers["Authorization"] = "Basic " + base64.b64encode(credentials.encode()).decode()
        request_url = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
        return cls(request_url, f"{parts.scheme}://{netloc}", headers)


@dataclass(frozen=True)
class PushSummary:
    receiver: str
    rows_total: int
    rows_delivered: int
    batches_total: int
    batches_delivered: int
    retries: int
    failure: str | None = None

    @property
    def rows_undelivered(self) -> int:
        return self.rows_total - self.rows_delivered

    @property
    def complete(self) -> bool:
        return self.rows_delivered == self.rows_total

    def lines(self) -> list[str]:
        lines = [
            f"delivered {self.rows_delivered:,} of {self.rows_total:,} rows in "
            f"{self.batches_delivered} of {self.batches_total} batches to {self.receiver} "
            f"({self.retries} retries)"
        ]
        if not self.complete:
            lines.append(f"undelivered: {self.rows_undelivered:,} rows; {self.failure}")
            lines.append("re-run the same command to deliver them: keys are stable")
        return lines


class _Retryable(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class _Permanent(Exception):
    pass


def push_audience(
    audience_rows: AudienceRows,
    receiver: Receiver,
    *,
    batch_size: int = 500,
    timeout_seconds: float = 30.0,
    max_attempts: int = 5,
    backoff_base_seconds: float = 0.5,
    backoff_cap_seconds: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
) -> PushSummary:
    """POST the rows in batches of `batch_size`; never raises for delivery failures."""
    if batch_size < 1:
        raise ExportError(f"--batch-size must be at least 1, got {batch_size}")
    if max_attempts < 1:
        raise ExportError(f"--max-attempts must be at least 1, got {max_attempts}")
    rows = [_json_row(row) for row in audience_rows.rows.to_pylist()]
    batches = [rows[start : start + batch_size] for start in range(0, len(rows), batch_size)]
    delivered_rows = 0
    retries = 0
    for number, batch in enumerate(batches, start=1):
        body = _body(audience_rows.audience.name, batch)
        for attempt in range(1, max_attempts + 1):
            try:
                _post(receiver, body, timeout_seconds)
                break
            except _Permanent as error:
                failure = f"batch {number} of {len(batches)}: {error}; stopped (not retryable)"
                return _summary(
                    receiver, rows, batches, number - 1, delivered_rows, retries, failure
                )
            except _Retryable as error:
                if attempt == max_attempts:
                    failure = (
                        f"batch {number} of {len(batches)}: {error} after {max_attempts} "
                        "attempts; stopped"
                    )
                    return _summary(
                        receiver, rows, batches, number - 1, delivered_rows, retries, failure
                    )
                retries += 1
                delay = min(backoff_cap_seconds, backoff_base_seconds * 2 ** (attempt - 1))
                if error.retry_after is not None:
                    delay = min(backoff_cap_seconds, max(delay, error.retry_after))
                sleep(delay)
        delivered_rows += len(batch)
    return _summary(receiver, rows, batches, len(batches), delivered_rows, retries, None)


def _summary(
    receiver: Receiver,
    rows: list,
    batches: list,
    batches_delivered: int,
    rows_delivered: int,
    retries: int,
    failure: str | None,
) -> PushSummary:
    return PushSummary(
        receiver=receiver.display,
        rows_total=len(rows),
        rows_delivered=rows_delivered,
        batches_total=len(batches),
        batches_delivered=batches_delivered,
        retries=retries,
        failure=failure,
    )


def batch_key(row_keys: list[str]) -> str:
    return hashlib.sha256("\n".join(row_keys).encode("utf-8")).hexdigest()


def _body(audience_name: str, batch: list[dict[str, Any]]) -> bytes:
    payload = {
        "audience": audience_name,
        "batch_key": batch_key([row[KEY_COLUMN] for row in batch]),
        "rows": batch,
    }
    return json.dumps(payload, separators=(",", ":")).encode("utf-8")


def _json_row(row: dict[str, Any]) -> dict[str, Any]:
    return {name: _json_value(value) for name, value in row.items()}


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _post(receiver: Receiver, body: bytes, timeout_seconds: float) -> None:
    headers = {**receiver.headers, "Idempotency-Key": json.loads(body)["batch_key"]}
    request = urllib.request.Request(
        receiver.request_url, data=body, headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_seconds) as response:
            response.read()
    except urllib.error.HTTPError as error:
        status = _status_text(error.code)
        if error.code in RETRYABLE_STATUS:
            raise _Retryable(status, _retry_after(error.headers.get("Retry-After"))) from None
        raise _Permanent(status) from None
    except urllib.error.URLError as error:
        raise _Retryable(_network_reason(error.reason)) from None
    except (TimeoutError, ConnectionError, http.client.HTTPException) as error:
        raise _Retryable(_network_reason(error)) from None


def _status_text(code: int) -> str:
    # The standard phrase, not the server's: a response line could echo the request back.
    try:
        return f"HTTP {code} {http.HTTPStatus(code).phrase}"
    except ValueError:
        return f"HTTP {code}"


def _network_reason(reason: object) -> str:
    if isinstance(reason, TimeoutError):
        return "timed out"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return type(reason).__name__


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
