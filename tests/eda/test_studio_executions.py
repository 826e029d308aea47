# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The polling fallback source studio_executions against the emulator over real HTTP: started and
ended Executions become one event each, never twice, and a poll costs one request per page."""

import asyncio
import base64
import datetime

import aiohttp
import pytest
import requests

from studio_emulator import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN
from studio_emulator.launcher import EmulatorProcess

# extensions/eda/plugins/event_source, on the path by pytest.ini (pythonpath)
import studio_executions  # pylint: disable=import-error

AUTH = (DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN)


@pytest.fixture(scope='module')
def emulator():
    with EmulatorProcess('--port', '0', '--rate-limit', '0') as process:
        yield process


def create(emulator, flow, to):
    resp = requests.post(emulator.url + '/v1/Flows/%s/Executions' % flow, auth=AUTH, timeout=30,
                         data={'To': to, 'From': '+15550000000'})
    resp.raise_for_status()
    return resp.json()


def args_for(emulator, flow, **extra):
    since = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=5)).isoformat()
    return dict({'flows': [flow], 'account_sid': DEFAULT_ACCOUNT_SID, 'auth_token': DEFAULT_AUTH_TOKEN,
                 'studio_url': emulator.url, 'since': since}, **extra)


@pytest.mark.asyncio
async def test_started_then_ended_once_each(emulator):
    emulator.control.reset()
    flow = emulator.control.flows()['Customer survey']
    queue = asyncio.Queue()
    task = asyncio.create_task(studio_executions.main(queue, args_for(emulator, flow, interval=0.1)))
    try:
        first = create(emulator, flow, '+15556660001')
        started = await asyncio.wait_for(queue.get(), 10)
        assert (started['type'], started['data']['execution_sid']) == (studio_executions.STARTED, first['sid'])
        assert started['data']['contact_channel_address'] == '+15556660001'
        emulator.control.reply('Customer survey', '+15556660001', '4')
        ended = await asyncio.wait_for(queue.get(), 10)
        assert (ended['type'], ended['data']['execution_sid'], ended['data']['status']) == (
            studio_executions.ENDED, first['sid'], 'ended')
        await asyncio.sleep(0.5)   # several more polls: nothing new
        assert queue.empty()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@pytest.mark.asyncio
async def test_a_poll_costs_one_request_per_page(emulator, monkeypatch):
    emulator.control.reset()
    flow = emulator.control.flows()['Appointment reminder']
    for n in range(5):
        create(emulator, flow, '+1555666010%d' % n)
    monkeypatch.setattr(studio_executions, 'PAGE_SIZE', 2)
    token = base64.b64encode(('%s:%s' % AUTH).encode()).decode()
    async with aiohttp.ClientSession(headers={'Authorization': 'Basic ' + token}) as session:
        poller = studio_executions.Poller(session, studio_executions.check_args(args_for(emulator, flow)))
        events = await poller.poll()
        assert poller.requests == 3   # 5 Executions, 2 a page
        # started and ended (the reminder ends at once) for each, oldest first
        assert [e['data']['contact_channel_address'] for e in events[::2]] == ['+1555666010%d' % n for n in range(5)]
        assert [e['type'] for e in events] == [studio_executions.STARTED, studio_executions.ENDED] * 5
        assert await poller.poll() == [] and poller.requests == 6


@pytest.mark.parametrize('args, text', [
    ({'flows': []}, 'flows'),
    ({'flows': ['FWnope']}, 'flows'),
    ({'flows': ['FW' + 'a' * 32], 'account_sid': ''}, 'account_sid'),
    ({'flows': ['FW' + 'a' * 32], 'interval': 0}, 'interval'),
    ({'flows': ['FW' + 'a' * 32], 'studio_url': 'studio.twilio.com'}, 'studio_url'),
])
def test_bad_arguments_are_named(args, text, monkeypatch):
    monkeypatch.setenv('TWILIO_ACCOUNT_SID', DEFAULT_ACCOUNT_SID)
    monkeypatch.setenv('TWILIO_AUTH_TOKEN', DEFAULT_AUTH_TOKEN)
    with pytest.raises(ValueError, match=text):
        studio_executions.check_args(args)
