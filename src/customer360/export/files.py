"""Write an audience as CSV, Parquet or JSON Lines: one file, or one per account owner.

Each file is written under a temporary name in the output directory and renamed into place
(`os.replace`), so a reader, or a run that fails or is killed, never leaves a partial file
under the final name.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from customer360.export.audiences import UNASSIGNED_OWNER, AudienceRows, ExportError

# --format value -> (file extension, DuckDB COPY options)
FORMATS = {
    "csv": ("csv", "format csv, header true"),
    "parquet": ("parquet", "format parquet"),
    "jsonl": ("jsonl", "format json"),
}
TEMP_MARKER = ".exporting-"
_UNSAFE_FILE_CHARACTERS = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True)
class WrittenFile:
    path: Path
    rows: int
    owner: str | None = None


def write_audience_files(
    audience_rows: AudienceRows, file_format: str, out_dir: Path, per_owner: bool = False
) -> list[WrittenFile]:
    """Write the audience into `out_dir`; ExportError on a bad format or directory."""
    if file_format not in FORMATS:
        raise ExportError(f"unknown format {file_format!r}; expected one of {', '.join(FORMATS)}")
    _ensure_writable(out_dir)
    extension, options = FORMATS[file_format]
    name = audience_rows.audience.name
    if not per_owner:
        path = out_dir / f"{name}.{extension}"
        return [WrittenFile(path, _write(audience_rows.rows, path, options))]
    written = []
    for owner, rows in _by_owner(audience_rows.rows):
        path = out_dir / f"{name}__{_file_safe(owner)}.{extension}"
        written.append(WrittenFile(path, _write(rows, path, options), owner))
    return written


def _ensure_writable(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(
            f"output directory {out_dir} cannot be created: {error.strerror or error}"
        ) from error
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise ExportError(f"output directory {out_dir} is not writable")


def _by_owner(rows: pa.Table) -> list[tuple[str, pa.Table]]:
    owners = [
        UNASSIGNED_OWNER if owner is None else str(owner)
        for owner in rows.column("account_owner_id").to_pylist()
    ]
    indices: dict[str, list[int]] = {}
    for index, owner in enumerate(owners):
        indices.setdefault(owner, []).append(index)
    names: dict[str, str] = {}
    for owner in indices:
        safe = _file_safe(owner)
        if safe in names:
            raise ExportError(
                f"owners {names[safe]!r} and {owner!r} would share the file name {safe!r}"
            )
        names[safe] = owner
    return [(owner, rows.take(indices[owner])) for owner in sorted(indices)]


def _file_safe(owner: str) -> str:
    return _UNSAFE_FILE_CHARACTERS.sub("_", owner) or "_"


def _write(rows: pa.Table, path: Path, options: str) -> int:
    temp_path = path.with_name(f".{path.name}{TEMP_MARKER}{os.getpid()}")
    connection = duckdb.connect()
    try:
        connection.register("audience_rows", rows)
        connection.execute(
            f"copy (select * from audience_rows) to '{_sql_text(temp_path)}' ({options})"
        )
        os.replace(temp_path, path)
    except (duckdb.Error, OSError) as error:
        raise ExportError(f"writing {path} failed: {error}") from error
    finally:
        connection.close()
        temp_path.unlink(missing_ok=True)
    return rows.num_rows


def _sql_text(path: Path) -> str:
    return str(path).replace("'", "''")
