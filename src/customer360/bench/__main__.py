"""Entry point of the measured child processes: `python -m customer360.bench PIECE ...`.

PIECE: spec-floor, floor (the old floor), pandas (from the raw files) or pandas-accepted (the
old path, from the exported accepted rows).

Each piece times its own work (after its imports) and writes the seconds to --result; the
parent measures the process's wall time and peak RSS around it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from customer360.bench.floor import timed_floor
from customer360.bench.pandas_path import timed_pandas


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m customer360.bench")
    pieces = parser.add_subparsers(dest="piece", required=True)
    subs = []
    for name, spec in (("spec-floor", True), ("floor", False)):
        floor = pieces.add_parser(name)
        floor.add_argument("--raw-dir", type=Path, required=True)
        floor.add_argument("--database", type=Path, required=True)
        floor.set_defaults(
            work=lambda args, spec=spec: timed_floor(args.raw_dir, args.database, spec=spec)
        )
        subs.append(floor)
    for name, from_raw, source in (
        ("pandas", True, "--raw-dir"),
        ("pandas-accepted", False, "--accepted-dir"),
    ):
        pandas_piece = pieces.add_parser(name)
        pandas_piece.add_argument(source, dest="source", type=Path, required=True)
        pandas_piece.add_argument("--project-dir", type=Path, required=True)
        pandas_piece.add_argument("--output", type=Path, required=True)
        pandas_piece.set_defaults(
            work=lambda args, from_raw=from_raw: timed_pandas(
                args.source, args.project_dir, args.output, from_raw=from_raw
            )
        )
        subs.append(pandas_piece)
    for sub in subs:
        sub.add_argument("--result", type=Path, required=True)
    args = parser.parse_args(argv)
    seconds = args.work(args)
    args.result.write_text(json.dumps({"seconds": seconds}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
