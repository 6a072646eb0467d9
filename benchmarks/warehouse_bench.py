"""Warehouse benchmark: synthesize N reports (~200 facts each) with numpy/Arrow, bulk-load them through
the real loader (``warehouse.load.load_arrow``), then time every out_ view and a CSV export.

    nice .venv/bin/python benchmarks/warehouse_bench.py --reports 100000 [--write-results]

Facts are generated per format version from the schema's own layouts (half gov2019, half gov2021),
so the measure SQL sees realistic cells; ~1 % of cells are printed blank. Numbers are random: the
benchmark measures speed, the tests measure correctness. ``--write-results`` replaces the
``## Warehouse`` section of ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from transform.schema import VERSIONS, layout, tables_in_version
from warehouse.db import OUT_VIEWS, connect_readonly
from warehouse.export import export_csv
from warehouse.load import load_arrow, load_results
from warehouse.publish import checkpoint
from tests.synthetic import make_result

BODIES = [
    "人民政府",
    "人民政府办公室",
    "财政局",
    "教育局",
    "公安分局",
    "民政局",
    "司法局",
    "人力资源和社会保障局",
    "自然资源局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "水务局",
    "农业农村局",
    "商务局",
    "文化和旅游局",
    "卫生健康委员会",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
    "城市管理局",
    "发展和改革委员会",
    "科学技术局",
    "工业和信息化局",
    "退役军人事务局",
    "信访局",
    "东城街道办事处",
    "西城街道办事处",
    "南山镇人民政府",
    "北山镇人民政府",
    "青石镇人民政府",
    "白沙镇人民政府",
    "红旗乡人民政府",
    "金桥镇人民政府",
    "柳河镇人民政府",
    "石门镇人民政府",
    "新华街道办事处",
    "光明街道办事处",
]
YEARS = [2020, 2021, 2022, 2023]


def cell_template(version: str) -> tuple[list[str], list[str], list[str]]:
    tables, rows, cols = [], [], []
    for table_id in tables_in_version(version):
        lay = layout(table_id, version)
        for r in lay.row_codes:
            for c in lay.col_codes:
                tables.append(table_id)
                rows.append(r)
                cols.append(c)
    return tables, rows, cols


def dict_column(template: list[str], reps: int) -> pa.DictionaryArray:
    """A column that repeats ``template`` ``reps`` times, dictionary-encoded (no per-row strings)."""
    values, codes = np.unique(np.array(template), return_inverse=True)
    indices = np.tile(codes.astype(np.int32), reps)
    return pa.DictionaryArray.from_arrays(pa.array(indices), pa.array(values.tolist())).cast(pa.string())


def synth_reports(n_reports: int, seed: int = 7) -> dict[str, pa.Table]:
    """Arrow tables for ``n_reports`` reports: documents, facts and cells as printed."""
    rng = np.random.default_rng(seed)
    per_region = len(BODIES)
    n_agencies = max(1, n_reports // len(YEARS))
    agency = np.arange(n_reports) % n_agencies
    year = np.array(YEARS)[np.arange(n_reports) // n_agencies % len(YEARS)]
    version = np.where(year <= 2020, "gov2019", "gov2021")
    region_no = agency // per_region
    shas = [hashlib.sha256(f"bench-{i}".encode()).hexdigest() for i in range(n_reports)]
    regions = [f"某省第{r}市示{r}区" for r in region_no]
    names = [f"示{r}区{BODIES[a % per_region]}" for r, a in zip(region_no, agency)]
    documents = pa.table(
        {
            "sha256": shas,
            "source": [f"{s[:12]}.pdf" for s in shas],
            "media_type": ["application/pdf"] * n_reports,
            "extract_status": np.where(rng.random(n_reports) < 0.9, "ok", "warning").tolist(),
            "parser_version": ["bench"] * n_reports,
            "printed_agency": names,
            "printed_region": regions,
            "report_year": year.astype(np.int32),
            "format_version": version.tolist(),
            "printed_title": [f"{n}{y}年政府信息公开工作年度报告" for n, y in zip(names, year)],
            "load_seq": np.arange(1, n_reports + 1),
            "loaded_at": pa.array([None] * n_reports, pa.timestamp("us")),
        }
    )
    report_ids = np.array([int(s[:15], 16) for s in shas], dtype=np.int64)
    facts, cells = [], []
    for v in VERSIONS:
        idx = np.flatnonzero(version == v)
        if not len(idx):
            continue
        t, r, c = cell_template(v)
        n_cells = len(t)
        n = len(idx) * n_cells
        values = rng.integers(0, 60, n).astype(np.float64)
        blank = rng.random(n) < 0.01
        value = pa.array(values, mask=blank)
        raw = pc.if_else(blank, pa.scalar(""), pc.cast(pa.array(values.astype(np.int64)), pa.string()))
        page = pa.array(np.where(np.array([x.startswith("t2") for x in t] * len(idx)), 3, 4).astype(np.int32))
        flat = rng.random(n * 4) * 500
        bbox = pa.ListArray.from_arrays(pa.array(np.arange(0, n * 4 + 1, 4, dtype=np.int32)), pa.array(flat))
        rid = pa.array(np.repeat(report_ids[idx], n_cells))
        tables, rows, cols = dict_column(t, len(idx)), dict_column(r, len(idx)), dict_column(c, len(idx))
        facts.append(
            pa.table(
                {
                    "report_id": rid,
                    "table_id": tables,
                    "table_version": pa.array([v] * n),
                    "row_code": rows,
                    "col_code": cols,
                    "value": value,
                    "value_source": pc.if_else(blank, pa.scalar("blank"), pa.scalar("printed")),
                    "raw_text": raw,
                    "page": page,
                    "bbox": bbox,
                    "cell_path": pa.nulls(n, pa.string()),
                }
            )
        )
        sha_col = pa.array(np.repeat(np.array(shas, dtype=object)[idx], n_cells).tolist(), pa.string())
        cells.append(
            pa.table(
                {
                    "sha256": sha_col,
                    "table_id": tables,
                    "row_code": rows,
                    "col_code": cols,
                    "raw_text": raw,
                    "page": page,
                    "bbox": bbox,
                    "cell_path": pa.nulls(n, pa.string()),
                }
            )
        )
    return {
        "raw_documents": documents,
        "core_facts": pa.concat_tables(facts),
        "raw_cells": pa.concat_tables(cells),
    }


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_views(db: Path, runs: int = 3) -> dict[str, tuple[float, int]]:
    con = connect_readonly(db)
    out = {}
    try:
        for view in OUT_VIEWS:
            times, n = [], 0
            for _ in range(runs):
                start = time.perf_counter()
                n = con.sql(f"SELECT * FROM {view}").to_arrow_table().num_rows
                times.append(time.perf_counter() - start)
            out[view] = (statistics.median(times), n)
    finally:
        con.close()
    return out


def json_path_rate(n_results: int, work: Path) -> tuple[float, int]:
    """Facts/s through the JSON path (load_results: Python flattening + the same bulk insert)."""
    results = [
        make_result(f"示{i}区财政局", f"某省第{i}市示{i}区", 2021, "gov2021", salt=str(i))
        for i in range(n_results)
    ]
    start = time.perf_counter()
    summary = load_results(work / "json.duckdb", results)
    return summary["facts_loaded"] / (time.perf_counter() - start), summary["facts_loaded"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--json-reports", type=int, default=2000, help="size of the JSON-path measurement")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="xxgk-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "bench.duckdb"
    db.unlink(missing_ok=True)

    loadavg = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    start = time.perf_counter()
    tables = synth_reports(args.reports)
    synth_s = time.perf_counter() - start
    n_facts = tables["core_facts"].num_rows
    print(f"synthesized {args.reports:,} reports, {n_facts:,} facts in {synth_s:.1f} s", flush=True)

    start = time.perf_counter()
    summary = load_arrow(db, tables)
    load_s = time.perf_counter() - start
    del tables
    print(f"loaded in {load_s:.1f} s: {summary}", flush=True)
    start = time.perf_counter()
    checkpoint(db)
    checkpoint_s = time.perf_counter() - start
    size_mb = db.stat().st_size / 1e6
    views = time_views(db)
    for view, (seconds, n) in views.items():
        print(f"{view}: {seconds:.3f} s ({n:,} rows)", flush=True)
    start = time.perf_counter()
    paths = export_csv(db, work / "exports")
    export_s = time.perf_counter() - start
    export_mb = sum(p.stat().st_size for p in paths) / 1e6
    json_rate, json_facts = json_path_rate(args.json_reports, work)
    result = {
        "reports": args.reports,
        "facts": n_facts,
        "synth_s": synth_s,
        "load_s": load_s,
        "facts_per_s": n_facts / load_s,
        "checkpoint_s": checkpoint_s,
        "size_mb": size_mb,
        "views": views,
        "export_s": export_s,
        "export_mb": export_mb,
        "peak_rss_mb": peak_rss_mb(),
        "json_rate": json_rate,
        "json_facts": json_facts,
        "cpus": os.cpu_count(),
        "loadavg": loadavg,
    }
    print(result, flush=True)
    if args.write_results:
        write_results(result)


def render(r: dict) -> str:
    lines = [
        "## Warehouse",
        "",
        f"`benchmarks/warehouse_bench.py --reports {r['reports']}` ({r['cpus']} shared cores, run with `nice`; "
        f"DuckDB threads default; load average {r['loadavg']} when the run started, from other work sharing "
        "the machine, so absolute times are pessimistic). Synthetic reports, half gov2019 / half gov2021, every "
        "cell of every table (~1 % blank) with raw text, page and bbox.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| reports / facts loaded | {r['reports']:,} / {r['facts']:,} |",
        f"| load (Arrow path `load_arrow`: raw_documents, core_facts, agencies, versions, "
        f"core_measures, wide measures, document states; one transaction) | {r['load_s']:.1f} s = "
        f"**{r['facts_per_s'] / 1e6:.2f} M facts/s** |",
        f"| JSON path (`load_results`, {r['json_facts']:,} facts incl. Python flattening) | "
        f"{r['json_rate'] / 1e6:.2f} M facts/s |",
        f"| checkpoint | {r['checkpoint_s']:.1f} s |",
        f"| database file after checkpoint | {r['size_mb']:.0f} MB |",
        f"| CSV export of all out_ views + dictionary | {r['export_s']:.1f} s, {r['export_mb']:.0f} MB |",
        f"| peak RSS of the process | {r['peak_rss_mb']:.0f} MB |",
        "",
        "| out_ view (`SELECT *`, fetched as Arrow, median of 3) | seconds | rows |",
        "|---|---|---|",
    ]
    lines += [f"| {v} | {s:.3f} | {n:,} |" for v, (s, n) in r["views"].items()]
    return "\n".join(lines) + "\n"


def write_results(result: dict) -> None:
    path = ROOT / "benchmarks" / "RESULTS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n\n"
    section = render(result)
    start = text.find("## Warehouse")
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + ("\n" + text[end + 1 :] if end != -1 else "")
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
