# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bad-input corpus: modules and run_flow.yml variables, each refused clearly, nothing sent."""

import json
import os

import yaml

from conftest import ROOT, HERE


def test_every_module_refuses_bad_input_before_any_request(studio):
    out = studio.tmp / 'corpus.json'
    mark = studio.control.last_request()
    studio.playbook(os.path.join(HERE, 'bad_input.yml'), '-e', 'corpus_out=%s' % out)
    results = json.loads(out.read_text())
    assert len(results) >= 30
    wrong = [(r['item']['text'], r.get('msg')) for r in results
             if not r.get('failed') or r['item']['text'] not in (r.get('msg') or '')]
    assert not wrong, wrong
    assert not any('Traceback' in r['msg'] for r in results)
    assert not any('swapped-token-value' in r['msg'] or 't\u00f6k' in r['msg'] for r in results)  # never echoed
    assert studio.control.requests(mark) == []  # nothing reached the API


def test_every_bad_contact_fails_alone_naming_its_variable(studio):
    inventory = os.path.join(HERE, 'bad_contacts.yml')
    with open(inventory) as handle:
        hosts = yaml.safe_load(handle)['studio_contacts']['hosts']
    mark = studio.control.last_request()
    run = studio.playbook(os.path.join(ROOT, 'playbooks', 'run_flow.yml'), inventory=inventory, check=False)
    failed = studio.failures(run.stdout)
    assert sorted(failed) == sorted(hosts), run.stdout
    wrong = {h: failed[h] for h, v in hosts.items() if v['expect'] not in failed[h]}
    assert not wrong, wrong
    assert all('Contact %s' % h in failed[h] for h in hosts if 'studio_' in hosts[h]['expect'])
    assert studio.control.requests(mark) == []


def test_the_corpus_has_at_least_30_cases():
    with open(os.path.join(HERE, 'bad_input.yml')) as handle:
        play = yaml.safe_load(handle)[0]
    module_cases = sum(len(v) for k, v in play['vars'].items() if k.endswith('_cases')) + 1  # + no credentials
    with open(os.path.join(HERE, 'bad_contacts.yml')) as handle:
        contact_cases = len(yaml.safe_load(handle)['studio_contacts']['hosts'])
    assert module_cases + contact_cases >= 30
    assert contact_cases >= 10
