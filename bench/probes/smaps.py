"""Sums a copy of /proc/PID/smaps: resident MB by library / file / anonymous, the largest anonymous mappings, and the
64 MB-aligned anonymous mappings (glibc's thread arenas are among them). Usage: python3 smaps.py SMAPS_FILE"""
import sys, re, collections
maps=[]; cur=None
for line in open(sys.argv[1]):
    m=re.match(r'^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$', line)
    if m:
        cur={'start':int(m.group(1),16),'end':int(m.group(2),16),'perm':m.group(3),'name':m.group(4).strip(),'Rss':0,'Anonymous':0}
        maps.append(cur); continue
    k=line.split(':')[0]
    if cur is not None and k in ('Rss','Anonymous','Private_Dirty','Swap'):
        cur[k]=int(line.split()[1])
tot=sum(m['Rss'] for m in maps)
cat=collections.Counter()
for m in maps:
    n=m['name']
    if n.endswith('.so') or '.so.' in n or '.so ' in n:
        key='lib: '+n.split('/')[-1]
    elif n=='[heap]': key='[heap] (glibc brk arena)'
    elif n.startswith('['): key=n
    elif n: key='file: '+n.split('/')[-1]
    else:
        sz=(m['end']-m['start'])//1024
        key='anon'
    cat[key]+=m['Rss']
print('total Rss MB %.1f'%(tot/1024))
libs=sum(v for k,v in cat.items() if k.startswith('lib:'))
print('all libs MB %.1f'%(libs/1024))
for k,v in cat.most_common(15): print('%8.1f MB  %s'%(v/1024,k))
print('-- largest anon mappings')
an=[m for m in maps if not m['name']]
an.sort(key=lambda m:-m['Rss'])
for m in an[:15]:
    print('%8.1f MB rss of %8.1f MB  %x-%x %s'%(m['Rss']/1024,(m['end']-m['start'])/1048576,m['start'],m['end'],m['perm']))
# 64MB-ish malloc arenas: anon mappings of size<=64MB whose start aligned to 64MB
ar=[m for m in an if m['start']%(64<<20)==0 and (m['end']-m['start'])<=(64<<20)]
print('anon 64MB-aligned (malloc arena candidates): %d, Rss MB %.1f'%(len(ar),sum(m['Rss'] for m in ar)/1024))
