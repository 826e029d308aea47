# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator behaves as Twilio documents (issue: emulator fidelity). Each test names the
documented behaviour; each failed on the emulator before it was changed."""

import http.client
import json
import re
from urllib.parse import urlsplit

import pytest
import requests

from conftest import AUTH

FLOW_WITH_LOOP = {
    'friendly_name': 'Loop ten times',
    'definition': {
        'initial_state': 'Trigger',
        'states': [
            {'name': 'Trigger', 'type': 'trigger', 'transitions': [{'event': 'incomingRequest', 'next': 'again'}]},
            {'name': 'again', 'type': 'send-message', 'properties': {'body': 'ping'},
             'transitions': [{'event': 'sent', 'next': 'again'}, {'event': 'failed'}]},
        ],
    },
}


def context(emu, flow, sid):
    return emu.get('/v1/Flows/%s/Executions/%s/Context' % (emu.flows[flow], sid)).json()['context']


# 1. flow.sid is the Execution SID, flow.flow_sid the Flow's
def test_flow_sid_in_the_context_is_the_execution_sid(emu):
    ex = emu.create('Appointment reminder', '+15554440001').json()
    ctx = context(emu, 'Appointment reminder', ex['sid'])
    assert ctx['flow']['sid'] == ex['sid'] and ctx['flow']['flow_sid'] == emu.flows['Appointment reminder']


# 2. Send Message output nests under outbound with Twilio's capitalised keys
def test_send_message_output_is_outbound_with_capitalised_keys(emu):
    ex = emu.create('Appointment reminder', '+15554440002').json()
    widget = context(emu, 'Appointment reminder', ex['sid'])['widgets']['send_reminder']
    assert set(widget) == {'outbound'}
    assert set(widget['outbound']) >= {'Body', 'From', 'To', 'Sid', 'Status'}
    assert widget['outbound']['To'] == '+15554440002' and widget['outbound']['Sid'].startswith('SM')


# 3. one active Execution per To/From pair
def test_the_same_to_with_another_from_starts_another_execution(emu):
    first = emu.create('Customer survey', '+15554440003', '+15550000001').json()
    same = emu.create('Customer survey', '+15554440003', '+15550000001').json()
    other = emu.create('Customer survey', '+15554440003', '+15550000002').json()
    assert same['sid'] == first['sid']
    assert other['sid'] != first['sid'] and other['status'] == 'active'
    assert emu.control.stats()['executions_created'] == 2


# 4. rate limits average over 10 seconds by default; Retry-After only when asked for
def test_the_default_rate_window_is_ten_seconds(emu_default):
    limits = emu_default.control.call('GET', 'limits')
    assert limits['window'] == 10 and limits['rate'] == 20


def test_429_from_the_limiter_has_no_retry_after_unless_configured(emu):
    emu.control.limits(rate=1, window=1)
    emu.create('Appointment reminder', '+15554440004')
    refused = emu.create('Appointment reminder', '+15554440005')
    assert refused.status_code == 429 and refused.json()['code'] == 20429 and 'Retry-After' not in refused.headers
    emu.control.limits(rate=1, window=1, retry_after=2)
    emu.create('Appointment reminder', '+15554440006')
    refused = emu.create('Appointment reminder', '+15554440008')
    assert refused.status_code == 429 and refused.headers['Retry-After'] == '2'


# 5. page tokens are cursors: new Executions never make items repeat or vanish
def test_creating_while_walking_the_list_neither_repeats_nor_skips(emu):
    flow = 'Appointment reminder'
    before = [emu.create(flow, '+155544410%02d' % i).json()['sid'] for i in range(7)]
    first = emu.get('/v1/Flows/%s/Executions' % emu.flows[flow], params={'PageSize': 3}).json()
    seen = [e['sid'] for e in first['executions']]
    for i in range(5):  # five newer Executions appear before the cursor
        emu.create(flow, '+155544420%02d' % i)
    url = first['meta']['next_page_url']
    while url:
        page = emu.get(urlsplit(url).path + '?' + urlsplit(url).query).json()
        seen += [e['sid'] for e in page['executions']]
        url = page['meta']['next_page_url']
    assert seen == list(reversed(before))


# 6. Twilio's error codes
def test_page_size_over_1000_is_20007(emu):
    answer = emu.get('/v1/Flows', params={'PageSize': 1001})
    assert answer.status_code == 400 and answer.json()['code'] == 20007


def test_a_bad_page_token_is_21481(emu):
    answer = emu.get('/v1/Flows/%s/Executions' % emu.flows['Customer survey'], params={'PageToken': 'nonsense'})
    assert answer.status_code == 400 and answer.json()['code'] == 21481


def test_to_and_from_over_300_bytes_is_81023(emu):
    answer = emu.create('Customer survey', 'client:' + 'a' * 150, 'client:' + 'b' * 150)
    assert answer.status_code == 400 and answer.json()['code'] == 81023
    assert emu.control.stats()['executions_created'] == 0


# 7. headers, and keep-alive
def test_every_answer_carries_a_request_id_and_the_concurrency(emu):
    for answer in (emu.get('/v1/Flows'), emu.get('/v1/Flows/FW' + '0' * 32), requests.get(emu.url + '/v1/Flows')):
        assert re.fullmatch(r'RQ[0-9a-f]{32}', answer.headers['Twilio-Request-Id'])
        assert int(answer.headers['Twilio-Concurrent-Requests']) >= 1


def test_connections_are_kept_alive(emu):
    parts = urlsplit(emu.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    token = requests.auth._basic_auth_str(*AUTH)
    for dummy in range(3):
        connection.request('GET', '/v1/Flows', headers={'Authorization': token})
        answer = connection.getresponse()
        assert answer.status == 200 and answer.version == 11
        json.loads(answer.read())
        assert answer.getheader('Connection', '').lower() != 'close'
    connection.close()


def test_an_unread_body_does_not_leak_into_the_next_request_on_the_connection(emu):
    """A 401 answers before the form is read; the next request on the connection still parses."""
    parts = urlsplit(emu.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    path = '/v1/Flows/%s/Executions' % emu.flows['Customer survey']
    connection.request('POST', path, body='To=%2B15550001&From=%2B15550002',
                       headers={'Content-Type': 'application/x-www-form-urlencoded'})
    answer = connection.getresponse()
    assert answer.status == 401
    answer.read()
    connection.request('GET', '/v1/Flows', headers={'Authorization': requests.auth._basic_auth_str(*AUTH)})
    answer = connection.getresponse()
    assert answer.status == 200 and 'flows' in json.loads(answer.read())
    connection.close()
    assert emu.control.stats()['executions_created'] == 0


def test_killed_with_connections_kept_alive_it_restarts_on_the_same_port():
    """The chaos drills kill the emulator while clients hold kept-alive connections, then start it
    again on the same port: the port must be free at once."""
    from studio_emulator.launcher import EmulatorProcess
    first = EmulatorProcess('--port', '0')
    port = urlsplit(first.url).port
    session = requests.Session()
    session.auth = AUTH
    assert session.get(first.url + '/v1/Flows', timeout=10).status_code == 200
    first.kill()
    with EmulatorProcess('--port', port) as second:
        assert session.get(second.url + '/v1/Flows', timeout=10).status_code == 200
    session.close()


# 8. "A Flow Execution will be stopped if the same Widget is executed 10 times in a row"
def test_a_widget_runs_ten_times_in_a_row_then_the_execution_stops(emu):
    emu.control.add_flow(FLOW_WITH_LOOP)
    emu.flows = emu.control.flows()
    ex = emu.create('Loop ten times', '+15554440007').json()
    assert ex['status'] == 'ended'
    sent = [m for m in emu.control.executions() if m['sid'] == ex['sid']][0]['messages']
    assert len(sent) == 10


@pytest.fixture
def emu_default():
    """An emulator with no rate options: Twilio's defaults."""
    from studio_emulator.launcher import EmulatorProcess
    with EmulatorProcess('--port', '0') as process:
        yield process


# 9. real Flows run: every widget type of Studio's library is accepted and takes a documented path
def test_every_widget_type_of_the_library_runs_and_records_its_step(emu):
    from studio_emulator import engine
    states = [{'name': 'Trigger', 'type': 'trigger', 'transitions': [{'event': 'incomingRequest', 'next': 'w0'}]}]
    kinds = sorted(engine.SIMULATED.keys() - {'trigger'})
    for n, kind in enumerate(kinds):
        event = engine.SIMULATED[kind][0]
        nxt = 'w%d' % (n + 1) if n + 1 < len(kinds) else None
        states.append({'name': 'w%d' % n, 'type': kind, 'properties': {},
                       'transitions': [dict({'event': event}, **({'next': nxt} if nxt else {})), {'event': 'other'}]})
    emu.control.add_flow({'friendly_name': 'Every widget', 'definition': {'initial_state': 'Trigger', 'states': states}})
    emu.flows = emu.control.flows()
    ex = emu.create('Every widget', '+15554440010').json()
    assert ex['status'] == 'ended'
    steps = emu.get('/v1/Flows/%s/Executions/%s/Steps' % (emu.flows['Every widget'], ex['sid'])).json()['steps']
    assert sorted(s['type'] for s in steps) == sorted(['trigger'] + kinds)


def test_the_example_voice_and_subflow_flows_run_to_their_end(emu):
    ivr = emu.create('Support line', '+15554440011', parameters=json.dumps({'name': 'Ann'})).json()
    steps = emu.get('/v1/Flows/%s/Executions/%s/Steps' % (emu.flows['Support line'], ivr['sid'])).json()['steps']
    assert ivr['status'] == 'ended'
    assert [s['transitioned_to'] for s in reversed(steps)] == [
        'greeting', 'menu', 'route', 'to_agent', 'log_call', 'Ended']
    esc = emu.create('Escalation', '+15554440012', parameters=json.dumps({'ticket': 'T-1'})).json()
    ctx = context(emu, 'Escalation', esc['sid'])
    assert ctx['flow']['variables']['priority'] == 'urgent'
    assert ctx['widgets']['confirm']['outbound']['Body'] == 'Ticket T-1 (urgent) is with our team.'
