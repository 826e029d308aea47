# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""studio_flow on the emulator's recorded v2 answers: what it sends, and what it decides."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.telephony.twilio.plugins.modules import studio_flow
from ansible_collections.telephony.twilio.tests.unit.plugins.modules.recorded import (
    CREDS, SID, definition, sent_form, serve, writes)
from ansible_collections.telephony.twilio.tests.unit.plugins.modules.utils import run


def args(**kwargs):
    return dict(CREDS, **kwargs)


def reordered(value):
    """The same definition with every key order reversed (a reformatted file)."""
    if isinstance(value, dict):
        return dict((key, reordered(value[key])) for key in reversed(list(value)))
    if isinstance(value, list):
        return [reordered(item) for item in value]
    return value


def test_a_new_flow_is_validated_then_created(mock, monkeypatch):
    serve(mock, 'list_without_survey', 'validate_valid', 'create_published')
    result, failed = run(studio_flow, args(flow='Survey', definition=definition()), monkeypatch)
    assert not failed and result['changed'] and result['revision_created']
    assert result['revision'] == 1 and result['flow']['sid'] == SID
    assert writes(mock) == [('POST', '/v2/Flows')]
    form = sent_form(mock.calls[-1])
    assert json.loads(form['Definition'][0]) == definition()
    assert form['CommitMessage'] == ['Deployed by Ansible [telephony.twilio]']
    assert result['diff']['before'] == '' and '"initial_state": "Trigger"' in result['diff']['after']


@pytest.mark.parametrize('given', [definition(), json.dumps(reordered(definition()), indent=9),
                                   json.dumps(definition(), separators=(',', ':'))])
def test_the_same_definition_in_any_form_writes_nothing(given, mock, monkeypatch):
    serve(mock, 'list_with_survey', 'fetch_published_r1')
    result, failed = run(studio_flow, args(flow='Survey', definition=given), monkeypatch)
    assert not failed and not result['changed'] and not result['revision_created']
    assert result['changes'] == [] and result['revision'] == 1
    assert len(mock.calls) == 2 and writes(mock) == []  # a listing and a fetch; no Validate


def test_by_sid_an_unchanged_flow_costs_one_request(mock, monkeypatch):
    serve(mock, 'fetch_published_r1')
    result, failed = run(studio_flow, args(flow=SID, definition=definition()), monkeypatch)
    assert not failed and not result['changed'] and len(mock.calls) == 1


def test_one_changed_property_makes_one_revision_and_the_diff_names_the_widget(mock, monkeypatch):
    serve(mock, 'fetch_published_r1', 'validate_valid', 'update_published_r2')
    wanted = definition()
    wanted['states'][2]['properties']['body'] = 'Thank you!'
    result, failed = run(studio_flow, args(flow=SID, definition=wanted), monkeypatch)
    assert not failed and result['changed'] and result['revision'] == 2
    assert result['changes'] == ['thanks: properties.body']
    assert 'thanks' in result['diff']['after_header']
    account = 'in account AC0123456789abcdef0123456789abcdef'
    assert result['diff']['before_header'] == '%s revision 1 (published) %s' % (SID, account)
    assert result['diff']['after_header'] == 'Survey revision 2 (published) %s; changed: thanks' % account
    assert result['planned_revision'] == 2 and result['account_sid'] == account.split()[-1]
    assert '"body": "Thank you!"' in result['diff']['after'] and '"body": "Thanks, ' in result['diff']['before']
    assert writes(mock) == [('POST', '/v2/Flows/%s' % SID)]


def test_an_invalid_definition_fails_with_its_property_paths_and_writes_nothing(mock, monkeypatch):
    serve(mock, 'fetch_published_r1', 'validate_errors')
    broken = definition()
    broken['states'][1]['transitions'][0]['next'] = 'thank_you'
    del broken['states'][2]['properties']['body']
    result, failed = run(studio_flow, args(flow=SID, definition=broken), monkeypatch)
    assert failed and writes(mock) == []
    assert "widget 'ask', transition 'incomingMessage' \u2192 unknown widget 'thank_you'" in result['msg']
    assert "widget 'thanks', properties.body: send-message widget thanks needs the property body" in result['msg']
    assert result['changed'] is False and len(result['validation']['errors']) == 2


def test_published_is_compared_with_the_latest_published_revision_not_the_draft(mock, monkeypatch):
    # Revision 3 is a draft made in the console; revision 2 is live and is what we want.
    serve(mock, 'fetch_draft_r3', 'latest_published_r2')
    wanted = definition()
    wanted['states'][2]['properties']['body'] = 'Thank you!'
    result, failed = run(studio_flow, args(flow=SID, definition=wanted), monkeypatch)
    assert not failed and not result['changed'] and result['compared_revision'] == 2
    assert len(mock.calls) == 2


def test_a_draft_is_compared_with_the_latest_revision(mock, monkeypatch):
    serve(mock, 'fetch_draft_r3')
    wanted = definition()
    wanted['states'][2]['properties']['body'] = 'Draft text'
    result, failed = run(studio_flow, args(flow=SID, definition=wanted, status='draft'), monkeypatch)
    assert not failed and not result['changed'] and result['compared_revision'] == 3


def test_publishing_the_draft_as_it_is_is_one_update(mock, monkeypatch):
    serve(mock, 'fetch_draft_r3', 'latest_published_r2', 'validate_valid', 'update_published_r4')
    result, failed = run(studio_flow, args(flow=SID, status='published'), monkeypatch)
    assert not failed and result['changed'] and writes(mock) == [('POST', '/v2/Flows/%s' % SID)]
    form = sent_form(mock.calls[-1])
    assert form['Status'] == ['published']
    assert json.loads(form['Definition'][0])['states'][2]['properties']['body'] == 'Draft text'


def test_roll_back_writes_the_old_definition_as_a_new_revision(mock, monkeypatch):
    serve(mock, 'fetch_draft_r3', 'revision_r1', 'latest_published_r2', 'validate_valid', 'update_published_r4')
    result, failed = run(studio_flow, args(flow=SID, revision='1'), monkeypatch)
    assert not failed and result['changed'] and result['revision'] == 4
    form = sent_form(mock.calls[-1])
    assert json.loads(form['Definition'][0]) == definition()
    assert form['CommitMessage'] == ['Roll back to revision 1 [telephony.twilio]']


def test_a_revision_that_does_not_exist_fails_before_any_write(mock, monkeypatch):
    serve(mock, 'fetch_draft_r3', 'revision_missing')
    result, failed = run(studio_flow, args(flow=SID, revision='9'), monkeypatch)
    assert failed and 'has no revision 9; its latest is 3' in result['msg'] and writes(mock) == []


def test_test_users_are_set_only_when_they_differ(mock, monkeypatch):
    serve(mock, 'fetch_published_r1', 'test_users_none', 'set_test_users')
    result, failed = run(studio_flow, args(flow=SID, test_users=['+14155550100']), monkeypatch)
    assert not failed and result['changed'] and not result['revision_created']
    assert result['test_users'] == ['+14155550100'] and writes(mock) == [('POST', '/v2/Flows/%s/TestUsers' % SID)]


def test_absent_deletes_and_a_missing_flow_is_no_change(mock, monkeypatch):
    serve(mock, 'fetch_published_r1', 'delete')
    result, failed = run(studio_flow, args(flow=SID, state='absent'), monkeypatch)
    assert not failed and result['changed'] and writes(mock) == [('DELETE', '/v2/Flows/%s' % SID)]
    mock.reset()
    serve(mock, 'fetch_missing')
    result, failed = run(studio_flow, args(flow='FW' + '0' * 32, state='absent'), monkeypatch)
    assert not failed and not result['changed']


def test_check_mode_plans_revision_n_plus_one_and_labels_stand_in_sids(mock, monkeypatch):
    serve(mock, 'fetch_published_r1', 'validate_valid')
    wanted = definition()
    standin = 'FW00000000' + 'ab' * 12
    wanted['states'][2]['properties']['body'] = 'See %s' % standin
    result, failed = run(studio_flow, args(flow=SID, definition=wanted, _ansible_check_mode=True, status='draft',
                                           standin_sids={standin: 'Collect address', 'FW' + '9' * 32: 'Unused'}),
                         monkeypatch)
    assert not failed and writes(mock) == [] and result['planned_revision'] == 2
    assert result['diff']['after_header'].startswith('Survey revision 2 (draft) in account AC')
    assert result['diff']['after_header'].endswith(
        "stand-in SIDs (not real Flows yet): %s stands in for Flow 'Collect address', created by this run" % standin)


@pytest.mark.parametrize('given', ['{"initial_state": "Trigger", "states": [{"x": NaN}]}',
                                   {'initial_state': 'Trigger', 'states': [{'x': float('inf')}]},
                                   '{"initial_state": "Trigger", "states": [], "states": [{"name": "a"}]}'])
def test_a_definition_json_cannot_carry_is_refused_before_any_request(given, mock, monkeypatch):
    result, failed = run(studio_flow, args(flow=SID, definition=given), monkeypatch)
    assert failed and len(mock.calls) == 0
    assert 'NaN' in result['msg'] or 'Infinity' in result['msg'] or "repeats the key 'states'" in result['msg']
