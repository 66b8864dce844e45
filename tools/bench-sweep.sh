#!/bin/sh
# The sweep benchmark quoted in README.md: 1,000 variants of the Kitakyushu example
# (revenue −5%..+5% in 40 steps × reserve share 1%..5% in 25 steps), run RUNS times (default 5);
# prints each wall-clock time and the median. Build first: cargo build --release
set -eu
cd "$(dirname "$0")/.."
runs=${1:-5}
bin=target/release/waku
[ -x "$bin" ] || { echo "build first: cargo build --release" >&2; exit 2; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -sr)"
times=""
i=1
while [ "$i" -le "$runs" ]; do
  start=$(date +%s.%N)
  "$bin" sweep scenarios/kitakyushu-r8.toml --vary revenue=-5%..+5%:40 --vary reserve_share=0.01..0.05:25 \
    --out /tmp/waku-bench-sweep.csv 2>/tmp/waku-bench-sweep.stderr
  end=$(date +%s.%N)
  t=$(echo "$end - $start" | bc)
  echo "run $i: ${t} s  ($(cat /tmp/waku-bench-sweep.stderr))"
  times="$times $t"
  i=$((i + 1))
done
echo "$times" | tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "median of %d runs: %.2f s\n", NR, m}'
