"""Property: a report rendered with any combination of the demo renderer's quirks comes back exact, or not ``ok``.

Random known values (``demo.values.generate_report``: either format version, the hybrid, blanks, a small or a
city-sized body), a random format and a random set of quirks from ``demo.render.QUIRKS`` → ``extract_bytes``.
The extractor may refuse (``warning``/``failed`` with reasons): what must never happen is a status ``ok`` with
a cell, the year or the agency differing from what was printed. Hypothesis shrinks a failure to the smallest
quirk set.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from demo.render import QUIRKS, render_report
from demo.values import generate_report
from tests.extract.variant_html import cell_diffs
from transform.runner import extract_bytes

AGENCIES = (("淮安市洪泽区人民政府", "江苏省淮安市洪泽区", 150), ("淮安市人民政府", "江苏省淮安市", 3000),
            ("淮安市洪泽区岔河镇人民政府", "江苏省淮安市洪泽区", 8))
VERSIONS = (("gov2019", None, 2020), ("gov2021", None, 2023), ("gov2021", "gov2019", 2022))


@st.composite
def cases(draw):
    agency, region, scale = draw(st.sampled_from(AGENCIES))
    version, t3_version, year = draw(st.sampled_from(VERSIONS))
    report = generate_report(agency, region, year, version, draw(st.integers(0, 10_000)), scale=scale,
                             t3_version=t3_version, blanks=draw(st.booleans()))
    fmt = draw(st.sampled_from(("html", "docx", "pdf")))
    quirks = draw(st.sets(st.sampled_from(sorted(QUIRKS)), max_size=5))
    return report, fmt, tuple(sorted(quirks))


# A dozen examples on every run (about 30 s); XXGK_PROPERTY_EXAMPLES=200 for a long hunt with fresh randomness.
EXAMPLES = int(os.environ.get("XXGK_PROPERTY_EXAMPLES", "12"))


@settings(max_examples=EXAMPLES, deadline=None, derandomize="XXGK_PROPERTY_EXAMPLES" not in os.environ,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cases())
def test_every_cell_exact_or_the_report_is_not_ok(case):
    report, fmt, quirks = case
    out = extract_bytes(render_report(report, fmt, quirks), f"property.{fmt}")
    if out["status"] != "ok":
        return
    diffs = cell_diffs(report["tables"], out["tables"])
    meta, want = out["report"], report["report"]
    if (meta["year"], meta["agency"]) != (want["year"], want["agency"]):
        diffs.append(f"meta {meta['year']}/{meta['agency']} != {want['year']}/{want['agency']}")
    assert not diffs, f"status ok with wrong values ({fmt}, {quirks}):\n" + "\n".join(diffs[:20])
