#!/usr/bin/env python3
"""Loads a `waku run --format html` report in headless Chromium and checks what a reader would see.

    python3 tools/browser-check.py REPORT.html [--min-charts N] [--min-rows N] [--min-chart-text PX] [--filter WORD]
                                   [--screenshots DIR]

It starts chromedriver, opens one WebDriver session and loads the file, then fails (exit 1) if
  - the browser logged any SEVERE entry (a script error, a blocked request, a broken resource);
  - the page asked for anything over the network: every request Chromium made (its network log)
    must be the report's own file: URL or a data: URL, and the page's resource timing list must be
    empty;
  - fewer than --min-charts inline SVG charts are drawn (each with bars, text and a real size);
  - any chart text is drawn smaller than --min-chart-text pixels (default 12) in the 1280 px wide
    window — its font size times the SVG's scale on screen, as a projector would show it — or
    reaches outside its chart (cut off);
  - the program table has fewer than --min-rows rows, or its search box does not filter them.
With --screenshots DIR it also saves a PNG of each section, for a person to look at.

Python 3 standard library only; Chromium and chromedriver from Debian (`chromium`, `chromium-driver`).
"""

import argparse
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,2000",
]

PROBE = """
const charts = [...document.querySelectorAll('figure.chart svg')];
const drawn = charts.filter(s => {
  const box = s.getBoundingClientRect();
  return s.querySelectorAll('rect').length > 1 && s.querySelectorAll('text').length > 0
    && box.width > 200 && box.height > 50;
});
// Every chart label as drawn: its font size in the SVG times the SVG's scale on the screen.
const texts = [...document.querySelectorAll('figure.chart svg text')].filter(t => t.textContent.trim());
const scale = m => Math.hypot(m.a, m.b);  // rotated axis titles too
const sized = texts.map(t => ({
  text: t.textContent.trim(),
  px: parseFloat(getComputedStyle(t).fontSize) * scale(t.getScreenCTM()),
}));
const smallest = sized.reduce((m, t) => (m === null || t.px < m.px ? t : m), null);
const cut = texts.filter(t => {
  const b = t.getBoundingClientRect(), s = t.ownerSVGElement.getBoundingClientRect();
  return b.left < s.left - 1 || b.right > s.right + 1 || b.top < s.top - 1 || b.bottom > s.bottom + 1;
}).map(t => t.textContent.trim());
const table = document.getElementById('program-table');
return {
  title: document.title,
  charts: charts.length,
  drawn: drawn.length,
  rows: table ? table.tBodies[0].rows.length : 0,
  chart_texts: sized.length,
  smallest_text: smallest,
  cut_texts: cut,
  search_visible: !document.getElementById('program-search').hidden,
  resources: performance.getEntriesByType('resource').map(e => e.name),
  external: [...document.querySelectorAll('[src], link[href]')]
    .map(e => e.getAttribute('src') || e.getAttribute('href'))
    .filter(u => !u.startsWith('data:') && !u.startsWith('#')),
};
"""

FILTER = """
const input = document.getElementById('program-query');
input.value = arguments[0];
input.dispatchEvent(new Event('input'));
const rows = [...document.getElementById('program-table').tBodies[0].rows];
const shown = rows.filter(r => !r.hidden).length;
input.value = '';
input.dispatchEvent(new Event('input'));
return {shown: shown, all: rows.filter(r => !r.hidden).length, count: document.getElementById('program-count').textContent};
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def which(env, *names):
    if os.environ.get(env):
        return os.environ[env]
    for n in names:
        p = shutil.which(n)
        if p:
            return p
    sys.exit(f"browser-check: none of {', '.join(names)} found (Debian: apt-get install chromium chromium-driver)")


class Driver:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.session = None

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return json.loads(r.read().decode())["value"]
        except urllib.error.HTTPError as e:
            sys.exit(f"browser-check: WebDriver {method} {path} failed: {e.read().decode()[:2000]}")

    def s(self, method, path, body=None):
        return self.call(method, f"/session/{self.session}{path}", body)

    def script(self, source, *args):
        return self.s("POST", "/execute/sync", {"script": source, "args": list(args)})

    def logs(self):
        """The session's console log and network log."""
        return self.s("POST", "/se/log", {"type": "browser"}), self.s("POST", "/se/log", {"type": "performance"})

    def close(self):
        if self.session:
            try:
                self.s("DELETE", "")
            except SystemExit:
                pass

    def open_session(self, chromium, profile, prefs=None):
        """Waits for chromedriver, then opens a headless Chromium session that logs the console
        and the network (tools/serve-check.py uses it too, with download `prefs`)."""
        for _ in range(100):
            try:
                if self.call("GET", "/status").get("ready"):
                    break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            time.sleep(0.1)
        else:
            sys.exit("browser-check: chromedriver did not start")
        options = {
            "binary": chromium,
            "args": FLAGS + [f"--user-data-dir={profile}"],
            "perfLoggingPrefs": {"enableNetwork": True, "enablePage": False},
        }
        if prefs:
            options["prefs"] = prefs
        caps = {
            "browserName": "chrome",
            "goog:chromeOptions": options,
            "goog:loggingPrefs": {"browser": "ALL", "performance": "ALL"},
        }
        self.session = self.call("POST", "/session", {"capabilities": {"alwaysMatch": caps}})["sessionId"]


def console_check(browser_log):
    """Prints the browser's log; the check fails on any SEVERE entry (a script error, a blocked request)."""
    severe = []
    for entry in browser_log:
        print(f"  browser log {entry.get('level')}: {entry.get('message')}")
        if entry.get("level") == "SEVERE":
            severe.append(entry.get("message"))
    return ("no console errors", f"console errors: {severe}" if severe else None)


def requested_urls(perf_log):
    """Every URL the tab asked for, from Chromium's network (performance) log."""
    requests = []
    for entry in perf_log:
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            requests.append(msg["params"]["request"]["url"])
    return requests


def verdict(tool, checks):
    """Prints each (what, failure or None) check and the count; the exit code: 1 if any failed."""
    for what, failure in checks:
        print(f"  {'FAIL: ' + what + ': ' + failure if failure else 'ok: ' + what}")
    failed = sum(1 for _, failure in checks if failure)
    print(f"{tool}: {len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("report")
    ap.add_argument("--min-charts", type=int, default=1)
    ap.add_argument("--min-rows", type=int, default=1)
    ap.add_argument("--min-chart-text", type=float, default=12.0, metavar="PX",
                    help="the smallest chart text allowed, in CSS pixels at 1280 px wide (default 12)")
    ap.add_argument("--filter", default="縮小", help="a word the search must narrow the table to (default 縮小)")
    ap.add_argument("--screenshots", metavar="DIR")
    args = ap.parse_args()

    report = os.path.abspath(args.report)
    if not os.path.isfile(report):
        sys.exit(f"browser-check: no such file: {report}")
    url = "file://" + report
    chromium = which("CHROMIUM", "chromium", "chromium-browser", "google-chrome")
    chromedriver = which("CHROMEDRIVER", "chromedriver")

    profile = tempfile.mkdtemp(prefix="waku-browser-check-")
    port = free_port()
    proc = subprocess.Popen([chromedriver, f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    d = Driver(port)
    try:
        d.open_session(chromium, profile)
        d.s("POST", "/url", {"url": url})
        for _ in range(100):
            if d.script("return document.readyState;") == "complete":
                break
            time.sleep(0.1)
        page = d.script(PROBE)
        filtered = d.script(FILTER, args.filter) if page["search_visible"] else None

        if args.screenshots:
            os.makedirs(args.screenshots, exist_ok=True)
            boxes = d.script(
                "return [...document.querySelectorAll('header, main > section')].map(e => {"
                " const r = e.getBoundingClientRect();"
                " return {x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height}; });"
            )
            for i, box in enumerate(boxes):
                clip = dict(box, scale=1)
                shot = d.s("POST", "/goog/cdp/execute", {
                    "cmd": "Page.captureScreenshot",
                    "params": {"format": "png", "captureBeyondViewport": True, "clip": clip},
                })
                path = os.path.join(args.screenshots, f"section-{i:02d}.png")
                with open(path, "wb") as fh:
                    fh.write(base64.b64decode(shot["data"]))

        browser_log, perf_log = d.logs()
    finally:
        d.close()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)

    checks = [console_check(browser_log)]  # (what, failure or None)
    requests = requested_urls(perf_log)
    # The tab opens on Chromium's own new-tab page (chrome:// URLs) before it loads the report.
    outside = [r for r in requests if r != url and not r.startswith(("data:", "chrome:", "chrome-untrusted:"))]
    checks.append(("no network requests", f"requests beyond the file itself: {outside}" if outside else None))
    checks.append(("no resources loaded",
                   f"resources loaded: {page['resources']}" if page["resources"] else None))
    checks.append(("nothing points outside the file",
                   f"elements pointing outside: {page['external']}" if page["external"] else None))
    checks.append((f"at least {args.min_charts} charts drawn",
                   None if page["drawn"] >= args.min_charts
                   else f"{page['drawn']} charts drawn ({page['charts']} svg), expected at least {args.min_charts}"))
    small = page["smallest_text"]
    checks.append((f"chart text at least {args.min_chart_text:g} px",
                   None if small and small["px"] >= args.min_chart_text
                   else f"chart text {small['px']:.1f} px ({small['text']!r}), expected at least {args.min_chart_text:g}"
                   if small else "no chart text found"))
    checks.append(("no chart text cut off",
                   f"chart texts reach outside their chart: {page['cut_texts'][:5]}" if page["cut_texts"] else None))
    checks.append((f"at least {args.min_rows} program rows",
                   None if page["rows"] >= args.min_rows
                   else f"program table has {page['rows']} rows, expected at least {args.min_rows}"))
    if not page["search_visible"]:
        search = "the program search box is not shown (did the inline script run?)"
    elif not (0 < filtered["shown"] < page["rows"]) or filtered["all"] != page["rows"]:
        search = f"filtering by {args.filter} showed {filtered['shown']} of {page['rows']} rows, then {filtered['all']}"
    else:
        search = None
    checks.append((f"the search narrows the table to {args.filter}", search))

    print(f"browser-check {args.report}: title {page['title']!r}")
    if small:
        print(f"  chart text: {page['chart_texts']} labels, the smallest {small['px']:.1f} px ({small['text']!r})")
    print(f"  charts drawn {page['drawn']} of {page['charts']}; program rows {page['rows']}; "
          f"filter {args.filter} → {filtered['shown'] if filtered else '-'} rows; "
          f"requests {len([r for r in requests if r == url])} (the file itself)")
    return verdict("browser-check", checks)


if __name__ == "__main__":
    sys.exit(main())
