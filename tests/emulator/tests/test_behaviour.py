# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Studio's rules and the flow engine, through the emulator's HTTP API."""

import json
import time

import pytest
import requests

from conftest import AUTH, KEY_AUTH


def steps_of(emu, flow, sid):
    """Steps in chronological order (the API lists them newest first)."""
    body = emu.get('/v1/Flows/%s/Executions/%s/Steps?PageSize=1000' % (emu.flows[flow], sid)).json()
    return list(reversed(body['steps']))


def context_of(emu, flow, sid):
    return emu.get('/v1/Flows/%s/Executions/%s/Context' % (emu.flows[flow], sid)).json()['context']


def step_context(emu, step):
    return emu.http.get(step['links']['step_context'], timeout=10).json()['context']


def test_pagination_follows_next_and_previous(emu):
    flow = emu.flows['Appointment reminder']
    sids = [emu.create('Appointment reminder', '+1555222000%d' % i).json()['sid'] for i in range(5)]
    page = emu.get('/v1/Flows/%s/Executions?PageSize=2' % flow).json()
    assert page['meta']['key'] == 'executions' and page['meta']['page'] == 0 and page['meta']['page_size'] == 2
    assert page['meta']['previous_page_url'] is None
    seen, pages = [], []
    while True:
        pages.append(page)
        seen += [e['sid'] for e in page['executions']]
        if not page['meta']['next_page_url']:
            break
        assert page['meta']['next_page_url'].startswith(emu.url + '/v1/Flows/')
        page = emu.http.get(page['meta']['next_page_url'], timeout=10).json()
    assert seen == list(reversed(sids))  # newest first, each once
    assert [len(p['executions']) for p in pages] == [2, 2, 1]
    assert [p['meta']['page'] for p in pages] == [0, 1, 2]
    back = []
    while page['meta']['previous_page_url']:
        page = emu.http.get(page['meta']['previous_page_url'], timeout=10).json()
        back.append([e['sid'] for e in page['executions']])
    assert back == [seen[2:4], seen[0:2]]
    assert page['meta']['page'] == 0 and page['meta']['previous_page_url'] is None


def test_date_filters_inclusive_from_exclusive_to(emu):
    flow = emu.flows['Appointment reminder']
    first = emu.create('Appointment reminder', '+15552220100').json()
    emu.control.advance(3600)
    second = emu.create('Appointment reminder', '+15552220101').json()
    url = '/v1/Flows/%s/Executions' % flow
    only_second = emu.get(url, params={'DateCreatedFrom': second['date_created']}).json()['executions']
    assert [e['sid'] for e in only_second] == [second['sid']]
    only_first = emu.get(url, params={'DateCreatedTo': second['date_created']}).json()['executions']
    assert [e['sid'] for e in only_first] == [first['sid']]
    meta = emu.get(url, params={'DateCreatedTo': second['date_created'], 'PageSize': 1}).json()['meta']
    assert 'DateCreatedTo=' in meta['url']


def test_second_create_for_active_contact_returns_it_and_starts_nothing(emu):
    first = emu.create('Customer survey', '+15553330001', parameters='{"name": "Bo"}')
    assert first.status_code == 200 and first.json()['status'] == 'active'
    before = emu.control.executions()
    again = emu.create('Customer survey', '+15553330001', parameters='{"name": "Other"}')
    assert again.status_code == 200
    assert again.json()['sid'] == first.json()['sid']
    assert emu.control.stats()['executions_created'] == 1
    assert emu.control.executions() == before  # no new Step, no new message
    assert context_of(emu, 'Customer survey', first.json()['sid'])['flow']['data'] == {'name': 'Bo'}
    # another contact, or the same contact on another Flow, starts its own
    assert emu.create('Customer survey', '+15553330002').json()['sid'] != first.json()['sid']
    assert emu.create('Appointment reminder', '+15553330001').json()['status'] == 'ended'
    # once ended, a create starts a new Execution
    url = '/v1/Flows/%s/Executions/%s' % (emu.flows['Customer survey'], first.json()['sid'])
    assert emu.post(url, {'Status': 'ended'}).json()['status'] == 'ended'
    third = emu.create('Customer survey', '+15553330001')
    assert third.json()['sid'] != first.json()['sid'] and third.json()['status'] == 'active'
    assert emu.control.stats()['created_per_contact']['%s +15553330001' % emu.flows['Customer survey']] == 2


def test_appointment_reminder_step_by_step(emu):
    created = emu.create('Appointment reminder', '+15554440001',
                         parameters=json.dumps({'name': 'Ann', 'date': 'May 5', 'time': '10:00'})).json()
    assert created['status'] == 'ended'
    assert created['contact_channel_address'] == '+15554440001'
    assert created['contact_sid'].startswith('FC')
    steps = steps_of(emu, 'Appointment reminder', created['sid'])
    assert [(s['name'], s['transitioned_from'], s['transitioned_to'], s['type']) for s in steps] == [
        ('incomingRequest', 'Trigger', 'send_reminder', 'trigger'),
        ('sent', 'send_reminder', 'Ended', 'send-message'),
    ]
    first, last = (step_context(emu, s) for s in steps)
    assert first['widgets'] == {} and first['flow']['data']['name'] == 'Ann'
    body = 'Hi Ann, this is a reminder of your appointment on May 5 at 10:00.'
    assert last['widgets']['send_reminder']['outbound']['Body'] == body
    context = context_of(emu, 'Appointment reminder', created['sid'])
    assert context['flow']['sid'] == created['sid'] and context['flow']['flow_sid'] == emu.flows['Appointment reminder']
    assert context['flow']['channel']['address'] == '+15550000000'
    assert context['contact']['channel']['address'] == '+15554440001'
    assert context['trigger']['request']['parameters']['date'] == 'May 5'
    assert context['widgets']['send_reminder']['outbound']['To'] == '+15554440001'
    messages = emu.control.call('GET', 'messages?to=%2B15554440001')['messages']
    assert [m['body'] for m in messages] == [body]


def test_survey_waits_then_reply_moves_it_on(emu):
    created = emu.create('Customer survey', '+15554440002',
                         parameters=json.dumps({'name': 'Cy', 'product': 'tea'})).json()
    sid = created['sid']
    assert created['status'] == 'active'
    assert [s['transitioned_to'] for s in steps_of(emu, 'Customer survey', sid)] == ['ask_rating']
    outbound = context_of(emu, 'Customer survey', sid)['widgets']['ask_rating']['outbound']
    assert outbound['Body'] == 'Hi Cy! How would you rate tea from 1 to 5?'

    emu.control.reply(emu.flows['Customer survey'], '+15554440002', ' 4 ')
    steps = steps_of(emu, 'Customer survey', sid)
    assert [(s['name'], s['transitioned_from'], s['transitioned_to']) for s in steps] == [
        ('incomingRequest', 'Trigger', 'ask_rating'),
        ('incomingMessage', 'ask_rating', 'check_rating'),
        ('match', 'check_rating', 'set_rating'),
        ('next', 'set_rating', 'thank_you'),
        ('sent', 'thank_you', 'Ended'),
    ]
    context = context_of(emu, 'Customer survey', sid)
    assert context['widgets']['ask_rating']['inbound']['Body'] == ' 4 '
    assert context['flow']['variables'] == {'rating': '4', 'sentiment': 'positive'}
    assert context['widgets']['thank_you']['outbound']['Body'] == 'Thanks Cy, you rated us 4/5.'
    assert emu.get('/v1/Flows/%s/Executions/%s' % (emu.flows['Customer survey'], sid)).json()['status'] == 'ended'
    # each Step Context is the context as it stood after that widget
    contexts = [step_context(emu, s) for s in steps]
    assert 'inbound' not in contexts[0]['widgets'].get('ask_rating', {})
    assert contexts[3]['flow']['variables']['rating'] == '4' and 'thank_you' not in contexts[3]['widgets']


def test_survey_no_match_and_timeout(emu):
    flow = emu.flows['Customer survey']
    emu.create('Customer survey', '+15554440003')
    emu.control.reply(flow, '+15554440003', 'great!')
    ex = [e for e in emu.control.executions() if e['to'] == '+15554440003'][0]
    assert ex['status'] == 'ended'
    assert ex['messages'][-1]['body'] == "Sorry, 'great!' is not a rating from 1 to 5."

    created = emu.create('Customer survey', '+15554440004').json()
    emu.control.advance(3599)
    assert emu.get('/v1/Flows/%s/Executions/%s' % (flow, created['sid'])).json()['status'] == 'active'
    emu.control.advance(2)
    assert emu.get('/v1/Flows/%s/Executions/%s' % (flow, created['sid'])).json()['status'] == 'ended'
    assert [s['name'] for s in steps_of(emu, 'Customer survey', created['sid'])][-2:] == ['timeout', 'sent']
    with pytest.raises(RuntimeError, match='404'):
        emu.control.reply(flow, '+15554440004', '5')  # no active Execution for the contact any more
    with pytest.raises(RuntimeError, match='409'):
        emu.control.call('POST', 'executions/%s/reply' % created['sid'], {'body': '5'})


def test_rate_limit_answers_429_on_the_21st_create(emu):
    emu.control.limits(rate=20, window=1)  # the strict one-second reading (the default averages over 10 s)
    statuses = [emu.create('Appointment reminder', '+1555500%04d' % i).status_code for i in range(21)]
    assert statuses[:20] == [200] * 20
    assert statuses[20] == 429
    assert emu.control.stats()['executions_created'] == 20
    time.sleep(1.0)  # a second later the window has room again
    assert emu.create('Appointment reminder', '+15555009999').status_code == 200


def test_limits_lifetime_repeats_and_steps(emu):
    looping = {
        'friendly_name': 'Loop', 'definition': {'initial_state': 'Trigger', 'states': [
            {'name': 'Trigger', 'type': 'trigger', 'transitions': [{'event': 'incomingRequest', 'next': 'again'}]},
            {'name': 'again', 'type': 'set-variables', 'transitions': [{'event': 'next', 'next': 'again'}],
             'properties': {'variables': [{'key': 'n', 'value': '{{flow.variables.n | plus: 1}}'}]}}]}}
    ping_pong = {
        'friendly_name': 'Ping pong', 'definition': {'initial_state': 'Trigger', 'states': [
            {'name': 'Trigger', 'type': 'trigger', 'transitions': [{'event': 'incomingRequest', 'next': 'ping'}]},
            {'name': 'ping', 'type': 'set-variables', 'transitions': [{'event': 'next', 'next': 'pong'}]},
            {'name': 'pong', 'type': 'set-variables', 'transitions': [{'event': 'next', 'next': 'ping'}]}]}}
    emu.flows['Loop'] = emu.control.add_flow(looping)['sid']
    emu.flows['Ping pong'] = emu.control.add_flow(ping_pong)['sid']

    loop = emu.create('Loop', '+15556660001').json()
    assert loop['status'] == 'ended'
    assert context_of(emu, 'Loop', loop['sid'])['flow']['variables']['n'] == '10'  # it ran 10 times, then stopped

    pong = emu.create('Ping pong', '+15556660002').json()
    assert pong['status'] == 'ended'
    assert len(steps_of(emu, 'Ping pong', pong['sid'])) == 1000

    emu.control.limits(lifetime=60)
    survey = emu.create('Customer survey', '+15556660003').json()
    emu.control.advance(61)
    url = '/v1/Flows/%s/Executions/%s' % (emu.flows['Customer survey'], survey['sid'])
    assert emu.get(url).json()['status'] == 'ended'


def test_auth_with_both_credential_kinds(emu):
    url = emu.url + '/v1/Flows'
    assert requests.get(url, auth=AUTH, timeout=10).status_code == 200
    assert requests.get(url, auth=KEY_AUTH, timeout=10).status_code == 200
    for wrong in [(AUTH[0], 'wrong'), (KEY_AUTH[0], AUTH[1]), ('AC' + '1' * 32, AUTH[1])]:
        resp = requests.get(url, auth=wrong, timeout=10)
        assert resp.status_code == 401 and resp.json()['code'] == 20003
    assert requests.get(url, timeout=10).json()['code'] == 20003
    created = requests.post(url + '/%s/Executions' % emu.flows['Appointment reminder'], auth=KEY_AUTH,
                            data={'To': '+15557770001', 'From': '+15550000000'}, timeout=10).json()
    assert created['account_sid'] == AUTH[0]


@pytest.mark.parametrize('path, data', [
    ('/v1/Flows/FW123/Executions', {'To': '+1', 'From': '+2'}),
    ('/v1/Flows/{flow}/Executions', {'To': '+1'}),
    ('/v1/Flows/{flow}/Executions', {'To': '+1', 'From': '+2', 'Parameters': 'not json'}),
    ('/v1/Flows/{flow}/Executions', {'To': '+1', 'From': '+2', 'Parameters': '"a string"'}),
    ('/v1/Flows/{flow}/Executions/FN12', {'Status': 'ended'}),
    ('/v1/Flows/{flow}/Executions/%s' % ('FN' + 'g' * 32), {'Status': 'ended'}),
])
def test_bad_input_is_400_never_500(emu, path, data):
    resp = emu.post(path.format(flow=emu.flows['Customer survey']), data)
    assert resp.status_code == 400 and resp.json()['code'] == 20001, resp.text


@pytest.mark.parametrize('query, code', [('PageSize=0', 20001), ('PageSize=1001', 20007), ('PageSize=x', 20001),
                                         ('Page=-1', 20001), ('PageToken=zz', 21481), ('PageToken=PAnotjson', 21481),
                                         ('DateCreatedFrom=2020-13-45', 20001), ('DateCreatedTo=soon', 20001)])
def test_bad_query_is_400(emu, query, code):
    resp = emu.get('/v1/Flows/%s/Executions?%s' % (emu.flows['Customer survey'], query))
    assert resp.status_code == 400 and resp.json()['code'] == code, resp.text


def test_controls_take_json_or_a_form_and_refuse_other_bodies(emu):
    """A reply posted as a form works like JSON; a body of another type is a clear 400, never 'No flow None'."""
    emu.create('Customer survey', '+15553330001')
    emu.create('Customer survey', '+15553330002')
    url = emu.url + '/__emulator__/reply'
    answer = requests.post(url, data={'flow': 'Customer survey', 'to': '+15553330001', 'body': '5'}, timeout=10)
    assert answer.status_code == 200 and answer.json()['status'] == 'ended'
    answer = requests.post(url, json={'flow': emu.flows['Customer survey'], 'to': '+15553330002', 'body': '4'},
                           timeout=10)
    assert answer.status_code == 200 and answer.json()['status'] == 'ended'
    answer = requests.post(url, data=b'flow=x', headers={'Content-Type': 'text/plain'}, timeout=10)
    assert answer.status_code == 400
    assert 'Send the arguments as JSON' in answer.json()['message'] and 'text/plain' in answer.json()['message']
    answer = requests.post(url, data=b'[1, 2]', headers={'Content-Type': 'application/json'}, timeout=10)
    assert answer.status_code == 400 and 'must be an object' in answer.json()['message']
