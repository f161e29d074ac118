"""Provision and serve Apache Superset on the published mart.

Superset runs from its own virtualenv (.venv-superset, made by scripts/install_superset.sh),
so this module drives it through subprocesses: `superset db upgrade` and `superset init` for
the metadata database, then superset_import.py for the admin user and the dashboard bundle,
then gunicorn to serve it on 127.0.0.1.

State lives in $C360_SUPERSET_DIR (default data/superset/): superset.db (SQLite metadata) and,
unless $SUPERSET_SECRET_KEY is set, secret_key, generated once.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import duckdb

from customer360 import published
from customer360.settings import Settings
from customer360.superset import bundle

ADMIN_USER_VAR = "C360_SUPERSET_ADMIN_USER"
ADMIN_PASSWORD_VAR = "C360_SUPERSET_ADMIN_PASSWORD"
ADMIN_EMAIL_VAR = "C360_SUPERSET_ADMIN_EMAIL"
STATE_DIR_VAR = "C360_SUPERSET_DIR"
VENV_VAR = "C360_SUPERSET_VENV"
SECRET_KEY_VAR = "SUPERSET_SECRET_KEY"
HOST = "127.0.0.1"
PACKAGE_DIR = Path(__file__).resolve().parent
# Lines of Superset's own output shown when one of its steps fails.
FAILURE_TAIL_LINES = 15


class SupersetError(RuntimeError):
    """Superset cannot be provisioned or served; the message is one line saying why."""


@dataclass(frozen=True)
class SupersetSetup:
    """Where Superset lives and what it serves, for one customer360 installation."""

    venv_dir: Path
    state_dir: Path
    bundle_dir: Path
    published_path: Path

    @classmethod
    def from_env(cls, settings: Settings | None = None) -> SupersetSetup:
        settings = settings or Settings.from_env()
        root = settings.project_dir

        def path(variable: str, default: str) -> Path:
            value = Path(os.environ.get(variable) or default)
            return value if value.is_absolute() else root / value

        return cls(
            venv_dir=path(VENV_VAR, ".venv-superset"),
            state_dir=path(STATE_DIR_VAR, "data/superset"),
            bundle_dir=root / "superset" / "dashboard",
            published_path=settings.published_path,
        )

    @property
    def superset_bin(self) -> Path:
        return self.venv_dir / "bin" / "superset"

    def check(self) -> None:
        """Raise SupersetError for what provisioning cannot do without."""
        if not self.superset_bin.is_file():
            raise SupersetError(
                f"Superset is not installed ({self.superset_bin} is missing); run "
                "`bash scripts/install_superset.sh`"
            )
        if not self.published_path.is_file():
            raise SupersetError(
                f"the published database {self.published_path} does not exist; run "
                "`c360 build` first (or set C360_PUBLISHED_PATH)"
            )
        missing = [v for v in (ADMIN_USER_VAR, ADMIN_PASSWORD_VAR) if not os.environ.get(v)]
        if missing:
            raise SupersetError(
                f"admin credentials missing: set {' and '.join(missing)} (the Superset admin "
                "user to create or update)"
            )

    def environment(self) -> dict[str, str]:
        """What Superset's processes need: its config, state directory and secret key."""
        return {
            **os.environ,
            "SUPERSET_CONFIG_PATH": str(PACKAGE_DIR / "superset_config.py"),
            "SUPERSET_HOME": str(self.state_dir),
            STATE_DIR_VAR: str(self.state_dir),
            SECRET_KEY_VAR: self.secret_key(),
            "SUPERSET_LOAD_EXAMPLES": "no",
        }

    def secret_key(self) -> str:
        """$SUPERSET_SECRET_KEY, else the key in state_dir/secret_key, generated on first use."""
        if key := os.environ.get(SECRET_KEY_VAR):
            return key
        key_path = self.state_dir / "secret_key"
        if not key_path.is_file():
            self.state_dir.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as key_file:
                key_file.write(secrets.token_urlsafe(48))
        return key_path.read_text().strip()


@dataclass(frozen=True)
class Provisioned:
    """What one provisioning imported."""

    charts: tuple[str, ...]
    skipped: tuple[bundle.SkippedChart, ...]
    dashboard_slug: str | None


def provision(setup: SupersetSetup) -> Provisioned:
    """Create or update the metadata database, the admin user and the dashboard."""
    setup.check()
    setup.state_dir.mkdir(parents=True, exist_ok=True)
    try:
        prepared = bundle.prepare(
            bundle.read_bundle(setup.bundle_dir),
            setup.published_path,
            published_tables(setup.published_path),
        )
    except bundle.BundleError as error:
        raise SupersetError(str(error)) from error
    env = setup.environment()
    _run_superset_step(setup, "upgrading the metadata database", ["db", "upgrade"], env)
    _run_superset_step(setup, "setting up roles and permissions", ["init"], env)
    result = _run_step(
        "importing the dashboard",
        [str(setup.venv_dir / "bin" / "python"), str(PACKAGE_DIR / "superset_import.py")],
        env,
        stdin=json.dumps({"contents": prepared.contents}),
    )
    imported = json.loads(result.stdout.strip().splitlines()[-1])
    dashboards = imported["dashboards"]
    return Provisioned(
        charts=tuple(sorted(chart["name"] for chart in imported["charts"])),
        skipped=prepared.skipped,
        dashboard_slug=dashboards[0]["slug"] if dashboards else None,
    )


def published_tables(published_path: Path) -> set[str]:
    """The tables of schema main in the published database (opened read-only)."""
    try:
        with published.connect(published_path) as connection:
            return published.table_names(connection)
    except published.PublishedDatabaseError as error:
        raise SupersetError(str(error)) from error
    except duckdb.Error as error:
        raise SupersetError(f"cannot read {published_path}: {error}") from error


def check_port_free(port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError as error:
            raise SupersetError(
                f"port {port} on {HOST} is in use ({error.strerror}); pick another with --port"
            ) from error


def serve_command(setup: SupersetSetup, port: int) -> list[str]:
    """gunicorn serving Superset on 127.0.0.1:`port`, one worker with threads."""
    return [
        str(setup.venv_dir / "bin" / "gunicorn"),
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        "1",
        "--threads",
        "8",
        "--timeout",
        "120",
        "--access-logfile",
        "-",
        "superset.app:create_app()",
    ]


def _run_superset_step(
    setup: SupersetSetup, what: str, args: list[str], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return _run_step(what, [str(setup.superset_bin), *args], env)


def _run_step(
    what: str, command: list[str], env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        command, env=env, input=stdin, text=True, capture_output=True, check=False
    )
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip().splitlines()
        tail = "\n".join(output[-FAILURE_TAIL_LINES:])
        raise SupersetError(f"Superset failed {what} (exit {result.returncode}):\n{tail}")
    return result
