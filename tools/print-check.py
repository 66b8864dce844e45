#!/usr/bin/env python3
"""Prints a `waku run --format html` report to PDF with headless Chromium and checks the paper.

    python3 tools/print-check.py REPORT.html [--max-pages N] [--expect TEXT]... [--absent TEXT]...
                                 [--every-page TEXT] [--pdf OUT.pdf]

It runs `chromium --headless --print-to-pdf` on the file (the report's own print stylesheet sets
A4 landscape, the page breaks and the running header), then fails (exit 1) if
  - the PDF is not A4 landscape, or has more than --max-pages pages (`pdfinfo`);
  - its text (`pdftotext`) lacks any --expect TEXT (the envelope table, the identities line …) or
    holds any --absent TEXT (the program list, which prints only when the reader asks for it);
  - a page lacks the --every-page TEXT (the running header: city, scenario, period).

Python 3 standard library only; Chromium and poppler-utils from Debian (`chromium`, `poppler-utils`).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    sys.exit("print-check: no chromium on PATH (Debian: apt-get install chromium)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("report")
    ap.add_argument("--max-pages", type=int, default=20)
    ap.add_argument("--expect", action="append", default=[])
    ap.add_argument("--absent", action="append", default=[])
    ap.add_argument("--every-page")
    ap.add_argument("--pdf")
    args = ap.parse_args()
    for tool in ("pdfinfo", "pdftotext"):
        if not shutil.which(tool):
            sys.exit(f"print-check: no {tool} on PATH (Debian: apt-get install poppler-utils)")

    report = os.path.abspath(args.report)
    profile = tempfile.mkdtemp(prefix="waku-print-")
    pdf = os.path.abspath(args.pdf) if args.pdf else os.path.join(profile, "report.pdf")
    try:
        cmd = [
            chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--no-pdf-header-footer", f"--user-data-dir={profile}", f"--print-to-pdf={pdf}",
            "file://" + report,
        ]
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if run.returncode != 0 or not os.path.exists(pdf):
            sys.exit(f"print-check: chromium did not print {report}:\n{run.stderr}")
        info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
        text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True, check=True).stdout
    finally:
        if not args.pdf:
            shutil.rmtree(profile, ignore_errors=True)

    failures = []
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+)", info, re.M)
    width, height = float(size.group(1)), float(size.group(2))
    # A4 landscape is 842 x 595 pt.
    if abs(width - 842) > 2 or abs(height - 595) > 2:
        failures.append(f"pages are {width:.0f} x {height:.0f} pt, not A4 landscape (842 x 595)")
    if pages > args.max_pages:
        failures.append(f"{pages} pages, more than {args.max_pages}")
    flat = re.sub(r"\s+", " ", text)
    for want in args.expect:
        if re.sub(r"\s+", " ", want) not in flat:
            failures.append(f"the printed text lacks `{want}`")
    for unwanted in args.absent:
        if re.sub(r"\s+", " ", unwanted) in flat:
            failures.append(f"the printed text holds `{unwanted}`")
    if args.every_page:
        # pdftotext separates pages with a form feed.
        bare = [p for p in text.split("\f") if p.strip()]
        missing = [i + 1 for i, page in enumerate(bare) if args.every_page not in page]
        if missing:
            failures.append(f"pages {missing} lack the running header `{args.every_page}`")
    print(f"print-check: {os.path.basename(report)}: {pages} pages, {width:.0f} x {height:.0f} pt")
    if failures:
        for f in failures:
            print(f"print-check: {f}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
