#!/usr/bin/env python3
"""What-if latency of `waku serve`: the time from request to answer, as the what-if panel sees it.

    python3 tools/serve-bench.py WAKU_BINARY FOLDER SCENARIO [--runs N]

Starts `WAKU_BINARY serve FOLDER --port 0`, asks /api/whatif once to load the scenario (its review
is then cached), then N times with revenue changed by -0.3%, -0.6%, … -3% (each a new allocation), and
prints the median and the slowest wall time per request, with the server's own `elapsed_ms`.
Python 3 standard library only.
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("waku")
    ap.add_argument("folder")
    ap.add_argument("scenario")
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    server = subprocess.Popen([args.waku, "serve", args.folder, "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline().strip().split(": ", 1)[1]

        def whatif(change):
            q = urllib.parse.urlencode([("scenario", args.scenario), ("set", f"revenue.general_revenue={change}%")])
            t = time.perf_counter()
            with urllib.request.urlopen(f"{url}api/whatif?{q}", timeout=600) as r:
                body = json.loads(r.read())
            return (time.perf_counter() - t) * 1000, body

        first, body = whatif(-3)
        print(f"first what-if (loads and reviews the scenario): {first:.0f} ms")
        walls, server_ms, reused = [], [], True
        for i in range(args.runs):
            wall, body = whatif(round(-0.3 * (i % 10 + 1), 1))
            walls.append(wall)
            server_ms.append(body["elapsed_ms"])
            reused = reused and body["review_reused"]
            if not body["feasible"]:
                sys.exit(f"serve-bench: infeasible: {body.get('reason')}")
        print(f"{args.runs} what-ifs on {args.scenario} ({len(body['allocation']['programs'])} programs), "
              f"review reused: {reused}")
        print(f"  wall per request: median {statistics.median(walls):.0f} ms, slowest {max(walls):.0f} ms")
        print(f"  server elapsed:   median {statistics.median(server_ms):.0f} ms, slowest {max(server_ms):.0f} ms")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
