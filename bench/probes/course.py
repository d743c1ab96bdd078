#!/usr/bin/env python3
# Per-step time over the first 100 training steps (median of each 10), ARGS: random|real 0|1 (flush denormals).
# The real batch: BATCH=FILE.npz (x NHWC float32, y), e.g. as bench/torch_factors.sh makes it. Results: docs/performance.md.
import sys, time, torch, numpy as np
import os
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import torch_bench as tb
torch.set_num_threads(2); torch.set_num_interop_threads(1)
kind=sys.argv[1]; flush=sys.argv[2]=='1'
if flush: torch.set_flush_denormal(True)
d=np.load(os.environ.get('BATCH', 'fmnist128.npz'))
if kind=='real':
    x=torch.from_numpy(np.ascontiguousarray(d['x'].transpose(0,3,1,2))); y=torch.from_numpy(d['y'].astype('int64'))
else:
    torch.manual_seed(2); x=torch.randn(128,1,28,28); y=torch.arange(128)%10
torch.manual_seed(0); m=tb.ResNetCifar(8,1); o=torch.optim.SGD(m.parameters(),lr=0.1,momentum=0.9,weight_decay=5e-4)
ts=[];ls=[]
for s in range(100):
    t=time.perf_counter(); o.zero_grad(set_to_none=True); l=tb.loss_fn(m,x,y,'cross-entropy'); l.backward(); o.step(); ts.append((time.perf_counter()-t)*1000); ls.append(float(l))
import statistics as st
print(kind, 'flush' if flush else 'noflush', ' '.join(f"steps{a}-{a+9}: {st.median(ts[a:a+10]):.1f}ms loss {ls[a+9]:.3g}" for a in range(0,100,20)))
