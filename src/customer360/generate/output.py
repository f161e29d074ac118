"""The raw files of one run: one Parquet or CSV file per table, written chunk by chunk."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from customer360.generate.contract import FILE_FORMATS, SCHEMAS, TABLES, TIMESTAMP


class _Sink:
    """One table's file, written chunk by chunk under a temporary name."""

    def __init__(self, path: Path, table: str, file_format: str) -> None:
        self.path = path
        self.partial = path.with_name(f".{path.name}.partial")
        schema = SCHEMAS[table]
        self.writer: pq.ParquetWriter | pacsv.CSVWriter
        if file_format == "csv":
            # CSV timestamps are written as 'YYYY-MM-DD HH:MM:SS': whole seconds, no fraction.
            second = pa.timestamp("s")
            schema = pa.schema([f.with_type(second) if f.type == TIMESTAMP else f for f in schema])
            options = pacsv.WriteOptions(quoting_header="none")
            self.writer = pacsv.CSVWriter(self.partial, schema, write_options=options)
        else:
            self.writer = pq.ParquetWriter(self.partial, schema, compression="zstd")
        self.schema = schema

    def write(self, table: pa.Table) -> None:
        self.writer.write_table(table.cast(self.schema))

    def finish(self) -> None:
        self.writer.close()
        self.partial.replace(self.path)

    def discard(self) -> None:
        try:
            self.writer.close()
        finally:
            self.partial.unlink(missing_ok=True)


class Output:
    """The six files of one run: complete files appear only once every table is written.

    On success, a file of the same table in the other format is removed: the dbt project prefers
    Parquet when both exist, so a stale file would shadow (or hide behind) the new one.
    """

    def __init__(self, out_dir: Path, file_format: str) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self.stale = [
            out_dir / f"{table}.{other}"
            for table in TABLES
            for other in FILE_FORMATS
            if other != file_format
        ]
        self.sinks: dict[str, _Sink] = {}
        try:
            for table in TABLES:
                self.sinks[table] = _Sink(out_dir / f"{table}.{file_format}", table, file_format)
        except BaseException:
            self._discard()
            raise

    def write(self, table: str, rows: pa.Table) -> None:
        self.sinks[table].write(rows)

    def __enter__(self) -> Output:
        return self

    def __exit__(self, error_type: type[BaseException] | None, *_: object) -> None:
        if error_type is not None:
            self._discard()
            return
        for sink in self.sinks.values():
            sink.finish()
        for path in self.stale:
            path.unlink(missing_ok=True)

    def _discard(self) -> None:
        for sink in self.sinks.values():
            sink.discard()
