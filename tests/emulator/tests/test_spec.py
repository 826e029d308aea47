# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every v1 operation of the emulator, success and error, checked against Twilio's own OpenAPI spec."""

import copy
import json
import os

import jsonschema
import pytest
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

SPEC_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'spec')

# Twilio's error body, as documented (the spec describes successes only).
ERROR_SCHEMA = {
    'type': 'object',
    'required': ['code', 'message', 'more_info', 'status'],
    'properties': {
        'code': {'type': 'integer'},
        'message': {'type': 'string', 'minLength': 1},
        'more_info': {'type': 'string', 'pattern': '^https://www.twilio.com/docs/errors/[0-9]+$'},
        'status': {'type': 'integer'},
    },
}

V1_OPERATIONS = {
    ('get', '/v1/Flows'), ('get', '/v1/Flows/{Sid}'), ('delete', '/v1/Flows/{Sid}'),
    ('get', '/v1/Flows/{FlowSid}/Executions'), ('post', '/v1/Flows/{FlowSid}/Executions'),
    ('get', '/v1/Flows/{FlowSid}/Executions/{Sid}'), ('post', '/v1/Flows/{FlowSid}/Executions/{Sid}'),
    ('delete', '/v1/Flows/{FlowSid}/Executions/{Sid}'),
    ('get', '/v1/Flows/{FlowSid}/Executions/{ExecutionSid}/Context'),
    ('get', '/v1/Flows/{FlowSid}/Executions/{ExecutionSid}/Steps'),
    ('get', '/v1/Flows/{FlowSid}/Executions/{ExecutionSid}/Steps/{Sid}'),
    ('get', '/v1/Flows/{FlowSid}/Executions/{ExecutionSid}/Steps/{StepSid}/Context'),
}


def read_spec(name):
    """Twilio's OpenAPI description ``name`` (a copy in tests/emulator/spec/)."""
    with open(os.path.join(SPEC_DIR, name), encoding='utf-8') as handle:
        return json.load(handle)


@pytest.fixture(scope='module')
def raw_spec():
    return read_spec('twilio_studio_v1.json')


def served_at(raw_spec, url):  # pylint: disable=redefined-outer-name
    """Twilio's spec with every server (it names one on each path and operation too) set to ``url``."""
    spec = copy.deepcopy(raw_spec)
    spec['servers'] = [{'url': url}]
    for item in spec['paths'].values():
        item['servers'] = [{'url': url}]
        for operation in item.values():
            if isinstance(operation, dict) and 'servers' in operation:
                operation['servers'] = [{'url': url}]
    return OpenAPI.from_dict(spec)


@pytest.fixture
def openapi(raw_spec, emu):  # pylint: disable=redefined-outer-name
    return served_at(raw_spec, emu.url)


def test_operation_list_matches_the_spec(raw_spec):  # pylint: disable=redefined-outer-name
    """Every non-Engagement v1 operation of the spec is covered below."""
    spec_ops = {(m, p) for p, item in raw_spec['paths'].items() for m in item
                if m in ('get', 'post', 'delete') and 'Engagements' not in p}
    assert spec_ops == V1_OPERATIONS


def check_ok(openapi, resp):  # pylint: disable=redefined-outer-name
    assert resp.status_code in (200, 201, 204), resp.text
    openapi.validate_response(RequestsOpenAPIRequest(resp.request), RequestsOpenAPIResponse(resp))
    return resp.json() if resp.content else None


def check_error(resp, status, code):
    assert resp.status_code == status, resp.text
    assert resp.headers['Content-Type'].startswith('application/json')
    body = resp.json()
    jsonschema.validate(body, ERROR_SCHEMA)
    assert body['status'] == status and body['code'] == code
    return body


def spec_rejects(openapi, resp):  # pylint: disable=redefined-outer-name
    """The spec itself calls the request invalid (so a 400 is the right answer)."""
    errors = list(openapi.iter_request_errors(RequestsOpenAPIRequest(resp.request))) if hasattr(
        openapi, 'iter_request_errors') else None
    if errors is None:
        try:
            openapi.validate_request(RequestsOpenAPIRequest(resp.request))
        except Exception:  # pylint: disable=broad-except
            return True
        return False
    return bool(errors)


def test_every_operation_success_and_error(emu, openapi):  # pylint: disable=redefined-outer-name,too-many-statements
    flow = emu.flows['Customer survey']
    base = '/v1/Flows/%s' % flow
    missing_fw = 'FW' + '0' * 32
    missing_fn = 'FN' + '0' * 32
    missing_ft = 'FT' + '0' * 32

    # Flows
    body = check_ok(openapi, emu.get('/v1/Flows'))
    assert {f['friendly_name'] for f in body['flows']} >= {'Customer survey', 'Appointment reminder'}
    check_error(emu.get('/v1/Flows?PageSize=0'), 400, 20001)
    assert check_ok(openapi, emu.get(base))['sid'] == flow
    check_error(emu.get('/v1/Flows/' + missing_fw), 404, 20404)
    resp = emu.get('/v1/Flows/FWnothex')
    check_error(resp, 400, 20001)
    assert spec_rejects(openapi, resp)

    # Executions: create, list, fetch, context, steps, step, step context, update, delete
    created = check_ok(openapi, emu.create('Customer survey', '+15551110001', parameters='{"name": "Ann"}'))
    execution = base + '/Executions/' + created['sid']
    resp = emu.post(base + '/Executions', {'From': '+15550000000'})
    check_error(resp, 400, 20001)
    assert spec_rejects(openapi, resp)
    check_error(emu.post(base + '/Executions', {'To': '+1555', 'From': '+1', 'Parameters': '[1, 2]'}), 400, 20001)
    check_error(emu.post('/v1/Flows/%s/Executions' % missing_fw, {'To': '+1', 'From': '+2'}), 404, 20404)

    listed = check_ok(openapi, emu.get(base + '/Executions'))
    assert [e['sid'] for e in listed['executions']] == [created['sid']]
    check_error(emu.get(base + '/Executions?DateCreatedFrom=yesterday'), 400, 20001)

    assert check_ok(openapi, emu.get(execution))['status'] == 'active'
    check_error(emu.get(base + '/Executions/' + missing_fn), 404, 20404)

    context = check_ok(openapi, emu.get(execution + '/Context'))
    assert context['context']['flow']['data'] == {'name': 'Ann'}
    check_error(emu.get(base + '/Executions/%s/Context' % missing_fn), 404, 20404)

    steps = check_ok(openapi, emu.get(execution + '/Steps'))['steps']
    assert steps and steps[-1]['transitioned_from'] == 'Trigger'
    check_error(emu.get(base + '/Executions/FNbad/Steps'), 400, 20001)

    step = execution + '/Steps/' + steps[0]['sid']
    assert check_ok(openapi, emu.get(step))['sid'] == steps[0]['sid']
    check_error(emu.get(execution + '/Steps/' + missing_ft), 404, 20404)

    step_context = check_ok(openapi, emu.get(step + '/Context'))
    assert step_context['step_sid'] == steps[0]['sid']
    check_error(emu.get(execution + '/Steps/%s/Context' % missing_ft), 404, 20404)

    resp = emu.post(execution, {'Reason': 'no Status'})
    check_error(resp, 400, 20001)
    assert spec_rejects(openapi, resp)
    assert check_ok(openapi, emu.post(execution, {'Status': 'ended'}))['status'] == 'ended'
    check_error(emu.post(execution, {'Status': 'active'}), 400, 20001)

    assert check_ok(openapi, emu.delete(execution)) is None
    check_error(emu.delete(execution), 404, 20404)

    # Flow delete last: it takes its Executions with it
    assert check_ok(openapi, emu.delete(base)) is None
    check_error(emu.delete(base), 404, 20404)


def test_auth_and_rate_errors_are_twilio_json(emu):
    check_error(emu.http.get(emu.url + '/v1/Flows', auth=('AC' + 'f' * 32, 'wrong'), timeout=10), 401, 20003)
    emu.control.limits(rate=1, window=1)
    assert emu.create('Appointment reminder', '+15551110002').status_code == 200
    check_error(emu.create('Appointment reminder', '+15551110003'), 429, 20429)


def test_unknown_paths_and_methods_are_twilio_json(emu):
    check_error(emu.get('/v1/Nothing'), 404, 20404)
    check_error(emu.http.put(emu.url + '/v1/Flows', timeout=10), 405, 20004)
    body = check_error(emu.get('/v1/Flows/%s/Engagements' % emu.flows['Customer survey']), 404, 20404)
    assert 'Executions' in body['message']
