# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""run_flow.yml with wrong contact variables: each such host fails alone, naming its variable, and
nothing is sent. (The modules' own bad-input corpus is in each module's integration target.)"""

import os

import yaml

from conftest import ROOT

HERE = os.path.dirname(os.path.abspath(__file__))


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
