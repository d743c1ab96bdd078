#!/usr/bin/env python3
# torch.profiler self-CPU ms per training step by op, ResNet-8 on N(0,1) (torch.randn) vs the real batch, twice each.
# The real batch: BATCH=FILE.npz (x NHWC float32, y), e.g. as bench/torch_factors.sh makes it. Results: docs/performance.md.
import sys, torch, numpy as np
import os
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import torch_bench as tb
torch.set_num_threads(2); torch.set_num_interop_threads(1)
d=np.load(os.environ.get('BATCH', 'fmnist128.npz'))
xr=torch.from_numpy(np.ascontiguousarray(d['x'].transpose(0,3,1,2))); yr=torch.from_numpy(d['y'].astype('int64'))
torch.manual_seed(2); xn=torch.randn(128,1,28,28); yn=torch.arange(128)%10
res={}
for name,(x,y) in (('random',(xn,yn)),('real',(xr,yr)),('random2',(xn,yn)),('real2',(xr,yr))):
    torch.manual_seed(0); m=tb.ResNetCifar(8,1); o=torch.optim.SGD(m.parameters(),lr=0.1,momentum=0.9,weight_decay=5e-4)
    def step():
        o.zero_grad(set_to_none=True); tb.loss_fn(m,x,y,'cross-entropy').backward(); o.step()
    for _ in range(30): step()
    with torch.autograd.profiler.profile() as prof:
        for _ in range(40): step()
    t={e.key:e.self_cpu_time_total/40/1000 for e in prof.key_averages()}
    res[name]=t
keys=sorted(res['real'],key=lambda k:-res['real'][k])[:14]
print(f"{'op':40s}"+"".join(f"{n:>9s}" for n in res))
for k in keys: print(f"{k[:40]:40s}"+"".join(f"{res[n].get(k,0):9.2f}" for n in res))
print(f"{'TOTAL ms/step':40s}"+"".join(f"{sum(res[n].values()):9.2f}" for n in res))
