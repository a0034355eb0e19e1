"""Console benchmarks (scripts/bench-console.sh): the board with 1,000 jobs for the day in
headless Chromium (time to first contentful paint and the page's bytes), and the time from a
phone's sync to the open board showing the change (median and p99 over 100 syncs). Release
builds of the server and the `fieldwork` CLI (the phone), everything on loopback. Prints
Markdown rows; per-run numbers go to stderr."""

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from test_console import CLI, SERVER, Office, log_in, new_browser, wait  # noqa: E402

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 15
SYNCS = int(sys.argv[2]) if len(sys.argv) > 2 else 100


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        office = Office(tmp / "office")
        for t in range(10):
            assert office.api("POST", "/api/v1/technicians", {"id": f"t{t}", "name": f"Tech {t}", "region": "east"})[0] == 201
        started = time.time()
        for i in range(1000):
            body = {"id": f"J-{i:04}", "technician": f"t{i % 10}",
                    "customer": {"name": f"Customer {i}", "phone": "1"},
                    "site": {"address": f"{i} Quay Road", "region": "city", "time_zone": "Asia/Shanghai"},
                    "asset": {"serial": f"S-{i}", "model": "Chiller"}, "problem": "Compressor trips",
                    "priority": "normal", "reported_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
            assert office.api("POST", "/api/v1/jobs", body)[0] == 201
        print(f"seeded 1,000 jobs in {time.time() - started:.1f} s", file=sys.stderr)

        b = new_browser()
        try:
            log_in(b, office)
            fcp, load, size = [], [], []
            for _ in range(RUNS):
                b.get(office.url + "/board")
                wait(b, lambda: b.execute_script("return performance.getEntriesByName('first-contentful-paint').length") > 0)
                nav = b.execute_script("const n = performance.getEntriesByType('navigation')[0]; return [n.responseStart, n.responseEnd, n.domContentLoadedEventEnd, n.transferSize, n.decodedBodySize]")
                paint = b.execute_script("return performance.getEntriesByName('first-contentful-paint')[0].startTime")
                fcp.append(paint)
                load.append(nav[2])
                size.append((nav[3], nav[4]))
                print(f"board: fcp {paint:.0f} ms, dom {nav[2]:.0f} ms, response end {nav[1]:.0f} ms, {nav[3]} B transferred, {nav[4]} B html", file=sys.stderr)
            rows = b.execute_script("return document.querySelectorAll('tr[data-job]').length")

            # A phone of t0 syncs a note on one of its jobs; the open board refreshes.
            code = subprocess.check_output([SERVER, "enroll-code", "--data", office.data, "--technician", "t0"], text=True).strip()
            phone = ["--data", tmp / "phone"]
            subprocess.run([CLI, *phone, "enroll", "--server", office.url, "--code", code], check=True, capture_output=True)
            subprocess.run([CLI, *phone, "sync"], check=True, capture_output=True)
            b.get(office.url + "/board")
            wait(b, lambda: b.find_element("id", "live").is_displayed())
            b.execute_script("window.refreshedAt = 0; document.addEventListener('fieldwork:refreshed', () => { window.refreshedAt = Date.now(); });")
            from_sync, from_reply = [], []
            for i in range(SYNCS):
                subprocess.run([CLI, *phone, "note", "J-0000", f"note {i}"], check=True, capture_output=True)
                b.execute_script("window.refreshedAt = 0")
                t0 = time.time() * 1000
                subprocess.run([CLI, *phone, "sync"], check=True, capture_output=True)
                t1 = time.time() * 1000
                wait(b, lambda: b.execute_script("return window.refreshedAt") > 0, seconds=10)
                shown = b.execute_script("return window.refreshedAt")
                from_sync.append(shown - t0)
                from_reply.append(shown - t1)
        finally:
            b.quit()
            office.proc.terminate()

    print(f"| board with {rows} jobs for the day: first contentful paint | report | median {statistics.median(fcp):.0f} ms, p90 {pct(fcp, 90):.0f} ms over {RUNS} loads (DOM content loaded median {statistics.median(load):.0f} ms) |")
    print(f"| the board page's bytes | report | {size[-1][1]:,} B of HTML ({size[-1][0]:,} B transferred, uncompressed); CSS and script {Path('server/static/console.css').stat().st_size + Path('server/static/console.js').stat().st_size:,} B, cached after the first load |")
    print(f"| a phone's sync to the open board showing it (1,000-job board): from the start of `fieldwork sync` | < 1 s | median {statistics.median(from_sync):.0f} ms, p99 {pct(from_sync, 99):.0f} ms over {SYNCS} syncs |")
    print(f"| the same, from the sync's reply to the board refreshed (event, re-fetch, swap) | report | median {statistics.median(from_reply):.0f} ms, p99 {pct(from_reply, 99):.0f} ms |")


if __name__ == "__main__":
    main()
