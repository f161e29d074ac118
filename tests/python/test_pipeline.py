"""End-to-end properties of the pipeline: the CLI, determinism, and the seeds' analyses."""

from __future__ import annotations

import shutil

import duckdb
from conftest import Workspace, assert_ok

MART = "customer360__customer_value_analysis"


def test_help_lists_every_subcommand(workspace: Workspace) -> None:
    result = workspace.c360("--help")
    assert_ok(result)
    for command in ("demo", "generate", "build"):
        assert command in result.stdout


def test_build_without_raw_dir_says_what_to_do(workspace: Workspace) -> None:
    result = workspace.c360("build")
    assert result.returncode != 0
    assert "does not exist" in result.stdout
    assert "c360 generate" in result.stdout
    workspace.raw_dir.parent.mkdir(parents=True, exist_ok=True)
    workspace.raw_dir.write_text("customer_id\n")  # a file where the directory should be
    result = workspace.c360("build")
    assert result.returncode == 2
    assert f"raw directory {workspace.raw_dir} is a file, not a directory" in result.stdout


def test_same_inputs_and_vars_give_the_same_mart(tmp_path, demo_build: Workspace) -> None:
    """No wall clock and no randomness: a second build of the same files is identical."""
    again = Workspace(tmp_path)
    shutil.copytree(demo_build.raw_dir, again.raw_dir)
    assert_ok(again.c360("build"))
    with duckdb.connect() as con:
        con.execute(f"attach '{demo_build.duckdb_path}' as first (read_only)")
        con.execute(f"attach '{again.duckdb_path}' as second (read_only)")
        for table in (MART, "customer360__rejected_rows", "customer360__segment_summary"):
            differences = con.execute(
                f"select count(*) from ((select * from first.main.{table}"
                f" except all select * from second.main.{table})"
                f" union all (select * from second.main.{table}"
                f" except all select * from first.main.{table}))"
            ).fetchall()[0][0]
            assert differences == 0, table
        rows = con.execute(f"select count(*) from first.main.{MART}").fetchall()[0][0]
    assert rows > 0


def test_analyses_compile_and_run_on_the_mart(demo_build: Workspace) -> None:
    assert_ok(demo_build.dbt("compile", "--select", "resource_type:analysis"))
    compiled = sorted(
        (demo_build.target_dir / "compiled" / "customer360" / "analyses").glob("*.sql")
    )
    names = {path.stem for path in compiled}
    assert names >= {"segment_comparison", "lifecycle_mix", "engagement_model_mix", "risk_summary"}
    with duckdb.connect(str(demo_build.duckdb_path), read_only=True) as con:
        for path in compiled:
            rows = con.execute(path.read_text()).fetchall()
            assert rows, f"{path.stem} returned no rows"
        hve = con.execute(
            (compiled[[p.stem for p in compiled].index("segment_comparison")]).read_text()
        ).fetchall()
    segments = {row[0] for row in hve}
    assert segments == {"High-Value Enterprise", "Enterprise", "SMB"}
