"""Main-thread JFR samples (docs/performance.md, "Profile of what is left") (execution + native) in an epoch-ms window, classified by what and where.
usage: jfrwin.py FILE.jfr START_MS END_MS [more FILE START END ...]"""
import json, subprocess, sys, collections, datetime

def ms(ts):
    d = datetime.datetime.fromisoformat(ts.replace('Z', '+00:00')[:26] + '+00:00')
    return d.timestamp() * 1000

def fname(f):
    return f['method']['type']['name'].replace('/', '.') + '.' + f['method']['name']

WHAT = [
    ('class loading', lambda n: any(x in n for x in ('ClassLoader.loadClass', 'ClassLoader.defineClass', 'Class.forName',
                                                    'BuiltinClassLoader', 'URLClassLoader', 'ClassLoader.findBootstrapClass',
                                                    'Unsafe.ensureClassInitialized', 'MethodHandleNatives.linkCallSite',
                                                    'MethodHandleNatives.linkMethodHandleConstant'))),
    ('native library load', lambda n: 'NativeLibraries' in n or 'System.loadLibrary' in n or 'Loader.load' in n),
    ('reflection / ServiceLoader', lambda n: 'ServiceLoader' in n or 'reflect.Method.invoke' in n or 'Class.getDeclared' in n),
    ('jackson / config json', lambda n: 'jackson' in n),
]

def where(frames):
    for f in frames:
        n = fname(f)
        for key, lab in (('org.camloss.api.layers.FastConvolution', 'conv (FastConvolution*)'),
                         ('org.camloss.engine.conv', 'conv (engine oneDNN plans)'),
                         ('FastBatchNorm', 'batch norm'),
                         ('AddReluVertex', 'add-ReLU'),
                         ('org.camloss.engine.head', 'head'),
                         ('org.camloss.api.loss', 'head'),
                         ('CoupledWeightDecay', 'weight decay listener'),
                         ('ClassicalMomentum', 'updater'),
                         ('org.deeplearning4j.nn.updater', 'updater'),
                         ('ModelAssembler', 'assemble'),
                         ('ComputationGraph.init', 'graph init'),
                         ('ComputationGraphConfiguration', 'graph config'),
                         ('FirstStepTiming', 'harness'),
                         ('org.deeplearning4j.nn.conf', 'graph config'),
                         ('org.deeplearning4j.optimize', 'optimizer'),
                         ('org.deeplearning4j.nn.graph.ComputationGraph', 'graph (other)')):
            if key in n:
                return lab
    return 'other'

def what(frames, kind):
    names = [fname(f) for f in frames]
    for lab, pred in WHAT:
        if any(pred(n) for n in names):
            return lab
    top = frames[0]
    if kind == 'native':
        n = names[0]
        return 'native: ' + n.split('.')[-2] + '.' + n.split('.')[-1]
    return 'java ' + top['type'].lower()

if __name__ == '__main__':
    tot = collections.Counter(); w = collections.Counter(); cross = collections.Counter(); leaf = collections.Counter()
    span = 0
    args = sys.argv[1:]
    for i in range(0, len(args), 3):
        f, a, b = args[i], float(args[i + 1]), float(args[i + 2])
        span += b - a
        out = subprocess.run(['jfr', 'print', '--json', '--stack-depth', '200', '--events',
                              'jdk.ExecutionSample,jdk.NativeMethodSample', f], capture_output=True, text=True).stdout
        for e in json.loads(out)['recording']['events']:
            v = e['values']
            if v['sampledThread']['javaName'] != 'main':
                continue
            t = ms(v['startTime'])
            if not (a <= t <= b):
                continue
            frames = v['stackTrace']['frames']
            kind = 'native' if e['type'] == 'jdk.NativeMethodSample' else 'java'
            wh = where(frames); wt = what(frames, kind)
            tot[kind] += 1; w[wh] += 1; cross[(wh, wt)] += 1; leaf[wt] += 1
    n = sum(tot.values())
    print(f'{n} main-thread samples ({dict(tot)}) over {span:.0f} ms of first steps')
    print('\n## by what')
    for k, c in leaf.most_common(30):
        print(f'| {k} | {c} | {100*c/n:.1f} % |')
    print('\n## by where')
    for k, c in w.most_common():
        print(f'| {k} | {c} | {100*c/n:.1f} % |')
    print('\n## where x what (top 40)')
    for (a, b), c in cross.most_common(40):
        print(f'| {a} | {b} | {c} | {100*c/n:.1f} % |')
