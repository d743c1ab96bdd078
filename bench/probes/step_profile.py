#!/usr/bin/env python3
# torch.profiler self-CPU ms per training step by op for the twin in its fastest training settings (channels-last,
# run it with LD_PRELOAD=<libtcmalloc_minimal.so.4>), on a saved batch: the PyTorch side of docs/performance.md's
# per-op comparison (camloss's side: DNNL_VERBOSE=1 and bench/probes/dnnl_verbose_sum.py).
#   LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 python3 bench/probes/step_profile.py BATCH.npz [DEPTH] [STEPS]
import os, sys
import numpy as np
import torch
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import torch_bench as tb

path = sys.argv[1]
depth = int(sys.argv[2]) if len(sys.argv) > 2 else 8
steps = int(sys.argv[3]) if len(sys.argv) > 3 else 40
torch.set_num_threads(2); torch.set_num_interop_threads(1); torch.set_flush_denormal(True)
d = np.load(path)
x = torch.from_numpy(np.ascontiguousarray(d['x'].transpose(0, 3, 1, 2))).contiguous(memory_format=torch.channels_last)
y = torch.from_numpy(d['y'].astype('int64'))
torch.manual_seed(0)
m = tb.ResNetCifar(depth, x.shape[1]).to(memory_format=torch.channels_last)
o = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
def step():
    o.zero_grad(set_to_none=True); tb.loss_fn(m, x, y, 'cross-entropy').backward(); o.step()
for _ in range(30):
    step()
with torch.autograd.profiler.profile() as prof:
    for _ in range(steps):
        step()
t = {e.key: e.self_cpu_time_total / steps / 1000 for e in prof.key_averages()}
for k in sorted(t, key=lambda k: -t[k])[:25]:
    print(f"{t[k]:8.2f} ms  {k}")
print(f"{sum(t.values()):8.2f} ms  TOTAL self CPU per step")
