# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every v2 operation the emulator serves (Flows, Revisions, Validate, TestUsers), success and
error, checked against Twilio's own OpenAPI description of Studio v2."""

import json

import pytest

from test_spec import check_error, check_ok, read_spec, served_at, spec_rejects


# Served by the emulator; the v2 Execution routes are not (v1 serves Executions): see README.
V2_FLOW_OPERATIONS = {
    ('get', '/v2/Flows'), ('post', '/v2/Flows'), ('get', '/v2/Flows/{Sid}'), ('post', '/v2/Flows/{Sid}'),
    ('delete', '/v2/Flows/{Sid}'), ('get', '/v2/Flows/{Sid}/Revisions'), ('get', '/v2/Flows/{Sid}/Revisions/{Revision}'),
    ('post', '/v2/Flows/Validate'), ('get', '/v2/Flows/{Sid}/TestUsers'), ('post', '/v2/Flows/{Sid}/TestUsers'),
}

DEFINITION = {
    'description': 'Spec check', 'initial_state': 'Trigger', 'flags': {'allow_concurrent_calls': True},
    'states': [
        {'name': 'Trigger', 'type': 'trigger', 'properties': {},
         'transitions': [{'event': 'incomingRequest', 'next': 'hello'}]},
        {'name': 'hello', 'type': 'send-message', 'transitions': [{'event': 'sent'}, {'event': 'failed'}],
         'properties': {'body': 'Hello {{contact.channel.address}}', 'from': '{{flow.channel.address}}',
                        'to': '{{contact.channel.address}}'}},
    ],
}


@pytest.fixture(scope='module')
def raw_spec():
    return read_spec('twilio_studio_v2.json')


@pytest.fixture
def openapi(raw_spec, emu):  # pylint: disable=redefined-outer-name
    return served_at(raw_spec, emu.url)


def test_the_flow_operations_are_those_of_the_spec(raw_spec):  # pylint: disable=redefined-outer-name
    spec_ops = {(m, p) for p, item in raw_spec['paths'].items() for m in item
                if m in ('get', 'post', 'delete') and '/Executions' not in p}
    assert spec_ops == V2_FLOW_OPERATIONS


def form(name='Spec flow', status='published', definition=None, **extra):
    data = {'FriendlyName': name, 'Status': status, 'Definition': json.dumps(definition or DEFINITION)}
    data.update(extra)
    return data


def test_every_v2_operation_success_and_error(emu, openapi):  # pylint: disable=redefined-outer-name,too-many-statements
    missing = 'FW' + '0' * 32

    # Validate
    assert check_ok(openapi, emu.post('/v2/Flows/Validate', form())) == {'valid': True}
    broken = dict(DEFINITION, initial_state='Nowhere')
    body = check_error(emu.post('/v2/Flows/Validate', form(definition=broken)), 400, 81022)
    assert body['details']['errors'] == [{'message': 'initial_state Nowhere names no widget of the flow',
                                          'property_path': '#/initial_state'}]
    resp = emu.post('/v2/Flows/Validate', {'FriendlyName': 'x', 'Status': 'draft'})
    check_error(resp, 400, 20001)
    assert spec_rejects(openapi, resp)

    # Create: 201, revision 1, the definition as an object
    created = emu.post('/v2/Flows', form(CommitMessage='first'))
    assert created.status_code == 201
    flow = check_ok(openapi, created)
    assert (flow['revision'], flow['status'], flow['definition'], flow['commit_message'], flow['valid']) == \
        (1, 'published', DEFINITION, 'first', True)
    base = '/v2/Flows/' + flow['sid']
    check_error(emu.post('/v2/Flows', form(definition=broken)), 400, 81022)
    check_error(emu.post('/v2/Flows', form(status='live')), 400, 20001)

    # List: definition null; fetch: the latest revision
    listed = check_ok(openapi, emu.get('/v2/Flows'))
    ours = [f for f in listed['flows'] if f['sid'] == flow['sid']]
    assert ours and ours[0]['definition'] is None
    assert check_ok(openapi, emu.get(base))['definition'] == DEFINITION
    check_error(emu.get('/v2/Flows/' + missing), 404, 20404)
    resp = emu.get('/v2/Flows/FWnothex')
    check_error(resp, 400, 20001)

    # Update: a new revision each time; Status is required
    changed = dict(DEFINITION, description='Spec check, changed')
    updated = check_ok(openapi, emu.post(base, {'Status': 'draft', 'Definition': json.dumps(changed)}))
    assert (updated['revision'], updated['status'], updated['definition']) == (2, 'draft', changed)
    resp = emu.post(base, {'FriendlyName': 'no status'})
    check_error(resp, 400, 20001)
    assert spec_rejects(openapi, resp)

    # Revisions: newest first, definition null in the list; by number, LatestPublished, LatestRevision
    revisions = check_ok(openapi, emu.get(base + '/Revisions'))['revisions']
    expected = [(2, 'draft', None), (1, 'published', None)]
    assert [(r['revision'], r['status'], r['definition']) for r in revisions] == expected
    assert check_ok(openapi, emu.get(base + '/Revisions/1'))['definition'] == DEFINITION
    assert check_ok(openapi, emu.get(base + '/Revisions/LatestPublished'))['revision'] == 1
    assert check_ok(openapi, emu.get(base + '/Revisions/LatestRevision'))['revision'] == 2
    check_error(emu.get(base + '/Revisions/3'), 404, 20404)
    check_error(emu.get(base + '/Revisions/Newest'), 404, 20404)

    # TestUsers
    assert check_ok(openapi, emu.get(base + '/TestUsers'))['test_users'] == []
    users = check_ok(openapi, emu.post(base + '/TestUsers', {'TestUsers': ['+15550001111', 'client:ann']}))
    assert users['test_users'] == ['+15550001111', 'client:ann']
    resp = emu.post(base + '/TestUsers', {'Users': 'ann'})
    check_error(resp, 400, 20001)
    assert spec_rejects(openapi, resp)

    # Delete
    assert check_ok(openapi, emu.delete(base)) is None
    check_error(emu.delete(base), 404, 20404)
