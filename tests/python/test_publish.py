"""Safe serving: BI readers of the published database during rebuilds, failures and kills.

Readers run in subprocesses: within one process DuckDB shares one database instance per path,
so a reader in the test process would be the same instance as the checks made after a build.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_DIR, Workspace, assert_ok

from customer360 import publish
from customer360.validate import RuleVars

# One statement, so each observation is one consistent snapshot of one file. The mart and the
# segment summary must agree on customers and revenue: a mix of two builds would not.
FIGURES_SQL = """
select
    (select cast(max(as_of_date) as varchar) from customer360__customer_value_analysis),
    (select count(*) from customer360__customer_value_analysis),
    (select cast(sum(revenue_12m) as varchar) from customer360__customer_value_analysis),
    (select sum(customers) from customer360__segment_summary),
    (select cast(sum(revenue_12m) as varchar) from customer360__segment_summary),
    (select count(*) from customer360__segment_distributions),
    (select invocation_id from customer360__publication)
"""

READER_SCRIPT = r"""
import json, sys, time
from pathlib import Path

mode, db_path, stop_file, ready_file, sql = sys.argv[1:6]


def held_duckdb():
    import duckdb
    connection = duckdb.connect(db_path, read_only=True)
    return lambda: connection.execute(sql).fetchall()[0]


def held_sqlalchemy():
    # The path BI tools such as Superset take: SQLAlchemy with the duckdb_engine dialect.
    from sqlalchemy import create_engine, text
    engine = create_engine(f"duckdb:///{db_path}", connect_args={"read_only": True})
    connection = engine.connect()
    return lambda: tuple(connection.execute(text(sql)).one())


def fresh_duckdb():
    import duckdb
    with duckdb.connect(db_path, read_only=True) as connection:
        return connection.execute(sql).fetchall()[0]


query = {"held": held_duckdb, "sqlalchemy": held_sqlalchemy}.get(mode, lambda: fresh_duckdb)()
deadline = time.monotonic() + 900
while time.monotonic() < deadline:
    stopping = Path(stop_file).exists()  # one last query after the stop signal
    try:
        print(json.dumps({"figures": [str(value) for value in query()]}), flush=True)
    except Exception as error:
        print(json.dumps({"error": repr(error)}), flush=True)
    Path(ready_file).touch()
    if stopping:
        break
    time.sleep(0.05)
"""

READER_MODES = ("held", "sqlalchemy", "fresh")
CUSTOMERS = "1000"


def published_figures(path: Path) -> list[str]:
    """The figures a reader sees now, from a subprocess (a fresh database instance)."""
    code = (
        "import duckdb, json, sys\n"
        "with duckdb.connect(sys.argv[1], read_only=True) as c:\n"
        "    print(json.dumps([str(v) for v in c.execute(sys.argv[2]).fetchall()[0]]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(path), FIGURES_SQL],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


class Readers:
    """BI-like reader subprocesses querying the published file until told to stop."""

    def __init__(self, workspace: Workspace, modes: tuple[str, ...]) -> None:
        self.dir = workspace.root / "readers"
        self.dir.mkdir(exist_ok=True)
        self.stop_file = self.dir / "stop"
        self.stop_file.unlink(missing_ok=True)
        self.processes = {
            mode: subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    READER_SCRIPT,
                    mode,
                    str(workspace.published_path),
                    str(self.stop_file),
                    str(self.dir / f"{mode}.ready"),
                    FIGURES_SQL,
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for mode in modes
        }

    def wait_until_reading(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while not all((self.dir / f"{mode}.ready").exists() for mode in self.processes):
            assert time.monotonic() < deadline, "readers did not start"
            time.sleep(0.1)

    def stop(self) -> dict[str, list[dict]]:
        self.stop_file.touch()
        observations = {}
        for mode, process in self.processes.items():
            stdout, stderr = process.communicate(timeout=120)
            assert process.returncode == 0, f"{mode} reader crashed: {stderr}"
            observations[mode] = [json.loads(line) for line in stdout.splitlines()]
        return observations


@pytest.fixture(scope="module")
def small_build(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """1,000 customers built and published once for this module."""
    ws = Workspace(tmp_path_factory.mktemp("publish"))
    regenerate(ws, seed=1)
    assert_ok(ws.c360("build"))
    return ws


def regenerate(ws: Workspace, seed: int) -> None:
    """New raw data in place: a rebuild then gives different figures."""
    assert_ok(ws.c360("generate", "--customers", CUSTOMERS, "--seed", str(seed), "--quiet"))


def test_build_publishes_every_public_table(small_build: Workspace) -> None:
    with duckdb.connect(str(small_build.published_path), read_only=True) as published:
        tables = {
            (schema, name)
            for schema, name in published.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        }
        publication = published.execute(
            "select invocation_id, cast(as_of_date as varchar) from customer360__publication"
        ).fetchall()[0]
        recorded = published.execute(
            "select scoring_config_fingerprint, scoring_config_json from customer360__publication"
        ).fetchall()[0]
        published_counts = {
            name: published.execute(f"select count(*) from main.{name}").fetchall()[0][0]
            for name in publish.REQUIRED_TABLES
        }
    manifest = json.loads((small_build.target_dir / "manifest.json").read_text())
    public_models = {
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["access"] == "public"
    }
    assert set(publish.REQUIRED_TABLES) <= public_models
    assert {name for schema, name in tables if schema == "main"} == public_models | {
        publish.PUBLICATION_TABLE,
        *publish.TEST_TABLES,
    }
    # only the public tables and the test results, never staging, intermediate or audit tables
    assert {schema for schema, _ in tables} == {"main"}
    run_results = json.loads((small_build.target_dir / "run_results.json").read_text())
    assert publication[0] == run_results["metadata"]["invocation_id"]
    # the scoring vars the build resolved travel with it: readers take the rules' parameters
    # from the publication, not from a dbt_project.yml that may have changed since
    with duckdb.connect(str(small_build.duckdb_path), read_only=True) as work:
        configuration = work.execute(
            "select scoring_config_fingerprint, scoring_config_json "
            "from intermediate.int_scoring_configuration"
        ).fetchall()[0]
    assert recorded == configuration
    assert RuleVars.from_publication(small_build.published_path) == RuleVars.from_project(
        PROJECT_DIR
    )
    # one row per data and unit test of the published build, with its outcome
    tests = {
        r["unique_id"]: r
        for r in run_results["results"]
        if r["unique_id"].startswith(("test.", "unit_test."))
    }
    with duckdb.connect(str(small_build.published_path), read_only=True) as published:
        results = published.execute(
            "select test_unique_id, status, failures, invocation_id, severity "
            f"from {publish.TEST_RESULTS_TABLE}"
        ).fetchall()
    assert {row[0] for row in results} == set(tests)
    for unique_id, status, failures, invocation_id, severity in results:
        assert status == tests[unique_id]["status"]
        assert failures == tests[unique_id]["failures"]
        assert invocation_id == publication[0]
        assert severity in ("error", "warn")
    with duckdb.connect(str(small_build.duckdb_path), read_only=True) as work:
        for name, count in published_counts.items():
            assert work.execute(f"select count(*) from main.{name}").fetchall()[0][0] == count
    assert not list(small_build.root.glob("*.publishing-*"))
    assert not Path(f"{small_build.published_path}.wal").exists()


def test_readers_during_a_rebuild_see_the_old_mart_or_the_new_never_a_mix(
    small_build: Workspace,
) -> None:
    before = published_figures(small_build.published_path)
    regenerate(small_build, seed=2)
    readers = Readers(small_build, READER_MODES)
    readers.wait_until_reading()
    rebuild = small_build.c360("build")
    after = published_figures(small_build.published_path)
    observations = readers.stop()

    assert_ok(rebuild)
    # other data: the revenue figures differ, so a mix of the two builds would show
    assert before[2] != after[2] and before[4] != after[4]
    assert before[2] == before[4] and after[2] == after[4]
    for mode, seen in observations.items():
        errors = [o["error"] for o in seen if "error" in o]
        assert not errors, f"{mode} reader got errors: {errors[:3]}"
        assert len(seen) >= 20, f"{mode} reader queried only {len(seen)} times"
    # connections held across the rebuild keep serving the mart they opened, to the end
    for mode in ("held", "sqlalchemy"):
        assert all(o["figures"] == before for o in observations[mode])
    # a connection per query sees the old mart, then the new one, and never goes back
    fresh = [o["figures"] for o in observations["fresh"]]
    assert set(map(tuple, fresh)) == {tuple(before), tuple(after)}
    first_new = fresh.index(after)
    assert all(f == before for f in fresh[:first_new])
    assert all(f == after for f in fresh[first_new:])


def test_a_build_killed_during_dbt_leaves_the_published_mart_intact(
    small_build: Workspace,
) -> None:
    before = published_figures(small_build.published_path)
    regenerate(small_build, seed=3)
    build = subprocess.Popen(
        [sys.executable, "-m", "customer360.cli", "build"],
        cwd=PROJECT_DIR,
        env=small_build.env(PYTHONUNBUFFERED="1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: the kill reaches dbt too
    )
    assert build.stdout is not None
    for line in build.stdout:
        if "OK created sql table model" in line:  # dbt is writing the work database
            break
    else:
        pytest.fail("the build ended before dbt created a table")
    os.killpg(build.pid, signal.SIGKILL)
    build.wait(timeout=60)

    assert published_figures(small_build.published_path) == before
    assert not list(small_build.root.glob("*.publishing-*"))
    # the work database recovers: the next build succeeds and publishes the new data
    assert_ok(small_build.c360("build"))
    after = published_figures(small_build.published_path)
    assert after[2] != before[2] and after[6] != before[6]


def _work_database(path: Path, tables: tuple[str, ...]) -> Path:
    """A hand-made work database holding `tables` (one row each) and a test results table."""
    with duckdb.connect(str(path)) as work:
        for name in tables:
            work.execute(
                f"create table {name} as select date '2025-12-31' as as_of_date, 1 as value"
            )
        work.execute(f"create table {publish.TEST_RESULTS_TABLE} as select 'test.x' as test")
    return path


def test_publish_refuses_a_work_database_missing_a_public_table(tmp_path: Path) -> None:
    work = _work_database(tmp_path / "work.duckdb", publish.REQUIRED_TABLES[1:])
    published = tmp_path / "published.duckdb"
    published.write_bytes(b"the previous mart")
    with pytest.raises(publish.PublishError, match=publish.REQUIRED_TABLES[0]):
        publish.publish(work, published)
    assert published.read_bytes() == b"the previous mart"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["published.duckdb", "work.duckdb"]


def test_publish_copies_the_rebuilt_tables_and_test_results_and_clears_dead_temp_files(
    tmp_path: Path,
) -> None:
    not_rebuilt = "customer360__correlation_diagnostics"
    work = _work_database(
        tmp_path / "work.duckdb",
        (*publish.REQUIRED_TABLES, "customer360__source_quality", not_rebuilt),
    )
    published = tmp_path / "published.duckdb"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    stale = tmp_path / f"published.duckdb{publish.TEMP_MARKER}{dead}"
    stale.write_bytes(b"left by a publish killed mid-way")

    result = publish.publish(
        work,
        published,
        tables=["customer360__source_quality", "customer360__customer_value_analysis"],
        invocation_id="run-1",
    )

    assert not stale.exists()
    assert result.tables == (
        *publish.REQUIRED_TABLES,
        "customer360__source_quality",
        publish.TEST_RESULTS_TABLE,
    )
    assert result.as_of_date == "2025-12-31"
    with duckdb.connect(str(published), read_only=True) as reader:
        publication = reader.execute("select invocation_id from customer360__publication")
        assert publication.fetchall() == [("run-1",)]
        assert reader.execute(f"select test from {publish.TEST_RESULTS_TABLE}").fetchall() == [
            ("test.x",)
        ]


def drop_half_the_customers(raw_dir: Path) -> None:
    """A truncated export: every other customer missing (their transactions become unknown)."""
    source = raw_dir / "customers.parquet"
    staged = raw_dir / "customers.half.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select * from read_parquet('{source}') where hash(customer_id) % 5 != 0 "
            f"and hash(customer_id) % 5 != 1 and hash(customer_id) % 5 != 2) "
            f"to '{staged}' (format parquet)"
        )
    staged.replace(source)


def test_a_large_drop_against_the_published_mart_is_not_published_unless_accepted(
    small_build: Workspace,
) -> None:
    before = published_figures(small_build.published_path)
    drop_half_the_customers(small_build.raw_dir)
    # the transactions of the missing customers are invalid rows: the build fails on their
    # share and says which table, reason and column, without a second command
    failed = small_build.c360("build")
    assert failed.returncode == 1
    what_failed = failed.stdout[failed.stdout.index("c360 build: what failed") :]
    assert "**source_rejected_pct_within_error_threshold**" in what_failed
    assert "| transactions |" in what_failed
    assert "| unknown_customer | customer_id |" in what_failed
    assert published_figures(small_build.published_path) == before

    refused = small_build.c360("build", "--vars", "{rejected_pct_error: 100}")
    assert refused.returncode == 4
    line = refused.stdout.strip().splitlines()[-1]
    assert line.startswith("c360 build: not published: customers fell ")
    assert "more than publish_max_drop_pct (50%)" in line
    assert "--accept-large-change" in line
    assert published_figures(small_build.published_path) == before
    paged = small_build.c360("alerts", "--format", "json")
    assert paged.returncode == 1
    payload = json.loads(paged.stdout)
    assert [a["name"] for a in payload["alerts"] if a["severity"] == "error"] == [
        "c360 build: publish guard"
    ]
    assert payload["publication"]["published_this_run"] is False

    accepted = small_build.c360(
        "build", "--accept-large-change", "--vars", "{rejected_pct_error: 100}"
    )
    assert_ok(accepted)
    after = published_figures(small_build.published_path)
    assert int(after[1]) < int(before[1]) / 2
    assert small_build.c360("alerts").returncode == 0
