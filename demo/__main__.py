"""``python -m demo serve [--day 1] [--port-base 18001] [--seed 7] [--scale 100] [--fast]``

Serves the demo world in the foreground until Ctrl-C / SIGTERM and prints each site's URL. Switch to
day 2 with ``--day 2`` or ``curl -X POST http://127.0.0.1:18001/_admin/day/2`` (any site's port).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from demo.sites import DemoWorld


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the demo district sites on 127.0.0.1")
    serve.add_argument("--day", type=int, default=1, choices=(1, 2))
    serve.add_argument("--port-base", type=int, default=18001, help="first port; sites use consecutive ports")
    serve.add_argument("--seed", type=int, default=7)
    serve.add_argument("--scale", type=int, default=100, help="number of ordinary reports (specials come on top)")
    serve.add_argument("--fast", action="store_true", help="short injected delays (tests)")
    serve.add_argument("--sites-yaml", help="also write the sites.yaml of the running world to this path")
    args = parser.parse_args(argv)

    world = DemoWorld(seed=args.seed, scale=args.scale)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with world.serve(day=args.day, fast=args.fast, port_base=args.port_base) as live:
        for site, url in live.base_urls().items():
            print(f"{site:8s} {url}", flush=True)
        if args.sites_yaml:
            with open(args.sites_yaml, "w", encoding="utf-8") as fh:
                fh.write(live.sites_yaml())
        print(f"day {live.day}; POST {live.base_url('trs')}/_admin/day/2 switches; Ctrl-C stops", flush=True)
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
