"""The bad-link benchmark's runs (issue 17, item 10). scripts/bad-link.sh builds the binaries,
makes the link (tests/bad-link/relay.py and nftables) between two network namespaces and runs
this inside the office's namespace. Here: the office server over HTTPS, the seeding through the
dispatcher REST API on the office's own loopback (not through the link), then each measured
case with the `fieldwork` CLI (the headless technician, the same core as the phones) run as a
fresh process in the phone's namespace, reaching the office at https://10.77.0.2:8443 through
the link only.

Cases: the first sync of 100 (and 1,000) jobs on a newly enrolled phone; one change synced
(a note, then `fieldwork sync` in a new process: TCP and TLS handshakes included); an idle
reconnect (a sync with nothing to do); a 2.5 MB photo uploaded while the link goes silent for
20 s half way, synced again until it succeeds as a phone would. The same phone cases also run
without the link (the CLI in the office's namespace against 127.0.0.1) to show what is the
binaries' own time.

Prints a Markdown table and one JSON line of everything; exits 1 if a target is missed, a
photo was sent again from the start, or a case failed.
"""

import argparse
import http.client
import json
import os
import shutil
import ssl
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHUNK = 256 * 1024  # core/src/sync/upload.rs: bytes per upload request
PORT = 8443
OFFICE_IP = "10.77.0.2"
TARGET_ONE_CHANGE = 1.5
TARGET_FIRST_100 = 15.0
OUTAGE_S = 20.0


def log(*a):
    print(*a, file=sys.stderr, flush=True)


class Bench:
    def __init__(self, args):
        self.a = args
        self.work = Path(args.work)
        self.bin = Path(args.bin)
        self.ca = self.work / "tls" / "ca.pem"
        self.data = self.work / "office"
        self.server = None
        self.token = None
        self.phones = 0
        self.failures = []

    # --- the office -------------------------------------------------------------------------

    def start_server(self, unlimited):
        cmd = [self.bin / "fieldwork-server", "serve", "--data", self.data,
               "--listen", f"0.0.0.0:{PORT}",
               "--tls-cert", self.work / "tls" / "chain.pem",
               "--tls-key", self.work / "tls" / "key.pem"]
        if unlimited:
            # Seeding pushes 1,100 jobs through one dispatcher token; the measured phases run
            # with the default limits.
            cmd += ["--requests-per-second", "0"]
        logf = open(self.work / "server.log", "ab")
        self.server = subprocess.Popen([str(c) for c in cmd], stdout=logf, stderr=logf)
        deadline = time.time() + 60
        ctx = ssl.create_default_context(cafile=str(self.ca))
        while True:
            try:
                conn = http.client.HTTPSConnection("127.0.0.1", PORT, context=ctx, timeout=2)
                conn.request("GET", "/api/v1/health")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            if self.server.poll() is not None:
                raise SystemExit(f"the office server exited; see {self.work / 'server.log'}")
            if time.time() > deadline:
                raise SystemExit("the office server did not start within 60 s")
            time.sleep(0.2)

    def stop_server(self):
        if self.server and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(15)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        self.server = None

    def seed(self, jobs):
        """Technicians and their jobs through the REST API, one keep-alive connection."""
        self.token = subprocess.check_output(
            [self.bin / "fieldwork-server", "token", "--data", self.data], text=True).strip()
        ctx = ssl.create_default_context(cafile=str(self.ca))
        conn = http.client.HTTPSConnection("127.0.0.1", PORT, context=ctx, timeout=30)

        def post(path, body):
            conn.request("POST", path, json.dumps(body),
                         {"Authorization": f"Bearer {self.token}",
                          "Content-Type": "application/json"})
            r = conn.getresponse()
            text = r.read()
            if r.status != 201:
                raise SystemExit(f"POST {path}: {r.status} {text[:300]!r}")

        started = time.time()
        for tech, n in jobs.items():
            post("/api/v1/technicians", {"id": tech, "name": f"Tech {tech}", "region": "east"})
            for i in range(n):
                post("/api/v1/jobs", {
                    "id": f"{tech.upper()}-{i:04}", "technician": tech,
                    "customer": {"name": f"Customer {i}", "phone": "+86 21 5555 0100"},
                    "site": {"address": f"{i} Quay Road, Pudong", "region": "city",
                             "time_zone": "Asia/Shanghai"},
                    "asset": {"serial": f"S-{tech}-{i}", "model": "Chiller"},
                    "problem": "Compressor trips after ten minutes",
                    "priority": "normal", "reported_at": "2026-11-20T08:00:00Z"})
        conn.close()
        log(f"seeded {sum(jobs.values())} jobs in {time.time() - started:.1f} s")

    # --- the phone --------------------------------------------------------------------------

    def cli(self, data, *args, linked=True, timeout=900, check=True):
        """Runs the CLI as a fresh process (in the phone's namespace when `linked`); returns
        (seconds, completed process)."""
        cmd = [str(self.bin / "fieldwork"), "--data", str(data), *map(str, args)]
        if linked:
            cmd = ["ip", "netns", "exec", self.a.phone_ns, *cmd]
        t = time.monotonic()
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        elapsed = time.monotonic() - t
        if check and p.returncode != 0:
            raise RuntimeError(f"fieldwork {' '.join(map(str, args))}: {p.stderr.strip()}")
        return elapsed, p

    def sync(self, data, linked=True):
        t, p = self.cli(data, "sync", linked=linked)
        return t, json.loads(p.stdout)

    def new_phone(self, tech, linked=True):
        self.phones += 1
        data = self.work / f"phone-{self.phones}-{tech}{'' if linked else '-loopback'}"
        code = subprocess.check_output(
            [self.bin / "fieldwork-server", "enroll-code", "--data", self.data,
             "--technician", tech], text=True).strip()
        url = f"https://{OFFICE_IP if linked else '127.0.0.1'}:{PORT}"
        t, _ = self.cli(data, "enroll", "--server", url, "--code", code,
                        "--server-ca", self.ca, linked=linked)
        return data, t

    # --- the link ---------------------------------------------------------------------------

    def link_stats(self):
        with open(self.a.stats) as f:
            return json.load(f)

    def outage(self, on):
        for ns in (self.a.phone_ns, self.a.office_ns):
            rule = (["nft", "add", "rule", "inet", "badlink", "outage", "drop"] if on
                    else ["nft", "flush", "chain", "inet", "badlink", "outage"])
            subprocess.run(["ip", "netns", "exec", ns, *rule], check=True)

    # --- the cases --------------------------------------------------------------------------

    def first_sync(self, tech, n, runs, linked=True):
        times, last, enrolls, wire = [], None, [], []
        keep = None
        for _ in range(runs):
            data, te = self.new_phone(tech, linked)
            enrolls.append(te)
            before = self.link_stats() if linked else None
            t, r = self.sync(data, linked)
            if r["downloaded"] != n:
                raise RuntimeError(f"first sync of {tech} downloaded {r['downloaded']}, not {n}")
            if linked:
                after = self.link_stats()
                wire.append(after["down"]["bytes"] - before["down"]["bytes"])
            times.append(t)
            last = r
            keep = keep or data
            log(f"first sync of {n} jobs{'' if linked else ' (no link)'}: {t:.2f} s, "
                f"{r['requests']} requests, {r['wire_bytes_received']} B received")
        return {"times": times, "median": statistics.median(times), "report": last,
                "enroll_median": statistics.median(enrolls), "ip_bytes_down": wire,
                "phone": keep}

    def one_change(self, data, job, runs, linked=True):
        times, reports = [], []
        for i in range(runs):
            self.cli(data, "note", job, f"bad-link note {i}", linked=linked)
            t, r = self.sync(data, linked)
            if r["uploaded"] < 1:
                raise RuntimeError(f"one change: nothing uploaded: {r}")
            times.append(t)
            reports.append(r)
            log(f"one change{'' if linked else ' (no link)'}: {t:.3f} s, {r['requests']} requests")
        return {"times": times, "median": statistics.median(times), "max": max(times),
                "requests": max(r["requests"] for r in reports), "report": reports[-1]}

    def idle(self, data, runs, linked=True):
        times, reports = [], []
        for _ in range(runs):
            t, r = self.sync(data, linked)
            if r["uploaded"] or r["downloaded"] or r["attachments_uploaded"]:
                raise RuntimeError(f"idle sync moved something: {r}")
            times.append(t)
            reports.append(r)
            log(f"idle{'' if linked else ' (no link)'}: {t:.3f} s")
        return {"times": times, "median": statistics.median(times), "max": max(times),
                "requests": max(r["requests"] for r in reports), "report": reports[-1]}

    def office_job(self, job):
        ctx = ssl.create_default_context(cafile=str(self.ca))
        conn = http.client.HTTPSConnection("127.0.0.1", PORT, context=ctx, timeout=10)
        try:
            conn.request("GET", f"/api/v1/jobs/{job}", headers={"Authorization": f"Bearer {self.token}"})
            r = conn.getresponse()
            return json.loads(r.read()) if r.status == 200 else None
        finally:
            conn.close()

    def watch_note(self, job, text, start, found, stop):
        """Records in found["seconds"] when `text` shows among the office's notes of `job`."""
        while not stop.is_set():
            try:
                doc = self.office_job(job)
                if doc and any(n.get("text") == text for n in doc.get("notes", [])):
                    found["seconds"] = time.monotonic() - start
                    return
            except (OSError, ValueError):
                pass
            stop.wait(0.5)

    def photo(self, data, job, seed, cut, note_job):
        """A 2.5 MB photo attached, and a note on another job written beside it, then synced;
        with `cut`, the link goes silent for 20 s once half of the photo has crossed, and the
        phone syncs again after each failure (at once, as the apps do when the network returns)
        until a sync succeeds. Also records when the note reached the office."""
        png = self.work / f"photo-{seed}.png"
        subprocess.run([sys.executable, HERE / "photo.py", png, str(seed)], check=True)
        _, p = self.cli(data, "photo", job, png, linked=True)
        sha = p.stdout.strip()
        _, shown = self.cli(data, "show", job, "--json", linked=True)
        size = next(ph["bytes"] for ph in json.loads(shown.stdout)["attachments"] if ph["id"] == sha)
        note = f"written beside photo {seed}"
        self.cli(data, "note", note_job, note, linked=True)
        start_stats = self.link_stats()
        start = time.monotonic()
        found, stop = {}, threading.Event()
        watcher = threading.Thread(target=self.watch_note, args=(note_job, note, start, found, stop),
                                   daemon=True)
        watcher.start()
        try:
            return self.photo_syncs(data, sha, size, cut, start, start_stats, watcher, found, stop)
        finally:
            stop.set()

    def photo_syncs(self, data, sha, size, cut, start, start_stats, watcher, found, stop):
        attempts, errors, cut_at, cut_up = [], [], None, None
        final = None
        while final is None:
            if time.monotonic() - start > self.a.photo_give_up:
                raise RuntimeError(f"photo: no successful sync within {self.a.photo_give_up:.0f} s: "
                                   f"{json.dumps(attempts)}")
            t0 = time.monotonic()
            cmd = ["ip", "netns", "exec", self.a.phone_ns, str(self.bin / "fieldwork"),
                   "--data", str(data), "sync"]
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            if cut and cut_at is None:
                # Wait for half the photo to cross the link, then cut it for 20 s.
                while proc.poll() is None:
                    s = self.link_stats()
                    sent = s["up"]["tcp_new"] - start_stats["up"]["tcp_new"]
                    if sent >= size // 2:
                        cut_at = time.monotonic() - start
                        cut_up = sent
                        self.outage(True)
                        log(f"photo: link cut at {cut_at:.1f} s after {sent} B up")
                        time.sleep(OUTAGE_S)
                        self.outage(False)
                        log("photo: link back")
                        break
                    time.sleep(0.05)
            try:
                left = max(1.0, self.a.photo_give_up - (time.monotonic() - start))
                out, err = proc.communicate(timeout=left)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
                raise RuntimeError(f"photo: a sync still running after {self.a.photo_give_up:.0f} s: "
                                   f"{json.dumps(attempts)}") from None
            elapsed = time.monotonic() - t0
            if proc.returncode == 0:
                final = json.loads(out)
                attempts.append({"seconds": round(elapsed, 1), "ok": True,
                                 "attachment_bytes_sent": final["attachment_bytes_sent"],
                                 "requests": final["requests"]})
            else:
                errors.append(err.strip())
                attempts.append({"seconds": round(elapsed, 1), "ok": False, "error": err.strip()})
                log(f"photo: sync failed after {elapsed:.1f} s: {err.strip()}")
        total = time.monotonic() - start
        watcher.join(5)
        stop.set()
        watcher.join()
        end_stats = self.link_stats()
        up_new = end_stats["up"]["tcp_new"] - start_stats["up"]["tcp_new"]
        up_retx = end_stats["up"]["tcp_retransmitted"] - start_stats["up"]["tcp_retransmitted"]
        office_copy = self.data / "attachments" / sha
        stored = office_copy.stat().st_size if office_copy.exists() else None
        # Sent again from the start: the last (successful) sync sent the whole photo although an
        # earlier one had already sent part of it, or the link carried 1.5 photos or more.
        resent_from_start = (len(attempts) > 1 and final["attachment_bytes_sent"] >= size) \
            or up_new >= size * 1.5
        r = {"photo_bytes": size, "total_seconds": total, "attempts": attempts,
             "cut_at_seconds": cut_at, "cut_after_up_bytes": cut_up,
             "final_attachment_bytes_sent": final["attachment_bytes_sent"],
             "link_up_tcp_new_bytes": up_new, "link_up_tcp_retransmitted_bytes": up_retx,
             "extra_up_bytes": up_new - size, "office_has_it": stored == size,
             "note_at_office_seconds": found.get("seconds"),
             "resent_from_start": resent_from_start}
        log(f"photo{' (cut)' if cut else ''}: {json.dumps(r)}")
        if stored != size:
            raise RuntimeError(f"photo: the office holds {stored} B of a {size} B photo")
        return r


def fmt_s(x):
    return f"{x:.2f} s"


def fmt_opt(x):
    return "never" if x is None else f"{x:.0f} s"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--phone-ns", required=True)
    ap.add_argument("--office-ns", required=True)
    ap.add_argument("--stats", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--runs", type=int, default=None,
                    help="runs of each short case (default 11; --quick 3)")
    ap.add_argument("--photo-runs", type=int, default=None, help="cut photo uploads (default 3; --quick 1)")
    ap.add_argument("--first-sync-runs", type=int, default=None, help="first syncs (default 5 of 100 and 3 of 1,000; --quick 1 of 100)")
    ap.add_argument("--only", default=None,
                    help="comma list of: nolink, first1000, one, idle, photo, uncut (default all; "
                         "--quick: nolink, one, idle, photo). The first sync of 100 jobs always runs: "
                         "it enrolls the phone the other cases use")
    ap.add_argument("--no-cut", action="store_true", help="the photo cases without the outage")
    ap.add_argument("--photo-give-up", type=float, default=1200,
                    help="seconds after which a photo case that has not synced counts as failed")
    ap.add_argument("--link", default="300 ms RTT, 100 kbit/s each way, 2% loss each way",
                    help="the link, for the table")
    a = ap.parse_args()
    quick = a.quick
    cases = set((a.only or ("nolink,one,idle,photo" if quick else
                            "nolink,first1000,one,idle,photo,uncut")).split(","))
    runs = a.runs or (3 if quick else 11)
    photo_runs = a.photo_runs or (1 if quick else 3)
    fs_runs = a.first_sync_runs or (1 if quick else 5)
    big_runs = max(1, (a.first_sync_runs or 3)) if "first1000" in cases else 0

    b = Bench(a)
    results = {"quick": quick}
    rows = []
    ok = True
    try:
        b.start_server(unlimited=True)
        b.seed({"t100": 100, "t1000": 1000} if big_runs else {"t100": 100})
        b.stop_server()
        b.start_server(unlimited=False)

        # Without the link first: the binaries' own time for the same cases.
        base = {}
        if "nolink" in cases:
            base["first100"] = b.first_sync("t100", 100, 1 if quick else 3, linked=False)
            if big_runs:
                base["first1000"] = b.first_sync("t1000", 1000, 1, linked=False)
            lp = base["first100"]["phone"]
            if "one" in cases:
                base["one"] = b.one_change(lp, "T100-0001", runs, linked=False)
            if "idle" in cases:
                base["idle"] = b.idle(lp, runs, linked=False)
        results["no_link"] = base

        f100 = b.first_sync("t100", 100, fs_runs)
        results["first100"] = f100
        if big_runs:
            results["first1000"] = b.first_sync("t1000", 1000, big_runs)
        phone = f100["phone"]
        if "one" in cases:
            results["one"] = b.one_change(phone, "T100-0001", runs)
        if "idle" in cases:
            results["idle"] = b.idle(phone, runs)
        if "photo" in cases:
            results["photo_cut"] = []
            for i in range(photo_runs):
                results["photo_cut"].append(b.photo(phone, f"T100-{10 + i:04}", 100 + i,
                                                    cut=not a.no_cut, note_job=f"T100-{20 + i:04}"))
        if "uncut" in cases:
            results["photo_uncut"] = b.photo(phone, "T100-0050", 99, cut=False,
                                             note_job="T100-0051")
    except Exception as e:  # noqa: BLE001 - report what failed, then the table so far
        log(f"FAILED: {e}")
        results["error"] = str(e)
        ok = False
    finally:
        b.stop_server()

    base = results.get("no_link", {})

    def nolink(key):
        v = base.get(key)
        return fmt_s(v["median"]) if v else "-"

    if "one" in results:
        r = results["one"]
        met = r["median"] <= TARGET_ONE_CHANGE
        ok &= met
        rows.append(("one change synced, fresh process (TCP + TLS handshakes included)",
                     "<= 1.5 s", f"median {fmt_s(r['median'])}, max {fmt_s(r['max'])} over "
                     f"{len(r['times'])} ({sum(t > TARGET_ONE_CHANGE for t in r['times'])} over 1.5 s); "
                     f"{r['requests']} request(s); "
                     f"{r['report']['wire_bytes_sent']} B up / {r['report']['wire_bytes_received']} B down (HTTP)",
                     nolink("one"), "yes" if met else "**no**"))
    if "first100" in results:
        r = results["first100"]
        met = r["median"] <= TARGET_FIRST_100
        ok &= met
        rows.append(("first sync of 100 jobs, new phone", "<= 15 s",
                     f"median {fmt_s(r['median'])} over {len(r['times'])} "
                     f"({', '.join(f'{t:.1f}' for t in r['times'])}); {r['report']['requests']} requests, "
                     f"{r['report']['wire_bytes_received']} B down (HTTP); enrollment before it {fmt_s(r['enroll_median'])}",
                     nolink("first100"), "yes" if met else "**no**"))
    if "first1000" in results:
        r = results["first1000"]
        rows.append(("first sync of 1,000 jobs, new phone", "report",
                     f"median {fmt_s(r['median'])} over {len(r['times'])} "
                     f"({', '.join(f'{t:.1f}' for t in r['times'])}); {r['report']['requests']} requests, "
                     f"{r['report']['wire_bytes_received']} B down (HTTP)",
                     nolink("first1000"), "-"))
    if "idle" in results:
        r = results["idle"]
        rows.append(("idle reconnect (sync with nothing to do), fresh process", "report",
                     f"median {fmt_s(r['median'])}, max {fmt_s(r['max'])} over {len(r['times'])}; "
                     f"{r['requests']} request(s)", nolink("idle"), "-"))
    for p in results.get("photo_cut", []):
        met = not p["resent_from_start"]
        ok &= met
        tries = len(p["attempts"])
        rows.append((f"{p['photo_bytes'] / 1e6:.2f} MB photo" + (", not cut" if p["cut_at_seconds"] is None else
                                                                  f", link silent {OUTAGE_S:.0f} s half way"),
                     "nothing re-sent from the start",
                     f"{p['total_seconds']:.0f} s in {tries} sync(s)"
                     + ("" if p["cut_at_seconds"] is None else f" (cut at {p['cut_at_seconds']:.0f} s)")
                     + f"; the last sent "
                     f"{p['final_attachment_bytes_sent']} B of it; {p['link_up_tcp_new_bytes']} B up on the link "
                     f"(+{p['extra_up_bytes']} B beyond the photo, {p['link_up_tcp_retransmitted_bytes']} B TCP retransmissions); "
                     f"a note written beside it reached the office after {fmt_opt(p['note_at_office_seconds'])}",
                     "-", "yes" if met else "**no**"))
    if "photo_uncut" in results:
        p = results["photo_uncut"]
        rows.append((f"{p['photo_bytes'] / 1e6:.2f} MB photo, not cut", "report",
                     f"{p['total_seconds']:.0f} s in {len(p['attempts'])} sync(s); "
                     f"{p['link_up_tcp_new_bytes']} B up on the link; a note written beside it reached "
                     f"the office after {fmt_opt(p['note_at_office_seconds'])}", "-", "-"))
    if results.get("photo_cut"):
        cut = [p["total_seconds"] for p in results["photo_cut"]]
        results["photo_cut_median_seconds"] = statistics.median(cut)

    print()
    print(f"| what ({a.link}) | target | on the bad link | without the link (same binaries) | met |")
    print("| --- | --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    if "error" in results:
        print(f"\nFAILED: {results['error']}")
    for v in list(results.values()):
        if isinstance(v, dict):
            v.pop("phone", None)
    for v in base.values():
        v.pop("phone", None)
    with open(Path(a.work) / "results.json", "w") as f:
        json.dump(results, f, indent=1, default=str)
    print("\nRESULTS " + json.dumps(results, default=str))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
