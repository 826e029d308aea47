# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""run_flow.yml and its companions, end to end against the emulator."""

import json
import os
import re

from conftest import CONTACTS, ROOT


def recap(output):
    """{host: {'ok': n, 'changed': n, 'failed': n, ...}} from PLAY RECAP."""
    result = {}
    for host, counts in re.findall(r'^(\S+)\s+:\s+(ok=.*)$', output, re.M):
        result[host] = {k: int(v) for k, v in re.findall(r'(\w+)=(\d+)', counts)}
    return result


def test_run_flow_triggers_once_per_contact_and_caches_facts(studio):
    report = studio.tmp / 'report.json'
    first = studio.playbook('run_flow.yml', '-e', 'studio_report_path=%s' % report)
    assert studio.control.stats()['executions_created'] == 5
    assert sorted(e['to'] for e in studio.control.executions()) == sorted(CONTACTS)
    for line in ('+15551230001: FN', 'di-whatsapp: FN', 'active, last widget ask_rating'):
        assert line in first.stdout
    rows = json.loads(report.read_text())
    expected = ['+15551230001', '+15551230002', '+15551230003', 'di-whatsapp', '+15551230005']
    assert sorted(r['contact'] for r in rows) == sorted(expected)
    assert {r['last_widget'] for r in rows} == {'ask_rating'} and {r['status'] for r in rows} == {'active'}
    # the facts survive in the fact cache, for another run to read
    studio.playbook(os.path.join(ROOT, 'tests', 'playbooks', 'verify_facts.yml'))
    # a second run changes nothing: every contact's Execution is still active
    again = studio.playbook('run_flow.yml')
    assert all(counts['changed'] == 0 for counts in recap(again.stdout).values()), again.stdout
    assert studio.control.stats()['executions_created'] == 5


def test_check_mode_posts_nothing(studio):
    mark = studio.control.last_request()
    out = studio.playbook('run_flow.yml', '--check')
    assert out.stdout.count('(would be created)') == 5
    assert not [r for r in studio.control.requests(mark) if r['method'] == 'POST']
    assert studio.control.stats()['executions_created'] == 0


def test_limit_slices_give_the_same_end_state_as_one_run(studio):
    studio.playbook('run_flow.yml')
    whole = studio.end_state()
    studio.control.reset()
    studio.playbook('run_flow.yml', '--limit', '+15551230001,+15551230002')
    studio.playbook('run_flow.yml', '--limit', '!+15551230001:!+15551230002')
    assert studio.end_state() == whole
    assert len(whole) == 5


def test_companions_gather_and_end(studio):
    studio.playbook('run_flow.yml')
    studio.control.reply(studio.control.flows()['Customer survey'], '+15551230001', '4')
    gathered = studio.playbook('gather_facts.yml')
    assert '+15551230001: FN' in gathered.stdout and 'ended, last widget thank_you' in gathered.stdout
    assert studio.control.stats()['executions_created'] == 5  # nothing triggered
    ended = studio.playbook('end_active.yml')
    counts = recap(ended.stdout)
    assert counts['+15551230001']['changed'] == 0  # already ended by its reply
    assert sum(c['changed'] for c in counts.values()) == 4
    assert {e['status'] for e in studio.control.executions()} == {'ended'}


def test_bad_variables_fail_per_host_with_a_message(studio):
    inventory = studio.tmp / 'bad.yml'
    inventory.write_text('''
studio_contacts:
  vars:
    studio_flow: Customer survey
    studio_from: "+15005550006"
  hosts:
    "+15551239001":
      studio_parameters: {name: Ok}
    "+15551239002":
      studio_parameters: not a dict
    "+15551239003":
      studio_from: ""
''')
    out = studio.playbook('run_flow.yml', inventory=inventory, check=False)
    assert out.returncode != 0
    assert 'Contact +15551239002: set studio_flow' in out.stdout
    assert 'studio_parameters=not a dict' in out.stdout
    assert 'Contact +15551239003' in out.stdout
    assert [e['to'] for e in studio.control.executions()] == ['+15551239001']
