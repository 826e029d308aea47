# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""run_flow.yml and its companions, end to end against the emulator."""

import csv
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
    first = studio.playbook('run_flow.yml', '-v', '-e', 'studio_report_path=%s' % report)
    assert studio.control.stats()['executions_created'] == 5
    assert sorted(e['to'] for e in studio.control.executions()) == sorted(CONTACTS)
    for line in ('+15551230001: FN', 'di-whatsapp: FN', 'active (created), last widget ask_rating',
                 'triggered now: +15551230001, +15551230002, +15551230003, +15551230005, di-whatsapp'):
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
    assert 'already running: +15551230001, +15551230002' in again.stdout
    assert studio.control.stats()['executions_created'] == 5


def test_check_mode_posts_nothing(studio):
    mark = studio.control.last_request()
    out = studio.playbook('run_flow.yml', '--check', '-v')
    assert out.stdout.count(': would create an Execution') == 5
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
    gathered = studio.playbook('gather_facts.yml', '-v')
    assert '+15551230001: FN' in gathered.stdout and 'ended (latest), last widget thank_you' in gathered.stdout
    assert studio.control.stats()['executions_created'] == 5  # nothing triggered
    predicted = studio.playbook('end_active.yml', '--check', '-v')
    assert '5 contacts: none 1, would end 4' in predicted.stdout
    assert re.search(r'\+15551230002: would end FN[0-9a-f]{32}', predicted.stdout)
    assert {e['status'] for e in studio.control.executions()} == {'ended', 'active'}
    ended = studio.playbook('end_active.yml')
    assert '5 contacts: ended 4, none 1' in ended.stdout  # +15551230001 had ended with its reply
    assert {e['status'] for e in studio.control.executions()} == {'ended'}


def test_bad_variables_fail_per_host_with_one_line_naming_the_variable(studio):
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
    typed:
      studio_to: 15550000107
''')
    report = studio.tmp / 'report.json'
    out = studio.playbook('run_flow.yml', '-e', 'studio_report_path=%s' % report, inventory=inventory, check=False)
    assert out.returncode != 0
    fatal = [line for line in out.stdout.splitlines() if line.startswith('fatal: ')]
    assert len(fatal) == 3, out.stdout
    assert 'Contact +15551239002: studio_parameters must be a dict or a string holding a JSON object' in fatal[0] \
        or any('Contact +15551239002: studio_parameters must be a dict' in line for line in fatal)
    assert any('Contact +15551239003: studio_from must be set to the sender' in line for line in fatal)
    assert any('Contact typed: studio_to must be a string such as' in line and 'got int 15550000107' in line
               for line in fatal)
    counts = recap(out.stdout)
    assert counts['typed']['failed'] == 1 and counts['+15551239002']['failed'] == 1
    assert [e['to'] for e in studio.control.executions()] == ['+15551239001']
    # every contact of the play is in the report, the failed ones with why
    rows = dict((r['contact'], r) for r in json.loads(report.read_text()))
    assert sorted(rows) == ['+15551239001', '+15551239002', '+15551239003', 'typed']
    assert rows['typed']['action'] == 'failed' and 'studio_to must be a string' in rows['typed']['error']
    assert rows['+15551239001']['action'] == 'created' and rows['+15551239001']['error'] == ''


def test_a_campaign_key_makes_reruns_safe_on_a_flow_that_ends(studio):
    inventory = studio.tmp / 'reminders.yml'
    inventory.write_text('''
studio_contacts:
  vars:
    studio_flow: Appointment reminder
    studio_from: "+15005550006"
  hosts:
    "+15551238001": {studio_parameters: {name: Ann, date: May 5, time: "10:00"}}
    "+15551238002": {studio_parameters: {name: Bo, date: May 5, time: "11:00"}}
''')
    studio.playbook('run_flow.yml', '-e', 'studio_campaign=may-reminders', inventory=inventory)
    again = studio.playbook('run_flow.yml', '-e', 'studio_campaign=may-reminders', inventory=inventory)
    assert 'already reached by this campaign: +15551238001, +15551238002' in again.stdout
    assert len(studio.control.call('GET', 'messages')['messages']) == 2
    # without the key, the same rerun messages everyone again: what README warns about
    studio.playbook('run_flow.yml', inventory=inventory)
    assert len(studio.control.call('GET', 'messages')['messages']) == 4


def test_a_relative_report_path_is_relative_to_the_working_directory(studio, tmp_path):
    work = tmp_path / 'work'
    work.mkdir()
    out = studio.playbook('run_flow.yml', '-e', 'studio_report_path=out/../report.CSV', cwd=str(work))
    assert 'Report written to %s' % (work / 'report.CSV') in out.stdout
    lines = (work / 'report.CSV').read_text().splitlines()
    assert lines[0] == '"contact","to","execution_sid","status","action","date_created","last_widget","steps","error","outcome"'
    assert len(lines) == 6


def test_a_report_path_that_cannot_be_written_fails_before_anything_is_sent(studio):
    mark = studio.control.last_request()
    out = studio.playbook('run_flow.yml', '-e', 'studio_report_path=%s' % (studio.tmp / 'no' / 'such' / 'r.csv'),
                          check=False)
    assert out.returncode != 0
    assert 'studio_report_path: %s cannot be written' % (studio.tmp / 'no' / 'such' / 'r.csv') in out.stdout
    assert studio.control.requests(mark) == []


def test_report_fields_put_a_surveys_answers_in_the_csv(studio):
    studio.playbook('run_flow.yml')
    studio.control.reply(studio.control.flows()['Customer survey'], '+15551230002', '4')
    report = studio.tmp / 'answers.csv'
    studio.playbook('gather_facts.yml', '-e', 'studio_report_path=%s' % report, '-e',
                    '{"studio_report_fields": {"rating": "widgets.ask_rating.inbound.Body", "name": "flow.data.name"}}')
    # a spreadsheet shows "'+1555..." as the text "+1555..." (a cell starting with + would be a formula)
    rows = dict((row['contact'].lstrip("'"), row) for row in csv.DictReader(report.open(newline='')))
    assert rows['+15551230002']['rating'] == '4' and rows['+15551230002']['name'] == 'Bo'
    assert rows['+15551230001']['rating'] == '' and rows['di-whatsapp']['name'] == 'Di'
