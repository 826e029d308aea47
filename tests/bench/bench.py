# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""make bench: a campaign with playbooks/run_flow.yml against an expert's SDK script and Studio's limit.

Contenders, run alternately in one invocation against one Studio emulator (the 5-step "Order
update" Flow; the emulator enforces 20 creates per second over a 1 s sliding window, or over
Twilio's 10 s window for the --window10 sizes, and adds the latency to every request):
  a  playbooks/run_flow.yml, forks 20       (the collection: one batch per play)
  s  tests/bench/sdk_baseline.py            (Twilio's Python SDK in a thread pool, paced at 20/s,
                                             429 retried: the same requests)
  L  Studio's own limit, N/20 s             (computed: no design can beat it)
  c  tests/bench/floor.yml                  (optional, --floor: one no-op task per host)
Wall time; CPU time of the process tree; peak RSS of the whole process tree (the sum over its
processes' proportional set sizes, sampled every 0.2 s); requests per contact and 429s from the
emulator's request log.

Then AWX job slicing (--slices, --sequential): K run_flow.yml processes on one account with the
defaults, each over its own inventory, started at once or one after another, against the 10 s
window; wall, the span of the accepted creates, failed hosts, and whether every contact has exactly
one Execution.

Then the companions' lookups: --lookup-contacts contacts in an inventory, --lookup-executions
Executions of the Flow in the window; gather_facts.yml and end_active.yml run once each and
their list requests and total requests are counted from the emulator's log.

This is a measurement, not a test: it fails only when a run fails outright.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# pylint: disable=wrong-import-position
from studio_emulator import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN  # noqa: E402
from studio_emulator.launcher import EmulatorProcess  # noqa: E402

sys.path.insert(0, os.path.join(ROOT, 'tests', 'utils'))
from proctree import tree  # noqa: E402  pylint: disable=wrong-import-order

FLOW_NAME = 'Order update'
FLOW_STEPS = 5
LOOKUP_FLOW = 'Customer survey'
STUDIO_RATE = 20.0
BIN = os.path.dirname(sys.executable)
ANSIBLE_PLAYBOOK = os.path.join(BIN, 'ansible-playbook')
NAMES = {'a': 'run_flow.yml', 's': 'SDK script', 'c': 'no-op floor'}


def command(contender, inventory, forks, emulator_url):
    if contender == 'a':
        return [ANSIBLE_PLAYBOOK, '-f', str(forks), '-i', inventory, os.path.join(ROOT, 'playbooks', 'run_flow.yml')]
    if contender == 'c':
        return [ANSIBLE_PLAYBOOK, '-f', str(forks), '-i', inventory, os.path.join(HERE, 'floor.yml')]
    return [sys.executable, os.path.join(HERE, 'sdk_baseline.py'), '--url', emulator_url, '--inventory', inventory]


def write_inventory(path, size, flow_sid, first=0):
    hosts = {'+1555%07d' % i: {'studio_parameters': {'name': 'Contact %d' % i, 'order': str(10000 + i)}}
             for i in range(first, first + size)}
    with open(path, 'w') as handle:
        json.dump({'studio_contacts': {'vars': {'studio_flow': flow_sid, 'studio_from': '+15005550006'},
                                       'hosts': hosts}}, handle)
    return path


def memory_kb(pid):
    """The process's proportional set size (its private memory plus its share of pages shared with
    others, such as the copy-on-write pages of Ansible's forked workers), so that a sum over a tree
    counts each page once; VmRSS where the kernel has no smaps_rollup."""
    for path, key in (('/proc/%d/smaps_rollup' % pid, 'Pss:'), ('/proc/%d/status' % pid, 'VmRSS:')):
        try:
            with open(path) as handle:
                for line in handle:
                    if line.startswith(key):
                        return int(line.split()[1])
        except (OSError, ValueError):
            continue
    return 0


def measure(cmd, env, log_path):
    """Run ``cmd``; (exit code, wall s, CPU s of the tree, peak memory of the whole tree in MB: the
    sum of its processes' proportional set sizes, sampled every 0.2 s)."""
    peak = [0]
    started = time.perf_counter()
    with open(log_path, 'w') as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        done = threading.Event()

        def sample():
            while not done.wait(0.2):
                peak[0] = max(peak[0], sum(memory_kb(p) for p in tree(proc.pid)))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        before = os.times()
        code = proc.wait()
        after = os.times()
        done.set()
        sampler.join()
    wall = time.perf_counter() - started
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return code, wall, cpu, peak[0] / 1024.0


def run_once(contender, size, forks, latency, window, emulator, work, env):
    control = emulator.control
    control.reset()
    control.limits(rate=STUDIO_RATE, window=window)
    if latency:
        control.faults([{'kind': 'latency', 'seconds': latency / 1000.0, 'rate': 1}])
    inventory = os.path.join(work, 'contacts-%d.json' % size)
    log = os.path.join(work, 'run.log')
    code, wall, cpu, rss = measure(command(contender, inventory, forks, emulator.url), env, log)
    entries = control.requests()
    stats = control.stats()
    with open(log) as handle:
        output = handle.read()
    failed = output.count('\nfatal: ') + output.count('"failed": 1')
    result = {'contender': contender, 'size': size, 'forks': forks, 'latency': latency, 'window': window,
              'rc': code, 'wall': wall, 'cpu': cpu, 'rss_mb': rss, 'failed': failed,
              'requests_per_contact': len(entries) / float(size), 'created': stats['executions_created'],
              'duplicates': stats['duplicates'], 'throttled': sum(1 for e in entries if e['status'] == 429)}
    if code != 0:
        result['log_tail'] = output[-2000:]
    return result


def recap_failed(output):
    """Hosts with failed=N > 0 in the PLAY RECAP of an ansible-playbook output."""
    return sum(1 for match in re.finditer(r'^\S+\s+: ok=\d+\s+changed=\d+\s+unreachable=(\d+)\s+failed=(\d+)',
                                          output, re.M) if int(match.group(1)) or int(match.group(2)))


def accepted_creates(entries):
    """The times of the creates the emulator accepted, in order."""
    return sorted(e['t'] for e in entries if e['method'] == 'POST' and e['path'].endswith('/Executions')
                  and 200 <= e['status'] < 300)


def run_slices(mode, slices, size, window, emulator, work, env):
    """K = ``slices`` run_flow.yml processes (AWX job slicing: each its own ansible-playbook over its
    share of the hosts, ``size`` contacts each) on one account, all started at once (``together``)
    or one after another (``sequential``), with the defaults (no studio_rate)."""
    control = emulator.control
    control.reset()
    control.limits(rate=STUDIO_RATE, window=window)
    flow_sid = control.flows()[FLOW_NAME]
    procs, logs = [], []
    for k in range(slices):
        inventory = write_inventory(os.path.join(work, 'slice-%d.json' % k), size, flow_sid, first=k * size)
        logs.append(os.path.join(work, 'slice-%d.log' % k))
        procs.append(command('a', inventory, 20, emulator.url))
    spans, slice_creates = [], []
    started, started_epoch, load = time.perf_counter(), time.time(), os.getloadavg()[0]
    if mode == 'together':
        handles = []
        for cmd, log in zip(procs, logs):
            with open(log, 'w') as out:
                proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
                handles.append((time.perf_counter(), proc))
        for begun, proc in handles:
            proc.wait()
            spans.append((begun, time.perf_counter(), proc.returncode))
    else:
        for cmd, log in zip(procs, logs):
            begun, mark = time.perf_counter(), control.last_request()
            with open(log, 'w') as out:
                code = subprocess.call(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
            spans.append((begun, time.perf_counter(), code))
            own = accepted_creates(control.requests(mark))
            slice_creates.append(own[-1] - own[0] if own else None)
    wall = time.perf_counter() - started
    outputs = []
    for log in logs:
        with open(log) as handle:
            outputs.append(handle.read())
    entries = control.requests()
    stats = control.stats()
    accepted = accepted_creates(entries)
    per_contact = {}
    for execution in control.executions():
        per_contact[execution['to']] = per_contact.get(execution['to'], 0) + 1
    total = slices * size
    result = {'mode': mode, 'slices': slices, 'size': size, 'window': window, 'wall': wall,
              'slice_walls': [end - begun for begun, end, _code in spans], 'rc': [code for _b, _e, code in spans],
              'failed': sum(recap_failed(o) for o in outputs), 'created': stats['executions_created'],
              'duplicates': stats['duplicates'], 'throttled': sum(1 for e in entries if e['status'] == 429),
              'first_create': accepted[0] - started_epoch if accepted else None,
              'creates_span': ((accepted[-1] - accepted[0] if accepted else None) if mode == 'together'
                               else max([c for c in slice_creates if c is not None], default=None)),
              'load': load,
              'reached_once': sum(1 for count in per_contact.values() if count == 1) == total == len(per_contact)}
    if any(code != 0 for _b, _e, code in spans):
        result['log_tail'] = [o[-1500:] for o in outputs if 'failed=0' not in o[-3000:]][:2]
    return result


def seed_executions(url, flow_sid, contacts):
    """Create one Execution per address in ``contacts`` directly (the emulator's rate limit lifted)."""
    token = base64.b64encode(('%s:%s' % (DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN)).encode()).decode()

    def create(to):
        data = urllib.parse.urlencode({'To': to, 'From': '+15005550006', 'Parameters': '{}'}).encode()
        req = urllib.request.Request('%s/v1/Flows/%s/Executions' % (url, flow_sid), data=data,
                                     headers={'Authorization': 'Basic ' + token})
        with urllib.request.urlopen(req, timeout=60) as resp:  # nosec - loopback emulator
            return json.loads(resp.read())['sid']

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(create, contacts))


def lookups(emulator, work, env, contacts, executions):
    """gather_facts.yml and end_active.yml over ``contacts`` with ``executions`` in the window."""
    control = emulator.control
    control.reset()
    control.limits(rate=100000, window=1)
    flow_sid = control.flows()[LOOKUP_FLOW]
    inventory = write_inventory(os.path.join(work, 'lookup.json'), contacts, flow_sid)
    seed_executions(emulator.url, flow_sid, ['+1555%07d' % i for i in range(executions)])
    steps = statistics.median(e['steps'] for e in control.executions())
    results = {}
    for name in ('gather_facts.yml', 'end_active.yml'):
        mark = control.last_request()
        cmd = [ANSIBLE_PLAYBOOK, '-f', '20', '-i', inventory, os.path.join(ROOT, 'playbooks', name)]
        code, wall, cpu, rss = measure(cmd, env, os.path.join(work, 'lookup.log'))
        entries = control.requests(mark)
        listings = [e for e in entries if e['method'] == 'GET' and e['path'].endswith('/Executions')]
        results[name] = {'rc': code, 'wall': wall, 'cpu': cpu, 'rss_mb': rss, 'requests': len(entries),
                         'list_requests': len(listings), 'contacts': contacts, 'executions': executions,
                         'steps': steps}
        print('%-16s N=%d E=%d: %d list requests, %d requests, %.1fs' % (
            name, contacts, executions, len(listings), len(entries), wall), flush=True)
    return results


def machine():
    model = 'unknown CPU'
    try:
        with open('/proc/cpuinfo') as handle:
            model = next(line.split(':', 1)[1].strip() for line in handle if line.startswith('model name'))
    except (OSError, StopIteration):
        pass
    ansible = subprocess.run([ANSIBLE_PLAYBOOK, '--version'], stdout=subprocess.PIPE, text=True,
                             check=False).stdout.splitlines()[0]
    return '%s, %d cores, %s %s; Python %s; %s; load average at start %s' % (
        model, os.cpu_count() or 0, platform.system(), platform.release(), platform.python_version(), ansible,
        ' '.join('%.2f' % x for x in os.getloadavg()))


def fmt(value, pattern='%.2f'):
    return '-' if value is None else pattern % value


def median(results, key):
    values = [r[key] for r in results if r.get(key) is not None]
    return statistics.median(values) if values else None


SLICE_BOUNDS = {('together', 4, 300): 1.3, ('together', 8, 250): 1.35, ('sequential', 4, 300): 1.6}


def slice_rows(sliced):
    """The table and the targets of the AWX slice runs: medians of the repetitions."""
    lines = ['', '## AWX job slicing: K run_flow.yml processes on one account, with the defaults', '',
             'Each slice is its own `ansible-playbook` over its own inventory of N contacts (as AWX job slicing gives '
             'each job a share of the hosts), no `studio_rate` set; the emulator enforces 20 creates a second over '
             'the window. **together**: the K start at once, L = K x N/20 and the wall is the first start to the last '
             'end; **sequential**: one after another, each slice against its own N/20. Failed hosts from the PLAY '
             'RECAPs; "reached once": every contact has exactly one Execution. "creates" is the time from the first '
             'accepted create to the last: the pacers at work, without the playbooks\' start and end (for sequential '
             'slices the slowest slice\'s, against its own N/20); "start" from the launch to the first create; load '
             'is the 1-minute load average when the run started.', '',
             '| mode | window | K x N | wall s | L s | wall/L | slowest slice / its N/20 | creates s | creates/L | '
             'start s | failed hosts | reached once | created (dup) | 429s | load |', '|' + '---|' * 15]
    targets = []
    for key in sorted(sliced):
        mode, window, slices, size = key
        runs = sliced[key]
        wall = median(runs, 'wall')
        own = size / STUDIO_RATE
        slowest = statistics.median(max(r['slice_walls']) for r in runs) / own if mode == 'sequential' else None
        ratio = wall / (slices * own) if mode == 'together' else slowest
        failed = max(r['failed'] for r in runs)
        once = all(r['reached_once'] for r in runs)
        creates = median(runs, 'creates_span')
        lines.append('| %s | %g s | %d x %d | %.1f | %.1f | %.2f | %s | %s | %s | %s | %d | %s | %s | %s | %s |' % (
            mode, window, slices, size, wall, slices * own, wall / (slices * own), fmt(slowest), fmt(creates, '%.1f'),
            fmt(creates / (slices * own if mode == 'together' else own) if creates else None),
            fmt(median(runs, 'first_create'), '%.1f'), failed, 'yes' if once else 'NO',
            ', '.join(sorted(set('%d (%d)' % (r['created'], r['duplicates']) for r in runs))),
            fmt(median(runs, 'throttled'), '%d'), fmt(median(runs, 'load'), '%.1f')))
        bound = SLICE_BOUNDS.get((mode, slices, size))
        if bound and window == 10:
            met = ratio <= bound and failed == 0 and once
            targets.append('- %s, K=%d x %d: 0 failed, every contact once, %s <= %.2fx: %.2fx, %d failed, %s - %s' % (
                mode, slices, size, 'the whole' if mode == 'together' else 'each slice', bound, ratio, failed,
                'once' if once else 'NOT once', 'met' if met else 'missed'))
    return lines, targets


def report(cells, looked, args, started, elapsed, host, sliced=None):
    lines = [
        '# Benchmark: a campaign with run_flow.yml against an SDK script and Studio\'s limit', '',
        'Measured by `make bench` (`%s`) on %s, %.0f min.' % (
            ' '.join(['tests/bench/bench.py'] + sys.argv[1:]), started, elapsed / 60.0), '',
        'Machine: %s.' % host, '',
        'Contenders: **a** `playbooks/run_flow.yml` (forks %d; one `studio_campaign` batch per play, its '
        'contacts\' facts set by one loop while it runs); **s** `tests/bench/sdk_baseline.py` (Twilio\'s Python SDK, 32 threads, creates paced at '
        '20/s, 429 retried; the same requests); **L** Studio\'s limit, N/20 s; **c** one no-op task per host '
        '(only with --floor). Flow "%s", %d Steps, 3 + %d requests per contact. The emulator enforces 20 creates '
        'per second over the window and adds the latency to every request. Wall and CPU in seconds (CPU of the '
        'process tree); RSS is the peak memory of the whole process tree (the sum of its processes\' proportional set '
        'sizes, so that pages shared by forked workers count once; sampled every 0.2 s). Medians of the '
        'repetitions; contenders alternate.' % (args.forks, FLOW_NAME, FLOW_STEPS, FLOW_STEPS), '',
        '| window | latency | N | wall a | wall s | L = N/20 | a/s | a/L | a per contact ms | CPU a | CPU s | '
        'RSS a MB | req/contact a | 429s a | failed a | created a (dup) | wall c |',
        '|' + '---|' * 17,
    ]
    for key in sorted(cells):
        window, latency, size = key
        by = dict((c, [r for r in cells[key] if r['contender'] == c]) for c in 'asc')
        wall = dict((c, median(by[c], 'wall')) for c in 'asc')
        limit = size / STUDIO_RATE
        created = ', '.join(sorted(set('%d (%d)' % (r['created'], r['duplicates']) for r in by['a']))) or '-'
        lines.append('| %g s | %d ms | %d | %s | %s | %.1f | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |' % (
            window, latency, size, fmt(wall['a'], '%.1f'), fmt(wall['s'], '%.1f'), limit,
            fmt(wall['a'] / wall['s'] if wall['a'] and wall['s'] else None),
            fmt(wall['a'] / limit if wall['a'] else None), fmt(wall['a'] * 1000.0 / size if wall['a'] else None, '%.1f'),
            fmt(median(by['a'], 'cpu'), '%.1f'), fmt(median(by['s'], 'cpu'), '%.1f'),
            fmt(median(by['a'], 'rss_mb'), '%.0f'), fmt(median(by['a'], 'requests_per_contact'), '%.2f'),
            fmt(median(by['a'], 'throttled'), '%d'), fmt(median(by['a'], 'failed'), '%d'), created,
            fmt(wall['c'], '%.1f')))
    if looked:
        lines += ['', '## Companions: one listing per batch', '',
                  '| playbook | N contacts | E Executions | S | list requests | bound ceil(E/1000)+1 | requests | '
                  'bound | wall s |', '|' + '---|' * 9]
        for name, r in sorted(looked.items()):
            per = 2 + r['steps'] if name == 'gather_facts.yml' else 1
            list_bound = math.ceil(r['executions'] / 1000.0) + 1
            lines.append('| %s | %d | %d | %g | %d | %d | %d | %d | %.1f |' % (
                name, r['contacts'], r['executions'], r['steps'], r['list_requests'], list_bound, r['requests'],
                list_bound + r['contacts'] * per, r['wall']))
    slice_lines, slice_targets = slice_rows(sliced or {})
    if sliced:
        lines += slice_lines
    lines += ['', '## Targets', ''] + targets(cells, looked) + slice_targets
    lines += ['', 'Raw results: `tests/bench/results.json` (every run).', '']
    return '\n'.join(lines)


def targets(cells, looked):
    out = []

    def wall(key, contender):
        return median([r for r in cells.get(key, []) if r['contender'] == contender], 'wall')

    bounds = {500: 1.25, 2000: 1.25}  # the issues' targets (#20, #21)
    for key in sorted(cells):
        window, latency, size = key
        a, s = wall(key, 'a'), wall(key, 's')
        if latency == 0 and size in bounds and a and s:
            out.append('- run_flow.yml <= %.2fx the SDK script at N=%d (window %g s): %.2fx - %s'
                       % (bounds[size], size, window, a / s, 'met' if a / s <= bounds[size] else 'missed'))
        if latency == 100 and size == 500 and a:
            ratio = a / (size / STUDIO_RATE)
            out.append('- 100 ms latency, N=500: <= 1.4x N/20 s: %.2fx - %s' % (ratio, 'met' if ratio <= 1.4 else 'missed'))
    small = [k for k in cells if k[1] == 0 and k[0] == 1 and k[2] == 500]
    for key in sorted(cells):
        if key[1] == 0 and key[0] == 1 and key[2] > 500 and small:
            base, big = wall(small[0], 'a'), wall(key, 'a')
            if base and big:
                change = (big / key[2]) / (base / 500.0) - 1
                out.append('- cost per contact flat within +-10%% from 500 to %d: %+.1f%% - %s'
                           % (key[2], change * 100, 'met' if abs(change) <= 0.10 else 'missed'))
        if key[2] >= 5000:
            rss = median([r for r in cells[key] if r['contender'] == 'a'], 'rss_mb')
            if rss is not None:
                out.append('- peak RSS of the process tree <= 400 MB at N=%d: %.0f MB - %s'
                           % (key[2], rss, 'met' if rss <= 400 else 'missed'))
    for name, r in sorted((looked or {}).items()):
        per = 2 + r['steps'] if name == 'gather_facts.yml' else 1
        list_bound = math.ceil(r['executions'] / 1000.0) + 1
        out.append('- %s, N=%d, E=%d: list requests %d <= %d, total %d <= %d - %s' % (
            name, r['contacts'], r['executions'], r['list_requests'], list_bound, r['requests'],
            list_bound + r['contacts'] * per,
            'met' if r['list_requests'] <= list_bound and r['requests'] <= list_bound + r['contacts'] * per
            else 'missed'))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--sizes', default='500,2000', help='inventory sizes for a and s, 0 ms (default 500,2000)')
    parser.add_argument('--window10', default='500', help='sizes also run with the 10 s rate window (Twilio\'s)')
    parser.add_argument('--latency-sizes', default='500', help='sizes run with 100 ms latency (a only)')
    parser.add_argument('--scale', default='5000', help='sizes run with a only, for per-contact cost and RSS')
    parser.add_argument('--slices', default='4x300,8x250',
                        help='AWX slices started at once, KxN, with the 10 s window (default 4x300,8x250)')
    parser.add_argument('--sequential', default='4x300', help='AWX slices one after another, KxN (default 4x300)')
    parser.add_argument('--forks', type=int, default=20)
    parser.add_argument('--reps', type=int, default=2, help='repetitions of each cell up to N=2000 (default 2)')
    parser.add_argument('--floor', action='store_true', help='also run the no-op floor (c)')
    parser.add_argument('--lookup-contacts', type=int, default=2000)
    parser.add_argument('--lookup-executions', type=int, default=5000, help='0 skips the companions')
    parser.add_argument('--out', default=os.path.join(HERE, 'RESULTS.md'))
    args = parser.parse_args()

    def sizes(text):
        return [int(x) for x in text.split(',') if x]

    extra = 'c' if args.floor else ''
    plan = [(1, 0, n, 'as' + extra) for n in sizes(args.sizes)]
    plan += [(10, 0, n, 'as') for n in sizes(args.window10)]
    plan += [(1, 100, n, 'a') for n in sizes(args.latency_sizes)]
    plan += [(1, 0, n, 'a') for n in sizes(args.scale)]

    started = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')
    host = machine()
    clock = time.perf_counter()
    cells, raw = {}, []
    with tempfile.TemporaryDirectory(prefix='studio-bench-') as work, \
            EmulatorProcess('--port', '0', '--rate-limit', '20') as emulator:
        flow_sid = emulator.control.flows()[FLOW_NAME]
        env = dict(os.environ, TWILIO_STUDIO_URL=emulator.url, TWILIO_ACCOUNT_SID=DEFAULT_ACCOUNT_SID,
                   TWILIO_AUTH_TOKEN=DEFAULT_AUTH_TOKEN, ANSIBLE_NOCOLOR='1', ANSIBLE_RETRY_FILES_ENABLED='0',
                   ANSIBLE_DEPRECATION_WARNINGS='0', PATH=BIN + os.pathsep + os.environ.get('PATH', ''))
        for size in set(n for _w, _l, n, _c in plan):
            write_inventory(os.path.join(work, 'contacts-%d.json' % size), size, flow_sid)
        for window, latency, size, contenders in plan:
            reps = args.reps if size <= 2000 else 1
            for rep in range(reps):
                order = contenders[rep % len(contenders):] + contenders[:rep % len(contenders)]
                for contender in order:
                    result = run_once(contender, size, args.forks, latency, window, emulator, work, env)
                    raw.append(result)
                    cells.setdefault((window, latency, size), []).append(result)
                    print('%-12s N=%-5d window=%-2gs latency=%-3dms rep %d: wall %6.1fs cpu %6.1fs rss %5.0f MB '
                          '%5.2f req/contact, 429s %d, created %d (dup %d)' % (
                              NAMES[contender], size, window, latency, rep + 1, result['wall'], result['cpu'],
                              result['rss_mb'], result['requests_per_contact'], result['throttled'],
                              result['created'], result['duplicates']), flush=True)
                    if result['rc'] != 0:
                        print(result.get('log_tail', ''), file=sys.stderr)
        sliced = {}
        slice_plan = [('together', spec) for spec in args.slices.split(',') if spec]
        slice_plan += [('sequential', spec) for spec in args.sequential.split(',') if spec]
        for mode, spec in slice_plan:
            slices, size = (int(x) for x in spec.lower().split('x'))
            for rep in range(args.reps):
                result = run_slices(mode, slices, size, 10, emulator, work, env)
                raw.append(result)
                sliced.setdefault((mode, 10, slices, size), []).append(result)
                print('slices %-10s K=%d x N=%d rep %d: wall %6.1fs (slices %s), failed hosts %d, reached once %s, '
                      'created %d (dup %d), 429s %d' % (
                          mode, slices, size, rep + 1, result['wall'],
                          ' '.join('%.1f' % w for w in result['slice_walls']), result['failed'],
                          result['reached_once'], result['created'], result['duplicates'], result['throttled']),
                      flush=True)
                for tail in result.get('log_tail', []):
                    print(tail, file=sys.stderr)
        looked = lookups(emulator, work, env, args.lookup_contacts, args.lookup_executions) \
            if args.lookup_executions else {}
    elapsed = time.perf_counter() - clock
    text = report(cells, looked, args, started, elapsed, host, sliced)
    with open(args.out, 'w') as handle:
        handle.write(text)
    with open(os.path.join(os.path.dirname(args.out), 'results.json'), 'w') as handle:
        json.dump({'runs': raw, 'lookups': looked}, handle, indent=1)
    print(text)


if __name__ == '__main__':
    main()
