# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every Events API v1 operation the emulator serves (Types, Schemas, Sinks, Subscriptions,
SubscribedEvents), success and error, checked against Twilio's OpenAPI description of it."""

import json

import pytest

from test_spec import check_error, check_ok, read_spec, served_at, spec_rejects

# Served by the emulator; Replays are not in this spec copy's operations.
EVENTS_OPERATIONS = {
    ('get', '/v1/Types'), ('get', '/v1/Types/{Type}'), ('get', '/v1/Schemas/{Id}'),
    ('get', '/v1/Schemas/{Id}/Versions'), ('get', '/v1/Schemas/{Id}/Versions/{SchemaVersion}'),
    ('get', '/v1/Sinks'), ('post', '/v1/Sinks'), ('get', '/v1/Sinks/{Sid}'), ('post', '/v1/Sinks/{Sid}'),
    ('delete', '/v1/Sinks/{Sid}'), ('post', '/v1/Sinks/{Sid}/Test'), ('post', '/v1/Sinks/{Sid}/Validate'),
    ('get', '/v1/Subscriptions'), ('post', '/v1/Subscriptions'), ('get', '/v1/Subscriptions/{Sid}'),
    ('post', '/v1/Subscriptions/{Sid}'), ('delete', '/v1/Subscriptions/{Sid}'),
    ('get', '/v1/Subscriptions/{SubscriptionSid}/SubscribedEvents'),
    ('post', '/v1/Subscriptions/{SubscriptionSid}/SubscribedEvents'),
    ('get', '/v1/Subscriptions/{SubscriptionSid}/SubscribedEvents/{Type}'),
    ('post', '/v1/Subscriptions/{SubscriptionSid}/SubscribedEvents/{Type}'),
    ('delete', '/v1/Subscriptions/{SubscriptionSid}/SubscribedEvents/{Type}'),
}
ENDED = 'com.twilio.studio.flow.execution.ended'
STARTED = 'com.twilio.studio.flow.execution.started'
WEBHOOK = json.dumps({'destination': 'http://127.0.0.1:9/hook', 'method': 'POST', 'batch_events': False})


@pytest.fixture(scope='module')
def raw_spec():
    return read_spec('twilio_events_v1.json')


@pytest.fixture
def openapi(raw_spec, emu):  # pylint: disable=redefined-outer-name
    return served_at(raw_spec, emu.url)


def test_the_operations_are_those_of_the_spec(raw_spec):  # pylint: disable=redefined-outer-name
    spec_ops = {(m, p) for p, item in raw_spec['paths'].items() for m in item if m in ('get', 'post', 'delete')}
    assert spec_ops == EVENTS_OPERATIONS


def test_types_and_schemas(emu, openapi):  # pylint: disable=redefined-outer-name
    listed = check_ok(openapi, emu.get('/v1/Types'))
    assert {ENDED, STARTED, 'com.twilio.studio.flow.step.ended'} <= {t['type'] for t in listed['types']}
    studio = check_ok(openapi, emu.get('/v1/Types?SchemaId=Studio.FlowExecutionEvent&PageSize=1'))
    assert len(studio['types']) == 1 and studio['meta']['next_page_url']
    following = check_ok(openapi, emu.get(studio['meta']['next_page_url'].replace(emu.url, '')))
    assert {t['type'] for t in studio['types'] + following['types']} == {ENDED, STARTED}
    assert check_ok(openapi, emu.get('/v1/Types/' + ENDED))['schema_id'] == 'Studio.FlowExecutionEvent'
    check_error(emu.get('/v1/Types/com.twilio.nothing'), 404, 20404)
    check_error(emu.get('/v1/Types?PageSize=0'), 400, 20001)

    schema = check_ok(openapi, emu.get('/v1/Schemas/Studio.FlowStepEvent'))
    assert schema['latest_version'] == 2
    versions = check_ok(openapi, emu.get('/v1/Schemas/Studio.FlowStepEvent/Versions'))
    assert [v['schema_version'] for v in versions['schema_versions']] == [2, 1]
    assert check_ok(openapi, emu.get('/v1/Schemas/Studio.FlowStepEvent/Versions/1'))['schema_version'] == 1
    check_error(emu.get('/v1/Schemas/Nothing.Here'), 404, 20404)
    check_error(emu.get('/v1/Schemas/Studio.FlowStepEvent/Versions/9'), 404, 20404)


def test_sinks(emu, openapi):  # pylint: disable=redefined-outer-name,too-many-statements
    created = emu.post('/v1/Sinks', {'Description': 'EDA', 'SinkType': 'webhook', 'SinkConfiguration': WEBHOOK})
    assert created.status_code == 201
    sink = check_ok(openapi, created)
    assert (sink['status'], sink['sink_configuration']['destination']) == ('active', 'http://127.0.0.1:9/hook')
    path = '/v1/Sinks/' + sink['sid']
    resp = emu.post('/v1/Sinks', {'Description': 'x', 'SinkType': 'pigeon', 'SinkConfiguration': '{}'})
    check_error(resp, 400, 20001)
    assert spec_rejects(openapi, resp)
    check_error(emu.post('/v1/Sinks', {'Description': 'x', 'SinkType': 'webhook',
                                       'SinkConfiguration': '{"destination": "ftp://x"}'}), 400, 20001)
    check_error(emu.post('/v1/Sinks', {'Description': 'x', 'SinkType': 'webhook', 'SinkConfiguration': 'nope'}),
                400, 20001)
    resp = emu.post('/v1/Sinks', {'SinkType': 'webhook', 'SinkConfiguration': WEBHOOK})
    check_error(resp, 400, 20001)
    assert spec_rejects(openapi, resp)

    assert [s['sid'] for s in check_ok(openapi, emu.get('/v1/Sinks'))['sinks']] == [sink['sid']]
    assert check_ok(openapi, emu.get('/v1/Sinks?InUse=true'))['sinks'] == []
    assert check_ok(openapi, emu.get('/v1/Sinks?Status=failed'))['sinks'] == []
    assert check_ok(openapi, emu.get(path))['description'] == 'EDA'
    check_error(emu.get('/v1/Sinks/DG' + '0' * 32), 404, 20404)
    resp = emu.get('/v1/Sinks/DGnothex')
    check_error(resp, 400, 20001)
    assert spec_rejects(openapi, resp)

    assert check_ok(openapi, emu.post(path, {'Description': 'EDA 2'}))['description'] == 'EDA 2'
    check_error(emu.post(path, {}), 400, 20001)

    # Test and Validate: a kinesis sink waits for them; a wrong TestId is refused.
    kinesis = check_ok(openapi, emu.post('/v1/Sinks', {
        'Description': 'K', 'SinkType': 'kinesis', 'SinkConfiguration': json.dumps({'arn': 'arn:x'})}))
    assert kinesis['status'] == 'initialized'
    kpath = '/v1/Sinks/' + kinesis['sid']
    assert check_ok(openapi, emu.post(kpath + '/Test'))['result'] == 'submitted'
    check_error(emu.post(kpath + '/Validate', {'TestId': 'TEwrong'}), 400, 20001)
    test_id = emu.control.call('GET', 'events/test-ids')[kinesis['sid']]
    assert check_ok(openapi, emu.post(kpath + '/Validate', {'TestId': test_id}))['result'] == 'valid'
    assert check_ok(openapi, emu.get(kpath))['status'] == 'active'

    # A sink in use is not deleted; once free it is.
    sub = check_ok(openapi, emu.post('/v1/Subscriptions', {
        'Description': 'S', 'SinkSid': sink['sid'], 'Types': [json.dumps({'type': ENDED})]}))
    assert [s['sid'] for s in check_ok(openapi, emu.get('/v1/Sinks?InUse=true'))['sinks']] == [sink['sid']]
    check_error(emu.delete(path), 400, 20001)
    assert emu.delete('/v1/Subscriptions/' + sub['sid']).status_code == 204
    assert emu.delete(path).status_code == 204
    check_error(emu.get(path), 404, 20404)


def test_subscriptions_and_subscribed_events(emu, openapi):  # pylint: disable=redefined-outer-name
    sink = emu.post('/v1/Sinks', {'Description': 'EDA', 'SinkType': 'webhook', 'SinkConfiguration': WEBHOOK}).json()
    types = [json.dumps({'type': ENDED, 'schema_version': 1}), json.dumps({'type': STARTED})]
    created = emu.post('/v1/Subscriptions', {'Description': 'Studio', 'SinkSid': sink['sid'], 'Types': types})
    assert created.status_code == 201
    sub = check_ok(openapi, created)
    path = '/v1/Subscriptions/' + sub['sid']
    resp = emu.post('/v1/Subscriptions', {'Description': 'x', 'SinkSid': 'DGnope', 'Types': types})
    check_error(resp, 400, 20001)
    assert spec_rejects(openapi, resp)
    check_error(emu.post('/v1/Subscriptions', {'Description': 'x', 'SinkSid': 'DG' + '0' * 32, 'Types': types}),
                400, 20001)
    check_error(emu.post('/v1/Subscriptions', {'Description': 'x', 'SinkSid': sink['sid'],
                                               'Types': [json.dumps({'type': 'com.twilio.nothing'})]}), 400, 20001)
    check_error(emu.post('/v1/Subscriptions', {'Description': 'x', 'SinkSid': sink['sid'],
                                               'Types': [json.dumps({'type': ENDED, 'schema_version': 7})]}),
                400, 20001)

    assert [s['sid'] for s in check_ok(openapi, emu.get('/v1/Subscriptions?SinkSid=' + sink['sid']))['subscriptions']] \
        == [sub['sid']]
    assert check_ok(openapi, emu.get(path))['sink_sid'] == sink['sid']
    check_error(emu.get('/v1/Subscriptions/DF' + '0' * 32), 404, 20404)
    assert check_ok(openapi, emu.post(path, {'Description': 'Studio 2'}))['description'] == 'Studio 2'

    events = check_ok(openapi, emu.get(path + '/SubscribedEvents'))['types']
    assert {(e['type'], e['schema_version']) for e in events} == {(ENDED, 1), (STARTED, 2)}
    step = 'com.twilio.studio.flow.step.ended'
    added = emu.post(path + '/SubscribedEvents', {'Type': step, 'SchemaVersion': 1})
    assert added.status_code == 201 and check_ok(openapi, added)['schema_version'] == 1
    check_error(emu.post(path + '/SubscribedEvents', {'Type': 'com.twilio.nothing'}), 400, 20001)
    assert check_ok(openapi, emu.get(path + '/SubscribedEvents/' + step))['type'] == step
    check_error(emu.get(path + '/SubscribedEvents/com.twilio.messaging.message.failed'), 404, 20404)
    assert check_ok(openapi, emu.post(path + '/SubscribedEvents/' + ENDED, {'SchemaVersion': 2}))['schema_version'] == 2
    check_error(emu.post(path + '/SubscribedEvents/' + ENDED, {'SchemaVersion': 3}), 400, 20001)
    assert emu.delete(path + '/SubscribedEvents/' + step).status_code == 204
    check_error(emu.delete(path + '/SubscribedEvents/' + step), 404, 20404)

    assert emu.delete(path).status_code == 204
    check_error(emu.get(path), 404, 20404)
