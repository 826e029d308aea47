# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A real ansible-rulebook with the studio_events source, fed by the emulator's Event Streams
deliveries: an Execution ended for a retry reason makes the rule fire, which runs
playbooks/eda_retry_contact.yml (run_flow.yml for that contact) and shuts the rulebook down.

Needs Java 17+ (JAVA_HOME; tests/utils/find-java.sh) and the collection where
ANSIBLE_COLLECTIONS_PATH points (make test-eda lays it out)."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests

from studio_emulator import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN
from studio_emulator.launcher import EmulatorProcess

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.dirname(sys.executable)
AUTH = (DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN)
CONTACT = '+15554440001'


def collection_path():
    """The ANSIBLE_COLLECTIONS_PATH entry holding telephony.twilio, or a failure that says what to do."""
    for entry in os.environ.get('ANSIBLE_COLLECTIONS_PATH', '').split(os.pathsep):
        if entry and os.path.isfile(os.path.join(entry, 'ansible_collections', 'telephony', 'twilio',
                                                 'extensions', 'eda', 'plugins', 'event_source', 'studio_events.py')):
            return entry
    pytest.fail('ANSIBLE_COLLECTIONS_PATH must hold telephony.twilio with its extensions/ (run make test-eda, '
                'which lays the collection out)')
    return None


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def wait_for_port(port, proc, timeout=90):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(('127.0.0.1', port), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


@pytest.fixture
def emulator():
    with EmulatorProcess('--port', '0', '--rate-limit', '0') as process:
        yield process


def test_the_rule_fires_on_a_delivered_event_and_retries_the_contact(emulator, tmp_path):
    if not shutil.which('java', path=os.path.join(os.environ.get('JAVA_HOME', ''), 'bin')) and not shutil.which('java'):
        pytest.fail('ansible-rulebook needs Java 17+: set JAVA_HOME (tests/utils/find-java.sh prints one)')
    collections = collection_path()
    api = requests.Session()
    api.auth = AUTH
    port = free_port()
    sink_url = 'http://127.0.0.1:%d/twilio/studio' % port

    # Event Streams as code, on the emulator: a webhook sink to the rulebook, Studio's ended events.
    sink = api.post(emulator.url + '/v1/Sinks', data={
        'Description': 'EDA', 'SinkType': 'webhook',
        'SinkConfiguration': json.dumps({'destination': sink_url, 'method': 'POST', 'batch_events': False})}).json()
    api.post(emulator.url + '/v1/Subscriptions', data={
        'Description': 'Studio', 'SinkSid': sink['sid'],
        'Types': [json.dumps({'type': 'com.twilio.studio.flow.execution.started'}),
                  json.dumps({'type': 'com.twilio.studio.flow.execution.ended'})]}).raise_for_status()

    (tmp_path / 'vars.yml').write_text(json.dumps({
        'studio_listen_port': port, 'studio_sink_url': sink_url, 'studio_retry_reasons': ['ENDED_BY_API']}))
    (tmp_path / 'inventory.yml').write_text('all:\n  hosts:\n    localhost:\n      ansible_connection: local\n')
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, TWILIO_STUDIO_URL=emulator.url,
               TWILIO_ACCOUNT_SID=DEFAULT_ACCOUNT_SID, TWILIO_AUTH_TOKEN=DEFAULT_AUTH_TOKEN,
               PATH=BIN + os.pathsep + os.environ.get('PATH', ''), ANSIBLE_NOCOLOR='1')
    for name in ('TWILIO_API_KEY', 'TWILIO_API_SECRET'):
        env.pop(name, None)
    log = tmp_path / 'rulebook.log'
    with open(log, 'w', encoding='utf-8') as out:
        proc = subprocess.Popen(  # pylint: disable=consider-using-with
            [os.path.join(BIN, 'ansible-rulebook'), '--rulebook', os.path.join(HERE, 'rulebooks', 'retry_then_shutdown.yml'),
             '-i', str(tmp_path / 'inventory.yml'), '--vars', str(tmp_path / 'vars.yml'), '--env-vars', 'TWILIO_AUTH_TOKEN', '-v'],
            env=env, cwd=str(tmp_path), stdout=out, stderr=subprocess.STDOUT)
    try:
        assert wait_for_port(port, proc), log.read_text()
        flows = {f['friendly_name']: f['sid'] for f in api.get(emulator.url + '/v1/Flows').json()['flows']}
        executions = emulator.url + '/v1/Flows/%s/Executions' % flows['Customer survey']
        first = api.post(executions, data={'To': CONTACT, 'From': '+15550000000',
                                           'Parameters': json.dumps({'name': 'Ann'})}).json()
        # Started (no rule matches), then ended through the API: ENDED_BY_API is a retry reason.
        api.post('%s/%s' % (executions, first['sid']), data={'Status': 'ended'}).raise_for_status()
        returncode = proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    output = log.read_text()
    assert returncode == 0, output
    assert 'RETRY %s %s ENDED_BY_API' % (CONTACT, first['sid']) in output
    assert output.count('RETRY ') == 1   # the started event matched no rule
    # The rule's playbook ran run_flow.yml for the contact: a new, active Execution with its data.
    listed = api.get(executions).json()['executions']
    assert [(e['contact_channel_address'], e['status']) for e in listed] == [(CONTACT, 'active'), (CONTACT, 'ended')]
    context = api.get('%s/%s/Context' % (executions, listed[0]['sid'])).json()['context']
    assert context['flow']['data']['name'] == 'Ann'
    assert context['flow']['data']['ansible_campaign'] == 'retry ' + first['sid']
    deliveries = emulator.control.call('GET', 'events/deliveries')['deliveries']
    assert deliveries and all(d['status'] == 200 for d in deliveries[:2])


def test_the_example_rulebook_retries_and_follows_up(emulator, tmp_path):
    """extensions/eda/rulebooks/studio_events.yml as shipped (by its FQCN), fed by the emulator:
    both of its rules fire. It runs until stopped, so the test stops it (SIGINT)."""
    collections = collection_path()
    api = requests.Session()
    api.auth = AUTH
    port = free_port()
    sink_url = 'http://127.0.0.1:%d/eda' % port
    sink = api.post(emulator.url + '/v1/Sinks', data={
        'Description': 'EDA', 'SinkType': 'webhook',
        'SinkConfiguration': json.dumps({'destination': sink_url, 'method': 'POST', 'batch_events': True})}).json()
    api.post(emulator.url + '/v1/Subscriptions', data={
        'Description': 'Studio', 'SinkSid': sink['sid'],
        'Types': [json.dumps({'type': t}) for t in ('com.twilio.studio.flow.execution.started',
                                                    'com.twilio.studio.flow.execution.ended',
                                                    'com.twilio.studio.flow.step.ended')]}).raise_for_status()
    flows = emulator.control.flows()
    (tmp_path / 'vars.yml').write_text(json.dumps({
        'studio_listen_port': port, 'studio_sink_url': sink_url, 'studio_retry_reasons': ['ENDED_BY_API'],
        'studio_survey_flow': flows['Customer survey'], 'studio_follow_up_flow': 'Appointment reminder'}))
    (tmp_path / 'inventory.yml').write_text('all:\n  hosts:\n    localhost:\n      ansible_connection: local\n')
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, TWILIO_STUDIO_URL=emulator.url,
               TWILIO_ACCOUNT_SID=DEFAULT_ACCOUNT_SID, TWILIO_AUTH_TOKEN=DEFAULT_AUTH_TOKEN,
               PATH=BIN + os.pathsep + os.environ.get('PATH', ''), ANSIBLE_NOCOLOR='1')
    log = tmp_path / 'rulebook.log'
    with open(log, 'w', encoding='utf-8') as out:
        proc = subprocess.Popen(  # pylint: disable=consider-using-with
            [os.path.join(BIN, 'ansible-rulebook'), '--rulebook', 'telephony.twilio.studio_events',
             '-i', str(tmp_path / 'inventory.yml'), '--vars', str(tmp_path / 'vars.yml'),
             '--env-vars', 'TWILIO_AUTH_TOKEN'],
            env=env, cwd=str(tmp_path), stdout=out, stderr=subprocess.STDOUT)
    try:
        assert wait_for_port(port, proc), log.read_text()
        survey = emulator.url + '/v1/Flows/%s/Executions' % flows['Customer survey']
        # A survey answered 1: ends at the end of the Flow -> the follow-up rule.
        api.post(survey, data={'To': '+15554440101', 'From': '+15550000000'}).raise_for_status()
        emulator.control.reply('Customer survey', '+15554440101', '1')
        # A survey ended through the API: a retry reason -> the retry rule.
        ended = api.post(survey, data={'To': '+15554440102', 'From': '+15550000000'}).json()
        api.post('%s/%s' % (survey, ended['sid']), data={'Status': 'ended'}).raise_for_status()
        deadline = time.time() + 120
        while time.time() < deadline and proc.poll() is None:
            mine = [(e['to'], e['flow_sid'], e['status']) for e in emulator.control.executions()]
            if ('+15554440101', flows['Appointment reminder'], 'ended') in mine and \
                    ('+15554440102', flows['Customer survey'], 'active') in mine:
                break
            time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    runs = sorted((e['to'], e['flow_sid'], e['status']) for e in emulator.control.executions())
    assert runs == sorted([('+15554440101', flows['Customer survey'], 'ended'),
                           ('+15554440102', flows['Customer survey'], 'ended'),
                           ('+15554440101', flows['Appointment reminder'], 'ended'),
                           ('+15554440102', flows['Customer survey'], 'active')]), log.read_text()
