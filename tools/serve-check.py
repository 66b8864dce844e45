#!/usr/bin/env python3
"""Drives the `waku serve` workbench in headless Chromium as a budget officer would.

    python3 tools/serve-check.py WAKU_BINARY [--keep DIR]

It copies scenarios/ and rules/ to a temporary folder, starts `WAKU_BINARY serve <copy>/scenarios
--port 0`, opens the address it prints through chromedriver, and fails (exit 1) unless
  - the summary shows the envelopes, key figures, limits and fiscal indicators;
  - setting revenue to -3% in the what-if panel changes the envelopes and lists the programs moved,
    with every reconciliation identity holding;
  - a decision with a reason recorded on the 財政課査定 stage is written into the stage file (the
    file changes as `waku decide` writes it);
  - the xlsx download arrives as a workbook;
  - the browser logged no console error (SEVERE), and no request left the server (Chromium's
    network log: every request is to the server's own address, or a data:/blob: URL).

Python 3 standard library only; Chromium and chromedriver from Debian (`chromium`, `chromium-driver`).
The WebDriver plumbing and the console, network and verdict checks are tools/browser-check.py's.
"""

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
spec = importlib.util.spec_from_file_location("browser_check", os.path.join(HERE, "browser-check.py"))
bc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bc)

STAGE = "kitakyushu-r8-cycle/02-finance.toml"
REASON = "延長保育の利用実績で精査（ブラウザからの査定 serve-check）"


def wait(d, condition, what, timeout=120.0, *args):
    """Polls a JavaScript expression until it is truthy; fails with `what` on timeout."""
    end = time.time() + timeout
    while time.time() < end:
        v = d.script("return (" + condition + ");", *args)
        if v:
            return v
        time.sleep(0.2)
    raise Failure(f"timed out waiting for {what}")


class Failure(Exception):
    pass


def text(d, selector):
    return d.script("const e = document.querySelector(arguments[0]); return e ? e.textContent : null;", selector)


def need(d, selector):
    """The element must exist: the check fails when the page no longer has it."""
    if not d.script("return !!document.querySelector(arguments[0]);", selector):
        raise Failure(f"the page has no element {selector}")


def set_value(d, selector, value, event="input"):
    need(d, selector)
    d.script(
        "const e = document.querySelector(arguments[0]); e.value = arguments[1];"
        " e.dispatchEvent(new Event(arguments[2], {bubbles: true}));",
        selector, value, event,
    )


def rows(d, selector):
    need(d, selector)
    return d.script("return document.querySelector(arguments[0]).tBodies[0].rows.length;", selector)


def steps(d, url, served, downloads, checks):
    d.s("POST", "/url", {"url": url})
    wait(d, "document.body && document.body.dataset.ready === '1'", "the page to load the scenario and stages")
    err = d.script("const e = document.getElementById('error'); return e && !e.hidden ? e.textContent : '';")
    if err:
        raise Failure(f"the page shows an error: {err}")

    # The summary.
    n = rows(d, "#envelopes")
    figures = text(d, "#figures") or ""
    checks.append(("summary: envelopes and key figures",
                   None if n >= 10 and "配分可能な一般財源" in figures and "市長調整枠" in figures
                   else f"{n} envelope rows; figures {figures[:200]!r}"))
    checks.append(("summary: limits and fiscal indicators",
                   None if rows(d, "#limits") > 0 and rows(d, "#indicators") > 0 else "no limits or indicators"))

    # What-if: revenue -3%.
    wait(d, "document.querySelector('#wi-status').textContent.includes('ms')", "the first what-if")
    before = text(d, "#wi-envelopes")
    moved_before = rows(d, "#wi-diff")
    set_value(d, "#wi-revenue", "-3")
    wait(d, "document.querySelector('#wi-status').textContent.includes('revenue.general_revenue=-3%')",
         "the what-if on revenue -3%")
    after = text(d, "#wi-envelopes")
    moved = rows(d, "#wi-diff")
    status = text(d, "#wi-status")
    reconcile = text(d, "#wi-reconcile") or ""
    checks.append(("what-if: the envelopes change", None if after and after != before else "the envelope table did not change"))
    checks.append(("what-if: the programs moved are listed",
                   None if moved > 0 and moved_before == 0 else f"{moved_before} rows before, {moved} after"))
    checks.append(("what-if: revenue down 130.56億円",
                   None if "▲130.56" in (text(d, "#wi-figures") or "") else f"figures {text(d, '#wi-figures')[:300]!r}"))
    checks.append(("what-if: reconciled to the yen",
                   None if reconcile and "✗" not in reconcile and "✓" in reconcile else f"reconciliation {reconcile!r}"))
    print(f"  what-if: {status}")

    # A decision on a stage of the budget cycle.
    stage_file = os.path.join(served, STAGE)
    with open(stage_file, "rb") as fh:
        stage_before = fh.read()
    set_value(d, "#st-select", STAGE, "change")
    wait(d, "document.querySelector('#st-summary').textContent.includes('億円')", "the stage to run")
    set_value(d, "#dc-program", "K0240")
    set_value(d, "#dc-amount", "9.5億円")
    set_value(d, "#dc-disposition", "②", "change")
    set_value(d, "#dc-reason", REASON)
    need(d, "#dc-submit")
    d.script("document.querySelector('#dc-submit').click();")
    wait(d, "document.querySelector('#dc-result').textContent.startsWith('decided')"
            " || !document.getElementById('error').hidden", "the decision to be recorded")
    result = text(d, "#dc-result")
    with open(stage_file, "rb") as fh:
        stage_after = fh.read().decode()
    written = stage_after != stage_before.decode() and REASON in stage_after and 'amount = "9.5億円"' in stage_after
    checks.append(("decide: the stage file changed as `waku decide` writes it",
                   None if written and result.startswith("decided `K0240`") else f"result {result!r}; file changed: {written}"))
    print(f"  decide: {result.splitlines()[0] if result else '-'}")

    # The xlsx download.
    need(d, "#dl-xlsx")
    d.script("document.querySelector('#dl-xlsx').click();")
    end = time.time() + 120
    got = None
    while time.time() < end and not got:
        done = [f for f in os.listdir(downloads) if f.endswith(".xlsx")]
        if done:
            p = os.path.join(downloads, done[0])
            with open(p, "rb") as fh:
                head = fh.read(4)
            if head == b"PK\x03\x04":
                got = (done[0], os.path.getsize(p))
        time.sleep(0.3)
    checks.append(("download: the xlsx workbook", None if got else "no .xlsx arrived in 120 s"))
    if got:
        print(f"  download: {got[0]} ({got[1]:,} bytes)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("waku", help="the waku binary (e.g. target/debug/waku)")
    ap.add_argument("--keep", metavar="DIR", help="copy the scenarios here instead of a temporary folder (kept)")
    args = ap.parse_args()
    waku = os.path.abspath(args.waku)
    work = args.keep or tempfile.mkdtemp(prefix="waku-serve-check-")
    shutil.rmtree(os.path.join(work, "scenarios"), ignore_errors=True)
    shutil.rmtree(os.path.join(work, "rules"), ignore_errors=True)
    shutil.copytree(os.path.join(ROOT, "scenarios"), os.path.join(work, "scenarios"))
    shutil.copytree(os.path.join(ROOT, "rules"), os.path.join(work, "rules"))
    served = os.path.join(work, "scenarios")
    downloads = os.path.join(work, "downloads")
    os.makedirs(downloads, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="waku-serve-check-profile-")

    server = subprocess.Popen([waku, "serve", served, "--port", "0"], stdout=subprocess.PIPE, text=True)
    line = server.stdout.readline().strip()
    if not line.startswith("waku serve: http://"):
        server.kill()
        sys.exit(f"serve-check: `waku serve` printed {line!r}")
    url = line.split(": ", 1)[1]
    origin = url.rstrip("/")
    print(f"serve-check: {url} serving {served}")

    chromium = bc.which("CHROMIUM", "chromium", "chromium-browser", "google-chrome")
    chromedriver = bc.which("CHROMEDRIVER", "chromedriver")
    port = bc.free_port()
    driver = subprocess.Popen([chromedriver, f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    d = bc.Driver(port)
    checks = []
    browser_log, perf_log = [], []
    try:
        d.open_session(chromium, profile,
                       {"download.default_directory": downloads, "download.prompt_for_download": False})
        d.s("POST", "/goog/cdp/execute", {"cmd": "Browser.setDownloadBehavior",
                                           "params": {"behavior": "allow", "downloadPath": downloads}})
        try:
            steps(d, url, served, downloads, checks)
        except Failure as e:
            checks.append(("the steps ran to the end", str(e)))
        browser_log, perf_log = d.logs()
    finally:
        d.close()
        driver.terminate()
        server.terminate()
        for p in (driver, server):
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(profile, ignore_errors=True)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    checks.append(bc.console_check(browser_log))
    requests = bc.requested_urls(perf_log)
    own = [r for r in requests if r == origin or r.startswith(origin + "/")]
    outside = [r for r in requests if r not in own and not r.startswith(("data:", "blob:", "chrome:", "chrome-untrusted:"))]
    checks.append(("no request left the server", f"requests elsewhere: {outside}" if outside else None))
    checks.append(("the page talked to the server", None if len(own) >= 5 else f"only {len(own)} requests to the server"))
    print(f"  requests to the server: {len(own)}; elsewhere: {len(outside)}")
    return bc.verdict("serve-check", checks)


if __name__ == "__main__":
    sys.exit(main())
