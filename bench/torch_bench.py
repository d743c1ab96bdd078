#!/usr/bin/env python3
"""PyTorch twin of `camloss bench`: the same CIFAR-style ResNet (option-B shortcuts, BN, ReLU, GAP, linear)
and the same loss (cross-entropy, or CAM-loss with the weight-detached routing), timed the same way:
median/min/max images per second over timed steps after warm-up. Prints one JSON object.

Usage: python3 bench/torch_bench.py --depth 20 --input 32x32x3 --batch 128 --loss cam-loss --threads 2
Needs PyTorch (Debian: apt-get install python3-torch). Optional: camloss runs without it.
"""
import argparse
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


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--depth", type=int, default=20)
    p.add_argument("--input", default="32x32x3")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--loss", default="cross-entropy", choices=["cross-entropy", "cam-loss"])
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--infer-steps", type=int, default=0, help="timed inference passes (0: 4 x --steps)")
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    infer_steps = a.infer_steps if a.infer_steps > 0 else 4 * a.steps
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    h, w, c = (int(v) for v in a.input.split("x"))
    model = ResNetCifar(a.depth, c)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    x = torch.randn(a.batch, c, h, w)
    y = torch.arange(a.batch) % 10

    def step():
        opt.zero_grad()
        loss_fn(model, x, y, a.loss).backward()
        opt.step()

    model.train()
    for _ in range(a.warmup):
        step()
    train = []
    for _ in range(a.steps):
        s = time.perf_counter()
        step()
        train.append(a.batch / (time.perf_counter() - s))
    model.eval()
    infer = []
    with torch.no_grad():
        for _ in range(a.warmup):
            model(x)
        for _ in range(infer_steps):
            s = time.perf_counter()
            model(x)
            infer.append(a.batch / (time.perf_counter() - s))
    print(json.dumps({
        "torch_version": torch.__version__, "threads": a.threads,
        "torch_train_images_per_sec": statistics.median(train),
        "torch_train_images_per_sec_min": min(train), "torch_train_images_per_sec_max": max(train),
        "torch_infer_images_per_sec": statistics.median(infer),
        "torch_infer_images_per_sec_min": min(infer), "torch_infer_images_per_sec_max": max(infer)}))


if __name__ == "__main__":
    main()
