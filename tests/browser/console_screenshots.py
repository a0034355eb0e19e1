"""The README's pictures of the dispatch console (scripts/console-screenshots.sh): the demo
server on a temporary data directory, its printed login, headless Chromium at 1280 x 900."""

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from test_console import SERVER, free_port, new_browser, wait
from selenium.webdriver.common.by import By

OUT = Path(sys.argv[1])


def main():
    with tempfile.TemporaryDirectory() as data:
        url = f"http://127.0.0.1:{free_port()}"
        proc = subprocess.Popen([SERVER, "serve", "--demo", "--data", data, "--listen", url[7:]],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        printed = ""
        while "listening on" not in printed:
            printed += proc.stdout.readline()
        password = re.search(r"console login: dispatch / (\S+)", printed).group(1)
        b = new_browser()
        try:
            b.set_window_size(1280, 900)
            b.get(url + "/login")
            b.find_element(By.NAME, "name").send_keys("dispatch")
            b.find_element(By.NAME, "password").send_keys(password)
            b.find_element(By.CSS_SELECTOR, "form.login button").click()
            wait(b, lambda: b.current_url.endswith("/timeline"))
            for name, path, height in [("console-board", "/board", 900), ("console-job", "/jobs/J-1007", 2300),
                                       ("console-service", "/service", 1000), ("console-timeline", "/timeline", 700),
                                       ("console-stock", "/stock", 1500)]:
                b.set_window_size(1280, height)
                b.get(url + path)
                time.sleep(1.0)  # the PDF frame and the photos
                b.save_screenshot(str(OUT / f"{name}.png"))
            b.set_window_size(1280, 900)
            b.get(url + "/lang/zh-CN")
            b.get(url + "/board")
            b.save_screenshot(str(OUT / "console-board-zh.png"))
        finally:
            b.quit()
            proc.terminate()


if __name__ == "__main__":
    main()
