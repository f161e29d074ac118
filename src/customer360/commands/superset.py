"""`c360 superset`: provision Apache Superset on the published mart, and serve it."""

from __future__ import annotations

import argparse
import os

DEFAULT_PORT = 8088


def port_number(text: str) -> int:
    port = int(text) if text.isdigit() else 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port (1-65535)")
    return port


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "superset",
        help="provision Apache Superset on the published mart (--serve: run it)",
        description=(
            "Set up Apache Superset (installed by `bash scripts/install_superset.sh` into "
            ".venv-superset) on the published mart $C360_PUBLISHED_PATH, read-only: metadata "
            "in $C360_SUPERSET_DIR (default data/superset/superset.db), the admin user "
            "$C360_SUPERSET_ADMIN_USER with password $C360_SUPERSET_ADMIN_PASSWORD, the secret "
            "key from $SUPERSET_SECRET_KEY or a generated git-ignored file there, and the "
            "dashboard of superset/dashboard/ (charts whose table is not published yet are "
            "skipped with a warning). Running it again updates all of that."
        ),
    )
    parser.add_argument(
        "--serve",
        action="store_true",
        help="after provisioning, serve Superset on 127.0.0.1 until interrupted",
    )
    parser.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_PORT,
        help=f"port for --serve (default {DEFAULT_PORT})",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from customer360.superset.provision import (
        HOST,
        SupersetError,
        SupersetSetup,
        check_port_free,
        provision,
        serve_command,
    )

    setup = SupersetSetup.from_env()
    try:
        setup.check()
        if args.serve:
            check_port_free(args.port)
        provisioned = provision(setup)
    except SupersetError as error:
        print(f"c360 superset: {error}")
        return 2
    for skipped in provisioned.skipped:
        print(
            f"c360 superset: warning: chart {skipped.name!r} skipped: table {skipped.table} "
            f"is not in {setup.published_path}"
        )
    print(
        f"c360 superset: provisioned {len(provisioned.charts)} charts "
        f"({', '.join(provisioned.charts)}) on {setup.published_path} (read-only); "
        f"metadata in {setup.state_dir}"
    )
    if not args.serve:
        return 0
    dashboard = f"/superset/dashboard/{provisioned.dashboard_slug}/"
    print(
        f"c360 superset: serving http://{HOST}:{args.port}{dashboard} (log in as "
        f"{os.environ['C360_SUPERSET_ADMIN_USER']}); Ctrl-C stops it",
        flush=True,
    )
    command = serve_command(setup, args.port)
    os.execve(command[0], command, setup.environment())
