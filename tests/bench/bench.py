# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""make bench: playbooks/run_flow.yml against hand-written uri tasks and Ansible's own floor.

Contenders, run alternately in one invocation against one Studio emulator (the 5-step "Order
update" Flow, Studio's 20 creates per second enforced):
  a  playbooks/run_flow.yml                (the collection)
  b  tests/bench/uri_baseline.yml          (ansible.builtin.uri: create, Context, Steps, each
                                            Step Context, set_fact - what users write today)
  c  tests/bench/floor.yml                 (one no-op module task per host, connection: local)
For every latency (added by the emulator to each request), fork count and inventory size, each
contender runs --reps times (the order rotates between repetitions); the medians go to a markdown
report. Wall time is ansible-playbook's; CPU time and peak RSS are those of its process tree (the
emulator's are not counted); requests come from the emulator's request log.

This is a measurement, not a test: it fails only when a run fails outright.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'emulator'))

# pylint: disable=wrong-import-position
from studio_emulator import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN  # noqa: E402
from studio_emulator.control import EmulatorProcess  # noqa: E402

FLOW_NAME = 'Order update'
FLOW_STEPS = 5
PLAYBOOKS = {
    'a': os.path.join(ROOT, 'playbooks', 'run_flow.yml'),
    'b': os.path.join(HERE, 'uri_baseline.yml'),
    'c': os.path.join(HERE, 'floor.yml'),
}
NAMES = {'a': 'run_flow.yml', 'b': 'uri baseline', 'c': 'no-op floor'}
BIN = os.path.dirname(sys.executable)
ANSIBLE_PLAYBOOK = os.path.join(BIN, 'ansible-playbook')

# Runs one command and writes the resource usage of its process tree (only its own children).
RUSAGE_WRAPPER = r'''
import json, resource, subprocess, sys
with open(sys.argv[1] + '.log', 'w') as log:
    rc = subprocess.call(sys.argv[2:], stdout=log, stderr=subprocess.STDOUT)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], 'w') as out:
    json.dump({'rc': rc, 'cpu': usage.ru_utime + usage.ru_stime, 'rss_kb': usage.ru_maxrss}, out)
'''


def write_inventory(path, size, flow_sid):
    hosts = {'+1555%07d' % i: {'studio_parameters': {'name': 'Contact %d' % i, 'order': str(10000 + i)}}
             for i in range(size)}
    with open(path, 'w') as handle:
        json.dump({'studio_contacts': {'vars': {'studio_flow': flow_sid, 'studio_from': '+15005550006'},
                                       'hosts': hosts}}, handle)


def recap(log):
    failed = unreachable = 0
    for match in re.finditer(r'failed=(\d+)\s+skipped=\d+\s+rescued=\d+', log):
        failed += int(match.group(1))
    for match in re.finditer(r'unreachable=(\d+)', log):
        unreachable += int(match.group(1))
    return failed + unreachable


def gather_round_trips(entries, latency):
    """Per contact: how long its reads after the create took, in units of the added latency."""
    spans = {}
    for entry in entries:
        match = re.search(r'/Executions/(FN[0-9a-f]{32})', entry['path'])
        if entry['method'] != 'GET' or not match:
            continue
        start, end = entry['t'] - entry['ms'] / 1000.0, entry['t']
        low, high = spans.get(match.group(1), (start, end))
        spans[match.group(1)] = (min(low, start), max(high, end))
    if not spans or not latency:
        return None
    return statistics.median((high - low) / latency for low, high in spans.values())


def run_once(contender, size, forks, latency, emulator, work, env):
    control = emulator.control
    control.reset()
    control.limits(rate=20, window=1)  # Studio: 20 REST-triggered Executions per second
    if latency:
        control.faults([{'kind': 'latency', 'seconds': latency / 1000.0, 'rate': 1}])
    inventory = os.path.join(work, 'contacts-%d.json' % size)
    usage_file = os.path.join(work, 'usage.json')
    started = time.perf_counter()
    subprocess.run([sys.executable, '-c', RUSAGE_WRAPPER, usage_file, ANSIBLE_PLAYBOOK, '-f', str(forks),
                    '-i', inventory, PLAYBOOKS[contender]], env=env, check=True)
    wall = time.perf_counter() - started
    with open(usage_file) as handle:
        usage = json.load(handle)
    with open(usage_file + '.log') as handle:
        log = handle.read()
    entries = control.requests()
    stats = control.stats()
    result = {
        'contender': contender, 'size': size, 'forks': forks, 'latency': latency, 'rc': usage['rc'],
        'wall': wall, 'cpu': usage['cpu'], 'rss_mb': usage['rss_kb'] / 1024.0,
        'requests_per_contact': len(entries) / float(size), 'failed_hosts': recap(log),
        'created': stats['executions_created'], 'duplicates': stats['duplicates'],
        'throttled': sum(1 for e in entries if e['status'] == 429),
        'gather_rt': gather_round_trips(entries, latency / 1000.0),
    }
    if usage['rc'] != 0 and contender != 'c':
        result['log_tail'] = log[-2000:]
    return result


def median(results, key):
    values = [r[key] for r in results if r.get(key) is not None]
    return statistics.median(values) if values else None


def machine():
    model = 'unknown CPU'
    try:
        with open('/proc/cpuinfo') as handle:
            for line in handle:
                if line.startswith('model name'):
                    model = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    memory = ''
    try:
        with open('/proc/meminfo') as handle:
            memory = '%.0f GiB' % (int(handle.readline().split()[1]) / 1024.0 / 1024.0)
    except (OSError, ValueError, IndexError):
        pass
    ansible = subprocess.run([ANSIBLE_PLAYBOOK, '--version'], stdout=subprocess.PIPE, text=True,
                             check=False).stdout.splitlines()[0]
    return '%s, %d cores, %s RAM, %s %s; Python %s; %s; load average at start %s' % (
        model, os.cpu_count() or 0, memory, platform.system(), platform.release(), platform.python_version(),
        ansible, ' '.join('%.2f' % x for x in os.getloadavg()))


def fmt(value, pattern='%.2f'):
    return '-' if value is None else pattern % value


def report(cells, args, started, elapsed):
    lines = [
        '# Benchmark: run_flow.yml against uri tasks and the no-op floor', '',
        'Measured by `make bench` (`%s`) on %s, %.0f min.' % (
            ' '.join(['tests/bench/bench.py'] + sys.argv[1:]), started, elapsed / 60.0), '',
        'Machine: %s.' % machine(), '',
        'Contenders: **a** `playbooks/run_flow.yml`; **b** `tests/bench/uri_baseline.yml` (ansible.builtin.uri: '
        'create, Context, Steps, each Step Context, set_fact); **c** `tests/bench/floor.yml` (one no-op module '
        'task per host). Flow: "%s", %d Steps. The emulator enforces 20 creates per second and adds the latency '
        'to every request. Medians of %d repetitions (contenders alternate; %s of the uri baseline); wall and CPU in seconds (CPU and '
        'peak RSS of the ansible-playbook process tree; the largest single process for RSS). `req/contact` from '
        'the emulator\'s request log; `gather RT` is the time from the first to the last read of a contact\'s '
        'Execution divided by the added latency (median over contacts).' % (
            FLOW_NAME, FLOW_STEPS, args.reps, args.baseline_reps if args.baseline_reps is not None else args.reps), '',
        '| latency | forks | N | wall a | wall b | wall c | a/b | a/c | CPU a | CPU b | CPU c | RSS a MB | '
        'req/contact a | req/contact b | gather RT a | gather RT b | a per contact ms | failed hosts | '
        'created a (dup) |',
        '|' + '---|' * 19,
    ]
    for key in sorted(cells):
        latency, forks, size = key
        runs = cells[key]
        by = {c: [r for r in runs if r['contender'] == c] for c in 'abc'}
        wall = {c: median(by[c], 'wall') for c in 'abc'}
        cpu = {c: median(by[c], 'cpu') for c in 'abc'}
        a_over = {c: (wall['a'] / wall[c]) if wall['a'] and wall[c] else None for c in 'bc'}
        failed = sum(r['failed_hosts'] for r in runs)
        created = ['%d (%d)' % (r['created'], r['duplicates']) for r in by['a']]
        lines.append('| %d ms | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d | %s |' % (
            latency, forks, size, fmt(wall['a'], '%.1f'), fmt(wall['b'], '%.1f'), fmt(wall['c'], '%.1f'),
            fmt(a_over['b']), fmt(a_over['c']), fmt(cpu['a'], '%.1f'), fmt(cpu['b'], '%.1f'), fmt(cpu['c'], '%.1f'),
            fmt(median(by['a'], 'rss_mb'), '%.0f'), fmt(median(by['a'], 'requests_per_contact'), '%.1f'),
            fmt(median(by['b'], 'requests_per_contact'), '%.1f'), fmt(median(by['a'], 'gather_rt'), '%.1f'),
            fmt(median(by['b'], 'gather_rt'), '%.1f'), fmt(wall['a'] * 1000.0 / size if wall['a'] else None, '%.0f'),
            failed, ', '.join(sorted(set(created))) or '-'))
    lines += ['', '## Targets', '']
    lines += targets(cells)
    lines += ['', 'Raw results: `tests/bench/results.json` (every run).', '']
    return '\n'.join(lines)


def targets(cells):
    out = []

    def wall(key, contender):
        return median([r for r in cells.get(key, []) if r['contender'] == contender], 'wall')

    for key in sorted(cells):
        latency, forks, size = key
        a, b, c = wall(key, 'a'), wall(key, 'b'), wall(key, 'c')
        if size == 100 and a and b:
            out.append('- a/b <= 0.5 at N=100, %d ms, forks %d: %.2f - %s' % (latency, forks, a / b,
                                                                              'met' if a / b <= 0.5 else 'missed'))
        if latency == 0 and a and c:
            out.append('- a/c <= 1.5 at 0 ms, N=%d, forks %d: %.2f - %s' % (
                size, forks, a / c, 'met' if a / c <= 1.5 else 'missed'))
    for key in sorted(cells):
        runs = [r for r in cells[key] if r['contender'] == 'a']
        rpc = median(runs, 'requests_per_contact')
        if rpc is not None:
            out.append('- requests per contact = 3 + S = %d at %d ms, forks %d, N=%d: %.2f - %s' % (
                3 + FLOW_STEPS, key[0], key[1], key[2], rpc, 'met' if abs(rpc - (3 + FLOW_STEPS)) < 0.01 else 'missed'))
        rt = median(runs, 'gather_rt')
        if rt is not None:
            out.append('- gather about 4 round trips (not 2 + S = %d) at %d ms, forks %d, N=%d: %.1f - %s' % (
                2 + FLOW_STEPS, key[0], key[1], key[2], rt, 'met' if rt <= 4.5 else 'missed'))
    for (latency, forks, size) in sorted(cells):
        if size <= 100 or (latency, forks, 100) not in cells:
            continue
        big, base = wall((latency, forks, size), 'a'), wall((latency, forks, 100), 'a')
        if big and base:
            ratio = (big / size) / (base / 100.0)
            failed = sum(r['failed_hosts'] for r in cells[(latency, forks, size)] if r['contender'] == 'a')
            out.append('- per-contact cost at N=%d within 1.2x of N=100 (%d ms, forks %d), zero failed hosts: '
                       '%.2fx, %d failed - %s' % (size, latency, forks, ratio, failed,
                                                  'met' if ratio <= 1.2 and not failed else 'missed'))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--sizes', default='10,100', help='inventory sizes with all three contenders')
    parser.add_argument('--big', default='500', help='larger sizes run with a and c only (0 ms, most forks)')
    parser.add_argument('--latencies', default='0,100', help='added latency per request, ms')
    parser.add_argument('--forks', default='5,20')
    parser.add_argument('--reps', type=int, default=3)
    parser.add_argument('--baseline-reps', type=int, default=None,
                        help='repetitions of the (slow) uri baseline; default: --reps')
    parser.add_argument('--out', default=os.path.join(HERE, 'RESULTS.md'))
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(',') if x]
    big = [int(x) for x in args.big.split(',') if x]
    latencies = [int(x) for x in args.latencies.split(',') if x]
    forks = [int(x) for x in args.forks.split(',') if x]
    baseline_reps = args.baseline_reps

    plan = []
    for latency in latencies:
        for fork in forks:
            for size in sizes:
                plan.append((latency, fork, size, 'abc'))
    for size in big:
        plan.append((0, max(forks), size, 'ac'))

    started = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')
    clock = time.perf_counter()
    cells, raw = {}, []
    with tempfile.TemporaryDirectory(prefix='studio-bench-') as work, \
            EmulatorProcess('--port', '0', '--rate-limit', '20') as emulator:
        flow_sid = emulator.control.flows()[FLOW_NAME]
        env = dict(os.environ, TWILIO_STUDIO_URL=emulator.url, TWILIO_ACCOUNT_SID=DEFAULT_ACCOUNT_SID,
                   TWILIO_AUTH_TOKEN=DEFAULT_AUTH_TOKEN, ANSIBLE_NOCOLOR='1', ANSIBLE_RETRY_FILES_ENABLED='0',
                   PATH=BIN + os.pathsep + os.environ.get('PATH', ''))
        for size in set(sizes + big):
            write_inventory(os.path.join(work, 'contacts-%d.json' % size), size, flow_sid)
        for latency, fork, size, contenders in plan:
            for rep in range(args.reps if size not in big else max(1, min(args.reps, 2))):
                if baseline_reps is not None and rep >= baseline_reps:
                    contenders = contenders.replace('b', '')
                order = contenders[rep % len(contenders):] + contenders[:rep % len(contenders)]
                for contender in order:
                    result = run_once(contender, size, fork, latency, emulator, work, env)
                    raw.append(result)
                    cells.setdefault((latency, fork, size), []).append(result)
                    print('%-12s N=%-4d forks=%-2d latency=%-3dms rep %d: wall %6.1fs cpu %6.1fs %5.1f req/contact '
                          'failed %d' % (NAMES[contender], size, fork, latency, rep + 1, result['wall'],
                                         result['cpu'], result['requests_per_contact'], result['failed_hosts']),
                          flush=True)
                    if result['rc'] != 0 and contender != 'c':
                        print(result.get('log_tail', ''), file=sys.stderr)
    elapsed = time.perf_counter() - clock
    text = report(cells, args, started, elapsed)
    with open(args.out, 'w') as handle:
        handle.write(text)
    with open(os.path.join(os.path.dirname(args.out), 'results.json'), 'w') as handle:
        json.dump(raw, handle, indent=1)
    print(text)


if __name__ == '__main__':
    main()
