#!/usr/bin/env python3
"""waku end to end against HiGHS alone, side by side in one run, on the same synthetic cities.

For each size: `waku generate` a city, time `waku run city.toml --format json` as a whole
process (load + review + allocate + JSON), write the model with `--emit-lp`, and time HiGHS
solving that LP (read excluded, solve only, through highspy). Runs alternate A B A B … so a
drift in machine speed hits both; medians and the ratio waku/HiGHS are printed.

    cargo build --release
    pip install highspy
    python3 tools/compare-highs.py            # sizes 3000 and 100000, 5 runs each
    python3 tools/compare-highs.py 3000 30000 --runs 7
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import highspy

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WAKU = os.path.join(ROOT, "target", "release", "waku")


def highs_solve_seconds(lp_path):
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(lp_path)
    t = time.perf_counter()
    h.run()
    elapsed = time.perf_counter() - t
    status = h.modelStatusToString(h.getModelStatus())
    if status != "Optimal":
        sys.exit(f"HiGHS: {status} on {lp_path}")
    return elapsed, h.getInfo().objective_function_value


def waku_seconds(scenario):
    t = time.perf_counter()
    subprocess.run([WAKU, "run", scenario, "--rules", os.path.join(ROOT, "rules"), "--format", "json"],
                   check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sizes", nargs="*", type=int, default=[3000, 100000])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    if not os.path.exists(WAKU):
        sys.exit("build first: cargo build --release")
    print(f"machine: {os.cpu_count()} cores; {args.runs} runs each, alternating; medians")
    print(f"{'programs':>9} {'waku end-to-end':>16} {'HiGHS solve':>12} {'waku/HiGHS':>11}")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as d:
            subprocess.run([WAKU, "generate", "--programs", str(n), "--seed", "1", "--out", d],
                           check=True, stdout=subprocess.DEVNULL)
            scenario = os.path.join(d, "city.toml")
            lp = os.path.join(d, "city.lp")
            subprocess.run([WAKU, "run", scenario, "--rules", os.path.join(ROOT, "rules"), "--emit-lp", lp],
                           check=True, stdout=subprocess.DEVNULL)
            waku_runs, highs_runs = [], []
            for _ in range(args.runs):
                waku_runs.append(waku_seconds(scenario))
                highs_runs.append(highs_solve_seconds(lp)[0])
            w, h = statistics.median(waku_runs), statistics.median(highs_runs)
            print(f"{n:>9} {w * 1000:>13.1f} ms {h * 1000:>9.1f} ms {w / h:>11.2f}")


if __name__ == "__main__":
    main()
