# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/eda_survey_follow_up.yml as ansible-rulebook runs it (the event in ansible_eda.event),
against the emulator: a rating below 3 starts the follow-up Flow, once; 3, or a reply that is not
a number, start nothing."""

import json
import os
import subprocess
import sys

import pytest
import requests

from studio_emulator import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN
from studio_emulator.launcher import EmulatorProcess

from test_rulebook import collection_path

BIN = os.path.dirname(sys.executable)
AUTH = (DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN)


@pytest.fixture(scope='module')
def emulator():
    with EmulatorProcess('--port', '0', '--rate-limit', '0') as process:
        yield process


def survey_ended(emulator, contact, reply):
    """A survey Execution of ``contact`` answered with ``reply``; returns its execution.ended event."""
    api = requests.Session()
    api.auth = AUTH
    flows = emulator.control.flows()
    created = api.post(emulator.url + '/v1/Flows/%s/Executions' % flows['Customer survey'],
                       data={'To': contact, 'From': '+15550000000'}).json()
    emulator.control.reply('Customer survey', contact, reply)
    return {'type': 'com.twilio.studio.flow.execution.ended', 'id': 'EV-' + created['sid'],
            'data': {'execution_sid': created['sid'], 'flow_sid': flows['Customer survey'],
                     'contact_channel_address': contact, 'status': 'ended', 'ended_reason': 'FLOW_END'}}


def follow_up(emulator, tmp_path, event):
    extra = tmp_path / 'extra.json'
    extra.write_text(json.dumps({'ansible_eda': {'event': event}, 'studio_follow_up_flow': 'Appointment reminder'}))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collection_path(), TWILIO_STUDIO_URL=emulator.url,
               TWILIO_ACCOUNT_SID=DEFAULT_ACCOUNT_SID, TWILIO_AUTH_TOKEN=DEFAULT_AUTH_TOKEN, ANSIBLE_NOCOLOR='1')
    proc = subprocess.run([os.path.join(BIN, 'ansible-playbook'), '-i', 'localhost,',
                           'telephony.twilio.eda_survey_follow_up', '-e', '@' + str(extra)],
                          env=env, cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout
    return proc.stdout


def follow_ups(emulator, contact):
    return [e for e in emulator.control.executions()
            if e['to'] == contact and e['flow_sid'] == emulator.control.flows()['Appointment reminder']]


def test_a_low_rating_starts_the_follow_up_once(emulator, tmp_path):
    event = survey_ended(emulator, '+15554440011', ' 2 ')
    follow_up(emulator, tmp_path, event)
    follow_up(emulator, tmp_path, event)   # the same event again (at least once delivery)
    started = follow_ups(emulator, '+15554440011')
    assert len(started) == 1
    assert started[0]['messages'] and started[0]['from'] == '+15550000000'


@pytest.mark.parametrize('reply', ['3', '{{ 1 }}'])
def test_other_answers_start_nothing(emulator, tmp_path, reply):
    """The threshold itself, and a reply that is not a number (a template: never rendered)."""
    contact = '+1555444002%d' % ['3', '{{ 1 }}'].index(reply)
    output = follow_up(emulator, tmp_path, survey_ended(emulator, contact, reply))
    assert follow_ups(emulator, contact) == []
    assert 'Start the follow-up' in output
