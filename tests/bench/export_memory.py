#!/usr/bin/env python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark of studio_execution_export: memory stays flat as the export grows, and an export
killed half way resumes with no duplicate line and nothing missing.

    ANSIBLE_COLLECTIONS_PATH=<collections root> .venv/bin/python tests/bench/export_memory.py [--sizes 250 1000]

For each size N it creates N Executions of the five-step "Order update" Flow on a fresh emulator,
runs the module's process alone (no ansible-playbook around it) and reads its peak resident set
size (getrusage of the child). The figure that matters is the ratio of the largest export's peak
to the smallest's, measured in the same run: 1.0 is flat. Then, at the largest size, it kills the
module (SIGKILL) once the file holds about half the lines, reruns it, and checks the file.
Results: tests/bench/EXPORT.md.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from studio_emulator import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN
from studio_emulator.launcher import EmulatorProcess

HERE = os.path.dirname(os.path.abspath(__file__))
MODULE = 'ansible_collections.telephony.twilio.plugins.modules.studio_execution_export'
FLOW = 'Order update'


def collections_root():
    for root in os.environ.get('ANSIBLE_COLLECTIONS_PATH', '').split(os.pathsep):
        if os.path.isdir(os.path.join(root, 'ansible_collections', 'telephony', 'twilio')):
            return root
    sys.exit('export_memory.py: set ANSIBLE_COLLECTIONS_PATH to a directory holding ansible_collections/telephony/twilio')


def create(url, flow_sid, count):
    http = requests.Session()
    http.auth = (DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN)

    def one(n):
        answer = http.post('%s/v1/Flows/%s/Executions' % (url, flow_sid), timeout=30,
                           data={'To': '+1555%07d' % n, 'From': '+15550000000',
                                 'Parameters': json.dumps({'name': 'Contact %d' % n, 'order': str(n)})})
        answer.raise_for_status()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, range(count)))


def module_command(url, path, workdir):
    args = os.path.join(workdir, 'args.json')
    with open(args, 'w') as handle:
        json.dump({'ANSIBLE_MODULE_ARGS': {'flow': FLOW, 'path': path, 'studio_url': url,
                                           'account_sid': DEFAULT_ACCOUNT_SID, 'auth_token': DEFAULT_AUTH_TOKEN}},
                  handle)
    return [sys.executable, '-m', MODULE, args]


def run_measured(command, env):
    """Run the module in a child process; return (result, peak RSS in MiB, seconds)."""
    probe = ('import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE); '
             'sys.stderr.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); '
             'sys.stdout.buffer.write(p.stdout)')
    started = time.time()
    proc = subprocess.run([sys.executable, '-c', probe] + command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=env, check=True)
    seconds = time.time() - started
    return json.loads(proc.stdout), int(proc.stderr.decode().strip().splitlines()[-1]) / 1024.0, seconds


def lines_of(path):
    with open(path) as handle:
        return [json.loads(line)['sid'] for line in handle]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--sizes', type=int, nargs='+', default=[250, 1000])
    parser.add_argument('--out', default=os.path.join(HERE, 'EXPORT.md'))
    args = parser.parse_args()
    env = dict(os.environ, PYTHONPATH=collections_root())
    rows, resume = [], None
    with tempfile.TemporaryDirectory() as workdir:
        for size in sorted(args.sizes):
            with EmulatorProcess('--port', '0', '--rate-limit', '0') as emulator:
                flow_sid = emulator.control.flows()[FLOW]
                create(emulator.url, flow_sid, size)
                path = os.path.join(workdir, 'export-%d.jsonl' % size)
                result, peak, seconds = run_measured(module_command(emulator.url, path, workdir), env)
                assert result.get('exported') == size, result
                assert sorted(lines_of(path)) == sorted(set(lines_of(path))) and len(lines_of(path)) == size
                rows.append((size, peak, seconds, os.path.getsize(path)))
                print('N=%d: peak RSS %.1f MiB, %.1f s, %d bytes' % (size, peak, seconds, os.path.getsize(path)))
                if size == max(args.sizes):
                    resume = interrupted(emulator.url, size, workdir, env)
    largest, smallest = rows[-1], rows[0]
    report = ['# studio_execution_export: memory and resume', '',
              'Measured by `tests/bench/export_memory.py` (%s). Each export of N Executions of the five-step '
              '"Order update" Flow (7 requests each: Context, Steps, 5 Step Contexts) runs as the module\'s own '
              'process; peak RSS from getrusage.' % time.strftime('%Y-%m-%d'), '',
              '| Executions | peak RSS (MiB) | seconds | file (bytes) |', '|---|---|---|---|']
    report += ['| %d | %.1f | %.1f | %d |' % row for row in rows]
    report += ['', 'Peak RSS ratio N=%d / N=%d: **%.2f** (1.00 = flat; the file grew %.1fx).'
               % (largest[0], smallest[0], largest[1] / smallest[1], largest[3] / float(smallest[3])), '']
    if resume:
        report += ['Killed (SIGKILL) with %d of %d lines written%s; the rerun wrote %d, and the file holds %d lines, '
                   '%d distinct, every Execution of the window: %s.' % resume, '']
    with open(args.out, 'w') as handle:
        handle.write('\n'.join(report))
    print('\n'.join(report))
    return 0


def interrupted(url, size, workdir, env):
    """Kill an export half way, resume it, and check the file."""
    path = os.path.join(workdir, 'interrupted.jsonl')
    proc = subprocess.Popen(module_command(url, path, workdir), env=env, stdout=subprocess.DEVNULL)  # noqa
    while proc.poll() is None:
        if os.path.exists(path) and sum(1 for dummy in open(path, 'rb')) >= size // 2:
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.05)
    proc.wait()
    with open(path, 'rb') as handle:
        data = handle.read()
    written, torn = data.count(b'\n'), '' if data.endswith(b'\n') else ' and a torn last line'
    result, dummy, dummy = run_measured(module_command(url, path, workdir), env)
    sids = lines_of(path)
    whole = len(sids) == size and len(set(sids)) == size
    return (written, size, torn, result['exported'], len(sids), len(set(sids)), 'yes' if whole else 'NO')


if __name__ == '__main__':
    sys.exit(main())
