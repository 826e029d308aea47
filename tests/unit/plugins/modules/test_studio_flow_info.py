# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest
import responses

from ansible_collections.telephony.twilio.plugins.modules import studio_flow_info
from ansible_collections.telephony.twilio.tests.unit.plugins.modules.utils import run

FIXTURES = os.path.join(os.path.dirname(__file__), '..', '..', 'fixtures')
BASE = 'http://127.0.0.1:8765'
CREDS = dict(account_sid='AC0123456789abcdef0123456789abcdef', auth_token='unit-token', studio_url=BASE)


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return json.load(handle)


@pytest.fixture
def flows():
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, BASE + '/v1/Flows', json=fixture('flows.json')['all'])
        yield mock


def test_lists_every_flow(flows, monkeypatch):
    result, failed = run(studio_flow_info, dict(CREDS), monkeypatch)
    assert not failed and result['changed'] is False
    assert [f['friendly_name'] for f in result['flows']] == ['Reminder', 'Survey', 'Twin', 'Twin', 'Order']
    assert flows.calls[0].request.url == BASE + '/v1/Flows?PageSize=1000'


def test_status_filter(flows, monkeypatch):
    result, failed = run(studio_flow_info, dict(CREDS, status='draft'), monkeypatch)
    assert not failed and [f['friendly_name'] for f in result['flows']] == ['Survey']


def test_by_name(flows, monkeypatch):
    result, failed = run(studio_flow_info, dict(CREDS, flow='Order'), monkeypatch)
    assert not failed and [f['sid'] for f in result['flows']] == ['FW%032x' % 5]
    assert len(flows.calls) == 1  # resolved from the one list


def test_ambiguous_name_lists_the_sids(flows, monkeypatch):
    result, failed = run(studio_flow_info, dict(CREDS, flow='Twin'), monkeypatch)
    assert failed
    assert '2 Flows are named' in result['msg']
    assert 'FW%032x' % 3 in result['msg'] and 'FW%032x' % 4 in result['msg']
    assert result['matching_sids'] == ['FW%032x' % 3, 'FW%032x' % 4]


def test_unknown_name(flows, monkeypatch):
    result, failed = run(studio_flow_info, dict(CREDS, flow='Nope'), monkeypatch)
    assert failed and "no Flow is named 'Nope'" in result['msg'] and 'Reminder' in result['msg']


@responses.activate
def test_by_sid_fetches_one(monkeypatch):
    sid = 'FW%032x' % 1
    responses.add(responses.GET, BASE + '/v1/Flows/' + sid, json=fixture('flows.json')['all']['flows'][0])
    result, failed = run(studio_flow_info, dict(CREDS, flow=sid), monkeypatch)
    assert not failed and result['flows'][0]['sid'] == sid
    assert [c.request.url for c in responses.calls] == [BASE + '/v1/Flows/' + sid]


@responses.activate
def test_unknown_sid_is_a_clear_failure(monkeypatch):
    sid = 'FW%032x' % 9
    responses.add(responses.GET, BASE + '/v1/Flows/' + sid, status=404, json=fixture('error_404.json'))
    result, failed = run(studio_flow_info, dict(CREDS, flow=sid), monkeypatch)
    assert failed and result['msg'].startswith('flow: no Flow %s in this account' % sid)
    assert result['status'] == 404 and result['code'] == 20404


@responses.activate
def test_env_fallbacks_ignore_empty_values(monkeypatch):
    monkeypatch.setenv('TWILIO_API_KEY', '')
    monkeypatch.setenv('TWILIO_API_SECRET', '')
    monkeypatch.setenv('TWILIO_REGION', '')
    monkeypatch.setenv('TWILIO_ACCOUNT_SID', CREDS['account_sid'])
    monkeypatch.setenv('TWILIO_AUTH_TOKEN', 'env-token')
    monkeypatch.setenv('TWILIO_STUDIO_URL', BASE)
    responses.add(responses.GET, BASE + '/v1/Flows', json=fixture('flows.json')['all'])
    result, failed = run(studio_flow_info, {}, monkeypatch)
    assert not failed and len(result['flows']) == 5
    assert responses.calls[0].request.headers['Authorization'].startswith('Basic QUMwMTIz')


def test_a_name_in_an_account_without_flows_says_so(monkeypatch):
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, BASE + '/v1/Flows', json={'flows': [], 'meta': {'next_page_url': None}})
        result, failed = run(studio_flow_info, dict(CREDS, flow='Customer survey'), monkeypatch)
    assert failed and result['msg'].endswith('or the friendly name of a Flow (this account has no Flows)')


def test_a_huge_name_is_not_echoed_whole(monkeypatch):
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, BASE + '/v1/Flows', json={'flows': [], 'meta': {'next_page_url': None}})
        result, failed = run(studio_flow_info, dict(CREDS, flow='x' * 100000), monkeypatch)
    assert failed and len(result['msg']) < 400


# -- v2: definitions and revisions, on the emulator's recorded answers ------------------------
def test_include_adds_the_definition_revisions_and_who_wrote_it(mock, monkeypatch):
    from ansible_collections.telephony.twilio.tests.unit.plugins.modules.recorded import (
        CREDS as V2_CREDS, SID, serve)
    mock.add(responses.GET, V2_CREDS['studio_url'] + '/v1/Flows/' + SID,
             json={'sid': SID, 'friendly_name': 'Survey', 'status': 'draft'})
    serve(mock, 'fetch_draft_r3', 'revisions')
    result, failed = run(studio_flow_info, dict(V2_CREDS, flow=SID, include=['definition', 'revisions']), monkeypatch)
    assert not failed
    flow = result['flows'][0]
    assert flow['revision'] == 3 and flow['definition']['states'][2]['properties']['body'] == 'Draft text'
    assert flow['commit_message'] == 'edited in the console' and flow['written_by_collection'] is False
    assert [r['revision'] for r in flow['revisions']] == [3, 2, 1]


def test_one_revision_by_number_and_a_missing_one(mock, monkeypatch):
    from ansible_collections.telephony.twilio.tests.unit.plugins.modules.recorded import (
        CREDS as V2_CREDS, SID, definition, serve)
    mock.add(responses.GET, V2_CREDS['studio_url'] + '/v1/Flows/' + SID, json={'sid': SID, 'friendly_name': 'Survey'})
    serve(mock, 'revision_r1')
    result, failed = run(studio_flow_info, dict(V2_CREDS, flow=SID, revision='1'), monkeypatch)
    assert not failed and result['revision']['definition'] == definition()
    mock.reset()
    mock.add(responses.GET, V2_CREDS['studio_url'] + '/v1/Flows/' + SID, json={'sid': SID, 'friendly_name': 'Survey'})
    serve(mock, 'revision_missing')
    result, failed = run(studio_flow_info, dict(V2_CREDS, flow=SID, revision='9'), monkeypatch)
    assert failed and 'has no revision 9' in result['msg']
