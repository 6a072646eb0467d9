"""prefect.yaml and `xxgk serve` declare the nightly schedule alike, as two deployments that never collide;
CLI guards of `xxgk demo`."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import typer
import yaml

from flows import commands

ROOT = Path(__file__).resolve().parents[2]


def _deployments() -> dict:
    return {d["name"]: d for d in yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))["deployments"]}


def test_prefect_yaml_entrypoints_are_the_flows():
    from prefect import Flow

    for deployment in _deployments().values():
        path, name = deployment["entrypoint"].split(":")
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        assert isinstance(getattr(module, name), Flow)
        assert deployment["concurrency_limit"] == 1  # single writer


def test_prefect_yaml_schedule_is_the_one_xxgk_serve_uses():
    (schedule,) = _deployments()["xxgk-nightly"]["schedules"]
    assert (schedule["cron"], schedule["timezone"]) == (commands.DEFAULT_CRON, commands.DEFAULT_TIMEZONE)
    deployment = commands.served_deployment(None, commands.DEFAULT_CRON, commands.DEFAULT_TIMEZONE, {})
    (built,) = deployment.schedules
    assert built.schedule.cron == "30 2 * * *" and built.schedule.timezone == "Asia/Shanghai"
    # its own name and slug: applying it beside `prefect deploy --all` must not hit the 422 on slugs
    assert deployment.name != "xxgk-nightly" and built.slug and built.slug != schedule["slug"]
    assert "schedules" not in _deployments()["xxgk-rebuild"]  # a rebuild is started by hand


def test_demo_refuses_to_wipe_a_directory_it_did_not_create(tmp_path):
    (tmp_path / "precious.txt").write_text("keep me")
    with pytest.raises(typer.BadParameter):
        commands.reset_demo_dir(tmp_path)
    assert (tmp_path / "precious.txt").exists()


def test_demo_starts_from_a_clean_directory_each_time(tmp_path):
    demo_dir = tmp_path / "demo"
    commands.reset_demo_dir(demo_dir)
    (demo_dir / "raw").mkdir()
    (demo_dir / "raw" / "manifest.jsonl").write_text("{}\n")
    commands.reset_demo_dir(demo_dir)
    assert sorted(p.name for p in demo_dir.iterdir()) == [commands.DEMO_MARKER]


def test_cli_options_are_validated_before_the_flow_starts():
    assert commands._overrides(data_dir=Path("/srv/x"), workers=None) == {"data_dir": "/srv/x"}
    with pytest.raises(Exception, match="--task-runner"):
        commands._overrides(task_runner="spark")
