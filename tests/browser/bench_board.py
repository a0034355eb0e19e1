"""The dispatch board's benchmarks (scripts/bench-board.sh): the day plan with 1,000 jobs over 50
technicians in headless Chromium. First render (first contentful paint, the page's bytes); one
live change made elsewhere (another dispatcher's PATCH) until the open board shows it, redrawing
only the changed job against re-fetching the whole page, in the same run, with the bytes each
moves; and a drag-to-assign round trip, from the drop to the API's answer, the board redrawn
and the new technician's phone (the `fieldwork` CLI, the apps' core) holding the job after its
sync. Release builds, everything on loopback. Prints Markdown rows; per-run numbers go to
stderr."""

import json
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from selenium.webdriver.common.by import By

from test_console import CLI, SERVER, Office, drag_to, log_in, new_browser, wait  # noqa: E402

LOADS = int(sys.argv[1]) if len(sys.argv) > 1 else 15
CHANGES = int(sys.argv[2]) if len(sys.argv) > 2 else 40
DRAGS = int(sys.argv[3]) if len(sys.argv) > 3 else 15
DAY = "2027-03-03"
TECHNICIANS = 50
JOBS = 1000


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def seed(office):
    started = time.time()
    for t in range(TECHNICIANS):
        assert office.api("POST", "/api/v1/technicians", {"id": f"t{t:02}", "name": f"Tech {t:02}", "region": "east"})[0] == 201
    # 20 jobs a technician, 30 minutes each from 08:00 (office time).
    for i in range(JOBS):
        t, slot = i % TECHNICIANS, i // TECHNICIANS
        start = 8 * 60 + slot * 30
        body = {"id": f"J-{i:04}", "technician": f"t{t:02}", "customer": {"name": f"Customer {i}", "phone": "1"},
                "site": {"address": f"{i} Quay Road", "region": "city", "time_zone": "Asia/Shanghai"},
                "problem": "Compressor trips", "priority": ["normal", "high", "low", "emergency"][i % 4],
                "reported_at": f"{DAY}T07:00:00+08:00",
                "scheduled_start": f"{DAY}T{start // 60:02}:{start % 60:02}:00+08:00",
                "scheduled_end": f"{DAY}T{(start + 30) // 60:02}:{(start + 30) % 60:02}:00+08:00"}
        status, answer = office.api("POST", "/api/v1/jobs", body)
        assert status == 201, answer
    print(f"seeded {JOBS} jobs over {TECHNICIANS} technicians in {time.time() - started:.1f} s", file=sys.stderr)


# Page instrumentation: when the board last finished redrawing, when a PATCH was answered, when
# a drag was dropped, and the bytes of each fetch the live refresh made.
PROBE = """
window.marks = { refreshed: 0, patched: 0, dropped: 0 };
document.addEventListener('fieldwork:refreshed', () => { window.marks.refreshed = Date.now(); });
document.addEventListener('pointerup', () => { window.marks.dropped = Date.now(); }, true);
const plain = window.fetch;
window.fetch = async (...args) => {
  const res = await plain(...args);
  if ((args[1] || {}).method === 'PATCH') window.marks.patched = Date.now();
  return res;
};
performance.clearResourceTimings();
performance.setResourceTimingBufferSize(10000);
"""


def fetched_bytes(b):
    """Bytes of the page's own fetches since the last clear (HTML of the board or fragments)."""
    entries = b.execute_script("return performance.getEntriesByType('resource').filter(e => e.initiatorType === 'fetch').map(e => [e.name, e.encodedBodySize])")
    b.execute_script("performance.clearResourceTimings()")
    return entries


def main():
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        # Seeding 1,000 jobs in a few seconds is far over one client's request rate.
        office = Office(tmp / "office", "--requests-per-second", "0")
        seed(office)
        b = new_browser()
        try:
            log_in(b, office)
            url = f"{office.url}/timeline?day={DAY}"
            fcp, dcl, size, server = [], [], (0, 0), []
            for _ in range(LOADS):
                b.get(url)
                wait(b, lambda: b.execute_script("return performance.getEntriesByName('first-contentful-paint').length") > 0)
                nav = b.execute_script("const n = performance.getEntriesByType('navigation')[0]; return [n.requestStart, n.responseEnd, n.domContentLoadedEventEnd, n.decodedBodySize, n.encodedBodySize]")
                paint = b.execute_script("return performance.getEntriesByName('first-contentful-paint')[0].startTime")
                fcp.append(paint)
                dcl.append(nav[2])
                server.append(nav[1] - nav[0])
                size = (nav[3], nav[4])
                print(f"load: fcp {paint:.0f} ms, dom {nav[2]:.0f} ms, request to response end {nav[1] - nav[0]:.0f} ms, {nav[3]} B", file=sys.stderr)
            blocks = b.execute_script("return document.querySelectorAll('.tl-block[data-job]').length")
            lanes = b.execute_script("return document.querySelectorAll('.tl-row[data-technician]').length")
            rows.append(f"| day plan with {blocks:,} jobs in {lanes - 1} technicians' rows (+ the tray): first contentful paint | report | median {statistics.median(fcp):.0f} ms, p90 {pct(fcp, 90):.0f} ms over {LOADS} loads (DOM content loaded median {statistics.median(dcl):.0f} ms; the server's answer, request to last byte, median {statistics.median(server):.0f} ms) |")
            rows.append(f"| the day plan's bytes | report | {size[0]:,} B of HTML, {size[1]:,} B on the wire (compressed) |")

            # One change made elsewhere: another dispatcher moves a job an hour later (the API).
            # Alternated per change: the changed job redrawn alone, or the whole page re-fetched.
            results = {"job": ([], []), "page": ([], [])}
            b.get(url)
            wait(b, lambda: b.find_element(By.ID, "live").is_displayed())
            b.execute_script(PROBE + "window.redrawOnly = redrawJobs;")
            for i in range(CHANGES):
                mode = "job" if i % 2 == 0 else "page"
                b.execute_script(f"redrawJobs = {'window.redrawOnly' if mode == 'job' else 'null'}; window.marks.refreshed = 0;")
                fetched_bytes(b)
                job = f"J-{(i * 37) % JOBS:04}"
                hour = 9 + i % 8
                t0 = time.time() * 1000
                status, _ = office.api("PATCH", f"/api/v1/jobs/{job}", {"scheduled_start": f"{DAY}T{hour:02}:00:00+08:00", "scheduled_end": f"{DAY}T{hour:02}:30:00+08:00"})
                assert status == 200
                wait(b, lambda: b.execute_script("return window.marks.refreshed") > 0, seconds=20)
                shown = b.execute_script("return window.marks.refreshed")
                moved = sum(n for _, n in fetched_bytes(b))
                results[mode][0].append(shown - t0)
                results[mode][1].append(moved)
                print(f"change {job} ({mode}): shown after {shown - t0:.0f} ms, {moved} B fetched", file=sys.stderr)
            for mode, words in [("job", "the changed job redrawn alone (`/timeline/jobs`)"), ("page", "the whole page re-fetched and swapped (the other pages' way)")]:
                times, sizes = results[mode]
                rows.append(f"| a change elsewhere (API `PATCH`) to the open 1,000-job day plan showing it: {words} | < 1 s | median {statistics.median(times):.0f} ms, p90 {pct(times, 90):.0f} ms over {len(times)} changes; {statistics.median(sizes):,.0f} B fetched per change on the wire, plus the event naming the job |")

            # Drag to assign: a block of t00 dropped on t01's row; t01's phone then syncs.
            code = subprocess.check_output([SERVER, "enroll-code", "--data", office.data, "--technician", "t01"], text=True).strip()
            phone = ["--data", tmp / "phone"]
            subprocess.run([CLI, *phone, "enroll", "--server", office.url, "--code", code], check=True, capture_output=True)
            subprocess.run([CLI, *phone, "sync"], check=True, capture_output=True)
            answered, redrawn, held, sync_ms = [], [], [], []
            for i in range(DRAGS):
                b.get(url)
                wait(b, lambda: b.find_element(By.ID, "live").is_displayed())
                b.execute_script(PROBE)
                job = f"J-{(i + 1) * TECHNICIANS:04}"  # t00's jobs, 08:30 onwards
                block = b.find_element(By.CSS_SELECTOR, f'.tl-row[data-technician="t00"] [data-job="{job}"]')
                lane = b.find_element(By.CSS_SELECTOR, '.tl-row[data-technician="t01"] .tl-lane')
                drag_to(b, block, lane, 18 + (i % 4) * 0.5)
                wait(b, lambda: b.execute_script("return window.marks.refreshed") > 0, seconds=20)
                marks = b.execute_script("return window.marks")
                s0 = time.time() * 1000
                subprocess.run([CLI, *phone, "sync"], check=True, capture_output=True)
                s1 = time.time() * 1000
                jobs = subprocess.run([CLI, *phone, "jobs"], check=True, capture_output=True, text=True).stdout
                assert job in jobs, f"{job} not on t01's phone"
                answered.append(marks["patched"] - marks["dropped"])
                redrawn.append(marks["refreshed"] - marks["dropped"])
                sync_ms.append(s1 - s0)
                held.append(s1 - marks["dropped"])
                print(f"drag {job}: answered {answered[-1]} ms, redrawn {redrawn[-1]} ms, phone sync {s1 - s0:.0f} ms, drop to phone holding it {held[-1]:.0f} ms", file=sys.stderr)
            rows.append(f"| drag to assign (a block dropped on another technician's row): drop to the API's answer / to the board redrawn | report | median {statistics.median(answered):.0f} / {statistics.median(redrawn):.0f} ms, p90 {pct(answered, 90):.0f} / {pct(redrawn, 90):.0f} ms over {DRAGS} drags |")
            rows.append(f"| the same, drop to the new technician's phone holding the job (its next sync run at once; the apps sync after an edit, every 15 min, and on network change) | report | median {statistics.median(held):.0f} ms, p90 {pct(held, 90):.0f} ms; the phone's sync alone median {statistics.median(sync_ms):.0f} ms |")
        finally:
            b.quit()
            office.proc.terminate()
    print("\n".join(rows))


if __name__ == "__main__":
    main()
