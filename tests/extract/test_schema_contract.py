"""Our schema copy keeps the public codes of shared/spec/schema.yaml unchanged (only label variants grow)."""

import yaml

from tests.realreports import shared_dir
from transform.schema import load_schema


def _codes(schema: dict) -> dict:
    out = {}
    for tid, spec in schema["tables"].items():
        if "versions" in spec:
            for version, vspec in spec["versions"].items():
                if vspec:
                    out[(tid, version)] = ([r["code"] for r in vspec["rows"]], [c["code"] for c in vspec["columns"]])
        else:
            out[(tid, "rows")] = [r["code"] for r in spec["rows"]]
            out[(tid, "columns")] = [c["code"] for c in spec["columns"]]
    out["rules"] = [r["id"] for r in schema["rules"]]
    out["versions"] = list(schema["format_versions"])
    return out


def test_codes_match_the_public_contract():
    public = yaml.safe_load((shared_dir() / "spec" / "schema.yaml").read_text(encoding="utf-8"))
    assert _codes(load_schema()) == _codes(public)
