"""The foreign traits through the real C ABI, implemented in Python the way the shells implement
them in Kotlin and Swift: a secret store (Keystore/Keychain), a log sink (Logcat/os_log) and a
job observer (a view model refreshing), plus the connectivity switch.
"""

import asyncio
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(__file__))
from test_smoke import Office, office  # noqa: E402,F401  (the fixture)

sys.path.insert(0, os.environ["FIELDWORK_BINDINGS"])
from fieldwork_ffi import (  # noqa: E402
    ApiError,
    ChangeCause,
    FieldworkApp,
    JobsObserver,
    LogLevel,
    LogSink,
    SecretStore,
    SecretStoreError,
    set_log_sink,
)


class Keychain(SecretStore):
    def __init__(self):
        self.items = {}
        self.lock = threading.Lock()
        self.fail = False

    def get(self, key):
        with self.lock:
            return self.items.get(key)

    def set(self, key, value):
        if self.fail:
            raise SecretStoreError.Failed("keystore is locked")
        with self.lock:
            self.items[key] = value

    def delete(self, key):
        with self.lock:
            self.items.pop(key, None)


class Sink(LogSink):
    def __init__(self):
        self.records = []

    def log(self, record):
        self.records.append(record)


class Refresh(JobsObserver):
    def __init__(self):
        self.changes = []

    def jobs_changed(self, change):
        self.changes.append(change)


def make_job(office, job_id):
    office.call(
        "POST",
        "/api/v1/jobs",
        {
            "id": job_id,
            "technician": "t1",
            "customer": {"name": "Harbour Clinic", "phone": "+86 21 5555 0101"},
            "site": {"address": "88 Quay Road", "region": "city", "time_zone": "Asia/Shanghai"},
            "problem": "Compressor trips",
            "reported_at": "2026-11-24T09:00:00+08:00",
        },
    )


def test_secrets_logs_observers_and_connectivity_through_the_c_abi(office, tmp_path):
    office.call("POST", "/api/v1/technicians", {"id": "t1", "name": "Anna"})
    make_job(office, "J-1")
    sink = Sink()
    set_log_sink(sink, LogLevel.INFO)

    keychain = Keychain()
    data = tmp_path / "phone"
    app = FieldworkApp.open_with_secrets(str(data), keychain)
    asyncio.run(app.enroll(office.url, office.cli("enroll-code", "--technician", "t1"), "py"))
    # The token, the report key, and the keys the store and the photo files are encrypted with.
    assert set(keychain.items) == {"token", "signing_key", "store_key", "files_key"}
    assert not (data / "secrets.json").exists()
    assert app.public_key() is not None

    refresh = Refresh()
    subscription = app.observe_jobs(refresh)
    asyncio.run(app.sync())
    assert [c.cause for c in refresh.changes] == [ChangeCause.SYNC]
    assert refresh.changes[0].job_ids == ["J-1"]
    app.add_note("J-1", "on my way", None)
    assert refresh.changes[-1].cause == ChangeCause.LOCAL_EDIT
    assert refresh.changes[-1].job_ids == ["J-1"]

    app.set_network_state(False)
    try:
        asyncio.run(app.sync())
        raise AssertionError("sync should fail while offline")
    except ApiError.Offline:
        pass
    app.set_network_state(True)
    assert asyncio.run(app.sync()).uploaded == 1

    # A shell callback that throws loses its own call, never the technician's edit.
    class Broken(JobsObserver):
        def jobs_changed(self, change):
            raise RuntimeError("the screen is gone")

    broken = app.observe_jobs(Broken())
    app.add_note("J-1", "still saved", None)
    assert "still saved" in app.job_json("J-1")
    broken.cancel()

    subscription.cancel()
    count = len(refresh.changes)
    app.add_note("J-1", "done", None)
    assert len(refresh.changes) == count, "a cancelled subscription hears nothing"

    finished = [r for r in sink.records if r.message.startswith("sync finished")]
    assert finished and finished[-1].level == LogLevel.INFO and finished[-1].spans == "sync"
    assert all("Harbour" not in r.message for r in sink.records)

    # A keystore that cannot store the store's key: opening is a storage error the app can
    # show, and no store was created without its key.
    locked = Keychain()
    locked.fail = True
    try:
        FieldworkApp.open_with_secrets(str(tmp_path / "nokey"), locked)
        raise AssertionError("opening should fail with a locked keystore")
    except ApiError.Storage as e:
        assert "keystore is locked" in str(e)
    assert not (tmp_path / "nokey" / "fieldwork.db").exists()

    # A keystore failure at enrollment is a storage error too, and nothing is half-enrolled.
    locked = Keychain()
    other = FieldworkApp.open_with_secrets(str(tmp_path / "other"), locked)
    locked.fail = True
    try:
        asyncio.run(other.enroll(office.url, office.cli("enroll-code", "--technician", "t1"), "x"))
        raise AssertionError("enrollment should fail with a locked keystore")
    except ApiError.Storage as e:
        assert "keystore is locked" in str(e)
    assert other.enrollment() is None
