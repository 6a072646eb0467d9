"""What the nightly in-place check of known report files costs a quiet night (issue 13).

    .venv/bin/python benchmarks/inplace_bench.py [--scale 100] [--out inplace.json]

The demo world is crawled once (day 1) on the production schedule (known documents re-downloaded weekly,
failed ones retried after 20 h), then crawled again with nothing new: once with the nightly check off (only
list pages are read), once with it on (each known report file gets one request: a 304 where the host gives
validators, a re-download of a small file, a ranged GET or HEAD of a large one). Then day 2 with the check
on: the files replaced in place must be seen. Requests and bytes come from the demo servers' log; the
time a production night would take is estimated per host from its request count and the production
politeness (one request at a time, ≥ 3 s + mean jitter 0.75 s between requests), since test delays are
shrunk. Sites are crawled in parallel, so a night lasts about as long as its busiest host.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PRODUCTION_PAUSE_S = 3.0 + 1.5 / 2  # min_delay_s + mean jitter


def night(live, archive, sites, settings, run_id: str) -> dict:
    from extract.crawl.runner import crawl_sites

    live.clear_requests()
    started = time.perf_counter()
    crawl_sites(sites, archive, settings, run_id=run_id, workers=8)
    seconds = time.perf_counter() - started
    requests = [rq for rq in live.requests() if rq.path != "/robots.txt"]
    rows = [r for r in archive.manifest() if r["run_id"] == run_id and r["kind"] == "report"]
    per_host = collections.Counter(rq.site for rq in requests)
    latency = collections.defaultdict(float)
    for rq in requests:
        latency[rq.site] += (rq.t_end or rq.t_start) - rq.t_start
    estimate = {site: n * PRODUCTION_PAUSE_S + latency[site] for site, n in per_host.items()}
    return {
        "requests": len(requests),
        "requests_per_site": dict(sorted(per_host.items())),
        "by_status": dict(sorted(collections.Counter(str(rq.status) for rq in requests).items())),
        "head_requests": sum(1 for rq in requests if rq.method == "HEAD"),
        "ranged_requests": sum(1 for rq in requests if "Range" in rq.headers or "range" in rq.headers),
        "conditional_requests": sum(1 for rq in requests if "If-None-Match" in rq.headers
                                    or "If-Modified-Since" in rq.headers),
        "bytes_sent": sum(rq.bytes_sent for rq in requests),
        "report_states": dict(sorted(collections.Counter(r["state"] for r in rows).items())),
        "wall_s_test_delays": round(seconds, 1),
        "production_estimate_busiest_host_min": round(max(estimate.values()) / 60, 1),
        "production_estimate_per_site_min": {s: round(v / 60, 1) for s, v in sorted(estimate.items())},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    import yaml

    from demo.sites import DemoWorld
    from extract.crawl.archive import Archive
    from extract.crawl.fetch import FetchSettings
    from extract.crawl.registry import SiteConfig

    world = DemoWorld(seed=7, scale=args.scale)
    for day in (1, 2):
        world.expected_reports(day)  # render before timing
    schedule = FetchSettings.for_tests(revalidate_after_days=7.0, retry_failed_after_hours=20.0)
    out = {"scale": args.scale, "known_report_links_day1": sum(1 for d in world.docs if d.day_from == 1)}
    with tempfile.TemporaryDirectory() as tmp, world.serve(day=1, fast=True) as live:
        sites = [SiteConfig.model_validate(e) for e in yaml.safe_load(live.sites_yaml())]
        archive = Archive(Path(tmp))
        out["first_night"] = night(live, archive, sites, schedule, "n1")
        off = schedule.model_copy(update={"check_known_nightly": False})
        out["quiet_night_check_off"] = night(live, archive, sites, off, "n2")
        out["quiet_night_check_on"] = night(live, archive, sites, schedule, "n3")
        live.set_day(2)
        out["day2_check_on"] = night(live, archive, sites, schedule, "n4")
    on, off_ = out["quiet_night_check_on"], out["quiet_night_check_off"]
    out["check_cost"] = {"extra_requests": on["requests"] - off_["requests"],
                         "extra_bytes": on["bytes_sent"] - off_["bytes_sent"],
                         "extra_production_min_busiest_host": round(
                             on["production_estimate_busiest_host_min"] - off_["production_estimate_busiest_host_min"],
                             1)}
    text = json.dumps(out, ensure_ascii=False, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
