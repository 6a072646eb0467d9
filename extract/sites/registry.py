"""The district registry (``data/registry/sites.yaml``): one entry per district, validated by pydantic.

Adding a district is adding an entry; ``xxgk sites check`` runs ``check_registry`` and prints every
problem with the entry id and the field, so a reviewer can fix the YAML by hand.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from extract.fetch import host_allowed

# Registry spellings of a family (scraping.md §4.2) → the module under extract/sites/families/.
FAMILY_ALIASES = {
    "trs": "trs", "gd": "gd", "gd-jyh": "gd", "gkmlpt": "gd", "hanweb": "hanweb", "jpaas": "hanweb",
    "doc": "doc", "doc-api": "doc", "generic": "generic", "static": "generic",
}  # fmt: skip


class Entry(BaseModel):
    """One annual-report column of the district (its own, its departments', its towns')."""

    model_config = ConfigDict(extra="forbid")

    url: str
    kind: Literal["本级", "部门", "镇街", "mixed"] = "mixed"
    status: Literal["seen", "derived", "verified", "unverified", "demo", "needs discovery"] | None = None
    note: str | None = None
    params: dict[str, str] = Field(default_factory=dict)  # family hints, e.g. {"channelIds": "12"}

    @field_validator("url")
    @classmethod
    def _absolute_http_url(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"not an absolute http(s) URL: {url!r}")
        return url


class CrawlLimits(BaseModel):
    """Per-site overrides of the crawl defaults."""

    model_config = ConfigDict(extra="forbid")

    max_list_pages: int = Field(30, ge=1, le=500)
    max_depth: int = Field(2, ge=0, le=4)  # sub-column levels walked below an entry
    min_delay_s: float | None = Field(None, ge=0)  # may only raise the run's delay for this site's hosts
    insecure_tls: bool = False  # escape hatch for broken chains; logged on every run
    page_base: Literal["auto", "0", "1"] = "auto"


class Evidence(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str
    note: str | None = None


class SiteConfig(BaseModel):
    """One district."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")
    name: str
    admin_code: str | None = None
    hosts: list[str] = Field(min_length=1)
    family_hint: str | None = None
    status: Literal["verified", "unverified", "demo", "disabled"] = "unverified"
    entries: list[Entry] = Field(min_length=1)
    crawl: CrawlLimits = Field(default_factory=CrawlLimits)
    evidence: list[Evidence] = Field(default_factory=list)
    notes: str | None = None

    @field_validator("admin_code")
    @classmethod
    def _six_digits(cls, code: str | None) -> str | None:
        if code is not None and not re.fullmatch(r"\d{6}", code):
            raise ValueError(f"admin_code must be 6 digits (GB/T 2260), got {code!r}")
        return code

    @field_validator("family_hint")
    @classmethod
    def _known_family(cls, hint: str | None) -> str | None:
        if hint is not None and hint not in FAMILY_ALIASES:
            raise ValueError(f"unknown family {hint!r}; one of {sorted(FAMILY_ALIASES)}")
        return hint

    @model_validator(mode="after")
    def _entries_on_allowlist(self) -> SiteConfig:
        for i, entry in enumerate(self.entries):
            if not host_allowed(entry.url, set(self.hosts)):
                raise ValueError(f"entries[{i}].url host {urlsplit(entry.url).netloc!r} is not in hosts {self.hosts}")
        return self

    @property
    def family(self) -> str | None:
        return FAMILY_ALIASES.get(self.family_hint) if self.family_hint else None

    @property
    def enabled(self) -> bool:
        return self.status != "disabled"


def _raw_entries(path: Path | str) -> list:
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if isinstance(doc, dict) and "sites" in doc:
        doc = doc["sites"]
    if not isinstance(doc, list):
        raise ValueError("the registry must be a YAML list of site entries (or a mapping with a 'sites' list)")
    return doc


def _entry_label(index: int, raw) -> str:
    ident = raw.get("id") if isinstance(raw, dict) else None
    return f"sites[{index}] (id={ident})" if ident else f"sites[{index}]"


def _format_error(label: str, exc: ValidationError) -> list[str]:
    lines = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "entry"
        lines.append(f"{label}: {where}: {err['msg']}")
    return lines


def check_registry(path: Path | str) -> list[str]:
    """Every problem in the registry file, one clear line each (empty list = valid)."""
    try:
        raw_entries = _raw_entries(path)
    except (OSError, yaml.YAMLError, ValueError) as exc:
        return [f"{path}: {exc}"]
    errors: list[str] = []
    seen_ids: dict[str, int] = {}
    for index, raw in enumerate(raw_entries):
        label = _entry_label(index, raw)
        if not isinstance(raw, dict):
            errors.append(f"{label}: an entry must be a mapping, got {type(raw).__name__}")
            continue
        try:
            site = SiteConfig.model_validate(raw)
        except ValidationError as exc:
            errors.extend(_format_error(label, exc))
            continue
        if site.id in seen_ids:
            errors.append(f"{label}: id: duplicate of sites[{seen_ids[site.id]}]")
        seen_ids.setdefault(site.id, index)
    return errors


def load_registry(path: Path | str) -> list[SiteConfig]:
    """Load and validate the registry; raises ``ValueError`` listing every problem."""
    errors = check_registry(path)
    if errors:
        raise ValueError("invalid site registry:\n" + "\n".join(errors))
    return [SiteConfig.model_validate(raw) for raw in _raw_entries(path)]
