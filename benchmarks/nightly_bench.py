"""Nightly run benchmark: a full night over the demo world (≥ 500 reports) vs a night with nothing new.

    .venv/bin/python benchmarks/nightly_bench.py [--scale 520] [--sample 120] [--out nightly.json]

Measured, in this order, in one process against Prefect's ephemeral API (what `xxgk run` uses):
 1. fixed Prefect start-up: `import prefect`, then the first (empty) flow run, which starts the local
    server on a cold PREFECT_HOME — reported separately, as it does not depend on the data;
 2. the full night (day 1: crawl every site, extract every report, load, publish, export);
 3. the same night again with nothing new (conditional GETs, nothing extracted, load/publish skipped);
    then once more with the failed documents' retries due (as on the next real night, 24 h later), since
    a same-hour re-run is still inside their retry pause, and once with every known document due for
    its periodic check as well (the worst night of the re-check cycle);
 4. extraction alone on a sample of the archived reports, one process vs the process pool.
The demo world renders its documents before timing starts, so the server's PDF rendering is not counted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _timed(fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - started


def prefect_start_up() -> dict:
    _, import_s = _timed(__import__, "prefect")
    from prefect import flow

    @flow(name="xxgk-bench-warm-up")
    def warm_up() -> int:
        return 1

    _, first_s = _timed(warm_up)
    _, second_s = _timed(warm_up)
    return {"import_prefect_s": round(import_s, 2), "first_flow_run_s": round(first_s, 2),
            "empty_flow_run_s": round(second_s, 2)}


def warm_world(world, day: int) -> int:
    """Render every document of ``day`` once (the world caches bytes), so timing measures the pipeline."""
    n = 0
    for doc in world.docs:
        if doc.day_from <= day:
            try:
                world.doc_bytes(doc, day)
                n += 1
            except Exception:  # noqa: BLE001 - a fault document may have no bytes; the crawler handles it
                pass
    return n


def extraction_speed_up(data_dir: Path, sample: int, workers: int) -> dict:
    """Extract the same sample of archived documents with 1 process, then with ``workers``."""
    from extract.crawl.archive import Archive
    from transform.batch import archived_documents, extract_documents

    docs = archived_documents(Archive(data_dir).manifest())[:sample]
    out = {"documents": len(docs)}
    for n in (1, workers):
        scratch = Path(tempfile.mkdtemp(prefix=f"xxgk-bench-extract{n}-"))
        (scratch / "raw").symlink_to((data_dir / "raw").resolve())
        summary, seconds = _timed(extract_documents, docs, scratch, workers=n, timeout_s=120, memory_mb=3072)
        out[f"workers_{n}_s"] = round(seconds, 2)
        out[f"workers_{n}_docs_per_s"] = round(len(docs) / seconds, 2)
        shutil.rmtree(scratch)
    out["speed_up"] = round(out["workers_1_s"] / out[f"workers_{workers}_s"], 2)
    out["workers"] = workers
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=520, help="ordinary demo reports (specials come on top)")
    parser.add_argument("--sample", type=int, default=120, help="documents for the pool speed-up measurement")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--out", type=Path, default=None, help="also write the results as JSON here")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="xxgk-bench-"))
    os.environ["PREFECT_HOME"] = str(home / "prefect")  # a cold home: the start-up cost a fresh install pays
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    start_up = prefect_start_up()

    from demo.sites import DemoWorld
    from transform.runner import cpu_count
    from flows.nightly import nightly
    from flows.settings import Settings, demo_settings

    workers = args.workers or cpu_count()
    world = DemoWorld(seed=7, scale=args.scale)
    _, render_s = _timed(warm_world, world, 1)
    results: dict = {"prefect_start_up": start_up, "scale": args.scale, "world_render_s": round(render_s, 1),
                     "workers": workers, "cpus": os.cpu_count()}
    with world.serve(day=1, fast=True) as live:
        sites_file = home / "sites.yaml"
        sites_file.write_text(live.sites_yaml(), encoding="utf-8")
        # Loopback politeness delays, but the production re-check policy (the demo's own settings make
        # everything due at once, since its "days" are minutes apart).
        production = Settings.model_fields
        settings = demo_settings(home / "data", sites_file, workers=workers,
                                 revalidate_after_days=production["revalidate_after_days"].default,
                                 retry_failed_after_hours=production["retry_failed_after_hours"].default)
        overrides = settings.model_dump(mode="json")
        nights = {"full": overrides, "no_change": overrides,
                  "no_change_retries_due": {**overrides, "retry_failed_after_hours": 0.0},
                  "no_change_all_due": {**overrides, "retry_failed_after_hours": 0.0, "revalidate_after_days": 0.0}}
        for name, night_overrides in nights.items():
            summary, wall = _timed(nightly, overrides=night_overrides)
            results[name] = {"flow_wall_s": round(wall, 2), "stages_s": summary["stages"],
                             "report_links": summary["documents"].get("found"),
                             "extracted": summary["extraction"].get("documents", 0),
                             "extract_statuses": summary["extraction"].get("statuses", {}),
                             "loaded": summary["load"] is not None, "skipped": summary["skipped"],
                             "warehouse": {k: v for k, v in summary["warehouse"].items() if k != "document_states"}}
            print(name, json.dumps(results[name], ensure_ascii=False), flush=True)
    full = results["full"]
    for name in ("no_change", "no_change_retries_due", "no_change_all_due"):
        quiet = results[name]
        results[f"ratio_flow_wall_{name}"] = round(quiet["flow_wall_s"] / full["flow_wall_s"], 4)
        results[f"ratio_stages_{name}"] = round(quiet["stages_s"]["total"] / full["stages_s"]["total"], 4)
    results["extraction"] = extraction_speed_up(settings.data_dir, args.sample, workers)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(results, ensure_ascii=False, indent=1))
    shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
