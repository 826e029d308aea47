# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Flows as code on the emulator's v2: what Validate reports, and which revision Executions run."""

import copy
import json
import os

from test_spec_v2 import DEFINITION, form


def errors_of(emu, definition):
    answer = emu.post('/v2/Flows/Validate', form(definition=definition))
    if answer.status_code == 200:
        return []
    assert answer.status_code == 400 and answer.json()['code'] == 81022
    return sorted((e['property_path'], e['message']) for e in answer.json()['details']['errors'])


def test_validate_names_each_problem_by_its_property_path(emu):
    definition = copy.deepcopy(DEFINITION)
    definition['states'][0]['transitions'][0]['next'] = 'nowhere'
    definition['states'][1]['properties'].pop('body')
    definition['states'].append({'name': 'hello', 'type': 'send-message', 'properties': {'body': 'x'}})
    definition['states'].append({'name': 'odd', 'type': 'teleport', 'properties': {}})
    assert errors_of(emu, definition) == [
        ('#/states/0/transitions/0/next', 'Transition to unknown widget nowhere'),
        ('#/states/1/properties/body', 'send-message widget hello needs the property body'),
        ('#/states/2/name', 'Duplicate widget name hello (also states/1)'),
        ('#/states/3/type', 'Unknown widget type teleport'),
    ]
    assert errors_of(emu, dict(DEFINITION, states=[])) == [('#/states', 'states must be a non-empty list of widget objects')]
    assert errors_of(emu, DEFINITION) == []


def test_every_widget_type_of_the_library_is_accepted(emu):
    from studio_emulator import engine
    for kind in sorted(engine.WIDGET_TYPES - {'trigger'}):
        properties = {name: 'x' for name in engine.REQUIRED_PROPERTIES.get(kind, ())}
        definition = copy.deepcopy(DEFINITION)
        definition['states'].append({'name': 'w', 'type': kind, 'properties': properties, 'transitions': []})
        assert errors_of(emu, definition) == [], kind


def test_definition_that_is_not_json_is_81022_at_the_root(emu):
    answer = emu.post('/v2/Flows/Validate', {'FriendlyName': 'x', 'Status': 'draft', 'Definition': '{"states": ['})
    assert answer.status_code == 400 and answer.json()['details']['errors'][0]['property_path'] == '#'


def create(emu, definition, status='published'):
    answer = emu.post('/v2/Flows', form(name='Revisions', status=status, definition=definition))
    assert answer.status_code == 201, answer.text
    return answer.json()


def body_sent(emu, flow_sid, to):
    answer = emu.post('/v1/Flows/%s/Executions' % flow_sid, {'To': to, 'From': '+15550000000'})
    assert answer.status_code == 200, answer.text
    return [e['messages'] for e in emu.control.executions() if e['sid'] == answer.json()['sid']][0][0]['body']


def with_body(text):
    definition = copy.deepcopy(DEFINITION)
    definition['states'][1]['properties']['body'] = text
    return definition


def test_executions_run_the_latest_published_revision(emu):
    flow = create(emu, with_body('one'))
    assert body_sent(emu, flow['sid'], '+15553330001') == 'one'
    emu.post('/v2/Flows/' + flow['sid'], {'Status': 'draft', 'Definition': json.dumps(with_body('two'))})
    assert body_sent(emu, flow['sid'], '+15553330002') == 'one'  # a draft does not go live
    emu.post('/v2/Flows/' + flow['sid'], {'Status': 'published'})  # publish the draft as it is
    assert body_sent(emu, flow['sid'], '+15553330003') == 'two'
    assert emu.get('/v2/Flows/%s/Revisions/LatestPublished' % flow['sid']).json()['revision'] == 3


def test_only_test_users_run_a_draft(emu):
    flow = create(emu, with_body('draft only'), status='draft')
    refused = emu.post('/v1/Flows/%s/Executions' % flow['sid'], {'To': '+15553330004', 'From': '+15550000000'})
    assert refused.status_code == 400 and 'test users' in refused.json()['message']
    emu.post('/v2/Flows/%s/TestUsers' % flow['sid'], {'TestUsers': ['+15553330005']})
    assert body_sent(emu, flow['sid'], '+15553330005') == 'draft only'


def test_a_draft_may_keep_errors_but_cannot_be_published(emu):
    broken = dict(DEFINITION, initial_state='Nowhere')
    draft = create(emu, broken, status='draft')
    assert draft['valid'] is False and draft['errors'][0]['property_path'] == '#/initial_state'
    refused = emu.post('/v2/Flows/' + draft['sid'], {'Status': 'published'})
    assert refused.status_code == 400 and refused.json()['code'] == 81022
    assert emu.get('/v2/Flows/' + draft['sid']).json()['revision'] == 1  # nothing written


def test_revisions_survive_a_restart_with_a_state_file(tmp_path):
    from studio_emulator.launcher import EmulatorProcess
    from conftest import Client
    state = tmp_path / 'state.jsonl'
    with EmulatorProcess('--port', '0', '--state', state) as process:
        flow = create(Client(process), with_body('kept'))
        Client(process).post('/v2/Flows/' + flow['sid'], {'Status': 'draft', 'CommitMessage': 'second'})
    with EmulatorProcess('--port', '0', '--state', state) as process:
        revisions = Client(process).get('/v2/Flows/%s/Revisions' % flow['sid']).json()['revisions']
        assert [(r['revision'], r['commit_message']) for r in revisions] == [(2, 'second'), (1, None)]
        assert Client(process).get('/v2/Flows/%s/Revisions/1' % flow['sid']).json()['definition'] == with_body('kept')


# -- Studio's widget types (issue 23) -------------------------------------------------------------
NEW_IN_THE_SCHEMA = ('add-member-to-chat-channel', 'create-chat-channel', 'create-task', 'make-outgoing-call-v1',
                     'run-function-v2', 'understand', 'update-sync-object', 'connect-virtual-agent-v2')
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data')


def warnings_of(emu, definition):
    answer = emu.post('/v2/Flows', form(name='Warnings %d' % len(json.dumps(definition)), status='draft',
                                        definition=definition))
    assert answer.status_code == 201, answer.text
    return [(w['property_path'], w['message']) for w in answer.json()['warnings']]


def test_the_widget_table_is_the_28_types_of_twilios_schema():
    from studio_emulator import engine
    assert len(engine.WIDGET_TYPES) == 28
    assert set(NEW_IN_THE_SCHEMA) <= engine.WIDGET_TYPES
    assert 'send-to-auto-pilot' not in engine.WIDGET_TYPES
    assert all(events for events in engine.WIDGETS.values())


def test_a_flow_with_the_widgets_the_emulator_lacked_validates_and_runs(emu):
    with open(os.path.join(DATA, 'studio_widgets_flow.json'), encoding='utf-8') as handle:
        definition = json.load(handle)
    assert {s['type'] for s in definition['states']} >= set(NEW_IN_THE_SCHEMA)
    assert errors_of(emu, definition) == []
    flow = create(emu, definition)
    answer = emu.post('/v1/Flows/%s/Executions' % flow['sid'], {'To': '+15551239999', 'From': '+15550000000'})
    steps = emu.get('/v1/Flows/%s/Executions/%s/Steps' % (flow['sid'], answer.json()['sid'])).json()['steps']
    assert [s['transitioned_from'] for s in reversed(steps)] == [
        'Trigger', 'function_v2', 'task', 'sync', 'chat_channel', 'chat_member']


def test_send_to_auto_pilot_is_refused_as_retired(emu):
    definition = copy.deepcopy(DEFINITION)
    definition['states'].append({'name': 'bot', 'type': 'send-to-auto-pilot', 'properties': {},
                                 'transitions': [{'event': 'sessionEnded'}]})
    [(path, message)] = errors_of(emu, definition)
    assert path == '#/states/2/type' and 'retired' in message


def test_an_event_a_widget_does_not_document_is_a_warning_not_an_error(emu):
    definition = copy.deepcopy(DEFINITION)
    definition['states'][1]['transitions'].append({'event': 'delivered'})
    assert errors_of(emu, definition) == []
    assert ('#/states/1/transitions/2/event',
            'Widget hello (send-message) has no documented event delivered (it has sent, failed)') \
        in warnings_of(emu, definition)


def test_a_definition_is_returned_as_it_was_stored_key_order_included(emu):
    text = ('{"states": [{"type": "trigger", "transitions": [{"next": "hello", "event": "incomingRequest"}], '
            '"name": "Trigger", "properties": {}}, {"transitions": [{"event": "sent"}], "properties": '
            '{"to": "{{contact.channel.address}}", "body": "Hi"}, "name": "hello", "type": "send-message"}], '
            '"initial_state": "Trigger", "description": "Order kept"}')
    answer = emu.post('/v2/Flows', {'FriendlyName': 'Order kept', 'Status': 'published', 'Definition': text})
    assert answer.status_code == 201, answer.text
    fetched = emu.get('/v2/Flows/%s' % answer.json()['sid']).text
    start = fetched.index('"definition": ') + len('"definition": ')
    assert json.JSONDecoder().raw_decode(fetched, start)[0] == json.loads(text)
    assert fetched[start:start + len(text)] == text  # the same text: keys in the order sent


def test_nan_in_a_definition_is_not_json(emu):
    text = json.dumps(DEFINITION).replace('"properties": {}', '"properties": {"x": NaN}', 1)
    answer = emu.post('/v2/Flows/Validate', {'FriendlyName': 'x', 'Status': 'draft', 'Definition': text})
    assert answer.status_code == 400 and 'NaN' in answer.json()['details']['errors'][0]['message']


def test_seeded_flows_get_sids_of_their_own_account(tmp_path):
    from studio_emulator.cli import DEFAULT_FLOWS
    from studio_emulator.store import Store
    dev, prod = ('AC' + digit * 32 for digit in 'da')
    sids = dict((account, sorted(f['sid'] for f in Store(account, [DEFAULT_FLOWS]).list_flows()))
                for account in (dev, prod))
    assert sids[dev] and not set(sids[dev]) & set(sids[prod])
    assert sorted(f['sid'] for f in Store(dev, [DEFAULT_FLOWS]).list_flows()) == sids[dev]  # stable per account
