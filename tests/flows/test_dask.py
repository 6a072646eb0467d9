"""Scale-out: the same extract stage on a (local) Dask cluster through prefect-dask's DaskTaskRunner."""

from __future__ import annotations

import json

import pytest

from transform.runner import extract_bytes
from transform.batch import archived_documents, extracted_path
from tests.flows.archive_fixture import archive_rows, sample_files


@pytest.fixture(scope="module")
def dask_address():
    from distributed import LocalCluster

    # Threads in this process keep the test small; a real cluster's workers are processes elsewhere.
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp",
                      dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def test_extract_flow_on_a_dask_cluster_writes_the_same_results(tmp_path, dask_address):
    from flows.nightly import extract

    assert dask_address.startswith("tcp://")
    files = sample_files()
    rows = archive_rows(tmp_path, files)
    summary = extract(overrides={"data_dir": str(tmp_path), "task_runner": "dask", "dask_address": dask_address,
                                 "dask_chunk_size": 2, "extract_timeout_s": 60})
    assert summary["extraction"]["documents"] == len(files)
    for doc in archived_documents(rows):
        written = json.loads(extracted_path(tmp_path, doc.sha256).read_text(encoding="utf-8"))
        direct = extract_bytes(files[doc.source], doc.source)
        assert written["status"] == direct["status"]
        assert written["tables"] == json.loads(json.dumps(direct["tables"]))
    # a second pass finds nothing left to do
    again = extract(overrides={"data_dir": str(tmp_path), "task_runner": "dask", "dask_address": dask_address})
    assert again["extraction"]["documents"] == 0


def test_dask_without_an_address_is_a_clear_error(tmp_path):
    from flows.nightly import extract

    archive_rows(tmp_path, sample_files())
    with pytest.raises(ValueError, match="dask-address"):
        extract(overrides={"data_dir": str(tmp_path), "task_runner": "dask"})
