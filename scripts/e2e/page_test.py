#!/usr/bin/env python3
"""End-to-end test of the web page in a real browser (headless Chromium over the DevTools protocol).

Run against a running server (scripts/e2e/run.sh starts one with the demo models and runs this):
    python3 -m venv .venv && .venv/bin/pip install -r scripts/e2e/requirements.txt
    .venv/bin/python scripts/e2e/page_test.py --url http://127.0.0.1:18080 [--screenshot out.png]

It checks that the style sheet applies, types a text and checks the label, the confidence bar, the scores and the
token shading; uploads a CSV and checks the table rows, labels, sorting, filtering, the summary and the histogram;
clicks Download and checks the CSV file; and that the content security policy blocked nothing and no script failed. Expected labels come from the server's own /v1/classify for the same texts, so the test holds for any
model; --expect-label additionally pins the typed text's label. Loopback only; every wait is bounded.
"""
import argparse
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket  # websocket-client

HERE = os.path.dirname(os.path.abspath(__file__))


class Browser:
    """Headless Chromium and one page, driven with DevTools protocol commands over its WebSocket."""

    def __init__(self, chromium, width=1280, height=1500):
        self.profile = tempfile.mkdtemp(prefix="e2e-chromium-")
        self.process = subprocess.Popen(
            [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-dev-shm-usage", "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
             f"--user-data-dir={self.profile}", f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        url = None
        deadline = time.time() + 30
        while time.time() < deadline and url is None:  # Chromium prints its WebSocket address on stderr
            line = self.process.stderr.readline()
            if not line and self.process.poll() is not None:
                break
            if "DevTools listening on" in line:
                url = line.strip().split(" ")[-1]
        if url is None:
            self.close()
            raise RuntimeError("Chromium did not start (is the Debian package `chromium` installed?)")
        self.ws = websocket.create_connection(url, timeout=30, suppress_origin=True)
        self.next_id = 0
        self.events = []
        self.session = None
        self.width, self.height = width, height

    def call(self, method, params=None, session=True, timeout=30):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        self.ws.send(json.dumps(message))
        deadline = time.time() + timeout
        while time.time() < deadline:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)
        raise TimeoutError(method)

    def open(self, url):
        target = self.call("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True}, session=False)["sessionId"]
        self.call("Page.enable")
        self.call("Runtime.enable")
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False})
        # Record what the page's content security policy blocks (DevTools scripts are exempt from it).
        self.call("Page.addScriptToEvaluateOnNewDocument", {"source":
                  "window.__cspViolations = []; document.addEventListener('securitypolicyviolation',"
                  " (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"})
        self.call("Page.navigate", {"url": url})

    def js(self, expression):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, timeout=20, what=None):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = self.js(expression)
            if value:
                return value
            time.sleep(0.1)
        raise TimeoutError(what or expression)

    def click(self, selector):
        """A real mouse click at the element's centre."""
        box = self.js(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.scrollIntoView({{block: 'center'}});"
                      " const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", {"type": kind, "x": box[0], "y": box[1], "button": "left", "clickCount": 1})

    def type_into(self, selector, text):
        self.js(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.value = ''; e.focus(); }})()")
        self.call("Input.insertText", {"text": text})

    def screenshot(self, path):
        height = int(self.js("document.querySelector('main').getBoundingClientRect().bottom + window.scrollY + 16"))
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": self.width, "height": max(height, 600), "deviceScaleFactor": 1, "mobile": False})
        self.js("window.scrollTo(0, 0)")
        time.sleep(0.3)
        import base64
        data = self.call("Page.captureScreenshot", {"format": "png"})["data"]
        with open(path, "wb") as out:
            out.write(base64.b64decode(data))

    def close(self):
        try:
            if getattr(self, "ws", None):
                self.ws.close()
        finally:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            shutil.rmtree(self.profile, ignore_errors=True)


def classify_directly(base, texts):
    """The server's own answer, to compare the page against."""
    request = urllib.request.Request(base + "/v1/classify", data=json.dumps({"texts": texts}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return [r["label"] for r in json.load(response)["results"]]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:18080")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    parser.add_argument("--text", default="I loved this film: wonderful acting and a brilliant ending.")
    parser.add_argument("--expect-label", default="positive", help="label expected for --text ('' to skip)")
    parser.add_argument("--csv", default=os.path.join(HERE, "sample_reviews.csv"))
    parser.add_argument("--screenshot", help="write a PNG of the page after the checks")
    args = parser.parse_args()
    host = args.url.split("//", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0]
    if host not in ("127.0.0.1", "localhost", "[::1]"):
        sys.exit("loopback URLs only")

    passed = []
    def check(condition, what):
        if not condition:
            raise AssertionError(what)
        passed.append(what)
        print("ok  ", what)

    browser = Browser(args.chromium)
    downloads = tempfile.mkdtemp(prefix="e2e-downloads-")
    try:
        browser.call("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads}, session=False)
        browser.open(args.url + "/")
        browser.wait_for("document.getElementById('status') && document.getElementById('status').textContent === 'ready'",
                         what="page says ready")
        check(True, "page loaded and found a classifier")
        # A violation from parsing the page (e.g. an inline style attribute) is recorded at once: check it first.
        early = browser.js("window.__cspViolations")
        check(early == [], f"the page loads without content-security-policy violations {early or ''}")
        check(browser.js("getComputedStyle(document.getElementById('threshold')).width") == "80px"
              and browser.js("getComputedStyle(document.body).backgroundColor") == "rgb(246, 247, 249)",
              "style sheet applied (/style.css)")

        # --- one text, typed ---
        browser.type_into("#text", args.text)
        browser.click("#classify")
        label = browser.wait_for("document.getElementById('label').textContent", what="label appears")
        expected = classify_directly(args.url, [args.text])[0]
        check(label == expected, f"typed text labelled {label!r} (server says {expected!r})")
        if args.expect_label:
            check(label.lower() == args.expect_label.lower(), f"label is {args.expect_label!r}")
        bar = browser.js("document.getElementById('confidence-bar').style.width")
        check(bar.endswith("%") and float(bar[:-1]) > 0, f"confidence bar drawn ({bar})")
        scores = browser.js("document.querySelectorAll('#scores .name').length")
        check(scores >= 2, f"{scores} class scores shown")
        shaded = browser.js("Array.from(document.querySelectorAll('#tokens span.tok')).map(s => s.textContent)")
        check(len(shaded) > 0 and "".join(shaded).replace(" ", "") in args.text.replace(" ", "")
              or all(s in args.text for s in shaded), f"{len(shaded)} tokens shaded")
        check(browser.js("document.getElementById('tokens').textContent") == args.text, "shaded text reads as typed")

        # --- a file ---
        with open(args.csv, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        texts = [r.get("review") or r.get("text") for r in rows]
        document = browser.call("DOM.getDocument")
        node = browser.call("DOM.querySelector", {"nodeId": document["root"]["nodeId"], "selector": "#file"})["nodeId"]
        browser.call("DOM.setFileInputFiles", {"nodeId": node, "files": [os.path.abspath(args.csv)]})
        browser.wait_for("document.getElementById('progress').textContent.startsWith('done')", what="file classified")
        table = browser.js("Array.from(document.querySelectorAll('#results tbody tr')).map(tr => Array.from(tr.cells).map(c => c.textContent))")
        check(len(table) == len(rows), f"table has {len(table)} rows for {len(rows)} CSV rows")
        expected_labels = classify_directly(args.url, texts)
        check([r[1] for r in table] == texts, "table texts match the CSV's text column (quotes, commas handled)")
        check([r[2] for r in table] == expected_labels, f"table labels match the server: {expected_labels}")
        counts = browser.js("Object.fromEntries(Array.from(document.querySelectorAll('#summary .count')).map(d => [d.dataset.name, Number(d.firstChild.textContent)]))")
        check(counts.get("texts") == len(rows), f"summary counts {counts}")
        check(all(counts.get(l, 0) == expected_labels.count(l) for l in set(expected_labels)), "per-label counts right")
        check(browser.js("document.querySelectorAll('#histogram rect').length") > 0, "histogram drawn")

        browser.click("#results th[data-key=score]")
        browser.click("#results th[data-key=score]")  # second click: descending
        shown = browser.js("Array.from(document.querySelectorAll('#results tbody tr')).map(tr => parseFloat(tr.cells[3].textContent))")
        check(shown == sorted(shown, reverse=True), "sorting by confidence (descending)")
        first_label = expected_labels[0]
        browser.js(f"(() => {{ const s = document.getElementById('filter-label'); s.value = {json.dumps(first_label)}; s.dispatchEvent(new Event('change')); }})()")
        filtered = browser.js("Array.from(document.querySelectorAll('#results tbody tr')).map(tr => tr.cells[2].textContent)")
        check(filtered == [first_label] * expected_labels.count(first_label), f"filter by label {first_label!r}")
        browser.js("(() => { const s = document.getElementById('filter-label'); s.value = ''; s.dispatchEvent(new Event('change')); })()")
        flagged = browser.js("document.querySelectorAll('#results tbody tr.flagged').length")
        check(flagged >= 0, f"{flagged} rows flagged for review")

        # --- download ---
        browser.click("#download")
        deadline, found = time.time() + 20, None
        while time.time() < deadline and not found:
            done = [f for f in os.listdir(downloads) if f.endswith(".csv")]
            found = os.path.join(downloads, done[0]) if done else None
            time.sleep(0.1)
        check(found is not None, f"download saved {os.path.basename(found or '-')}")
        with open(found, newline="", encoding="utf-8") as f:
            downloaded = list(csv.DictReader(f))
        check(len(downloaded) == len(rows), f"download has {len(downloaded)} rows")
        check([d["text"] for d in downloaded] == texts and [d["label"] for d in downloaded] == expected_labels,
              "download texts and labels match")
        check(all(0 <= float(d["score"]) <= 1 for d in downloaded) and "needs_review" in downloaded[0],
              "download has scores and review flags")

        violations = browser.js("window.__cspViolations")
        check(violations == [], f"nothing blocked by the content security policy {violations or ''}")
        errors = [e["params"]["exceptionDetails"].get("text") for e in browser.events if e.get("method") == "Runtime.exceptionThrown"]
        check(errors == [], f"no script errors {errors or ''}")

        if args.screenshot:
            browser.js("document.getElementById('text').value = " + json.dumps(args.text))
            browser.screenshot(args.screenshot)
            print("screenshot:", args.screenshot)
    finally:
        browser.close()
        shutil.rmtree(downloads, ignore_errors=True)
    print(f"{len(passed)} passed, 0 failed")


if __name__ == "__main__":
    try:
        main()
    except (AssertionError, TimeoutError, RuntimeError) as error:
        print("FAIL", error)
        print("0 passed, 1 failed")
        sys.exit(1)
