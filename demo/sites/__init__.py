"""The demo world: realistic mock district sites on 127.0.0.1 for the crawler's tests and the offline demo.

    from demo.sites import DemoWorld
    world = DemoWorld(seed=7)
    with world.serve(day=1, fast=True) as live:
        live.base_url("trs"); live.sites_yaml(); live.set_day(2); live.requests()
    world.expected_reports(day)   # what a correct crawl records, link by link
    world.decoys(day)             # links that must not be taken as reports

See README, "The demo world", for the sites, the fault cases and the expected crawler states.
"""

from demo.sites.model import Decoy, ExpectedPage, ExpectedReport, RequestRecord
from demo.sites.world import DemoWorld

__all__ = ["DemoWorld", "Decoy", "ExpectedPage", "ExpectedReport", "RequestRecord"]
