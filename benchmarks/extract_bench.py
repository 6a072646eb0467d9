"""PDF extraction speed: naive pdfplumber against ``xxgk extract`` on the same corpus, in the same run.

Corpus: every PDF rendering of the given real reports (``<shared>/real-reports/*/*.pdf``: WPS, Chromium,
LibreOffice and agency prints with embedded fonts, and the scans) plus rendered demo reports of both
format versions (gov2019, gov2021) with and without the table quirks, set in STSong-Light, the
non-embedded CJK font. Each strategy runs in a fresh child process, so its peak resident memory is its own:

* ``naive``: pdfplumber, every page, ``extract_tables()`` + ``extract_text()`` (what the issue measures against);
* ``xxgk-pdfminer``: the extraction with the PDF reader forced onto pdfminer for every page (the reader before
  PDFium, and the equivalence test's reference);
* ``xxgk``: what ``xxgk extract FILE…`` does: each file read and parsed in an isolated child with time and
  memory limits (``IsolatedExtractor``, the child kept for the next file), readers imported and warmed
  once beforehand as the CLI and the nightly pool do;
* ``xxgk-fork-each``: the same with a child forked for every file (``extract_path``; the reader before the
  child was kept);
* ``xxgk-pool2``: ``xxgk`` from a 2-process pool, each worker with its own kept child, for scaling on the 2
  cores (compare wall times).

Usage: ``python benchmarks/extract_bench.py [--demo N] [--runs R]``; prints a Markdown table (median of the
runs; documents/s, pages/s, ms per document, the ratio against naive, peak RSS). The R runs are rounds: each
strategy runs once per round, so the ratio of each round is taken between neighbouring runs and a shared
machine's slow spells do not land on one strategy only; the ratio reported is the median of the rounds'.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def shared_dir() -> Path:
    return Path(os.environ.get("XXGK_SHARED_DIR") or ROOT.parent / "shared")


def corpus(n_demo: int, scans: bool) -> dict[str, list[tuple[str, bytes]]]:
    """Groups of (name, bytes): the real reports' text PDFs, their scans (only with ``scans``: xxgk reads
    those by OCR, which naive pdfplumber does not do at all), and demo renderings."""
    groups: dict[str, list[tuple[str, bytes]]] = {"real (embedded fonts)": [], "real scans (OCR)": [],
                                                  "demo (STSong, not embedded)": []}
    for path in sorted((shared_dir() / "real-reports").glob("*/*.pdf")):
        group = "real scans (OCR)" if "scanned" in path.name else "real (embedded fonts)"
        if group == "real (embedded fonts)" or scans:
            groups[group].append((f"{path.parent.name}/{path.name}", path.read_bytes()))
    from demo.render import render_report
    from demo.values import generate_report

    quirk_sets = [(), ("split_table",), ("units", "thousands"), ("repeat_group_label", "halfwidth_labels"),
                  ("landscape",)]
    for i in range(n_demo):
        version = ("gov2019", "gov2021")[i % 2]
        quirks = quirk_sets[i % len(quirk_sets)]
        year = 2019 + i % 6 if version == "gov2021" else 2019
        report = generate_report(f"测试市第{i}区人民政府", "", year, version, seed=i)
        groups["demo (STSong, not embedded)"].append((f"demo-{i}-{version}", render_report(report, "pdf", quirks)))
    return groups


def n_pages(data: bytes) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        return len(doc)
    finally:
        doc.close()


# --- strategies (each runs in its own child process) ---------------------------------------------------


def naive(data: bytes) -> None:
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_tables()
            page.extract_text()
            page.close()


def xxgk_pdfminer(data: bytes) -> None:
    from extract.documents.pdf import read_pdf
    from transform.report import build_report

    try:
        build_report(read_pdf(data, engine="pdfminer"))
    except Exception:  # noqa: BLE001 - a scan or a broken file fails the same way in every strategy
        pass


def xxgk_fork_each(path: str) -> None:
    """One file read and parsed in a forked, limited child of its own."""
    from transform.runner import extract_path

    extract_path(path)


_extractor = None  # the kept child of ``xxgk`` (one per run, one per pool worker)


def _start_extractor() -> None:
    global _extractor
    from transform.runner import IsolatedExtractor

    _extractor = IsolatedExtractor()


def xxgk(path: str) -> None:
    """What ``xxgk extract FILE…`` does per file: read and parse it in the kept, limited child."""
    _extractor.extract_path(path)


STRATEGIES = {"naive": naive, "xxgk-pdfminer": xxgk_pdfminer, "xxgk": xxgk, "xxgk-fork-each": xxgk_fork_each}


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (forked extract children, pool workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_strategy(name: str, docs: list[bytes], runs: int) -> dict:
    """Wall and CPU seconds per run (sequential over ``docs``) and the peak RSS of this process.

    CPU time is the fair measure on a shared machine: other processes' load stretches the wall clock of
    whichever strategy happens to run beside them, not its CPU seconds.
    """
    function = STRATEGIES.get(name)
    walls, cpus = [], []
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), cpu_seconds()
        if name == "xxgk-pool2":
            with ProcessPoolExecutor(max_workers=2, initializer=_start_extractor) as pool:
                list(pool.map(xxgk, docs, chunksize=1))
        else:
            if name == "xxgk":
                _start_extractor()
            for data in docs:
                function(data)
            if name == "xxgk":
                _extractor.close()
        walls.append(time.perf_counter() - started)
        cpus.append(cpu_seconds() - cpu_started)
    return {"seconds": statistics.median(walls), "cpu_seconds": statistics.median(cpus),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "children_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def child_main(name: str, corpus_file: str, runs: int) -> None:
    logging.disable(logging.WARNING)  # pdfminer's font warnings would flood the output
    paths = json.loads(Path(corpus_file).read_text())
    # Imports outside the timing, as ``xxgk extract`` and the nightly pool import the readers once before
    # forking: each strategy is measured on documents, not on Python start-up.
    if name.startswith("xxgk"):
        from transform.runner import warm_up

        warm_up()  # as the CLI and the nightly pool do before forking
    else:
        import pdfplumber  # noqa: F401
    docs = paths if name in {"xxgk", "xxgk-fork-each", "xxgk-pool2"} else [Path(p).read_bytes() for p in paths]
    print(json.dumps(run_strategy(name, docs, runs)))


def write_corpus(docs: list[bytes], tmp: Path) -> Path:
    paths = []
    for i, data in enumerate(docs):
        path = tmp / f"{i:03d}.pdf"
        path.write_bytes(data)
        paths.append(str(path))
    corpus_file = tmp / "corpus.json"
    corpus_file.write_text(json.dumps(paths))
    return corpus_file


def measure(name: str, corpus_file: Path, runs: int) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", name, str(corpus_file), "--runs", str(runs)],
                          capture_output=True, text=True, check=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure_rounds(names: list[str], corpus_file: Path, rounds: int) -> dict[str, list[dict]]:
    """Every strategy once per round, one after another (each in a fresh process). A slow spell of a shared
    machine then falls on all strategies of a round rather than on whichever ran all its runs in it, and
    each round gives a ratio of its own, taken between neighbouring runs."""
    results: dict[str, list[dict]] = {name: [] for name in names}
    for _ in range(rounds):
        for name in names:
            results[name].append(measure(name, corpus_file, 1))
    return results


def ratios_to_naive(results: dict[str, list[dict]], name: str) -> list[float]:
    """Per round: naive's CPU time over the strategy's."""
    if "naive" not in results:
        return []
    return [base["cpu_seconds"] / run["cpu_seconds"] for base, run in zip(results["naive"], results[name], strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", type=int, default=50, help="number of rendered demo reports (default 50)")
    parser.add_argument("--runs", type=int, default=1, help="rounds: timed runs per strategy, interleaved")
    parser.add_argument("--strategies", default="naive,xxgk-pdfminer,xxgk,xxgk-fork-each,xxgk-pool2")
    parser.add_argument("--scans", action="store_true", help="also time the real reports' scans (OCR, slow)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args.child[0], args.child[1], args.runs)
        return
    import tempfile

    groups = {name: items for name, items in corpus(args.demo, args.scans).items() if items}
    names = args.strategies.split(",")
    print(f"machine: {os.cpu_count()} CPUs; {args.runs} rounds, each strategy once per round in a fresh process; "
          "medians of the rounds, the ratio the median of the rounds' ratios\n")
    print("| corpus | docs | pages | strategy | CPU ms/doc | docs/s (CPU) | pages/s (CPU) | × naive (CPU) "
          "| × naive per round | wall ms/doc | peak RSS MB (process / forked children) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for group, items in groups.items():
            docs = [data for _, data in items]
            pages = sum(n_pages(d) for d in docs)
            results = measure_rounds(names, write_corpus(docs, Path(tmp)), args.runs)
            for name in names:
                cpu = statistics.median(run["cpu_seconds"] for run in results[name])
                wall = statistics.median(run["seconds"] for run in results[name])
                rss = max(run["peak_rss_mb"] for run in results[name])
                children_rss = max(run["children_peak_rss_mb"] for run in results[name])
                rounds = ratios_to_naive(results, name)
                ratio = f"{statistics.median(rounds):.2f}" if rounds else "–"
                per_round = " / ".join(f"{r:.2f}" for r in rounds) or "–"
                print(f"| {group} | {len(docs)} | {pages} | {name} | {1000 * cpu / len(docs):.0f} "
                      f"| {len(docs) / cpu:.2f} | {pages / cpu:.1f} | {ratio} | {per_round} "
                      f"| {1000 * wall / len(docs):.0f} | {rss:.0f} / {children_rss:.0f} |", flush=True)

if __name__ == "__main__":
    main()
