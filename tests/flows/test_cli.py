"""`xxgk run` and `xxgk rebuild` wiring: options and XXGK_* variables reach the flow, the summary is printed."""

from __future__ import annotations

from typer.testing import CliRunner

from tests.flows.test_crawl_stage import _closed_port


def _dead_registry(tmp_path) -> str:
    port = _closed_port()
    sites = tmp_path / "sites.yaml"
    sites.write_text(f"""
- id: dead-site
  name: 测试区
  hosts: ['127.0.0.1:{port}']
  entries:
  - url: http://127.0.0.1:{port}/xxgk/ndbg/
""", encoding="utf-8")
    return str(sites)


def test_xxgk_run_then_rebuild_print_their_summaries(tmp_path, monkeypatch):
    from flows.cli import app

    for name, value in {"XXGK_MIN_DELAY_S": "0.01", "XXGK_JITTER_S": "0", "XXGK_CONNECT_TIMEOUT_S": "0.5",
                        "XXGK_MAX_RETRIES": "0", "XXGK_CRAWL_RETRIES": "0"}.items():
        monkeypatch.setenv(name, value)
    data_dir = tmp_path / "data"
    runner = CliRunner()
    result = runner.invoke(app, ["run", "--data-dir", str(data_dir), "--sites-file", _dead_registry(tmp_path),
                                 "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "sites crawled" in result.output and "dead-site" in result.output
    assert f"warehouse: {data_dir / 'warehouse' / 'xxgk.duckdb'}" in result.output
    assert (data_dir / "warehouse" / "xxgk.duckdb").exists()

    result = runner.invoke(app, ["rebuild", "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert "documents extracted" in result.output and "crawl" not in result.output.split("time per stage")[1][:40]


def test_xxgk_run_rejects_an_unknown_task_runner(tmp_path):
    from flows.cli import app

    result = CliRunner().invoke(app, ["run", "--data-dir", str(tmp_path), "--task-runner", "spark"])
    assert result.exit_code != 0
    assert not (tmp_path / "warehouse").exists()  # refused before any flow ran
