#!/usr/bin/env python3
"""PyTorch twin of `camloss bench`: the same CIFAR-style ResNet (option-B shortcuts, BN, ReLU, GAP, linear),
the same loss (cross-entropy, or CAM-loss with the weight-detached routing), the same batch and the same
SGD hyper-parameters, timed the same way: median/min/max images per second over timed steps after warm-up.
Prints one JSON object on its last line.

The batch: `--data FILE.npz` with `x` (float32, NHWC, as camloss trains on it) and `y` (int64 class
indices) — `camloss bench` writes the real batch it trains on (Fashion-MNIST when installed, else
`shapes`) and passes it here, so both sides see the same numbers; `--data random` draws N(0,1) (the
old twin; kept for the record in docs/performance.md).

Speed settings (the defaults are what a PyTorch user tuning a CPU loop would pick; each can be turned off
to measure its effect, see docs/performance.md "An honest comparison"):
- `torch.set_num_threads(--threads)` and one inter-op thread (`--interop-threads`, 0: PyTorch's default);
- flush denormals to zero (`torch.set_flush_denormal(True)`; `--keep-denormals` turns it off);
- `zero_grad(set_to_none=True)`; inference under `torch.inference_mode()` in eval mode;
- training's memory format (`--layout`): `auto` trains one copy in NCHW and one in channels-last from the same
  seed, in alternating blocks of 5 steps, and reports the faster (channels-last is ~1.18x faster for ResNet-20
  32x32x3 here, no faster for ResNet-8 28x28x1: measured in docs/performance.md); `nchw` or `channels-last`
  (`--channels-last`) fixes it;
- inference (`--inference`): `auto` times every way a PyTorch user runs a CPU model - eager NCHW, eager
  channels-last, `torch.jit.freeze` of the traced model in channels-last (batch norm folded), and
  `torch.jit.optimize_for_inference` (frozen, oneDNN layouts, ReLU and add fused) - in alternating blocks of
  20 passes from the trained weights, and reports the fastest; the JSON names the winner and every median;
- the allocator is the process's: `camloss bench` preloads tcmalloc (`LD_PRELOAD`, libtcmalloc-minimal4) as
  PyTorch's CPU tuning guide advises - glibc's malloc maps and unmaps the large tensors of every step (4-12 s of
  system time per run here) and trains 1.25-1.36x slower; jemalloc 5.3 was slower still (measured in
  docs/performance.md);
- `--models K`: step K copies of the network in alternation and report the per-step figure (a probe of
  how one loop differs from another; the twin uses 1).

Usage: python3 bench/torch_bench.py --depth 20 --input 32x32x3 --batch 128 --loss cam-loss --threads 2
Needs PyTorch (Debian: apt-get install python3-torch). Optional: camloss runs without it.
"""
import argparse
import copy
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.b1(self.c1(x)))
        out = self.b2(self.c2(out))
        return F.relu(out + (x if self.short is None else self.short(x)))


class ResNetCifar(nn.Module):
    def __init__(self, depth, channels, classes=10):
        super().__init__()
        n = (depth - 2) // 6
        self.stem = nn.Sequential(nn.Conv2d(channels, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        layers, cin = [], 16
        for i, w in enumerate((16, 32, 64)):
            for b in range(n):
                layers.append(Block(cin, w, 2 if (i > 0 and b == 0) else 1))
                cin = w
        self.body = nn.Sequential(*layers)
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        f = self.body(self.stem(x))
        return f, self.fc(f.mean((2, 3)))


def normalize(m, eps=1e-8):
    flat = m.flatten(1)
    mn = flat.min(1, keepdim=True)[0]
    mx = flat.max(1, keepdim=True)[0]
    return ((flat - mn) / (mx - mn + eps)).view_as(m)


def loss_fn(model, x, y, kind):
    f, z = model(x)
    ce = F.cross_entropy(z, y)
    if kind == "cross-entropy":
        return ce
    w = model.fc.weight.detach()[y]                       # weight-detached routing
    cam = (f * w[:, :, None, None]).sum(1)
    caam = f.sum(1)
    return ce + (normalize(caam) - normalize(cam)).abs().mean()


def batch(a, h, w, c):
    """The batch in NCHW (PyTorch's layout), from the camloss file or random."""
    if a.data == "random":
        torch.manual_seed(2)
        return torch.randn(a.batch, c, h, w), torch.arange(a.batch) % 10, "random N(0,1)"
    import numpy as np
    d = np.load(a.data)
    x, y = d["x"], d["y"]
    if x.shape != (a.batch, h, w, c):
        raise SystemExit(f"--data {a.data}: x has shape {x.shape}, expected {(a.batch, h, w, c)} (NHWC)")
    return (torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2))).float(),
            torch.from_numpy(y.astype("int64")), str(d["source"]) if "source" in d else a.data)


BLOCK = 5  # training steps per candidate before the next one runs (inference: 4 x BLOCK passes)
FORMATS = {"nchw": torch.contiguous_format, "channels-last": torch.channels_last}


def _eager(fmt):
    def make(m, x):
        m2 = copy.deepcopy(m).to(memory_format=fmt)  # Module.to works in place
        x2 = x.contiguous(memory_format=fmt)
        return lambda: m2(x2)
    return make


def _scripted(optimize, fmt):
    """TorchScript of the eval-mode network: `torch.jit.freeze` (batch norm folded into the convolutions) or
    `torch.jit.optimize_for_inference` (frozen, then oneDNN layouts with fused ReLU and add)."""
    def make(m, x):
        x2 = x.contiguous(memory_format=fmt)
        with torch.no_grad():
            t = torch.jit.trace(copy.deepcopy(m).to(memory_format=fmt), x2)
            t = torch.jit.optimize_for_inference(t) if optimize else torch.jit.freeze(t)
        return lambda: t(x2)
    return make


# the ways a PyTorch user runs a CPU model for inference (docs/performance.md measures each)
INFERENCE = {
    "eager": _eager(torch.contiguous_format),
    "eager-channels-last": _eager(torch.channels_last),
    "freeze-channels-last": _scripted(False, torch.channels_last),
    "optimize-for-inference": _scripted(True, torch.contiguous_format),
}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--depth", type=int, default=20)
    p.add_argument("--input", default="32x32x3")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--loss", default="cross-entropy", choices=["cross-entropy", "cam-loss"])
    p.add_argument("--steps", type=int, default=40)
    p.add_argument("--warmup", type=int, default=30)
    p.add_argument("--infer-steps", type=int, default=0, help="timed inference passes (0: 4 x --steps)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--interop-threads", type=int, default=1, help="0: PyTorch's default")
    p.add_argument("--keep-denormals", action="store_true")
    p.add_argument("--layout", default="auto", choices=["auto", "nchw", "channels-last"],
                   help="training's memory format; auto: both timed in alternation, the faster reported")
    p.add_argument("--channels-last", action="store_true", help="the same as --layout channels-last")
    p.add_argument("--inference", default="auto", choices=["auto"] + list(INFERENCE),
                   help="how inference runs; auto: every way timed in alternation, the fastest reported")
    p.add_argument("--models", type=int, default=1)
    p.add_argument("--data", default="random", help="FILE.npz with x (NHWC float32) and y, or 'random'")
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--weight-decay", type=float, default=5e-4)
    a = p.parse_args()
    infer_steps = a.infer_steps if a.infer_steps > 0 else 4 * a.steps
    torch.set_num_threads(a.threads)
    if a.interop_threads > 0:
        torch.set_num_interop_threads(a.interop_threads)
    flushed = False if a.keep_denormals else torch.set_flush_denormal(True)
    h, w, c = (int(v) for v in a.input.split("x"))
    x, y, source = batch(a, h, w, c)
    layout = "channels-last" if a.channels_last else a.layout
    layouts = list(FORMATS) if layout == "auto" else [layout]
    # every candidate layout trains its own copies of the network from the same seeds, in alternating blocks
    cand = []
    for lay in layouts:
        fmt = FORMATS[lay]
        xs = x.contiguous(memory_format=fmt)
        ms, os = [], []
        for k in range(a.models):
            torch.manual_seed(k)
            m = ResNetCifar(a.depth, c).to(memory_format=fmt)
            ms.append(m)
            os.append(torch.optim.SGD(m.parameters(), lr=a.lr, momentum=a.momentum, weight_decay=a.weight_decay))
        cand.append({"layout": lay, "x": xs, "models": ms, "opts": os, "train": [], "first": None})

    def step(cd, k):
        cd["opts"][k].zero_grad(set_to_none=True)
        loss_fn(cd["models"][k], cd["x"], y, a.loss).backward()
        cd["opts"][k].step()

    for cd in cand:
        for m in cd["models"]:
            m.train()
        t0 = time.perf_counter()
        step(cd, 0)
        cd["first"] = time.perf_counter() - t0
    for i in range(a.warmup * a.models):
        for cd in cand:
            step(cd, i % a.models)
    done = 0
    while done < a.steps * a.models:
        n = min(BLOCK, a.steps * a.models - done)
        for cd in cand:
            for i in range(done, done + n):
                s = time.perf_counter()
                step(cd, i % a.models)
                cd["train"].append(a.batch / (time.perf_counter() - s))
        done += n
    best = max(cand, key=lambda cd: statistics.median(cd["train"]))
    train, first, models = best["train"], best["first"], best["models"]
    for m in models:
        m.eval()
    # inference from the trained weights of the chosen layout, every way in alternating blocks
    ways = list(INFERENCE) if a.inference == "auto" else [a.inference]
    runs = []
    for w in ways:
        runs.append({"way": w, "infer": [], "fns": [INFERENCE[w](m, x) for m in models]})
    with torch.inference_mode():
        for r in runs:
            for i in range(a.warmup * a.models):
                r["fns"][i % a.models]()
        done = 0
        while done < infer_steps * a.models:
            n = min(4 * BLOCK, infer_steps * a.models - done)
            for r in runs:
                r["fns"][done % a.models]()  # one untimed pass: the other ways ran in between
                for i in range(done, done + n):
                    s = time.perf_counter()
                    r["fns"][i % a.models]()
                    r["infer"].append(a.batch / (time.perf_counter() - s))
            done += n
    fastest = max(runs, key=lambda r: statistics.median(r["infer"]))
    infer = fastest["infer"]
    import resource
    print(json.dumps({
        "torch_version": torch.__version__, "threads": torch.get_num_threads(),
        "torch_interop_threads": torch.get_num_interop_threads(), "torch_flush_denormal": bool(flushed),
        "torch_layout": best["layout"], "torch_inference": fastest["way"],
        "torch_train_candidates": {cd["layout"]: statistics.median(cd["train"]) for cd in cand},
        "torch_infer_candidates": {r["way"]: statistics.median(r["infer"]) for r in runs},
        "torch_models": a.models, "torch_data": source,
        "torch_lr": a.lr, "torch_momentum": a.momentum, "torch_weight_decay": a.weight_decay,
        "torch_first_step_seconds": first,
        "torch_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "torch_train_images_per_sec": statistics.median(train),
        "torch_train_images_per_sec_min": min(train), "torch_train_images_per_sec_max": max(train),
        "torch_infer_images_per_sec": statistics.median(infer),
        "torch_infer_images_per_sec_min": min(infer), "torch_infer_images_per_sec_max": max(infer)}))


if __name__ == "__main__":
    main()
