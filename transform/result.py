"""The pieces of an extraction result: located cell values and issues, before they become JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from extract.documents.model import Cell


@dataclass
class Value:
    """One canonical cell: its value and where it was printed."""

    value: int | Decimal | None
    raw: str
    cell: Cell | None = None  # None when the row was not printed at all

    @property
    def page(self) -> int | None:
        return self.cell.page if self.cell else None


@dataclass
class Issue:
    severity: str  # error | warning | info
    code: str
    message: str
    table: str | None = None
    row: str | None = None
    col: str | None = None
    page: int | None = None
    raw: str | None = None

    def as_json(self) -> dict:
        out = {"severity": self.severity, "code": self.code}
        for key in ("table", "row", "col", "page", "raw"):
            val = getattr(self, key)
            if val is not None:
                out[key] = val
        out["message"] = self.message
        return out


@dataclass
class Table:
    """A located statistics table in canonical codes."""

    table_id: str
    version: str | None
    cells: dict[str, dict[str, Value]] = field(default_factory=dict)

    def get(self, row: str, col: str) -> int | Decimal | None:
        v = self.cells.get(row, {}).get(col)
        return v.value if v else None

    def has_numbers(self) -> bool:
        return any(v.value is not None for row in self.cells.values() for v in row.values())
