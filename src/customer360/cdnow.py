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

`python -m customer360.cdnow --out DIR` writes customers.csv and transactions.csv into DIR.
"""

from __future__ import annotations

import argparse
import csv
from importlib import metadata
from pathlib import Path

DISTRIBUTION = "Lifetimes"
DATA_FILE = "lifetimes/datasets/CDNOW_master.txt"
CUSTOMER_COLUMNS = (
    "customer_id",
    "customer_name",
    "industry",
    "region",
    "country_code",
    "employee_count",
    "signup_date",
    "account_owner_id",
)
TRANSACTION_COLUMNS = (
    "transaction_id",
    "customer_id",
    "transaction_ts",
    "amount",
    "transaction_type",
)


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


def write_raw(out_dir: Path, source: Path | None = None) -> tuple[int, int]:
    """Write customers.csv and transactions.csv into out_dir; (customers, transactions)."""
    purchases = read_master(source or master_path())
    first_day: dict[str, str] = {}
    for customer_id, day, _amount in purchases:
        first_day[customer_id] = min(day, first_day.get(customer_id, day))
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / "customers.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CUSTOMER_COLUMNS)
        for customer_id in sorted(first_day):
            name = f"CDNOW customer {customer_id}"
            writer.writerow([customer_id, name, "", "", "", "", first_day[customer_id], ""])
    seen: set[str] = set()
    with (out_dir / "transactions.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(TRANSACTION_COLUMNS)
        for number, (customer_id, day, amount) in enumerate(purchases, start=1):
            first = customer_id not in seen and day == first_day[customer_id]
            kind = "new" if first else "one_time"
            if first:
                seen.add(customer_id)
            writer.writerow([f"t{number:06d}", customer_id, f"{day} 00:00:00", amount, kind])
    return len(first_day), len(purchases)


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
    customers, transactions = write_raw(args.out, args.source)
    print(f"wrote {customers:,} customers and {transactions:,} transactions to {args.out}")


if __name__ == "__main__":
    main()
