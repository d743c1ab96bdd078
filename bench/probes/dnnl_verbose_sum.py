#!/usr/bin/env python3
"""oneDNN time per training step by primitive, from a DNNL_VERBOSE=1 log.

    DNNL_VERBOSE=1 java ... org.camloss.cli.bench.FirstStepTiming resnet-cifar 8 28x28x1 cross-entropy 1 60 > log
    python3 bench/probes/dnnl_verbose_sum.py log 62        # 62 = the steps the log holds (2 + 60 here)

Both oneDNN copies print: libnd4j's static one as `dnnl_verbose` (its conv2d ops), the presets' libdnnl as
`onednn_verbose` (camloss's plans; also PyTorch's oneDNN). For each primitive (copy, kind, implementation,
propagation, problem and attributes such as fused post-ops) the calls per step are its count / STEPS and its time the median of the later half of its
calls; printed per kind, then the 40 largest.
"""
import collections
import statistics
import sys


def main(path, steps):
    times = collections.defaultdict(list)
    for line in open(path, errors="replace"):
        if ",exec," not in line:
            continue
        f = line.strip().split(",")
        copy = {"dnnl_verbose": "libnd4j-onednn", "onednn_verbose": "presets-onednn"}.get(f[0], f[0])
        # post-ops (fused ReLU, sum) of inference plans; the scratchpad mode says nothing about the work
        attrs = f[7].replace("attr-scratchpad:user", "").strip() if len(f) >= 11 else ""
        times[(copy, f[3], f[4], f[5], f[-2] + (" " + attrs if attrs else ""))].append(float(f[-1]))
    rows = []
    for key, v in times.items():
        per_step = len(v) / steps
        median = statistics.median(v[len(v) // 2:])
        rows.append((per_step * median, per_step, median, key))
    rows.sort(reverse=True)
    print(f"oneDNN total per step {sum(r[0] for r in rows):.2f} ms")
    kinds = collections.Counter()
    for ms, _, _, key in rows:
        kind = key[1] + ("/" + key[3] if key[1] in ("convolution", "batch_normalization", "eltwise", "pooling") else "")
        kinds[(key[0], kind)] += ms
    for (copy, kind), ms in kinds.most_common():
        print(f"{ms:7.2f} ms  {copy} {kind}")
    print()
    for ms, per_step, median, key in rows[:40]:
        print(f"{ms:7.2f} ms  x{per_step:.2f} {median:.3f}  {' '.join(key)}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
