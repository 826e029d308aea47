# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets at -vvvv: the token and the API secret appear in no output, fact cache, report or message."""

import json
import os

from conftest import DEFAULT_API_KEY, HERE, ROOT, SECRET, TOKEN

WRONG = 'wrg9X-unique-wrong-secret-5e0b4c'
INVENTORY = os.path.join(ROOT, 'playbooks', 'inventory', 'emulator.yml')


def leaks(studio, proc, *files):
    """Where TOKEN, SECRET or WRONG show up: (secret, place) pairs."""
    places = {'stdout': proc.stdout, 'stderr': proc.stderr}
    for top in [str(studio.tmp / 'facts')] + [str(f) for f in files]:
        for path in ([os.path.join(d, f) for d, dummy, fs in os.walk(top) for f in fs] if os.path.isdir(top)
                     else [top]):
            with open(path, errors='replace') as handle:
                places[path] = handle.read()
    return [(s, place) for s in (TOKEN, SECRET, WRONG) for place, text in places.items() if s in text]


def test_every_module_keeps_secrets_at_vvvv(studio):
    out = studio.tmp / 'results.json'
    proc = studio.playbook(os.path.join(HERE, 'secrets.yml'), '-vvvv', '-e', 'results_out=%s' % out,
                           env={'STUDIO_TEST_TOKEN': TOKEN, 'STUDIO_TEST_SECRET': SECRET, 'STUDIO_TEST_WRONG': WRONG})
    results = json.loads(out.read_text())
    # the runs did what they should, so the output holds every kind of result
    assert [f['friendly_name'] for f in results['flow']['flows']] == ['Customer survey']
    assert results['created']['changed'] and results['created']['ansible_facts']['studio_steps']
    assert results['info']['executions'][0]['steps'] and results['steps']['steps']
    assert results['ended']['changed'] and results['absent']['changed']
    assert results['wrong_token']['failed'] and 'Authentication failed' in results['wrong_token']['msg']
    assert results['wrong_secret']['failed'] and results['bad']['failed']
    assert os.path.isdir(studio.tmp / 'facts') and os.listdir(studio.tmp / 'facts')
    assert leaks(studio, proc, out) == []


def test_run_flow_keeps_secrets_at_vvvv(studio):
    report = studio.tmp / 'report.csv'
    first = studio.playbook(os.path.join(ROOT, 'playbooks', 'run_flow.yml'), '-vvvv', '-e',
                            'studio_report_path=%s' % report, inventory=INVENTORY)
    assert report.read_text().count('FN') == 5
    # the same with an API key, and a wrong secret for one run: the failure is clear and quiet
    env = {'TWILIO_API_KEY': DEFAULT_API_KEY, 'TWILIO_API_SECRET': SECRET, 'TWILIO_AUTH_TOKEN': ''}
    second = studio.playbook(os.path.join(ROOT, 'playbooks', 'run_flow.yml'), '-vvvv', inventory=INVENTORY, env=env)
    env['TWILIO_API_SECRET'] = WRONG
    wrong = studio.playbook(os.path.join(ROOT, 'playbooks', 'run_flow.yml'), '-vvvv', inventory=INVENTORY, env=env,
                            check=False)
    failed = studio.failures(wrong.stdout)
    # checked once, before any contact (the preflight): one clear failure, nothing sent
    assert len(failed) == 1 and all('Authentication failed' in m and 'nothing was sent' in m
                                    for m in failed.values()), wrong.stdout[-3000:]
    for proc in (first, second, wrong):
        assert leaks(studio, proc, report) == []
