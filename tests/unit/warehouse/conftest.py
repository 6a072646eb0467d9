"""The 示例区 warehouse (tests.synthetic.district_dataset), loaded once per session for the tests that only read it."""

import pytest

from warehouse.db import connect_readonly
from warehouse.load import load_results
from tests.synthetic import district_dataset


@pytest.fixture(scope="session")
def district_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("district") / "w.duckdb"
    results, manifest = district_dataset()
    load_results(db, results.values(), manifest)
    return db


@pytest.fixture(scope="module")
def con(district_db):
    """A read-only connection to the 示例区 warehouse (its own per module: session variables stay local)."""
    connection = connect_readonly(district_db)
    yield connection
    connection.close()
