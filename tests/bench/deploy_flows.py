#!/usr/bin/env python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What deploy_flows.yml costs: requests per Flow and wall time, first deploy against reruns.

    ANSIBLE_COLLECTIONS_PATH=<collections root> .venv/bin/python tests/bench/deploy_flows.py [--flows 20]

Writes N Flow files (copies of the emulator's example Flows, renamed), then on a fresh emulator:
deploys them, deploys them again unchanged, reformats every file (keys reversed, other indent) and
deploys, changes one property of one Flow and deploys. For each run: requests by kind (reads,
Validate, writes), revisions made, and seconds; the rerun's time is given as a ratio of the first
deploy's, both measured in the same run. Results: tests/bench/DEPLOY.md.
"""

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time

from studio_emulator import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN
from studio_emulator.launcher import EmulatorProcess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
EXAMPLES = os.path.join(ROOT, 'tests', 'emulator', 'studio_emulator', 'flows')
BIN = os.path.dirname(sys.executable)


def reversed_keys(value):
    if isinstance(value, dict):
        return dict((key, reversed_keys(value[key])) for key in reversed(list(value)))
    if isinstance(value, list):
        return [reversed_keys(item) for item in value]
    return value


def write_flows(folder, count, reformat=False):
    examples = sorted(f for f in os.listdir(EXAMPLES) if f.endswith('.json'))
    for n in range(count):
        with open(os.path.join(EXAMPLES, examples[n % len(examples)])) as handle:
            document = json.load(handle)
        document = {'friendly_name': 'Bench flow %03d' % n, 'definition': document.get('definition', document)}
        with open(os.path.join(folder, 'bench-%03d.json' % n), 'w') as handle:
            if reformat:
                json.dump(reversed_keys(document), handle, indent=7)
            else:
                json.dump(document, handle, indent=2, sort_keys=True)


def deploy(emulator, folder):
    env = dict(os.environ, TWILIO_STUDIO_URL=emulator.url, TWILIO_ACCOUNT_SID=DEFAULT_ACCOUNT_SID,
               TWILIO_AUTH_TOKEN=DEFAULT_AUTH_TOKEN, ANSIBLE_NOCOLOR='1')
    mark = emulator.control.last_request()
    started = time.time()
    subprocess.run([os.path.join(BIN, 'ansible-playbook'), os.path.join(ROOT, 'playbooks', 'deploy_flows.yml'),
                    '-e', 'studio_flows_dir=%s' % folder], env=env, check=True, stdout=subprocess.DEVNULL)
    seconds = time.time() - started
    kinds = collections.Counter()
    for request in emulator.control.requests(mark):
        if request['route'] == '/v2/Flows/Validate':
            kinds['validate'] += 1
        elif request['method'] in ('POST', 'DELETE'):
            kinds['write'] += 1
        else:
            kinds['read'] += 1
    return kinds, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--flows', type=int, default=20)
    parser.add_argument('--out', default=os.path.join(HERE, 'DEPLOY.md'))
    args = parser.parse_args()
    n = args.flows
    rows = []
    with tempfile.TemporaryDirectory() as folder, EmulatorProcess('--port', '0') as emulator:
        write_flows(folder, n)
        rows.append(('first deploy', ) + deploy(emulator, folder))
        rows.append(('rerun, unchanged', ) + deploy(emulator, folder))
        write_flows(folder, n, reformat=True)
        rows.append(('every file reformatted', ) + deploy(emulator, folder))
        path = os.path.join(folder, 'bench-000.json')
        with open(path) as handle:
            document = json.load(handle)
        document['definition']['description'] = 'changed'
        with open(path, 'w') as handle:
            json.dump(document, handle)
        rows.append(('one property of one Flow changed', ) + deploy(emulator, folder))
    first = rows[0][2]
    lines = ['# deploy_flows.yml: requests and time', '',
             'Measured by `tests/bench/deploy_flows.py --flows %d` (%s) against the emulator; %d Flows '
             '(copies of the example Flows).' % (n, time.strftime('%Y-%m-%d'), n), '',
             '| run | reads | Validate | writes | requests per Flow | seconds | time / first deploy |',
             '|---|---|---|---|---|---|---|']
    for name, kinds, seconds in rows:
        total = sum(kinds.values())
        lines.append('| %s | %d | %d | %d | %.2f | %.1f | %.2f |' % (
            name, kinds['read'], kinds['validate'], kinds['write'], total / float(n), seconds, seconds / first))
    with open(args.out, 'w') as handle:
        handle.write('\n'.join(lines) + '\n')
    print('\n'.join(lines))
    return 0


if __name__ == '__main__':
    sys.exit(main())
