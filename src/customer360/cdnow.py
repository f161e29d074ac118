"""Real public data in the raw contract: the CDNOW purchases (Fader, Hardie and Lee).

CDNOW_master holds every purchase, from January 1997 to June 1998, of the 23,570 customers who
first bought at the online music store CDNOW in the first quarter of 1997: one line per customer,
day and order (customer id, YYYYMMDD, CDs bought, dollars). It is the data the BG/NBD model was
published on and the classic test of customer-base forecasts. The file travels inside the
Lifetimes wheel (pinned in requirements.lock with its two small dependencies, so `pip check`
holds; the package's code is never imported), so no network is needed beyond the registry.

As the raw contract's two required tables (the four others are absent, as SPEC 2 allows):

- customers: customer_id as in the file, customer_name "CDNOW customer <id>", signup_date = the
  day of the first purchase (CDNOW's cohort is defined by it), every other column empty;
- transactions: one row per line of the file, in file order: transaction_id "t<line number>",
  transaction_ts = midnight of the day, amount = the dollar value (two decimals, as in the file;
  zero-dollar lines kept), transaction_type "new" for the first line of a customer's first day
  and "one_time" for the others.

`python -m customer360.cdnow --out DIR` writes customers.csv and transactions.csv into DIR, and
refuses a DIR that holds other raw files (the build would read them as part of the data).
"""

from __future__ import annotations

import argparse
import csv
from importlib import metadata
from pathlib import Path

from customer360.generate.contract import FILE_FORMATS, SCHEMAS, TABLES

DISTRIBUTION = "Lifetimes"
DATA_FILE = "lifetimes/datasets/CDNOW_master.txt"
WRITTEN = ("customers", "transactions")


class CdnowUnavailableError(RuntimeError):
    """The CDNOW file is not installed (a message says how to install it)."""


def master_path() -> Path:
    """CDNOW_master.txt inside the installed Lifetimes distribution."""
    try:
        path = Path(str(metadata.distribution(DISTRIBUTION).locate_file(DATA_FILE)))
    except metadata.PackageNotFoundError:
        path = None
    if path is None or not path.is_file():
        raise CdnowUnavailableError(
            f"CDNOW data not found: {DATA_FILE} of the {DISTRIBUTION} wheel; install it with "
            f"`pip install {DISTRIBUTION}==0.11.3` (scripts/setup.sh does)"
        )
    return path


def _iso(day: str) -> str:
    if len(day) != 8 or not day.isdigit():
        raise ValueError(f"CDNOW date {day!r}: expected YYYYMMDD")
    return f"{day[:4]}-{day[4:6]}-{day[6:]}"


def read_master(path: Path) -> list[tuple[str, str, str]]:
    """(customer_id, ISO day, amount) per purchase line, in file order; a header line, if any,
    is skipped."""
    purchases = []
    with path.open(encoding="ascii") as lines:
        for number, line in enumerate(lines, start=1):
            fields = line.split()
            if not fields or not fields[0].isdigit():
                continue
            if len(fields) != 4:
                raise ValueError(f"{path} line {number}: expected 4 fields, got {len(fields)}")
            customer_id, day, _cds, dollars = fields
            purchases.append((customer_id, _iso(day), f"{float(dollars):.2f}"))
    return purchases


def _raw_files_in_the_way(out_dir: Path) -> list[Path]:
    """Raw files in out_dir other than the two CSVs written here: the build would read them
    with CDNOW's (another table) or instead of them (Parquet is preferred over CSV)."""
    return [
        out_dir / f"{table}.{file_format}"
        for table in TABLES
        for file_format in FILE_FORMATS
        if (out_dir / f"{table}.{file_format}").exists()
        and not (table in WRITTEN and file_format == "csv")
    ]


def _write_csv(path: Path, table: str, rows: list[dict[str, str]]) -> None:
    """Rows as the contract's columns, in its order; columns a row does not name stay empty."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=SCHEMAS[table].names, restval="")
        writer.writeheader()
        writer.writerows(rows)


def write_raw(out_dir: Path, source: Path | None = None) -> tuple[int, int]:
    """Write customers.csv and transactions.csv into out_dir; (customers, transactions)."""
    in_the_way = _raw_files_in_the_way(out_dir)
    if in_the_way:
        raise FileExistsError(
            f"{out_dir} already holds raw files the build would read with CDNOW's: "
            f"{', '.join(path.name for path in in_the_way)}; write into an empty directory"
        )
    purchases = read_master(source or master_path())
    first_day: dict[str, str] = {}
    for customer_id, day, _amount in purchases:
        first_day[customer_id] = min(day, first_day.get(customer_id, day))
    customers = [
        {
            "customer_id": customer_id,
            "customer_name": f"CDNOW customer {customer_id}",
            "signup_date": first_day[customer_id],
        }
        for customer_id in sorted(first_day)
    ]
    transactions = []
    seen: set[str] = set()
    for number, (customer_id, day, amount) in enumerate(purchases, start=1):
        first = customer_id not in seen and day == first_day[customer_id]
        if first:
            seen.add(customer_id)
        transactions.append(
            {
                "transaction_id": f"t{number:06d}",
                "customer_id": customer_id,
                "transaction_ts": f"{day} 00:00:00",
                "amount": amount,
                "transaction_type": "new" if first else "one_time",
            }
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_csv(out_dir / "customers.csv", "customers", customers)
    _write_csv(out_dir / "transactions.csv", "transactions", transactions)
    return len(customers), len(transactions)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m customer360.cdnow",
        description="Write the CDNOW purchases (real public data) as the raw contract's "
        "customers.csv and transactions.csv.",
    )
    parser.add_argument("--out", type=Path, required=True, help="directory to write into")
    parser.add_argument(
        "--source", type=Path, help="a CDNOW_master.txt (default: the Lifetimes wheel's)"
    )
    args = parser.parse_args(argv)
    try:
        customers, transactions = write_raw(args.out, args.source)
    except (CdnowUnavailableError, FileExistsError, ValueError) as error:
        parser.exit(2, f"customer360.cdnow: {error}\n")
    print(f"wrote {customers:,} customers and {transactions:,} transactions to {args.out}")


if __name__ == "__main__":
    main()
