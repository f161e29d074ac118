"""Superset's configuration for customer360, loaded by Superset itself (SUPERSET_CONFIG_PATH).

It runs inside Superset's own virtualenv (.venv-superset), so it imports nothing from
customer360: `c360 superset` passes what it needs through the environment.

- C360_SUPERSET_DIR: where Superset keeps its state; the metadata database is superset.db there.
- SUPERSET_SECRET_KEY: the key signing sessions and encrypting secrets in the metadata.

Every engine Superset opens gets a NullPool and, for DuckDB, access_mode=read_only (see
`read_only_unpooled`), whatever the database's settings in the UI say.
"""

import os
from pathlib import Path

from sqlalchemy.pool import NullPool

STATE_DIR = Path(os.environ["C360_SUPERSET_DIR"])
SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]
SQLALCHEMY_DATABASE_URI = f"sqlite:///{STATE_DIR / 'superset.db'}"
DATA_DIR = str(STATE_DIR)

# A chart must show the mart published now: no data cache between a rebuild and a reader.
DATA_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
RATELIMIT_STORAGE_URI = "memory://"
# Local use on 127.0.0.1: no HTTPS to force, and the frontend's inline assets must load.
TALISMAN_ENABLED = False
SUPERSET_WEBSERVER_TIMEOUT = 120


def read_only_unpooled(url, params, username, security_manager, source):
    """Open the published DuckDB file read-only, and one connection per query.

    DuckDB shares one database instance per path within a process while any connection to it
    is open, so a pooled connection would keep serving the file it opened after `c360 build`
    swapped in a new one. With NullPool each query opens the path afresh and closes it after.
    """
    params["poolclass"] = NullPool
    if url.drivername.startswith("duckdb"):
        url = url.update_query_dict({"access_mode": "read_only"})
    return url, params


DB_CONNECTION_MUTATOR = read_only_unpooled
