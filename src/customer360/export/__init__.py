"""Audiences for CRM and customer-success tools, from the published database (SPEC section 9).

`read_audience` reads one audience (the watchlist, or customers by recommended engagement
model) from the published database, filtered, with an idempotency key per row;
`write_audience_files` writes it as CSV, Parquet or JSON Lines (one file, or one per owner), each
file under a temporary name renamed into place; `push_audience` POSTs it in JSON batches with
retries, the way reverse-ETL tools (Hightouch, Census) deliver rows.
"""

from customer360.export.audiences import (
    AUDIENCES,
    Audience,
    AudienceRows,
    ExportError,
    read_audience,
    row_key,
)
from customer360.export.files import FORMATS, WrittenFile, write_audience_files
from customer360.export.push import PushSummary, Receiver, push_audience

__all__ = [
    "AUDIENCES",
    "FORMATS",
    "Audience",
    "AudienceRows",
    "ExportError",
    "PushSummary",
    "Receiver",
    "WrittenFile",
    "push_audience",
    "read_audience",
    "row_key",
    "write_audience_files",
]
