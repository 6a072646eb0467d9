"""Placeholder: filled in below."""

from demo.sites.server import SiteRoutes

SITE = "gd"


def plan(world) -> None:
    pass


def listed_on(world, doc, day):
    return []


def routes(world, day, bases):
    r = SiteRoutes(SITE)
    return {SITE: r}
