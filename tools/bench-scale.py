#!/usr/bin/env python3
"""The scaling table in README.md: `waku run` end to end, as a whole process, on synthetic cities.

For each size, `waku generate --programs N --departments 20 --seed 1` writes a city; then `waku run
city.toml` (the default table output: load, review, allocate, report) runs RUNS times. Each run's
wall time is read from a monotonic clock around the process (to the millisecond: a 3,000-program
run takes about 50 ms) and its peak resident memory from the kernel's accounting of the finished
child (`wait4`). Prints the median wall time, the median peak memory, and the growth from the
smallest size. Sizes run interleaved (A B C A B C …) so a drift in machine speed hits all; with
`--against`, the two binaries alternate too, and the ratio is the median of the pairs' ratios.

    cargo build --release
    python3 tools/bench-scale.py                      # 3000 10000 30000 100000, 5 runs each
    python3 tools/bench-scale.py 3000 100000 --runs 9
    python3 tools/bench-scale.py 3000 100000 --against /path/to/older/waku   # side by side, alternating
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WAKU = os.path.join(ROOT, "target", "release", "waku")


def timed(cmd):
    """Wall seconds and peak resident MB of one run of `cmd` (its output thrown away)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(p.pid, 0)
        seconds = time.perf_counter() - start
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode != 0:
            err.seek(0)
            sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{err.read().decode(errors='replace')}")
    return seconds, usage.ru_maxrss / 1024


def ms(seconds):
    return f"{seconds * 1000:,.1f} ms" if seconds < 1 else f"{seconds * 1000:,.0f} ms"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sizes", nargs="*", type=int, default=[3000, 10000, 30000, 100000])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--against", metavar="WAKU", help="another waku binary, run alternately on the same cities")
    args = ap.parse_args()
    if not os.path.exists(WAKU):
        sys.exit("build first: cargo build --release")
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    print(f"machine: {os.cpu_count()} cores ({cpu}), {mem:.0f} GiB; {args.runs} runs each, interleaved; medians")
    with tempfile.TemporaryDirectory() as d:
        cities = {}
        for n in args.sizes:
            out = os.path.join(d, str(n))
            subprocess.run([WAKU, "generate", "--programs", str(n), "--departments", "20", "--seed", "1", "--out", out],
                           check=True, stdout=subprocess.DEVNULL)
            cities[n] = ["run", os.path.join(out, "city.toml"), "--rules", os.path.join(ROOT, "rules")]
        results = {n: [] for n in args.sizes}
        other = {n: [] for n in args.sizes}
        for _ in range(args.runs):
            for n in args.sizes:
                results[n].append(timed([WAKU, *cities[n]]))
                if args.against:
                    other[n].append(timed([args.against, *cities[n]]))
    base = None
    if args.against:
        print(f"against: {args.against}")
        print("| programs | this build | peak memory | the other | peak memory | ratio of pairs |")
        print("|---:|---:|---:|---:|---:|---:|")
    else:
        print(f"| programs | `waku run` wall time | peak memory | time vs {args.sizes[0]:,} |")
        print("|---:|---:|---:|---:|")
    for n in args.sizes:
        t = statistics.median(r[0] for r in results[n])
        m = statistics.median(r[1] for r in results[n])
        base = base or t
        if args.against:
            ot = statistics.median(r[0] for r in other[n])
            om = statistics.median(r[1] for r in other[n])
            ratio = statistics.median(a[0] / b[0] for a, b in zip(results[n], other[n]))
            print(f"| {n:,} | {ms(t)} | {m:,.0f} MB | {ms(ot)} | {om:,.0f} MB | {ratio:.2f} |")
        else:
            print(f"| {n:,} | {ms(t)} | {m:,.0f} MB | {t / base:.1f}× |")


if __name__ == "__main__":
    main()
