# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWX job slicing: slices of one campaign, each its own ansible-playbook over its own hosts, started at
once on one account with the defaults, share Studio's limit without a failure (a 429 is feedback)."""

import json
import os
import subprocess

from conftest import ROOT
from studio_runner import ANSIBLE_PLAYBOOK
from test_playbooks import recap

SLICE = 30


def slice_inventory(path, first, flow):
    hosts = {'+1555124%04d' % i: {'studio_parameters': {'n': i}} for i in range(first, first + SLICE)}
    path.write_text(json.dumps({'studio_contacts': {'vars': {'studio_flow': flow, 'studio_from': '+15005550006'},
                                                    'hosts': hosts}}))
    return path


def test_two_slices_started_at_once_share_the_account_without_a_failure(studio):
    # A tight limiter (20 creates in any 10 s) makes two batches at the default 20/s collide at once, and
    # refuses every create for seconds on end: longer than max_retries' backoff would last.
    studio.control.limits(rate=2, window=10)
    flow = studio.control.flows()['Order update']
    procs = []
    for k in range(2):
        inventory = slice_inventory(studio.tmp / ('slice-%d.json' % k), k * SLICE, flow)
        procs.append(subprocess.Popen(  # pylint: disable=consider-using-with
            [ANSIBLE_PLAYBOOK, '-i', str(inventory), os.path.join(ROOT, 'playbooks', 'run_flow.yml'),
             '-e', 'studio_campaign=slices-2026-11'],
            env=studio.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    outputs = [proc.communicate(timeout=600)[0] for proc in procs]
    for proc, output in zip(procs, outputs):
        assert proc.returncode == 0, output[-3000:]
        counts = recap(output)
        assert counts and all(c['failed'] == 0 and c['unreachable'] == 0 for c in counts.values()), output[-3000:]
    # every contact of both slices reached exactly once
    executions = studio.control.executions()  # in the order they were created
    assert sorted(e['to'] for e in executions) == sorted('+1555124%04d' % i for i in range(2 * SLICE))
    assert studio.control.stats()['duplicates'] == 0
    # the limiter refused creates (the slices did collide), and every refused one was sent again
    creates = [e for e in studio.control.requests() if e['method'] == 'POST' and e['path'].endswith('/Executions')]
    assert any(e['status'] == 429 for e in creates)
    assert sum(1 for e in creates if e['status'] in (200, 201)) == 2 * SLICE
    # the two batches of one campaign ran side by side (the campaign's lock is per contact, not per campaign):
    # their creates interleave instead of one slice's all coming after the other's
    order = [int(e['to'][-4:]) // SLICE for e in executions]
    assert sum(1 for a, b in zip(order, order[1:]) if a != b) >= 3, order
