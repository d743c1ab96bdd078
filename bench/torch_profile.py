#!/usr/bin/env python3
"""Where one inference pass of the PyTorch twin's model goes, per op (docs/performance.md, Change 16).

The model, batch, threads and settings of `bench/torch_bench.py` (eval mode, `torch.inference_mode()`, flushed
denormals, one inter-op thread); after warm-up passes, `torch.profiler` records `--passes` passes and the self CPU
time of each op is summed and divided by the passes. Also the wall time per pass without the profiler (median).

Usage: /usr/bin/python3 bench/torch_profile.py --depth 8 --input 28x28x1 [--channels-last] [--passes 50]
"""
import argparse
import statistics
import time

import torch
from torch.profiler import ProfilerActivity, profile

from torch_bench import ResNetCifar


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--depth", type=int, default=20)
    p.add_argument("--input", default="32x32x3")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--channels-last", action="store_true")
    p.add_argument("--passes", type=int, default=50)
    p.add_argument("--warmup", type=int, default=30)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    torch.set_flush_denormal(True)
    h, w, c = (int(v) for v in a.input.split("x"))
    fmt = torch.channels_last if a.channels_last else torch.contiguous_format
    torch.manual_seed(0)
    m = ResNetCifar(a.depth, c).to(memory_format=fmt).eval()
    x = torch.randn(a.batch, c, h, w).contiguous(memory_format=fmt)
    with torch.inference_mode():
        for _ in range(a.warmup):
            m(x)
        wall = []
        for _ in range(a.passes):
            s = time.perf_counter()
            m(x)
            wall.append((time.perf_counter() - s) * 1e3)
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            for _ in range(a.passes):
                m(x)
        after = []
        for _ in range(a.passes):
            s = time.perf_counter()
            m(x)
            after.append((time.perf_counter() - s) * 1e3)
    rows = []
    for e in prof.key_averages():
        if e.self_cpu_time_total > 0:
            rows.append((e.self_cpu_time_total / 1e3 / a.passes, e.count // a.passes, e.key))
    rows.sort(reverse=True)
    total = sum(r[0] for r in rows)
    print(f"resnet-cifar depth {a.depth} {a.input} batch {a.batch} threads {a.threads} "
          f"{'channels_last' if a.channels_last else 'contiguous (NCHW)'}, torch {torch.__version__}: "
          f"wall {statistics.median(wall):.3f} ms per pass before the profiled passes, {statistics.median(after):.3f} after "
          f"(medians of {a.passes}, no profiler); "
          f"profiled self CPU {total:.3f} ms per pass")
    print("op\tcalls per pass\tms per pass\tshare")
    for t, n, k in rows:
        if t >= 0.005:
            print(f"{k}\t{n}\t{t:.3f}\t{100 * t / total:.1f} %")


if __name__ == "__main__":
    main()
