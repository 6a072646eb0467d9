"""Start/stop: ``python -m demo serve`` as a subprocess, and clean shutdown in-process."""

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import yaml


def _free_port_block(n=7):
    for base in range(21000, 60000, 97):
        socks = []
        try:
            for i in range(n):
                s = socket.socket()
                s.bind(("127.0.0.1", base + i))
                socks.append(s)
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free ports")


def test_python_m_demo_serve_starts_prints_urls_and_stops(tmp_path):
    base = _free_port_block()
    yaml_path = tmp_path / "sites.yaml"
    proc = subprocess.Popen([sys.executable, "-m", "demo", "serve", "--port-base", str(base), "--fast",
                             "--scale", "30", "--sites-yaml", str(yaml_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__)))))
    try:
        lines = [proc.stdout.readline() for _ in range(9)]
        assert lines[0].split() == ["trs", f"http://127.0.0.1:{base}"]
        assert httpx.get(f"http://127.0.0.1:{base}/xxgk/zfxxgknb/", timeout=5).status_code == 200
        assert httpx.post(f"http://127.0.0.1:{base + 3}/_admin/day/2", timeout=5).text.strip() == "day 2"
        entries = yaml.safe_load(yaml_path.read_text(encoding="utf-8"))
        assert {e["id"] for e in entries} == {"demo-trs", "demo-gd", "demo-hanweb", "demo-doc", "demo-legacy",
                                              "demo-down", "demo-epoint"}
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "stopped" in out
    with socket.socket() as s:  # the port is free again
        s.bind(("127.0.0.1", base))


def test_stop_is_prompt_during_a_trickling_response_and_frees_ports(world):
    doc = next(d for d in world.docs if d.fault == "trickle")
    with world.serve(day=1, fast=False) as live:
        ports = [live.port(s) for s in ("trs", "gd", "hanweb", "doc", "legacy", "spam", "down", "epoint")]
        client = httpx.Client(timeout=30)
        stream = client.stream("GET", live.base_url("trs") + doc.path)
        response = stream.__enter__()
        assert response.status_code == 200
        t = time.monotonic()
    assert time.monotonic() - t < 3
    for port in ports:
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0
    client.close()
