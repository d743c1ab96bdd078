"""JFR windows of FirstStepTiming runs (docs/performance.md, "Profile of what is left").
Compare main-thread JFR samples across named windows; ms per window estimated as samples * window_ms / samples.
usage: jfrcmp.py RUN.txt:RUN.jfr ...  (RUN.txt is FirstStepTiming's output)"""
import json, subprocess, sys, collections, datetime, re
sys.path.insert(0, __import__('os').path.dirname(__file__))
from jfrwin import where, what, ms
wins = collections.OrderedDict()
def add(name, run, a, b, nsteps=1):
    wins.setdefault(name, []).append((run, a, b, nsteps))
for arg in sys.argv[1:]:
    txt, jfr = arg.split(':')
    t = open(txt).read()
    for m, a, b, c in re.findall(r'model (\d+): first step from (\d+) to (\d+), second to (\d+)', t):
        add(f'model {m} first step', jfr, int(a), int(b)); add(f'model {m} second step', jfr, int(b), int(c))
    w = re.search(r'last model, (\d+) further steps.*from (\d+) to (\d+)', t)
    if w: add('warm step (mean)', jfr, int(w.group(2)), int(w.group(3)), int(w.group(1)))
cache = {}
def events(jfr):
    if jfr not in cache:
        out = subprocess.run(['jfr','print','--json','--stack-depth','200','--events','jdk.ExecutionSample,jdk.NativeMethodSample',jfr],capture_output=True,text=True).stdout
        ev = []
        for e in json.loads(out)['recording']['events']:
            v = e['values']
            if not v.get('sampledThread') or v['sampledThread'].get('javaName') != 'main' or not v.get('stackTrace'): continue
            fr = v['stackTrace']['frames']; kind = 'native' if e['type']=='jdk.NativeMethodSample' else 'java'
            ev.append((ms(v['startTime']), where(fr), what(fr, kind), fr))
        cache[jfr] = ev
    return cache[jfr]
def cat(wh, wt, fr):
    names = [f['method']['type']['name'].split('/')[-1] + '.' + f['method']['name'] for f in fr]
    if any('Nd4jWorkspace.close' in n or 'Nd4jWorkspace.initializeWorkspace' in n for n in names): return 'workspace sizing (close: free spills, allocate+memset)'
    if wt in ('class loading', 'native library load', 'reflection / ServiceLoader', 'jackson / config json'): return wt
    if wt.startswith('java'): return 'Java code (' + wt[5:] + ')'
    if 'dnnl_primitive_execute' in wt: return 'oneDNN conv execute (' + wh.split(' (')[0] + ')'
    if 'dnnl' in wt: return 'oneDNN plan creation'
    if 'execRandom' in wt: return 'weight init (random)'
    if wh in ('assemble','graph init','graph config'): return 'assemble: other native'
    return 'ND4J native op (' + wh + ')'
res = collections.OrderedDict(); tot = {}
for name, ws in wins.items():
    c = collections.Counter(); wall = 0; steps = 0; n = 0
    for jfr, a, b, k in ws:
        wall += b - a; steps += k
        for t, wh, wt, fr in events(jfr):
            if a <= t <= b: c[cat(wh, wt, fr)] += 1; n += 1
    res[name] = {k: v * wall / n / steps for k, v in c.items()}; tot[name] = (wall / steps, n)
keys = sorted({k for r in res.values() for k in r}, key=lambda k: -res[list(res)[0]].get(k, 0))
names = list(res)
print('| ms per step | ' + ' | '.join(names) + ' |'); print('|---' * (len(names)+1) + '|')
for k in keys: print(f'| {k} | ' + ' | '.join(f"{res[nm].get(k,0):.0f}" for nm in names) + ' |')
print('| **wall (samples)** | ' + ' | '.join(f"{tot[nm][0]:.0f} ({tot[nm][1]})" for nm in names) + ' |')
