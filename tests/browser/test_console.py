"""The dispatch console in a real browser (Debian's headless Chromium through Selenium), against
the real office server on loopback and a real phone (the `fieldwork` CLI, the same core the apps
use). Run by scripts/browser-tests.sh, which builds both binaries first."""

import hashlib
import json
import os
import socket
import struct
import subprocess
import time
import urllib.request
import zlib
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("FIELDWORK_BIN_DIR", ROOT / "target" / "debug"))
SERVER = BIN / "fieldwork-server"
CLI = BIN / "fieldwork"
PASSWORD = "correct horse battery"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Office:
    def __init__(self, data: Path, *serve_args):
        self.data = data
        self.url = f"http://127.0.0.1:{free_port()}"
        self.proc = subprocess.Popen(
            [SERVER, "serve", "--data", data, "--listen", self.url.removeprefix("http://"), *serve_args],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while True:
            try:
                urllib.request.urlopen(self.url + "/api/v1/health", timeout=1)
                break
            except OSError:
                assert self.proc.poll() is None, "the server exited"
                assert time.time() < deadline, "the server did not start"
                time.sleep(0.1)
        self.token = subprocess.check_output([SERVER, "token", "--data", data], text=True).strip()
        subprocess.run([SERVER, "user", "add", "--data", data, "--name", "mei"],
                       input=PASSWORD + "\n", text=True, check=True, capture_output=True)

    def api(self, method, path, body=None):
        req = urllib.request.Request(self.url + path, method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {self.token}",
                                              "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    o = Office(tmp_path_factory.mktemp("office"))
    assert o.api("POST", "/api/v1/technicians", {"id": "t1", "name": "Anna Li", "region": "east"})[0] == 201
    yield o
    o.proc.terminate()
    o.proc.wait()


def new_browser():
    opts = webdriver.ChromeOptions()
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1000", "--lang=en-US"]:
        opts.add_argument(arg)
    opts.binary_location = "/usr/bin/chromium"
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


@pytest.fixture
def browser():
    b = new_browser()
    yield b
    b.quit()


def log_in(b, office, password=PASSWORD):
    b.get(office.url + "/login")
    b.find_element(By.NAME, "name").send_keys("mei")
    b.find_element(By.NAME, "password").send_keys(password)
    b.find_element(By.CSS_SELECTOR, "form.login button").click()
    if password == PASSWORD:
        wait(b, lambda: b.current_url.endswith("/timeline"))


def wait(b, condition, seconds=15):
    """Polls `condition` until it is truthy. Live pages swap their content in at any moment, so an
    element found a moment ago may be gone (stale): that is a reason to look again, not a failure.
    Chromium sometimes says so in its own words instead of as a stale element ("Node with given
    id does not belong to the document", seen on a clean clone when the devices table refreshed
    between finding the revoke button and clicking it)."""
    def attempt(_):
        try:
            return condition()
        except WebDriverException as e:
            if "does not belong to the document" in str(e):
                return False
            raise
    return WebDriverWait(b, seconds, poll_frequency=0.05,
                         ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)
                         ).until(attempt)


def phone(tmp_path, *args, check=True):
    return subprocess.run([CLI, "--data", tmp_path / "phone", *map(str, args)],
                          capture_output=True, text=True, check=check)


def png(width, height):
    """A real PNG (a colour gradient)."""
    rows = b"".join(b"\x00" + b"".join(bytes((x * 4 % 256, y * 5 % 256, 128)) for x in range(width))
                    for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def test_a_wrong_password_is_refused_and_pages_need_a_login(office, browser):
    browser.get(office.url + "/board")
    assert browser.current_url.endswith("/login")
    log_in(browser, office, "not the password")
    # The click navigates: wait for the answer page, not the form it replaces.
    wait(browser, lambda: browser.find_elements(By.CSS_SELECTOR, ".error"))
    assert "Wrong name or password." in browser.find_element(By.CSS_SELECTOR, ".error").text
    log_in(browser, office)


def test_bad_input_on_the_job_form_is_shown_by_its_field_and_nothing_is_stored(office, browser):
    log_in(browser, office)
    before = json.loads(office.api("GET", "/api/v1/jobs")[1])
    browser.get(office.url + "/jobs/new")
    form = {"customer.name": "Harbour Clinic", "customer.phone": "021-5550100", "site.address": "88 Quay Road",
            "asset.serial": "CH-9", "problem": "Compressor trips"}
    for name, value in form.items():
        browser.find_element(By.NAME, name).send_keys(value)
    zone = browser.find_element(By.NAME, "site.time_zone")
    zone.clear()
    zone.send_keys("Mars/Olympus")
    browser.find_element(By.CSS_SELECTOR, "form.form button").click()
    error = browser.find_element(By.CSS_SELECTOR, '.field-error[data-for="site.time_zone"]')
    wait(browser, lambda: "unknown IANA time zone" in error.text)
    assert json.loads(office.api("GET", "/api/v1/jobs")[1]) == before


def test_a_reschedule_is_read_and_shown_on_the_office_clock_whatever_the_browser_zone(office, browser):
    body = {"id": "J-TZ", "technician": "t1", "customer": {"name": "Harbour Clinic", "phone": "1"},
            "site": {"address": "88 Quay Road", "region": "city", "time_zone": "Asia/Shanghai"},
            "problem": "Compressor trips", "reported_at": "2026-12-06T09:00:00+08:00"}
    assert office.api("POST", "/api/v1/jobs", body)[0] == 201
    # A dispatcher's laptop set to California, far from the office in Shanghai.
    browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "America/Los_Angeles"})
    log_in(browser, office)
    browser.get(office.url + "/jobs/J-TZ")
    start = browser.find_element(By.NAME, "scheduled_start")
    form = start.find_element(By.XPATH, "ancestor::form")
    assert "(Asia/Shanghai)" in form.text
    browser.execute_script("arguments[0].value = arguments[1]", start, "2026-12-07T14:00")
    end = form.find_element(By.NAME, "scheduled_end")
    browser.execute_script("arguments[0].value = arguments[1]", end, "2026-12-07T15:30")
    form.find_element(By.TAG_NAME, "button").click()

    def stored():
        job = json.loads(office.api("GET", "/api/v1/jobs/J-TZ")[1])
        return job["scheduled_start"], job["scheduled_end"]
    wait(browser, lambda: stored() == ("2026-12-07T06:00:00Z", "2026-12-07T07:30:00Z"))
    # The priority changes from the same page, to the model's own words.
    browser.get(office.url + "/jobs/J-TZ")
    pick = browser.find_element(By.CSS_SELECTOR, 'select[name="priority"]')
    Select(pick).select_by_value("emergency")
    pick.find_element(By.XPATH, "ancestor::form").find_element(By.TAG_NAME, "button").click()
    wait(browser, lambda: json.loads(office.api("GET", "/api/v1/jobs/J-TZ")[1])["priority"] == "emergency")
    browser.get(office.url + "/jobs/J-TZ")
    head = browser.find_element(By.CSS_SELECTOR, "section.head").text
    assert "14:00" in head and "(Asia/Shanghai)" in head, head


def test_on_a_chinese_page_a_refused_value_is_said_in_chinese_beside_its_field(office, browser):
    log_in(browser, office)
    browser.add_cookie({"name": "lang", "value": "zh-CN"})
    browser.get(office.url + "/jobs/new")
    form = {"customer.name": "港湾诊所", "customer.phone": "021-5550100", "site.address": "码头路 88 号",
            "asset.serial": "CH-9", "problem": "压缩机跳闸"}
    for name, value in form.items():
        browser.find_element(By.NAME, name).send_keys(value)
    zone = browser.find_element(By.NAME, "site.time_zone")
    zone.clear()
    zone.send_keys("Mars/Olympus")
    # The region is offered in words, sending the model's value.
    region = Select(browser.find_element(By.NAME, "site.region"))
    assert [o.text for o in region.options] == ["市区", "省内", "偏远"]
    assert [o.get_attribute("value") for o in region.options] == ["city", "province", "remote"]
    browser.find_element(By.CSS_SELECTOR, "form.form button").click()
    error = browser.find_element(By.CSS_SELECTOR, '.field-error[data-for="site.time_zone"]')
    wait(browser, lambda: "未知的时区" in error.text)
    assert "unknown" not in error.text
    assert "unknown IANA time zone" in error.get_attribute("title")


def test_at_phone_width_no_page_scrolls_sideways_in_either_language(office, browser):
    body = {"id": "J-NARROW", "technician": "t1",
            "customer": {"name": "上海市浦东新区港湾国际医疗诊所有限公司", "phone": "021-5550100"},
            "site": {"address": "浦东新区世纪大道 88 号港湾国际大厦 23 层设备间", "region": "city",
                     "time_zone": "Asia/Shanghai"},
            "asset": {"serial": "CH-2291-A-LONG-SERIAL-0001", "model": "Chiller 300RT"},
            "problem": "压缩机高压跳闸", "reported_at": "2026-12-06T09:00:00+08:00"}
    assert office.api("POST", "/api/v1/jobs", body)[0] == 201
    browser.set_window_size(390, 844)
    log_in(browser, office)
    for lang in ["en", "zh-CN"]:
        browser.add_cookie({"name": "lang", "value": lang})
        for path in ["/board", "/timeline", "/jobs/J-NARROW", "/service", "/stock", "/devices", "/jobs/new", "/search?q=J-NARROW"]:
            browser.get(office.url + path)
            wide = browser.execute_script(
                "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            assert wide[0] <= wide[1], f"{lang} {path} scrolls sideways: {wide}"
            assert browser.find_elements(By.TAG_NAME, "h1"), f"{lang} {path} has no h1"


def test_a_live_refresh_keeps_the_focus_and_announces_the_change(office, browser):
    body = {"id": "J-FOCUS", "technician": "t1", "customer": {"name": "Harbour Clinic", "phone": "1"},
            "site": {"address": "88 Quay Road", "region": "city", "time_zone": "Asia/Shanghai"},
            "problem": "Compressor trips", "reported_at": "2026-12-06T09:00:00+08:00"}
    assert office.api("POST", "/api/v1/jobs", body)[0] == 201
    log_in(browser, office)
    wait(browser, lambda: browser.find_element(By.ID, "live").is_displayed())
    link = browser.find_element(By.CSS_SELECTOR, 'a[href="/jobs/J-FOCUS"]')
    browser.execute_script("arguments[0].focus()", link)
    assert office.api("POST", "/api/v1/jobs/J-FOCUS/notes", {"text": "Customer called again"})[0] == 201
    announce = browser.find_element(By.ID, "announce")
    wait(browser, lambda: "J-FOCUS" in announce.get_attribute("textContent"))
    focused = browser.execute_script("return document.activeElement.getAttribute('href')")
    assert focused == "/jobs/J-FOCUS"
    # The link now focused is the new page's, not the one swapped out.
    assert browser.execute_script("return document.getElementById('main').contains(document.activeElement)")


def test_the_service_loop_is_closed_in_the_console(office, browser, tmp_path):
    # Its own technician and phone: the visit test revokes t1's.
    assert office.api("POST", "/api/v1/technicians", {"id": "t-loop", "name": "Li Wei", "region": "east"})[0] == 201
    body = {"id": "J-LOOP", "technician": "t-loop", "customer": {"name": "港湾诊所", "phone": "021-5550100"},
            "site": {"address": "88 Quay Road", "region": "city", "time_zone": "Asia/Shanghai"},
            "problem": "Compressor trips", "reported_at": "2026-12-06T09:00:00+08:00"}
    assert office.api("POST", "/api/v1/jobs", body)[0] == 201
    code = subprocess.check_output([SERVER, "enroll-code", "--data", office.data, "--technician", "t-loop"],
                                   text=True).strip().split()[-1]
    phone(tmp_path, "enroll", "--server", office.url, "--code", code)
    phone(tmp_path, "sync")
    strokes = {"canvas": {"width": 600, "height": 200},
               "strokes": [[[40 + i * 12, 150 - i * 8, i * 16, 500] for i in range(12)]]}
    (tmp_path / "strokes.json").write_text(json.dumps(strokes))
    phone(tmp_path, "sign", "J-LOOP", "--name", "Chen Wei", "--strokes", tmp_path / "strokes.json", "--lang", "en")
    phone(tmp_path, "sync")
    log_in(browser, office)

    # The follow-up call: due, with the customer's name; its outcome recorded from the list.
    browser.get(office.url + "/service")
    row = wait(browser, lambda: browser.find_element(By.CSS_SELECTOR, '#followups tr[data-job="J-LOOP"]'))
    assert "港湾诊所" in row.text
    def followup():
        rows = json.loads(office.api("GET", "/api/v1/followups")[1])
        rows = rows.get("items", rows) if isinstance(rows, dict) else rows
        return next((r["followup"] for r in rows if r["job"] == "J-LOOP"), None)

    # First nobody answers: the attempt is noted and the call stays due. (The live page swaps
    # its rows in at any moment: look each element up again rather than through a row.)
    mine = '#followups tr[data-job="J-LOOP"] '
    attempt = mine + 'form:has(input[name="reached"]) '
    wait(browser, lambda: browser.find_element(By.CSS_SELECTOR, attempt + 'input[name="comment"]').send_keys("voicemail") or True)
    browser.find_element(By.CSS_SELECTOR, attempt + "button").click()
    wait(browser, lambda: followup() is not None and followup()["reached"] is False)
    wait(browser, lambda: "no answer" in browser.find_element(By.CSS_SELECTOR, mine.strip()).text.lower())
    outcome = mine + 'form:has(select[name="satisfaction"]) '
    Select(browser.find_element(By.CSS_SELECTOR, outcome + 'select[name="satisfaction"]')).select_by_value("dissatisfied")
    Select(browser.find_element(By.CSS_SELECTOR, outcome + 'select[name="score"]')).select_by_visible_text("2")
    browser.find_element(By.CSS_SELECTOR, outcome + 'input[name="comment"]').send_keys("Noise is back at night")
    browser.find_element(By.CSS_SELECTOR, outcome + "button").click()
    wait(browser, lambda: followup()["reached"] is True)
    assert (followup()["satisfaction"], followup()["score"]) == ("dissatisfied", 2)
    wait(browser, lambda: not browser.find_elements(By.CSS_SELECTOR, '#followups tr[data-job="J-LOOP"]'))

    # A complaint filed on the job page, escalated once, then answered (and so closed).
    browser.get(office.url + "/jobs/J-LOOP")
    form = browser.find_element(By.CSS_SELECTOR, 'form[data-api="POST /api/v1/jobs/J-LOOP/complaints"]')
    form.find_element(By.NAME, "text").send_keys("The noise came back the same night")
    form.find_element(By.TAG_NAME, "button").click()
    wait(browser, lambda: json.loads(office.api("GET", "/api/v1/complaints")[1]))
    browser.get(office.url + "/service")
    complaint = '#complaints tr[data-job="J-LOOP"]'
    wait(browser, lambda: "港湾诊所" in browser.find_element(By.CSS_SELECTOR, complaint).text)
    assert "Engineer" in browser.find_element(By.CSS_SELECTOR, complaint).text
    browser.find_element(By.CSS_SELECTOR, complaint + ' form[data-api$="/escalate"] button').click()
    wait(browser, lambda: "Senior engineer" in browser.find_element(By.CSS_SELECTOR, complaint).text)
    answer = complaint + ' form[data-api$="/answer"] '
    wait(browser, lambda: browser.find_element(By.CSS_SELECTOR, answer + 'input[name="text"]')
         .send_keys("An engineer returns tomorrow at 9:00") or True)
    browser.find_element(By.CSS_SELECTOR, answer + "button").click()
    wait(browser, lambda: not browser.find_elements(By.CSS_SELECTOR, complaint))
    complaints = json.loads(office.api("GET", "/api/v1/complaints")[1])
    complaints = complaints.get("items", complaints) if isinstance(complaints, dict) else complaints
    mine = [c for c in complaints if c["job"] == "J-LOOP"]
    assert [(c["level"], c["answer"] is not None) for c in mine] == [("senior_engineer", True)]


def test_the_day_plan_moves_a_job_from_the_keyboard_on_the_office_clock(office, browser):
    assert office.api("POST", "/api/v1/technicians", {"id": "t-plan", "name": "Zhou Min", "region": "east"})[0] == 201
    body = {"id": "J-MOVE", "technician": "t1", "customer": {"name": "Harbour Clinic", "phone": "1"},
            "site": {"address": "88 Quay Road", "region": "city", "time_zone": "Asia/Shanghai"},
            "problem": "Compressor trips", "reported_at": "2026-12-06T09:00:00+08:00",
            "scheduled_start": "2026-12-07T10:00:00+08:00", "scheduled_end": "2026-12-07T12:00:00+08:00"}
    assert office.api("POST", "/api/v1/jobs", body)[0] == 201
    browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "America/Los_Angeles"})
    log_in(browser, office)
    browser.get(office.url + "/timeline?day=2026-12-07")
    block = browser.find_element(By.CSS_SELECTOR, '.tl-row[data-technician="t1"] [data-job="J-MOVE"]')
    assert "10:00–12:00" in block.get_attribute("aria-label")
    move = "#move-form "
    # With the keyboard: M on the focused block picks it in the move form, with its times.
    block.send_keys("m")
    assert browser.find_element(By.CSS_SELECTOR, move + 'select[name="job"]').get_attribute("value") == "J-MOVE"
    assert browser.find_element(By.CSS_SELECTOR, move + 'input[name="scheduled_start"]').get_attribute("value") == "2026-12-07T10:00"
    assert browser.switch_to.active_element.get_attribute("name") == "technician"
    # To Zhou Min at 14:00 office time.
    Select(browser.find_element(By.CSS_SELECTOR, move + 'select[name="technician"]')).select_by_value("t-plan")
    for name, value in [("scheduled_start", "2026-12-07T14:00"), ("scheduled_end", "2026-12-07T16:00")]:
        browser.execute_script("arguments[0].value = arguments[1]",
                               browser.find_element(By.CSS_SELECTOR, move + f'input[name="{name}"]'), value)
    browser.find_element(By.CSS_SELECTOR, move + "button").click()

    def job():
        j = json.loads(office.api("GET", "/api/v1/jobs/J-MOVE")[1])
        return j["technician"], j["scheduled_start"], j["scheduled_end"]
    wait(browser, lambda: job() == ("t-plan", "2026-12-07T06:00:00Z", "2026-12-07T08:00:00Z"))
    wait(browser, lambda: browser.find_elements(By.CSS_SELECTOR, '.tl-row[data-technician="t-plan"] [data-job="J-MOVE"]'))

    # A move the API refuses (the end before the start) says why and changes nothing.
    browser.get(office.url + "/timeline?day=2026-12-07")
    Select(browser.find_element(By.CSS_SELECTOR, move + 'select[name="job"]')).select_by_value("J-MOVE")
    for name, value in [("scheduled_start", "2026-12-07T14:00"), ("scheduled_end", "2026-12-07T13:00")]:
        browser.execute_script("arguments[0].value = arguments[1]",
                               browser.find_element(By.CSS_SELECTOR, move + f'input[name="{name}"]'), value)
    browser.find_element(By.CSS_SELECTOR, move + "button").click()
    wait(browser, lambda: browser.find_element(By.CSS_SELECTOR, move + ".form-error").text != "")
    assert job() == ("t-plan", "2026-12-07T06:00:00Z", "2026-12-07T08:00:00Z")

    # By drag: back to Anna's row, its left edge dropped at 09:00 (rounded to the quarter).
    from selenium.webdriver.common.action_chains import ActionChains
    block = browser.find_element(By.CSS_SELECTOR, '.tl-row[data-technician="t-plan"] [data-job="J-MOVE"]')
    lane = browser.find_element(By.CSS_SELECTOR, '.tl-row[data-technician="t1"] .tl-lane')
    box = browser.execute_script("const r = arguments[0].getBoundingClientRect(); return [r.left, r.top, r.width, r.height]", lane)
    grab = 5
    target_x = box[0] + box[2] * (9 + 2 / 60) / 24 + grab  # 09:02 -> 09:00
    target_y = box[1] + box[3] / 2
    start = browser.execute_script("const r = arguments[0].getBoundingClientRect(); return [r.left, r.top + r.height / 2]", block)
    (ActionChains(browser).move_to_element_with_offset(block, -block.size["width"] // 2 + grab, 0)
     .click_and_hold().move_by_offset(10, 0)
     .move_by_offset(int(target_x - start[0] - grab - 10), int(target_y - start[1])).release().perform())
    try:
        wait(browser, lambda: job() == ("t1", "2026-12-07T01:00:00Z", "2026-12-07T03:00:00Z"), 5)
    except Exception:
        raise AssertionError(f"after the drag: {job()}, announced: {browser.find_element(By.ID, 'announce').get_attribute('textContent')!r}, box {box}, start {start}, target {target_x}")
    assert browser.current_url.endswith("/timeline?day=2026-12-07"), "the drop did not open the job"
    # Undo puts it back where the drag took it from.
    wait(browser, lambda: browser.find_element(By.ID, "undo-move").is_displayed())
    browser.find_element(By.ID, "undo-move").click()
    wait(browser, lambda: job() == ("t-plan", "2026-12-07T06:00:00Z", "2026-12-07T08:00:00Z"))
    wait(browser, lambda: not browser.find_element(By.ID, "undo-move").is_displayed())


def test_a_state_change_without_the_csrf_token_is_refused(office, browser):
    log_in(browser, office)
    status = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch('/api/v1/jobs', {method: 'POST', headers: {'Content-Type': 'application/json'},
              body: JSON.stringify({customer: {name: 'x', phone: '1'}})}).then(r => done(r.status));""")
    assert status == 403


def test_a_visit_reaches_the_console_live_verified_and_a_revoked_phone_is_refused(office, browser, tmp_path):
    log_in(browser, office)

    # Dispatch logs the job in the form and assigns it to Anna.
    browser.get(office.url + "/jobs/new")
    for name, value in {"customer.name": "Harbour Clinic", "customer.phone": "021-5550100",
                        "site.address": "88 Quay Road", "asset.serial": "CH-9", "asset.model": "Chiller",
                        "problem": "Compressor trips on start"}.items():
        browser.find_element(By.NAME, name).send_keys(value)
    Select(browser.find_element(By.NAME, "technician")).select_by_value("t1")
    browser.find_element(By.CSS_SELECTOR, "form.form button").click()
    wait(browser, lambda: "/jobs/J-" in browser.current_url)
    job = browser.current_url.rsplit("/", 1)[1]

    # An enrollment code from the devices page; the phone enrolls and syncs.
    browser.get(office.url + "/devices")
    Select(browser.find_element(By.NAME, "technician")).select_by_value("t1")
    browser.find_element(By.CSS_SELECTOR, 'form[action="/devices/codes"] button').click()
    code = wait(browser, lambda: browser.find_element(By.ID, "enroll-code").text)
    phone(tmp_path, "enroll", "--server", office.url, "--code", code)
    phone(tmp_path, "sync")

    # The board is open; the technician works the visit (offline), the customer signs, it syncs.
    browser.get(office.url + "/board")
    row = f'tr[data-job="{job}"]'
    wait(browser, lambda: browser.find_element(By.CSS_SELECTOR, row).get_attribute("data-status") == "assigned")
    wait(browser, lambda: browser.find_element(By.ID, "live").is_displayed())
    browser.execute_script("window.sameDocument = true")
    (tmp_path / "fan.png").write_bytes(png(96, 64))
    strokes = {"canvas": {"width": 600, "height": 200},
               "strokes": [[[40 + i * 12, 150 - i * 8, i * 16, 500] for i in range(12)],
                           [[300 + i * 14, 60 + (i % 3) * 20, 400 + i * 16, 600] for i in range(14)]]}
    (tmp_path / "strokes.json").write_text(json.dumps(strokes))
    phone(tmp_path, "status", job, "on_site")
    phone(tmp_path, "note", job, "relay replaced")
    phone(tmp_path, "photo", job, tmp_path / "fan.png", "--caption", "condenser fan")
    phone(tmp_path, "sign", job, "--name", "Chen Wei", "--strokes", tmp_path / "strokes.json", "--lang", "en")
    phone(tmp_path, "sync")
    wait(browser, lambda: browser.find_element(By.CSS_SELECTOR, row).get_attribute("data-status") == "completed")
    assert browser.execute_script("return window.sameDocument === true"), "the board reloaded"

    # The visit record: the photo, the verified report that still matches, the signature drawn.
    browser.get(f"{office.url}/jobs/{job}")
    # (A live page may swap its content in at any time: every read looks the element up again.)
    wait(browser, lambda: "relay replaced" in browser.find_element(By.ID, "notes").text)
    wait(browser, lambda: "reached the office" in browser.find_element(By.CSS_SELECTOR, ".timeline").text)
    wait(browser, lambda: browser.execute_script(
        "const i = document.querySelector('.photos img'); return i && i.complete && i.naturalWidth") == 96)
    report = '#reports .report[data-version="1"]'
    wait(browser, lambda: "seal verified" in browser.find_element(By.CSS_SELECTOR, report).text
         and "matches the job" in browser.find_element(By.CSS_SELECTOR, report).text)
    wait(browser, lambda: len(browser.find_elements(By.CSS_SELECTOR, report + " svg.signature polyline")) == 2)

    # The PDF the page offers is the API's, byte for byte.
    href = browser.find_element(By.CSS_SELECTOR, report + " a[download]").get_attribute("href")
    page_sha = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch(arguments[0]).then(r => r.arrayBuffer()).then(b => crypto.subtle.digest('SHA-256', b))
          .then(d => done([...new Uint8Array(d)].map(x => x.toString(16).padStart(2, '0')).join('')));""", href)
    status, pdf = office.api("GET", f"/api/v1/jobs/{job}/reports/1/pdf")
    assert status == 200 and pdf.startswith(b"%PDF")
    assert page_sha == hashlib.sha256(pdf).hexdigest()

    # The visit record updates itself too: the technician adds a note and syncs.
    browser.execute_script("window.sameDocument = true")
    phone(tmp_path, "note", job, "customer asked for a call back")
    phone(tmp_path, "sync")
    wait(browser, lambda: "customer asked for a call back" in browser.find_element(By.ID, "notes").text)
    assert browser.execute_script("return window.sameDocument === true"), "the visit record reloaded"
    wait(browser, lambda: "changed since signed" in browser.find_element(By.CSS_SELECTOR, report).text)

    # A page of the session is not reachable from another browser without logging in.
    other = new_browser()
    try:
        other.get(f"{office.url}/jobs/{job}")
        assert other.current_url.endswith("/login")
    finally:
        other.quit()

    # The phone is lost: dispatch revokes it, and its next sync is refused as revoked.
    browser.get(office.url + "/devices")
    # Anna's phone (other tests enroll phones for other technicians on this office).
    annas = "//tr[td[2][contains(., 'Anna Li') or normalize-space(.)='t1']]//form[@data-confirm]//button"
    wait(browser, lambda: browser.find_element(By.XPATH, annas).click() or True)
    browser.switch_to.alert.accept()
    wait(browser, lambda: "revoked" in browser.find_element(By.CSS_SELECTOR, "tbody").text)
    result = phone(tmp_path, "sync", check=False)
    assert result.returncode != 0
    assert "revoked" in result.stderr, result.stderr


def drag_to(browser, block, lane, hour, grab=5):
    """Drags `block` (held `grab` px inside its left edge) so that its left edge lands on `lane`
    at `hour` (office time, on a day axis); a few px past a quarter, so the rounding shows.
    `block` and `lane` are CSS selectors or elements: with selectors the elements are found
    again if a live redraw replaced them before the drag began."""
    for attempt in range(3):
        try:
            return _drag(browser, find(browser, block), find(browser, lane), hour, grab)
        except StaleElementReferenceException:
            if attempt == 2 or not isinstance(block, str):
                raise
            time.sleep(0.1)


def find(browser, what):
    return browser.find_element(By.CSS_SELECTOR, what) if isinstance(what, str) else what


def _drag(browser, block, lane, hour, grab):
    from selenium.webdriver.common.action_chains import ActionChains
    box = browser.execute_script("const r = arguments[0].getBoundingClientRect(); return [r.left, r.top, r.width, r.height]", lane)
    target_x = box[0] + box[2] * (hour + 2 / 60) / 24 + grab
    target_y = box[1] + box[3] / 2
    start = browser.execute_script("const r = arguments[0].getBoundingClientRect(); return [r.left, r.top + r.height / 2]", block)
    (ActionChains(browser).move_to_element_with_offset(block, -block.size["width"] // 2 + grab, 0)
     .click_and_hold().move_by_offset(10, 0)
     .move_by_offset(int(target_x - start[0] - grab - 10), int(target_y - start[1])).release().perform())


def test_the_day_plan_assigns_from_the_tray_and_unassigns_back_by_drag_and_keyboard(office, browser):
    body = {"id": "J-TRAY", "customer": {"name": "东方医院", "phone": "1"},
            "site": {"address": "1 Tray Lane", "region": "city", "time_zone": "Asia/Shanghai"},
            "problem": "Chiller alarm", "reported_at": "2026-12-06T09:00:00+08:00", "priority": "emergency",
            "scheduled_start": "2026-12-08T10:00:00+08:00", "scheduled_end": "2026-12-08T11:00:00+08:00"}
    assert office.api("POST", "/api/v1/jobs", body)[0] == 201
    log_in(browser, office)
    browser.get(office.url + "/timeline?day=2026-12-08")
    tray = '.tl-row[data-technician=""] '

    def job():
        j = json.loads(office.api("GET", "/api/v1/jobs/J-TRAY")[1])
        return j["technician"], j["status"], j["scheduled_start"], j["scheduled_end"]

    def where(row):
        return f'.tl-row[data-technician="{row}"] .tl-block[data-job="J-TRAY"]'
    # An emergency is red and says so in words, not by colour alone.
    block = browser.find_element(By.CSS_SELECTOR, tray + '[data-job="J-TRAY"]')
    # (The word comes right after the id; a one-hour block at this width has room for the id.)
    assert "Emergency" in block.get_attribute("aria-label") and "Emergency" in block.get_attribute("textContent")
    assert block.value_of_css_property("border-left-color") in ("rgba(176, 0, 32, 1)", "rgb(176, 0, 32)")
    word = block.find_element(By.CSS_SELECTOR, ".prio-word")
    assert word.value_of_css_property("color") in ("rgba(176, 0, 32, 1)", "rgb(176, 0, 32)")
    # From the tray to Anna at 14:00 office time: assigned, the start in the office zone.
    drag_to(browser, tray + '[data-job="J-TRAY"]', '.tl-row[data-technician="t1"] .tl-lane', 14)
    wait(browser, lambda: job() == ("t1", "assigned", "2026-12-08T06:00:00Z", "2026-12-08T07:00:00Z"))
    wait(browser, lambda: browser.find_elements(By.CSS_SELECTOR, where("t1")))
    # And back onto the tray at 09:00: nobody's, new again.
    drag_to(browser, where("t1"), tray + ".tl-lane", 9)
    wait(browser, lambda: job() == (None, "new", "2026-12-08T01:00:00Z", "2026-12-08T02:00:00Z"))
    wait(browser, lambda: browser.find_elements(By.CSS_SELECTOR, where("")))
    # Undo returns it to Anna at 14:00.
    wait(browser, lambda: browser.find_element(By.ID, "undo-move").is_displayed())
    browser.find_element(By.ID, "undo-move").click()
    wait(browser, lambda: job() == ("t1", "assigned", "2026-12-08T06:00:00Z", "2026-12-08T07:00:00Z"))

    # The keyboard does the same: to the tray, then to Anna at 14:00 again.
    move = "#move-form "
    for technician, hour, expected in [("", "09", None), ("t1", "14", "t1")]:
        browser.get(office.url + "/timeline?day=2026-12-08")
        Select(browser.find_element(By.CSS_SELECTOR, move + 'select[name="job"]')).select_by_value("J-TRAY")
        Select(browser.find_element(By.CSS_SELECTOR, move + 'select[name="technician"]')).select_by_value(technician)
        for name, value in [("scheduled_start", f"2026-12-08T{hour}:00"), ("scheduled_end", f"2026-12-08T{int(hour) + 1:02}:00")]:
            browser.execute_script("arguments[0].value = arguments[1]",
                                   browser.find_element(By.CSS_SELECTOR, move + f'input[name="{name}"]'), value)
        browser.find_element(By.CSS_SELECTOR, move + "button").click()
        utc = f"2026-12-08T{int(hour) - 8:02}:00:00Z"
        wait(browser, lambda: job()[0] == expected and job()[2] == utc)
        wait(browser, lambda: browser.find_elements(By.CSS_SELECTOR, where(expected or "")))


def test_a_change_elsewhere_redraws_only_its_job_on_the_open_day_plan(office, browser):
    body = {"id": "J-LIVE", "technician": "t1", "customer": {"name": "Quay Bakery", "phone": "1"},
            "site": {"address": "5 Quay Road", "region": "city", "time_zone": "Asia/Shanghai"},
            "problem": "Oven fan", "reported_at": "2026-12-06T09:00:00+08:00",
            "scheduled_start": "2026-12-09T10:00:00+08:00", "scheduled_end": "2026-12-09T11:00:00+08:00"}
    assert office.api("POST", "/api/v1/jobs", body)[0] == 201
    log_in(browser, office)
    browser.get(office.url + "/timeline?day=2026-12-09")
    wait(browser, lambda: browser.find_element(By.ID, "live").is_displayed())
    # A mark on the page that a whole-page refresh would wipe, and the focus on the job's block.
    browser.execute_script("document.querySelector('.tl-head').dataset.mark = 'kept'")
    browser.execute_script("document.querySelector('.tl-block[data-job=\"J-LIVE\"]').focus()")
    # Another dispatcher (the API) takes it back to the tray and moves it to 15:00.
    assert office.api("PATCH", "/api/v1/jobs/J-LIVE", {"technician": None, "scheduled_start": "2026-12-09T15:00:00+08:00",
                                                       "scheduled_end": "2026-12-09T16:00:00+08:00"})[0] == 200
    tray = '.tl-row[data-technician=""] .tl-block[data-job="J-LIVE"]'
    wait(browser, lambda: "15:00–16:00" in browser.find_element(By.CSS_SELECTOR, tray).get_attribute("aria-label"))
    assert not browser.find_elements(By.CSS_SELECTOR, '.tl-row[data-technician="t1"] [data-job="J-LIVE"]')
    assert len(browser.find_elements(By.CSS_SELECTOR, '[data-deadline="J-LIVE"]')) <= 1
    assert browser.execute_script("return document.querySelector('.tl-head').dataset.mark") == "kept", "the page was re-fetched whole"
    assert browser.switch_to.active_element.get_attribute("data-job") == "J-LIVE", "the focus stays on the moved block"
    assert "J-LIVE" in browser.find_element(By.ID, "announce").get_attribute("textContent")


def test_the_stock_page_sends_the_proposed_transfer_and_receives_stock(office, browser):
    for body in [{"id": "W-B", "kind": "warehouse", "region": "east"},
                 {"id": "V-B", "kind": "van", "technicians": ["t1"], "region": "east"}]:
        assert office.api("POST", "/api/v1/locations", body)[0] == 201
    assert office.api("POST", "/api/v1/parts", {"sku": "FAN-B", "name": {"zh-CN": "风扇", "en": "Browser fan"},
                                                "unit": "pcs", "unit_price": 4500, "serialised": False})[0] == 201
    assert office.api("POST", "/api/v1/stock/movements",
                      {"kind": "receipt", "to": "W-B", "lines": [{"sku": "FAN-B", "qty": 10}]})[0] == 201
    assert office.api("POST", "/api/v1/stock/limits", {"location": "V-B", "sku": "FAN-B", "min": 2, "max": 5})[0] == 200
    log_in(browser, office)
    browser.get(office.url + "/stock?location=V-B")
    row = browser.find_element(By.CSS_SELECTOR, '#levels tr[data-sku="FAN-B"]')
    assert "Browser fan" in row.text and "Low" in row.text, row.text

    def levels(place):
        answer = json.loads(office.api("GET", f"/api/v1/stock/levels?location={place}")[1])
        return {l["sku"]: (l["qty"], l["in_transit"]) for l in answer["levels"]}

    # The proposal (up to the maximum) goes out as one transfer from the region's warehouse.
    qty = browser.find_element(By.CSS_SELECTOR, '#replenishment input[name="lines.0.qty"]')
    assert qty.get_attribute("value") == "5"
    browser.find_element(By.CSS_SELECTOR, "#replenishment button").click()
    wait(browser, lambda: levels("V-B").get("FAN-B") == (0, 5))
    assert levels("W-B")["FAN-B"] == (5, 0)
    wait(browser, lambda: "In transit" in browser.find_element(By.ID, "levels").text
         and browser.find_element(By.CSS_SELECTOR, '#levels tr[data-sku="FAN-B"]').text.split()[-1] != "Low")

    # Stock into the warehouse: a negative quantity is refused beside the form, nothing changes.
    browser.get(office.url + "/stock?location=W-B")
    form = "#receive form "
    Select(browser.find_element(By.CSS_SELECTOR, form + 'select[name="lines.0.sku"]')).select_by_value("FAN-B")
    browser.find_element(By.CSS_SELECTOR, form + 'input[name="lines.0.qty"]').send_keys("-3")
    browser.find_element(By.CSS_SELECTOR, form + "button").click()
    wait(browser, lambda: browser.find_element(By.CSS_SELECTOR, form + ".form-error").text != "")
    assert levels("W-B")["FAN-B"] == (5, 0)
    qty = browser.find_element(By.CSS_SELECTOR, form + 'input[name="lines.0.qty"]')
    qty.clear()
    qty.send_keys("7")
    browser.find_element(By.CSS_SELECTOR, form + "button").click()
    wait(browser, lambda: levels("W-B")["FAN-B"] == (12, 0))
    wait(browser, lambda: "12 pcs" in browser.find_element(By.CSS_SELECTOR, '#levels tr[data-sku="FAN-B"]').text)
    # The movements list says what happened, in words.
    assert "Receipt" in browser.find_element(By.ID, "movements").text


def test_pages_left_behind_keep_no_connection_so_the_next_page_loads(office, browser):
    # Each live page holds an event stream. Before the fix a page left for another kept its
    # stream (the back/forward cache), and after six of them the browser had no connection left
    # to the office: the next page hung for a minute.
    log_in(browser, office)
    browser.set_page_load_timeout(20)
    for path in ["/board", "/timeline", "/service", "/stock", "/devices", "/board", "/service", "/jobs/new", "/board"]:
        browser.get(office.url + path)
        assert browser.find_elements(By.TAG_NAME, "h1"), path


def test_jobs_imported_from_a_csv_file_come_back_in_the_xlsx_export(office, browser, tmp_path):
    import datetime
    import io

    import openpyxl

    log_in(browser, office)
    browser.get(office.url + "/jobs/new")
    browser.find_element(By.ID, "to-import").click()
    wait(browser, lambda: browser.current_url.endswith("/jobs/import"))
    csv = tmp_path / "erp.csv"
    csv.write_text(
        "id,customer,phone,address,region,time_zone,problem,priority,technician\n"
        "XL-1,Harbour Clinic,+86 21 5555 0100,88 Quay Road,city,Asia/Shanghai,Chiller trips,high,t1\n"
        "XL-2,外滩酒店,+86 21 6666 0200,外滩 1 号,city,Asia/Shanghai,电梯异响,normal,nobody\n",
        encoding="utf-8")
    # A picked file is read into the form; the preview says which row cannot be taken.
    browser.find_element(By.ID, "import-file").send_keys(str(csv))
    wait(browser, lambda: "XL-2" in browser.find_element(By.ID, "import-csv").get_attribute("value"))
    browser.find_element(By.CSS_SELECTOR, 'button[value="preview"]').click()
    wait(browser, lambda: browser.find_elements(By.CSS_SELECTOR, 'tr[data-line="3"].import-error'))
    assert "no technician nobody" in browser.find_element(By.CSS_SELECTOR, 'tr[data-line="3"]').text
    assert office.api("GET", "/api/v1/jobs/XL-1")[0] == 404, "a preview stores nothing"
    # Fixed in the box and imported.
    box = browser.find_element(By.ID, "import-csv")
    fixed = box.get_attribute("value").replace("nobody", "t1")
    box.clear()
    box.send_keys(fixed)
    browser.find_element(By.CSS_SELECTOR, 'button[value="import"]').click()
    wait(browser, lambda: "2 jobs imported." in browser.find_element(By.ID, "import-notice").text)

    # The Service page's export of the period, opened as a spreadsheet.
    today = datetime.date.today()
    period = f"from={today - datetime.timedelta(days=1)}&to={today + datetime.timedelta(days=1)}"
    browser.get(office.url + "/service?" + period)
    link = browser.find_element(By.CSS_SELECTOR, 'a[href*="/api/v1/export/jobs"][href$="format=xlsx"]')
    status, body = office.api("GET", link.get_attribute("href").removeprefix(office.url))
    assert status == 200
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    assert sheet.title == "Jobs"
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["id", "status", "priority", "kind", "technician"]
    assert sheet["A1"].font.bold
    rows = {r[0]: dict(zip(header, r)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["XL-1"]["customer"] == "Harbour Clinic"
    assert rows["XL-2"]["customer"] == "外滩酒店"
    assert rows["XL-2"]["technician"] == "t1"
    assert rows["XL-1"]["priority"] == "high"
