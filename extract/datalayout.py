"""Every path under the data directory, derived in one place (in the spirit of PUDL's ``PudlPaths``).

    data/
      raw/objects/<sha[:2]>/<sha>   archived bytes, content-addressed      (crawl)
      raw/manifest.jsonl            one row per fetch attempt                (crawl)
      extracted/<sha>.json          one extraction result per document       (transform)
      warehouse/xxgk.duckdb         the published warehouse                  (warehouse)
      warehouse/xxgk.work.duckdb    tonight's working copy                   (warehouse)
      exports/                      CSVs for analysts                        (warehouse)
      report/                       the offline HTML report site             (warehouse)

Every command takes ``--data-dir`` and honours ``XXGK_DATA_DIR`` through ``DataLayout.from_env``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DATA_DIR_ENV = "XXGK_DATA_DIR"
DEFAULT_DATA_DIR = Path("data")


@dataclass(frozen=True)
class DataLayout:
    """The data directory and the place of everything in it."""

    root: Path

    @classmethod
    def from_env(cls, data_dir: Path | str | None = None) -> DataLayout:
        """``data_dir`` when given, else ``$XXGK_DATA_DIR``, else ``data/``."""
        chosen = data_dir if data_dir is not None else os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR
        return cls(Path(chosen))

    @property
    def raw_dir(self) -> Path:
        return self.root / "raw"

    @property
    def objects_dir(self) -> Path:
        return self.raw_dir / "objects"

    def object_path(self, sha256: str) -> Path:
        return self.objects_dir / sha256[:2] / sha256

    @property
    def manifest_path(self) -> Path:
        return self.raw_dir / "manifest.jsonl"

    @property
    def extracted_dir(self) -> Path:
        return self.root / "extracted"

    def extracted_path(self, sha256: str) -> Path:
        return self.extracted_dir / f"{sha256}.json"

    @property
    def warehouse_dir(self) -> Path:
        return self.root / "warehouse"

    @property
    def published_db(self) -> Path:
        return self.warehouse_dir / "xxgk.duckdb"

    @property
    def work_db(self) -> Path:
        return self.warehouse_dir / "xxgk.work.duckdb"

    @property
    def exports_dir(self) -> Path:
        return self.root / "exports"

    @property
    def report_dir(self) -> Path:
        return self.root / "report"
