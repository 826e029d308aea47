# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stop means stop, and nobody is messaged twice from another node: real signals to real
ansible-playbook runs against the emulator, then reruns as another machine would run them.

The Flow is "Appointment reminder", which sends and ends at once: a contact triggered twice is
messaged twice, so every Execution counts.
"""

import collections
import os
import signal
import subprocess
import time
import uuid

import pytest

from conftest import ROOT, TOKEN
import studio_runner

PLAYBOOK = os.path.join(ROOT, 'playbooks', 'run_flow.yml')
CREATE = ('POST', '/v1/Flows/<flow_sid>/Executions')


def inventory(path, count, prefix='+1555400'):
    hosts = '\n'.join('    "%s%04d": {studio_parameters: {name: C%d, date: May 5, time: "10:00"}}' % (prefix, i, i)
                      for i in range(count))
    path.write_text('studio_contacts:\n  vars:\n    studio_flow: Appointment reminder\n    studio_from: "+15005550006"\n'
                    '  hosts:\n' + hosts + '\n')
    return path


class Run:
    """One ansible-playbook run in its own session (as a terminal or AWX starts it), marked so that
    every process it starts can be found, also those that left its session."""

    def __init__(self, studio, inv, *args, machine=None):
        self.marker = uuid.uuid4().hex
        env = dict(studio.env, STUDIO_TEST_RUN=self.marker)
        env.update(machine or {})
        self.log = open(str(studio.tmp / ('run-%s.log' % self.marker[:8])), 'w+')  # pylint: disable=consider-using-with
        self.proc = subprocess.Popen([studio_runner.ANSIBLE_PLAYBOOK, '-i', str(inv), PLAYBOOK] + list(args),
                                     env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def output(self):
        self.log.seek(0)
        return self.log.read()

    def processes(self):
        """The pids of every process this run started that is still there (zombies aside)."""
        found = []
        for entry in os.listdir('/proc'):
            if not entry.isdigit():
                continue
            try:
                with open('/proc/%s/environ' % entry, 'rb') as handle:
                    environ = handle.read()
                with open('/proc/%s/stat' % entry) as handle:
                    state = handle.read().rsplit(')', 1)[1].split()[0]
            except OSError:
                continue
            if ('STUDIO_TEST_RUN=%s' % self.marker).encode() in environ and state != 'Z':
                found.append(int(entry))
        return found

    def wait_gone(self, seconds):
        """True once no process of the run is left (within ``seconds``)."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            if not self.processes():
                return True
            time.sleep(0.2)
        return not self.processes()


def creates(control, since=0):
    """(time, contact) of every create the emulator answered with success since request ``since``."""
    return [r['t'] for r in control.requests(since) if r['method'] == 'POST' and r['route'] == CREATE[1]
            and r['status'] in (200, 201)]


def wait_for_creates(control, count, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if len(creates(control)) >= count:
            return
        time.sleep(0.05)
    raise AssertionError('fewer than %d creates after %ss' % (count, timeout))


def per_contact(control):
    return collections.Counter(e['to'] for e in control.executions())


def another_machine(tmp_path, name):
    """The directories another node has: its own temp, local temp, remote temp and async dirs."""
    base = tmp_path / name
    dirs = {}
    for variable in ('TMPDIR', 'ANSIBLE_LOCAL_TEMP', 'ANSIBLE_REMOTE_TEMP', 'ANSIBLE_ASYNC_DIR'):
        (base / variable).mkdir(parents=True)
        dirs[variable] = str(base / variable)
    dirs['ANSIBLE_CACHE_PLUGIN_CONNECTION'] = str(base / 'facts')
    return dirs


@pytest.mark.parametrize('how, bound', [('SIGINT to the process group (Ctrl-C)', 1.0),
                                        ('SIGTERM to ansible-playbook (an AWX cancel)', 1.0),
                                        ('SIGKILL to the process group', 2.5)])
def test_an_interrupt_stops_the_campaign_and_leaves_nothing_running(studio, tmp_path, how, bound):
    inv = inventory(tmp_path / 'contacts.yml', 200)
    machine = another_machine(tmp_path, 'node1')
    run = Run(studio, inv, '-e', 'studio_campaign=interrupt', machine=machine)
    wait_for_creates(studio.control, 40)
    if how.startswith('SIGINT'):
        os.killpg(run.proc.pid, signal.SIGINT)
    elif how.startswith('SIGTERM'):
        os.kill(run.proc.pid, signal.SIGTERM)
    else:
        os.killpg(run.proc.pid, signal.SIGKILL)
    stopped_at = time.time()
    try:
        run.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        # ansible-core 2.21 now and then keeps waiting for the result of a worker the signal ended
        # (README, ansible-core notes); a person presses Ctrl-C again. The batch stopped already.
        os.killpg(run.proc.pid, signal.SIGINT)
        run.proc.wait(timeout=30)
    exited = time.time() - stopped_at
    assert run.wait_gone(15), 'processes of the run left: %s' % run.processes()
    made = creates(studio.control)
    print('%s: ansible-playbook exited after %.2f s, last create %.2f s after the signal, %d created'
          % (how, exited, max(made) - stopped_at, len(made)))
    late = [t - stopped_at for t in made if t > stopped_at + bound]
    assert not late, '%d creates started more than %.1f s after the signal: %s' % (len(late), bound, late[:5])
    assert len(made) < 200
    # nothing left behind on the node: no results folder, no async job file
    assert not [f for f in os.listdir(machine['TMPDIR']) if f.startswith('studio-campaign-')]
    for name in os.listdir(machine['ANSIBLE_ASYNC_DIR']):
        with open(os.path.join(machine['ANSIBLE_ASYNC_DIR'], name)) as handle:
            assert '+1555400' not in handle.read()  # no contact's result kept
    # a rerun with the campaign key says who was reached before the stop, and reaches the others once
    reached = len(made)
    again = studio.playbook(PLAYBOOK, '-e', 'studio_campaign=interrupt', inventory=inv,
                            env=another_machine(tmp_path, 'node2'))
    assert 'already reached by this campaign: ' in again.stdout
    assert '%d contacts: campaign %d, created %d' % (200, reached, 200 - reached) in again.stdout, again.stdout
    assert set(per_contact(studio.control).values()) == {1} and len(per_contact(studio.control)) == 200


def test_a_rerun_on_another_node_at_once_after_a_kill_reaches_everyone_exactly_once(studio, tmp_path):
    inv = inventory(tmp_path / 'contacts.yml', 120)
    first = Run(studio, inv, '-e', 'studio_campaign=node-loss', machine=another_machine(tmp_path, 'node1'))
    wait_for_creates(studio.control, 30)
    os.killpg(first.proc.pid, signal.SIGKILL)
    again = studio.playbook(PLAYBOOK, '-e', 'studio_campaign=node-loss', inventory=inv,
                            env=another_machine(tmp_path, 'node2'))
    counts = per_contact(studio.control)
    assert len(counts) == 120 and set(counts.values()) == {1}, [c for c, n in counts.items() if n > 1]
    assert 'already reached by this campaign: ' in again.stdout
    assert first.wait_gone(10)


def test_two_runs_of_one_campaign_started_at_once_message_nobody_twice(studio, tmp_path):
    inv = inventory(tmp_path / 'contacts.yml', 40)
    runs = [Run(studio, inv, '-e', 'studio_campaign=twins', machine=another_machine(tmp_path, 'node%d' % i))
            for i in (1, 2)]
    for run in runs:
        run.proc.wait(timeout=300)
    counts = per_contact(studio.control)
    assert set(counts.values()) == {1}, [c for c, n in counts.items() if n > 1]
    outputs = [run.output() for run in runs]
    refused = [out for out in outputs if 'another run of campaign' in out]
    if len(counts) < 40:
        # one run went on alone and the other refused, naming it: a rerun reaches the rest, once
        assert len(refused) == 1 and 'run ' in refused[0], outputs
        studio.playbook(PLAYBOOK, '-e', 'studio_campaign=twins', inventory=inv)
        counts = per_contact(studio.control)
    assert len(counts) == 40 and set(counts.values()) == {1}
    assert all(run.wait_gone(10) for run in runs)


def test_a_second_run_while_the_first_creates_waits_or_refuses_and_messages_nobody_twice(studio, tmp_path):
    inv = inventory(tmp_path / 'contacts.yml', 300)
    first = Run(studio, inv, '-e', 'studio_campaign=busy', machine=another_machine(tmp_path, 'node1'))
    wait_for_creates(studio.control, 20)
    second = studio.playbook(PLAYBOOK, '-e', 'studio_campaign=busy', inventory=inv, check=False,
                             env=another_machine(tmp_path, 'node2'))
    if second.returncode != 0:  # it refused, naming the first run
        assert "another run of campaign 'busy'" in second.stdout and 'is still creating' in second.stdout
    else:  # it waited until the first was quiet, then skipped whoever the first reached
        assert 'already reached by this campaign: ' in second.stdout
    first.proc.wait(timeout=120)
    counts = per_contact(studio.control)
    assert set(counts.values()) == {1}, [c for c, n in counts.items() if n > 1]
    assert first.wait_gone(10)


def test_the_token_is_not_in_the_interrupted_runs_output(studio, tmp_path):
    inv = inventory(tmp_path / 'contacts.yml', 60)
    run = Run(studio, inv, '-e', 'studio_campaign=secret', machine=another_machine(tmp_path, 'node1'))
    wait_for_creates(studio.control, 10)
    os.killpg(run.proc.pid, signal.SIGTERM)
    run.proc.wait(timeout=60)
    assert TOKEN not in run.output()
