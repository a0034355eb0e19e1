"""Smoke test of the real C ABI through uniffi's Python bindings.

Starts the real office server, enrolls a store opened through `FieldworkApp`, then works
offline: edits a job, reads it back, catches typed errors, and syncs once the server is back.
A second test takes a photo, seals a signed completion report on the phone and checks that the
office holds the same bytes, signature and PDF.
"""

import asyncio
import hashlib
import json
import os
import socket
import struct
import subprocess
import sys
import time
import urllib.request
import zlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

sys.path.insert(0, os.environ["FIELDWORK_BINDINGS"])
from fieldwork_ffi import (  # noqa: E402
    ApiError,
    FaultCause,
    FieldworkApp,
    JobStatus,
    NewPartRecord,
    ReportLanguage,
)

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

    def get_bytes(self, path):
        req = urllib.request.Request(
            self.url + path, headers={"Authorization": f"Bearer {self.token}"}
        )
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.read()


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


CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def png(width, height):
    """A real RGB PNG (a colour gradient), made with nothing but zlib and struct."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00" + bytes(c for x in range(width) for c in (x * 4 % 256, y * 5 % 256, 128))
        for y in range(height)
    )
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def strokes(*lines, width=300, height=100):
    return json.dumps({"canvas": {"width": width, "height": height}, "strokes": list(lines)})


SIGNATURE = strokes(
    [[10, 80, 0, 500], [60, 20, 16, 600], [110, 80, 33, 400]],
    [[150, 50, 200, 300], [290, 55, 240, 700]],
)
BAD_SIGNATURES = {
    "empty": strokes(),
    "single dot": strokes([[40, 40, 0, 500]], [[40, 40, 90, 400], [40, 40, 120, 300]]),
    "off the canvas": strokes([[10, 10, 0, 500], [301, 50, 16, 500]]),
    "over 64 strokes": strokes(*[[[i, 10, 0, 500], [i, 90, 10, 500]] for i in range(65)]),
    "over 10000 points": strokes(*[[[i % 300, j % 100, j, 500] for j in range(5001)]
                                   for i in range(2)]),
}


def canonical_json(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def test_signed_report_with_a_photo_through_the_c_abi_reaches_the_office(office, tmp_path):
    office.call("POST", "/api/v1/technicians", {"id": "t2", "name": "Li Na", "region": "east"})
    office.call(
        "POST",
        "/api/v1/jobs",
        {
            "id": "J-RPT",
            "technician": "t2",
            "customer": {"name": "上海门诊部", "phone": "+86 21 5555 0102"},
            "site": {"address": "浦东新区 88 Quay Road", "region": "city",
                     "time_zone": "Asia/Shanghai"},
            "asset": {"serial": "CH-2", "model": "Chiller"},
            "problem": "压缩机高压跳闸",
            "priority": "high",
            "reported_at": "2026-11-24T09:00:00+08:00",
        },
    )
    code = office.cli("enroll-code", "--technician", "t2")

    app = FieldworkApp.open(str(tmp_path / "phone"))
    enrollment = asyncio.run(app.enroll(office.url, code, "python report smoke"))
    public_key = app.public_key()
    assert public_key is not None and len(bytes.fromhex(public_key)) == 32
    devices = office.call("GET", "/api/v1/devices")
    assert [d["public_key"] for d in devices if d["device_id"] == enrollment.device_id] == [
        public_key
    ]
    assert asyncio.run(app.sync()).downloaded == 1

    # Photos: a text file is refused; a real PNG is stored as JPEG named by its SHA-256.
    with pytest.raises(ApiError.BadImage):
        app.add_photo("J-RPT", b"this is a text file, not a photo\n", "notes.txt")
    photo = app.add_photo("J-RPT", png(64, 48), "condenser fan")
    assert (photo.mime, photo.width, photo.height, photo.caption) == (
        "image/jpeg", 64, 48, "condenser fan")
    stored = app.attachment_bytes(photo.id)
    assert stored is not None and stored.startswith(b"\xff\xd8")
    assert hashlib.sha256(stored).hexdigest() == photo.id and len(stored) == photo.bytes
    assert app.attachment_bytes("0" * 64) is None

    preview = json.loads(app.report_preview("J-RPT", ReportLanguage.ZH_CN))
    assert preview["signature"] is None and preview["refusal"] is None
    assert [p["id"] for p in preview["content"]["photos"]] == [photo.id]

    for why, bad in BAD_SIGNATURES.items():
        with pytest.raises(ApiError.BadSignature):
            app.sign_report("J-RPT", "李娜", "设备科", bad, ReportLanguage.ZH_CN)
    assert app.report_versions("J-RPT") == [], "a refused signature seals nothing"

    seal = app.sign_report("J-RPT", "李娜", "设备科", SIGNATURE, ReportLanguage.ZH_CN)
    assert (seal.job_id, seal.version, seal.status) == ("J-RPT", 1, "signed")
    [version] = app.report_versions("J-RPT")
    assert (version.version, version.status, version.sha256, version.current) == (
        1, "signed", seal.sha256, True)
    assert (version.signer_name, version.signer_role, version.refusal_reason) == (
        "李娜", "设备科", None)
    assert (version.device_id, version.language) == (enrollment.device_id, "zh-CN")
    assert json.loads(app.job_json("J-RPT"))["status"] == "completed"

    canonical = app.report_json("J-RPT", 1)
    assert app.report_json("J-RPT", None) == canonical
    raw = canonical.encode()
    assert hashlib.sha256(raw).hexdigest() == seal.sha256
    report = json.loads(canonical)
    assert canonical_json(report) == raw, "the sealed bytes are canonical JSON"
    assert (report["job"], report["version"], report["language"]) == ("J-RPT", 1, "zh-CN")
    assert report["device_id"] == enrollment.device_id and report["refusal"] is None
    assert (report["signature"]["name"], report["signature"]["role"]) == ("李娜", "设备科")
    assert report["signature"]["strokes"] == json.loads(SIGNATURE)
    assert [p["id"] for p in report["content"]["photos"]] == [photo.id]
    with pytest.raises(ApiError.NotFound):
        app.report_json("J-RPT", 2)

    assert os.path.exists(CJK_FONT), f"{CJK_FONT}: scripts/setup.sh installs fonts-noto-cjk"
    pdf = app.render_report_pdf("J-RPT", 1, CJK_FONT)
    assert pdf.startswith(b"%PDF")
    assert app.render_report_pdf("J-RPT", None, CJK_FONT) == pdf

    synced = asyncio.run(app.sync())
    assert (synced.uploaded, synced.attachments_uploaded, synced.refused) == (1, 1, 0)
    assert synced.attachment_bytes_sent == photo.bytes
    assert synced.bytes_sent > photo.bytes, "the photo's upload counts in the sync's bytes"
    assert app.pending_sync_count() == 0

    [listed] = office.call("GET", "/api/v1/jobs/J-RPT/reports")
    assert (listed["version"], listed["status"], listed["sha256"], listed["current"]) == (
        1, "signed", seal.sha256, True)
    assert listed["device_id"] == enrollment.device_id
    assert office.get_bytes("/api/v1/jobs/J-RPT/reports/1") == raw
    Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key)).verify(
        bytes.fromhex(listed["signature"]), raw)
    assert office.get_bytes(f"/api/v1/attachments/{photo.id}") == stored
    assert office.get_bytes("/api/v1/jobs/J-RPT/reports/1/pdf") == pdf
