#!/usr/bin/env python3
"""Independent check of waku's optimum: solve an LP file written by `waku run --emit-lp FILE`
with HiGHS and compare the objective with the one waku wrote in the file's header.

    pip install highspy
    waku run scenarios/kitakyushu-r8.toml --emit-lp /tmp/k.lp
    python3 tools/check-lp.py /tmp/k.lp

Exit 0 when the objectives agree within 1e-6 relative, 1 otherwise.
"""
import re
import sys

import highspy


def main(path):
    text = open(path, encoding="utf-8").read()
    m = re.search(r"waku optimum objective: (\S+)", text)
    if not m:
        print(f"{path}: no `waku optimum objective` line (was the model solved?)")
        return 1
    waku = float(m.group(1))
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.readModel(path)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    highs = h.getInfo().objective_function_value
    rel = abs(highs - waku) / max(1.0, abs(highs))
    info = h.getLp()
    print(f"{path}: {info.num_col_} columns, {info.num_row_} rows; HiGHS {status} {highs:.12e}; waku {waku:.12e}; relative difference {rel:.2e}")
    return 0 if status == "Optimal" and rel <= 1e-6 else 1


if __name__ == "__main__":
    sys.exit(max(main(p) for p in sys.argv[1:]) if len(sys.argv) > 1 else 2)
