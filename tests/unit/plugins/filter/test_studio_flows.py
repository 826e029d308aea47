# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The flows-as-code filters: paths, export beside templates, problems by file, the account check."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.telephony.twilio.plugins.filter import studio_flows

DEV, PROD = 'AC' + 'd' * 32, 'AC' + 'a' * 32
DEFINITION = {'initial_state': 'Trigger', 'states': [{'name': 'Trigger', 'type': 'trigger', 'transitions': []}]}


def flow(name, sid, definition=None, account=DEV, message='x [telephony.twilio]'):
    return {'friendly_name': name, 'sid': sid, 'definition': definition or DEFINITION, 'status': 'published',
            'account_sid': account, 'revision': 2, 'commit_message': message}


def test_studio_path_is_absolute_against_the_working_directory_without_following_links(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv('HOME', str(tmp_path / 'home'))
    (tmp_path / 'real').mkdir()
    os.symlink(str(tmp_path / 'real'), str(tmp_path / 'link'))
    assert studio_flows.studio_path('flows/') == str(tmp_path / 'flows')
    assert studio_flows.studio_path('~/out') == str(tmp_path / 'home' / 'out')
    assert studio_flows.studio_path('link') == str(tmp_path / 'link')
    assert studio_flows.studio_path('/abs/x') == '/abs/x'
    for bad in ('', '  ', None, 3):
        with pytest.raises(AnsibleFilterError, match='studio_flows_dir must name a file or folder'):
            studio_flows.studio_path(bad, 'studio_flows_dir')


def test_json_text_escapes_what_would_end_the_string():
    value = 'Hi", "to": "+19999999999\\\n\u00e9'
    inside = studio_flows.studio_json_text(value)
    assert json.loads('{"body": "%s"}' % inside) == {'body': value}
    assert studio_flows.studio_json_text(None) == '' and studio_flows.studio_json_text(5) == '5'


def test_a_templated_flow_is_not_exported_and_its_drift_names_the_template():
    edited = json.loads(json.dumps(DEFINITION))
    edited['states'][0]['transitions'] = [{'event': 'incomingRequest'}]
    flows = [flow('Escalation', 'FW' + '1' * 32, edited), flow('Survey', 'FW' + '2' * 32)]
    template = {'path': '/work/flows/escalation.json.j2', 'friendly_name': 'Escalation', 'definition': DEFINITION}
    files = studio_flows.studio_flow_export(flows, [template])
    assert [f['file'] for f in files] == ['survey.json']
    assert studio_flows.studio_flow_template_drift(flows, [template]) == [
        'drift: Escalation (FW%s) revision 2 differs from its template /work/flows/escalation.json.j2 as rendered '
        'for this inventory (Trigger: transitions): edit the template, not an exported copy' % ('1' * 32)]
    assert studio_flows.studio_flow_template_drift([flow('Escalation', 'FW' + '1' * 32)], [template]) == []


def test_a_plain_file_never_lands_beside_a_template_of_its_name():
    template = {'path': '/w/survey.json.j2', 'friendly_name': 'Other name', 'definition': DEFINITION}
    files = studio_flows.studio_flow_export([flow('Survey', 'FW' + '2' * 32)], [template])
    assert files[0]['file'] == 'survey-FW%s.json' % ('2' * 32)


def test_nan_in_an_account_flow_stops_the_export_naming_it():
    with pytest.raises(AnsibleFilterError, match=r"Flow Odd \(FW3+\) holds NaN or Infinity at #/states/0/x"):
        studio_flows.studio_flow_export([flow('Odd', 'FW' + '3' * 32, {'states': [{'x': float('nan')}]})])


def test_problems_are_one_line_per_file_without_the_item():
    bad = {'initial_state': 'Trigger', 'states': [
        {'name': 'greet', 'type': 'send-message', 'transitions': [{'event': 'sent', 'next': 'typo'}]}]}
    results = [
        {'changed': True, 'item': {'path': '/w/flows/ok.json', 'definition': DEFINITION}},
        {'changed': False, 'msg': 'definition: Studio found 1 error(s)...', 'item': {
            'path': '/w/flows/order-update.json', 'definition': bad},
         'validation': {'errors': [{'property_path': '#/states/0/transitions/0/next', 'message': 'unknown'}]}},
        {'changed': False, 'msg': 'HTTP 500', 'item': {'path': '/w/flows/x.json.j2', 'definition': DEFINITION}},
    ]
    assert studio_flows.studio_flow_problems(results) == [
        "order-update.json: widget 'greet', transition 'sent' \u2192 unknown widget 'typo'", 'x.json.j2: HTTP 500']


def test_the_account_is_checked_against_studio_account_sid():
    info = {'flows': [flow('A', 'FW' + '1' * 32)]}
    assert studio_flows.studio_flow_account(info) == DEV
    assert studio_flows.studio_flow_account(info, DEV, DEV) == DEV
    with pytest.raises(AnsibleFilterError, match='reach account %s, but this inventory is for account %s' % (DEV, PROD)):
        studio_flows.studio_flow_account(info, PROD)
    with pytest.raises(AnsibleFilterError, match='reach account %s' % DEV):
        studio_flows.studio_flow_account({'flows': []}, PROD, DEV)  # no Flows: the credentials' Account SID counts
    with pytest.raises(AnsibleFilterError, match='Cannot confirm'):
        studio_flows.studio_flow_account({'flows': []}, PROD, '')  # API key, empty account
    with pytest.raises(AnsibleFilterError, match='studio_account_sid must be an Account SID'):
        studio_flows.studio_flow_account(info, 'prod')
    assert studio_flows.studio_flow_account({'flows': []}).startswith('unknown')


def test_standins_are_recognisable_and_labelled():
    sids = studio_flows.studio_flow_placeholders({'Real': 'FW' + '1' * 32}, ['Real', 'New one'])
    assert sids['New one'].startswith('FW00000000') and len(sids['New one']) == 34
    assert studio_flows.studio_flow_standins(sids, {'Real': 'FW' + '1' * 32}) == {sids['New one']: 'New one'}
