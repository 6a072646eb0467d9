"""What a night did, as plain data: crawl counts from the manifest, extraction statuses, warehouse totals.

No Prefect here: the nightly flow fills a ``RunSummary`` stage by stage and turns it into the run's
artifact (``markdown``) and the CLI prints it (``rich_tables``); tests read the same object.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

from extract.crawl.archive import STORED_STATES as ARCHIVED_STATES

# Manifest states of a report link, in the order the summary shows them.
LINK_STATES = ("new", "changed", "unchanged", "not_modified", "duplicate", "blocked", "failed", "robots_skipped",
               "off_allowlist", "not_found", "gone")
EXTRACT_STATUSES = ("ok", "warning", "failed", "unsupported", "not_a_report")


def _state_class(row: dict) -> tuple:
    """What a fetch says about a link, ignoring how it was learnt (200 with same bytes ≡ 304)."""
    if row.get("state") in ARCHIVED_STATES and row.get("sha256"):
        return ("stored", row["sha256"])
    return (row.get("state"),)


def crawl_counts(manifest_rows: list[dict], run_id: str) -> dict:
    """Report links of run ``run_id`` by state, and how many links differ from what the archive knew before.

    ``links_changed`` counts report URLs whose outcome is not the same as at their previous fetch
    (new bytes, a new link, or a state such as ``blocked`` → stored): when it is 0 and nothing was
    extracted, the warehouse would not change, so the night skips load and publish.
    """
    before: dict[str, tuple] = {}
    this_run: dict[str, dict] = {}
    empty_columns = 0
    for row in manifest_rows:
        if row.get("kind") == "column" and row.get("run_id") == run_id and row.get("state") == "empty_column":
            empty_columns += 1
        if row.get("kind") != "report":
            continue
        if row.get("run_id") == run_id:
            this_run[row["url"]] = row
        elif row["url"] not in this_run:
            before[row["url"]] = _state_class(row)
    states = Counter(row.get("state") for row in this_run.values())
    changed_links = sum(1 for url, row in this_run.items() if before.get(url) != _state_class(row))
    return {"found": len(this_run), "states": {s: states[s] for s in LINK_STATES if states[s]},
            "new": states["new"], "changed": states["changed"],
            "unchanged": states["unchanged"] + states["not_modified"], "duplicate": states["duplicate"],
            "links_changed": changed_links, "empty_columns": empty_columns}


def link_problems(manifest_rows: list[dict], run_id: str) -> list[str]:
    """One line per report link of run ``run_id`` that could not be fetched (failed or blocked), with why,
    and one per column that yielded no report at all (``empty_column``), with the guessed reason."""
    this_run = [row for row in manifest_rows if row.get("run_id") == run_id]
    links = [f"link {row['url']}: {row['state']}: {row.get('error') or 'no reason recorded'}"
             for row in this_run if row.get("kind") == "report" and row.get("state") in ("failed", "blocked")]
    columns = [f"column {row['url']}: empty_column: {row.get('error') or 'no reason guessed'}"
               for row in this_run if row.get("kind") == "column" and row.get("state") == "empty_column"]
    return links + columns


@dataclass
class RunSummary:
    """Everything the run artifact and ``xxgk run`` show."""

    run_id: str
    parser_version: str = ""
    sites: list[dict] = field(default_factory=list)  # one row per site: states, errors
    documents: dict = field(default_factory=dict)  # crawl_counts()
    extraction: dict = field(default_factory=dict)  # documents, statuses, checks_failed, seconds, workers
    load: dict | None = None  # load_results() counts, None when skipped
    warehouse: dict = field(default_factory=dict)  # totals of the published warehouse
    stages: dict = field(default_factory=dict)  # stage → seconds
    skipped: list[str] = field(default_factory=list)  # stages skipped, with the reason
    problems: list[str] = field(default_factory=list)  # failing sites/documents, one line each
    exports: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def site_row(summary) -> dict:
    """One crawled site (an ``extract.crawl.crawl.SiteSummary``) as a summary row."""
    row = {"site": summary.site, "found": summary.found}
    row.update({state: summary.states[state] for state in LINK_STATES})
    row["pages"] = sum(summary.pages.values())
    row["errors"] = list(summary.errors)
    row["empty_columns"] = len(getattr(summary, "empty_columns", ()))
    return row


def failed_site_row(site_id: str, error: str) -> dict:
    row = {"site": site_id, "found": 0}
    row.update({state: 0 for state in LINK_STATES})
    row.update(pages=0, errors=[error])
    return row


# ----------------------------------------------------------------------------------------- rendering


def _md_table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


STORED_COLUMNS = ("new", "changed", "unchanged", "duplicate")


def _other_states(row: dict) -> str:
    skip = set(STORED_COLUMNS) | {"not_modified"}
    states = [f"{s} {row[s]}" for s in LINK_STATES if s not in skip and row.get(s)]
    if row.get("empty_columns"):
        states.append(f"empty_column {row['empty_columns']}")  # columns, not links: see the problems
    return ", ".join(states)


def site_table_rows(summary: RunSummary) -> tuple[list[str], list[list]]:
    """One row per site; ``unchanged`` includes 304 not_modified answers."""
    header = ["site", "found", *STORED_COLUMNS, "other states", "pages", "errors"]
    rows = []
    for r in summary.sites:
        counts = [r.get(s) or 0 for s in STORED_COLUMNS]
        counts[2] += r.get("not_modified") or 0
        rows.append([r["site"], r["found"], *counts, _other_states(r), r.get("pages", 0), len(r.get("errors") or [])])
    return header, rows


def overview_rows(summary: RunSummary) -> list[list]:
    docs, ext, wh = summary.documents, summary.extraction, summary.warehouse
    statuses = ext.get("statuses", {})
    rows = [
        ["sites crawled", len(summary.sites)],
        ["report links found", docs.get("found", 0)],
        ["… new / changed / unchanged / duplicate",
         f"{docs.get('new', 0)} / {docs.get('changed', 0)} / {docs.get('unchanged', 0)} / {docs.get('duplicate', 0)}"],
        ["… other link states", ", ".join(f"{k} {v}" for k, v in docs.get("states", {}).items()
                                           if k not in ("new", "changed", "unchanged", "not_modified", "duplicate"))
         or "none"],
        *([["columns yielding no report (empty_column)", docs["empty_columns"]]] if docs.get("empty_columns") else []),
        ["documents extracted", ext.get("documents", 0)],
        ["… by status", ", ".join(f"{s} {statuses[s]}" for s in EXTRACT_STATUSES if statuses.get(s)) or "none"],
        ["checks failed (extracted this run)", ext.get("checks_failed", 0)],
    ]
    if wh:
        rows += [
            ["warehouse: current reports / superseded", f"{wh['reports_current']} / {wh['reports_superseded']}"],
            ["warehouse: agencies / years / facts", f"{wh['agencies']} / {wh['years']} / {wh['facts']}"],
            ["warehouse: documents by state", ", ".join(f"{k} {v}" for k, v in wh["document_states"].items())],
            ["warehouse: failed checks (current reports)", wh["checks_failed_current"]],
        ]
    rows.append(["time per stage (s)", ", ".join(f"{k} {v:.1f}" for k, v in summary.stages.items())])
    rows += stage_rows(summary)
    if summary.skipped:
        rows.append(["skipped", "; ".join(summary.skipped)])
    return rows


def stage_rows(summary: RunSummary) -> list[list]:
    """One line per stage that ran: its time and what it handled."""
    load = summary.load or {}
    handled = {
        "crawl": f"{len(summary.sites)} sites, {summary.documents.get('found', 0)} report links",
        "extract": f"{summary.extraction.get('documents', 0)} documents",
        "load": f"{load.get('documents', 0)} documents, {load.get('reports_loaded', 0)} report versions",
        "publish": f"{len(summary.exports)} files written",
    }
    return [[f"stage {stage}", f"{seconds:.1f} s · {handled[stage]}"]
            for stage, seconds in summary.stages.items() if stage in handled]


def markdown(summary: RunSummary) -> str:
    """The run artifact: overview, sites, problems."""
    parts = [f"# xxgk nightly {summary.run_id}", f"parser `{summary.parser_version}`", "",
             _md_table(["", "value"], overview_rows(summary)), "", "## Sites", "",
             _md_table(*site_table_rows(summary))]
    if summary.problems:
        parts += ["", "## Problems (recorded, did not stop the run)", ""]
        parts += [f"- {p}" for p in summary.problems[:200]]
        if len(summary.problems) > 200:
            parts.append(f"- … {len(summary.problems) - 200} more")
    return "\n".join(parts) + "\n"


def rich_tables(summary: RunSummary) -> list:
    """The same content as ``markdown`` as rich tables, for the terminal."""
    from rich.table import Table

    overview = Table(title=f"xxgk nightly {summary.run_id}", show_header=False)
    overview.add_column("what")
    overview.add_column("value")
    for name, value in overview_rows(summary):
        overview.add_row(str(name), str(value))
    header, rows = site_table_rows(summary)
    sites = Table(title="sites (report links by state; same = unchanged or 304)")
    short = {"changed": "chg", "unchanged": "same", "duplicate": "dup", "other states": "other", "errors": "err"}
    shown = [i for i, name in enumerate(header) if name != "pages"]  # pages: in the artifact only (width)
    for i in shown:
        name = header[i]
        sites.add_column(short.get(name, name), justify="left" if name in ("site", "other states") else "right",
                         no_wrap=name != "other states", min_width=16 if name == "other states" else None)
    for row in rows:
        sites.add_row(*(str(row[i]) if row[i] else "·" for i in shown))
    return [overview, sites]
