"""Smoke test of the real C ABI through uniffi's Python bindings.

Starts the real office server, enrolls a store opened through `FieldworkApp`, then works
offline: edits a job, reads it back, catches typed errors, and syncs once the server is back.
"""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

sys.path.insert(0, os.environ["FIELDWORK_BINDINGS"])
from fieldwork_ffi import ApiError, FaultCause, FieldworkApp, JobStatus, NewPartRecord  # noqa: E402

SERVER = os.environ["FIELDWORK_SERVER_BIN"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Office:
    def __init__(self, data_dir):
        self.data = str(data_dir)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [SERVER, "serve", "--data", self.data, "--listen", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.url + "/api/v1/health", timeout=1)
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("server did not start")

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None

    def cli(self, *args):
        return subprocess.check_output([SERVER, *args, "--data", self.data], text=True).strip()

    def call(self, method, path, body=None):
        req = urllib.request.Request(
            self.url + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())


@pytest.fixture
def office(tmp_path):
    o = Office(tmp_path / "server")
    o.start()
    o.token = o.cli("token")
    yield o
    o.stop()


def test_offline_edits_through_the_c_abi_reach_the_office(office, tmp_path):
    office.call("POST", "/api/v1/technicians", {"id": "t1", "name": "Anna", "region": "east"})
    office.call(
        "POST",
        "/api/v1/jobs",
        {
            "id": "J-PY",
            "technician": "t1",
            "customer": {"name": "Harbour Clinic", "phone": "+86 21 5555 0101"},
            "site": {"address": "88 Quay Road", "region": "city", "time_zone": "Asia/Shanghai"},
            "asset": {"serial": "CH-1", "model": "Chiller"},
            "problem": "Compressor trips",
            "priority": "high",
            "reported_at": "2026-11-24T09:00:00+08:00",
        },
    )
    code = office.cli("enroll-code", "--technician", "t1")

    app = FieldworkApp.open(str(tmp_path / "phone"))
    enrollment = asyncio.run(app.enroll(office.url, code, "python smoke"))
    assert enrollment.technician == "t1"
    report = asyncio.run(app.sync())
    assert report.downloaded == 1
    assert [j.id for j in app.jobs()] == ["J-PY"]

    office.stop()  # no signal on site
    app.set_status("J-PY", JobStatus.ON_SITE, None)
    app.add_note("J-PY", "replaced the fan relay", None)
    line = app.add_part(
        "J-PY",
        NewPartRecord(sku="RELAY-7", description="fan relay", qty=1, serial_in="R-NEW",
                      serial_out="R-OLD", stock="van"),
        None,
    )
    assert line
    app.record_diagnosis("J-PY", FaultCause.POWER_SUPPLY, "E-PSU", "replaced the relay", None)
    app.issue_loaner("J-PY", "LN-1", "Fan unit", None)
    assert [loan.serial for loan in app.open_loans()] == ["LN-1"]
    with pytest.raises(ApiError.InvalidInput):
        app.record_check("J-PY", "door", "maybe", None, None)
    job = json.loads(app.job_json("J-PY"))
    assert job["cause"] == "power_supply"
    assert job["loaners"][0]["serial"] == "LN-1"
    assert job["status"] == "on_site"
    assert [p["id"] for p in job["parts"]] == [line]
    assert [n["text"] for n in job["notes"]] == ["replaced the fan relay"]
    assert app.pending_sync_count() == 1

    with pytest.raises(ApiError.Offline):
        asyncio.run(app.sync())
    with pytest.raises(ApiError.NotFound):
        app.job_json("NOPE")
    with pytest.raises(ApiError.InvalidInput):
        app.add_part("J-PY", NewPartRecord(sku="X", description="", qty=0, serial_in=None,
                                           serial_out=None, stock=None), None)

    office.start()
    report = asyncio.run(app.sync())
    assert report.uploaded == 1
    assert app.pending_sync_count() == 0
    server_job = office.call("GET", "/api/v1/jobs/J-PY")
    assert server_job == json.loads(app.job_json("J-PY"))
    assert [p["sku"] for p in server_job["parts"]] == ["RELAY-7"]
