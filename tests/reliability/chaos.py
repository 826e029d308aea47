# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault matrix: playbooks/run_flow.yml over an inventory of contacts while the emulator misbehaves.

For each mix of faults: run the playbook with the faults on, then rerun it with the faults off
(the incident is over), and count through the emulator:
  - exactly one Execution per contact (no duplicates, none missing after the rerun);
  - after the first run, every contact either gathered (in the report, with its Steps) or failed
    with a clear message (a Studio error text, not a traceback or a module failure);
  - the requests the faults hit (each one retried, adopted or reported).
The Flow is "Customer survey", which stays active waiting for a reply, so that a rerun must find
each contact's Execution instead of starting another.

    make chaos                         the full matrix, 100 contacts
    chaos.py --contacts 20 --forks 10  the short variant (make test)

Exits 1 when a check fails. Needs the collection where Ansible finds it (the Makefile sets it up).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# pylint: disable=wrong-import-position
from studio_emulator import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN  # noqa: E402
from studio_emulator.launcher import EmulatorProcess  # noqa: E402

sys.path.insert(0, os.path.join(ROOT, 'tests', 'utils'))
from proctree import tree  # noqa: E402  pylint: disable=wrong-import-order
from studio_runner import failures  # noqa: E402  pylint: disable=wrong-import-order

PLAYBOOK = os.path.join(ROOT, 'playbooks', 'run_flow.yml')
BIN = os.path.dirname(sys.executable)
ANSIBLE_PLAYBOOK = os.path.join(BIN, 'ansible-playbook')
FLOW = 'Customer survey'
TIMEOUT = 2  # studio_timeout for every run: the latency spikes go beyond it
CREATE_PATH = '/v1/Flows/*/Executions'
# What a failed contact's message must not look like: a crash instead of an explanation.
UNCLEAR = re.compile(r'Traceback|MODULE FAILURE|Exception|unexpected|^$', re.M)

MIXES = [
    ('no faults', {}),
    ('429 storm (5 creates/s)', {'limits': {'rate': 5, 'window': 1}}),
    ('10% 503 on reads', {'faults': [{'kind': '503', 'method': 'GET', 'rate': 0.1}]}),
    ('10% commit-then-fail creates',
     {'faults': [{'kind': 'commit_then_fail', 'method': 'POST', 'path': CREATE_PATH, 'rate': 0.1}]}),
    ('5% latency > timeout', {'faults': [{'kind': 'latency', 'seconds': TIMEOUT + 1.5, 'rate': 0.05}]}),
    ('5% dropped connections', {'faults': [{'kind': 'drop', 'rate': 0.05}]}),
    ('emulator killed, back in 1.5 s', {'kill': 1.5}),
    ('emulator killed, back in 20 s', {'kill': 20}),
    # The controller dies mid-campaign (AWX node lost): the whole ansible-playbook process group gets
    # SIGKILL at a random moment, on a Flow whose Executions end at once; the rerun with the same
    # campaign key must trigger exactly the contacts not reached yet.
    ('ansible-playbook killed mid-campaign', {'kill_playbook': True, 'flow': 'Appointment reminder',
                                              'contacts': 300, 'campaign': 'chaos-campaign'}),
]


def write_inventory(path, contacts, flow=FLOW, campaign=None):
    hosts = {'+1555%07d' % i: {'studio_parameters': {'name': 'Contact %d' % i, 'product': 'tea'}}
             for i in range(contacts)}
    group = {'studio_flow': flow, 'studio_from': '+15005550006', 'studio_timeout': TIMEOUT}
    if campaign:
        group['studio_campaign'] = campaign
    with open(path, 'w') as handle:
        json.dump({'studio_contacts': {'vars': group, 'hosts': hosts}}, handle)
    return sorted(hosts)


def playbook(env, inventory, forks, report, background=False):
    cmd = [ANSIBLE_PLAYBOOK, '-f', str(forks), '-i', inventory, PLAYBOOK, '-e', 'studio_report_path=' + report]
    if background:
        # its own process group, so that a crash can take the workers and the module with it
        return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                start_new_session=True)
    return subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False,
                          timeout=1800)


def kill_tree(pid):
    """SIGKILL ``pid`` and every process below it, as a lost machine would: Ansible's workers run in
    sessions of their own, so killing the process group is not enough. All are stopped first."""
    for member in tree(pid, visit=lambda current: os.kill(current, signal.SIGSTOP)):
        os.kill(member, signal.SIGKILL)


def report_rows(report):
    try:
        with open(report) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return []


def gathered(report):
    try:
        with open(report) as handle:
            rows = json.load(handle)
    except (OSError, ValueError):
        return set()
    return {r['contact'] for r in rows if r.get('execution_sid') and r.get('steps', 0) >= 1}


class Emulator:
    """One emulator per mix; restartable on the same port with the same state file."""

    def __init__(self, state):
        self.state = state
        self.process = EmulatorProcess('--port', '0', '--state', state, '--seed', '7')
        self.process.__enter__()
        self.port = self.process.url.rsplit(':', 1)[1]

    @property
    def control(self):
        return self.process.control

    @property
    def url(self):
        return self.process.url

    def kill_and_restart(self, down_seconds):
        self.process.kill()
        time.sleep(down_seconds)
        self.process = EmulatorProcess('--port', self.port, '--state', self.state, '--seed', '7')
        self.process.__enter__()

    def stop(self):
        self.process.stop()


def run_mix(name, mix, contacts, forks, work):
    inventory = os.path.join(work, 'contacts.json')
    contacts = mix.get('contacts', contacts)
    hosts = write_inventory(inventory, contacts, mix.get('flow', FLOW), mix.get('campaign'))
    emulator = Emulator(os.path.join(work, 'state-%d.jsonl' % abs(hash(name))))
    try:
        control = emulator.control
        if mix.get('limits'):
            control.limits(**mix['limits'])
        if mix.get('faults'):
            control.faults(mix['faults'], seed=7)
        env = dict(os.environ, TWILIO_STUDIO_URL=emulator.url, TWILIO_ACCOUNT_SID=DEFAULT_ACCOUNT_SID,
                   TWILIO_AUTH_TOKEN=DEFAULT_AUTH_TOKEN, ANSIBLE_NOCOLOR='1', ANSIBLE_RETRY_FILES_ENABLED='0',
                   ANSIBLE_DEPRECATION_WARNINGS='0', PATH=BIN + os.pathsep + os.environ.get('PATH', ''))
        first_report = os.path.join(work, 'first.json')
        for stale in (first_report, os.path.join(work, 'rerun.json')):  # the previous mix's reports
            if os.path.exists(stale):
                os.remove(stale)
        started = time.perf_counter()
        if mix.get('kill'):
            proc = playbook(env, inventory, forks, first_report, background=True)
            while control.stats()['executions_created'] < contacts * 0.4 and proc.poll() is None:
                time.sleep(0.1)
            killed_at = control.stats()['executions_created']
            emulator.kill_and_restart(down_seconds=mix['kill'])
            output = proc.communicate(timeout=1800)[0]
        elif mix.get('kill_playbook'):
            moment = random.Random(name).uniform(0.1, 0.9) * contacts  # a random moment, the same each run
            proc = playbook(env, inventory, forks, first_report, background=True)
            while control.stats()['executions_created'] < moment and proc.poll() is None:
                time.sleep(0.02)
            kill_tree(proc.pid)
            output = proc.communicate(timeout=60)[0]
            time.sleep(1)  # a create in flight when the controller died still lands
            killed_at = control.stats()['executions_created']
        else:
            killed_at = None
            output = playbook(env, inventory, forks, first_report).stdout
        wall = time.perf_counter() - started
        log = emulator.control.requests()
        faulted = sum(1 for e in log if e.get('fault') or e['status'] in (0, 429) or e['status'] >= 500)
        failed = failures(output)
        ok = gathered(first_report)

        emulator.control.faults([])
        emulator.control.limits(rate=20, window=1)
        rerun_report = os.path.join(work, 'rerun.json')
        rerun = playbook(env, inventory, forks, rerun_report)
        per_contact = collections.Counter(e['to'] for e in emulator.control.executions())
    finally:
        emulator.stop()

    problems = []
    unaccounted = set(hosts) - ok - set(failed)
    if mix.get('kill_playbook'):
        unaccounted = set()  # the first run died: the rerun must account for everyone
        reached = collections.Counter(r['action'] for r in report_rows(rerun_report))
        # the batch stops at once with ansible-playbook (its lifeline): what was reached
        # is skipped, the rest created, nothing else
        if reached.get('campaign', 0) < killed_at or reached.get('campaign', 0) + reached.get('created', 0) != contacts:
            problems.append('the rerun should skip at least the %d reached and create the rest: %s'
                            % (killed_at, dict(reached)))
    if unaccounted:
        problems.append('neither gathered nor failed: %s' % sorted(unaccounted)[:5])
    unclear = {h: m for h, m in failed.items() if UNCLEAR.search(m or '')}
    if unclear:
        problems.append('unclear failure messages: %s' % list(unclear.items())[:2])
    duplicates = sum(n - 1 for n in per_contact.values() if n > 1)
    missing = [h for h in hosts if per_contact.get(h, 0) == 0]
    if duplicates:
        problems.append('%d duplicate Executions: %s' % (duplicates, [h for h, n in per_contact.items() if n > 1][:5]))
    if missing:
        problems.append('missing after the rerun: %s' % missing[:5])
    rerun_failed = failures(rerun.stdout)
    if rerun.returncode != 0 or rerun_failed:
        problems.append('rerun failed (%d): %s' % (rerun.returncode, list(rerun_failed.items())[:2] or
                                                   rerun.stdout[-1500:]))
    if gathered(rerun_report) != set(hosts):
        problems.append('rerun did not gather every contact')
    return {
        'mix': name, 'contacts': contacts, 'created': sum(per_contact.values()), 'duplicates': duplicates,
        'failed': len(failed), 'gathered': len(ok), 'missing': len(missing), 'faulted': faulted,
        'killed_at': killed_at, 'down': mix.get('kill'), 'wall': wall,
        'messages': sorted(set(re.sub(r'FN[0-9a-f]{32}|\+1555\d{7}', '...', m)[:160] for m in failed.values()))[:3],
        'problems': problems,
    }


def table(rows):
    lines = ['| mix | contacts | Executions created | duplicates | failed hosts (run 1) | gathered (run 1) | '
             'missing after rerun | faulted requests (each retried, adopted or reported) | wall run 1 (s) | checks |',
             '|' + '---|' * 10]
    for r in rows:
        if r['killed_at'] is not None and r['down'] is None:
            faulted = 'ansible-playbook killed (SIGKILL) after %d creates; the rerun skipped them' % r['killed_at']
        elif r['killed_at'] is not None:
            faulted = 'killed (SIGKILL) after %d creates, down %s s' % (r['killed_at'], r['down'])
        else:
            faulted = str(r['faulted'])
        lines.append('| %s | %d | %d | %d | %d | %d | %d | %s | %.1f | %s |' % (
            r['mix'], r['contacts'], r['created'], r['duplicates'], r['failed'], r['gathered'], r['missing'],
            faulted, r['wall'], 'ok' if not r['problems'] else 'FAILED'))
    return '\n'.join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--contacts', type=int, default=100)
    parser.add_argument('--forks', type=int, default=20)
    parser.add_argument('--mix', action='append', help='only the mixes whose name contains this text')
    parser.add_argument('--out', help='also write the table (markdown) here')
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix='studio-chaos-') as work:
        for name, mix in MIXES:
            if args.mix and not any(m in name for m in args.mix):
                continue
            row = run_mix(name, mix, args.contacts, args.forks, work)
            rows.append(row)
            print('%-30s created %d (dup %d), failed %d, gathered %d, missing %d, faulted %d, %.1fs %s' % (
                name, row['created'], row['duplicates'], row['failed'], row['gathered'], row['missing'],
                row['faulted'], row['wall'], '; '.join(row['problems']) or 'ok'), flush=True)
            for message in row['messages']:
                print('    failed contact said: %s' % message, flush=True)
    text = table(rows)
    print(text)
    if args.out:
        with open(args.out, 'w') as handle:
            handle.write('Measured by `%s` (%d contacts, forks %d, Flow "%s", studio_timeout %ss).\n\n%s\n' % (
                ' '.join(['tests/reliability/chaos.py'] + sys.argv[1:]), args.contacts, args.forks, FLOW, TIMEOUT,
                text))
    bad = [r for r in rows if r['problems']]
    for r in bad:
        print('FAILED %s: %s' % (r['mix'], '; '.join(r['problems'])), file=sys.stderr)
    return 1 if bad else 0


if __name__ == '__main__':
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    sys.exit(main())
