#!/usr/bin/env python3
# Counts subnormal values in every Conv2d/BatchNorm2d output and output-gradient after 31 training steps, noise vs real batch.
# The real batch: BATCH=FILE.npz (x NHWC float32, y), e.g. as bench/torch_factors.sh makes it. Results: docs/performance.md.
import sys, torch, numpy as np
import os
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import torch_bench as tb
torch.set_num_threads(2)
d=np.load(os.environ.get('BATCH', 'fmnist128.npz'))
xr=torch.from_numpy(np.ascontiguousarray(d['x'].transpose(0,3,1,2))); yr=torch.from_numpy(d['y'].astype('int64'))
torch.manual_seed(2); xn=torch.randn(128,1,28,28); yn=torch.arange(128)%10
def sub(t): a=t.abs(); return int(((a>0)&(a<1.1754944e-38)).sum()), t.numel()
for name,(x,y) in (('random',(xn,yn)),('real',(xr,yr))):
    torch.manual_seed(0); m=tb.ResNetCifar(8,1); o=torch.optim.SGD(m.parameters(),lr=0.1,momentum=0.9,weight_decay=5e-4)
    acts=[]; grads=[]
    for mod in m.modules():
        if isinstance(mod,(torch.nn.Conv2d,torch.nn.BatchNorm2d)):
            mod.register_forward_hook(lambda mo,i,out: acts.append(sub(out)))
            mod.register_full_backward_hook(lambda mo,gi,go: grads.append(sub(go[0])))
    for s in range(31):
        acts.clear(); grads.clear()
        o.zero_grad(set_to_none=True); l=tb.loss_fn(m,x,y,'cross-entropy'); l.backward(); o.step()
    A=sum(a for a,_ in acts); N=sum(n for _,n in acts); G=sum(a for a,_ in grads); M=sum(n for _,n in grads)
    print(name, 'loss', float(l), 'subnormal activations', A, '/', N, 'subnormal grads', G, '/', M)
