# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The studio_events source as ansible.eda tests its sources: main() runs on an asyncio queue
and the tests post to it with aiohttp, signed as Twilio signs Event Streams deliveries."""

import asyncio
import base64
import hashlib
import hmac
import json
import socket
import time

import aiohttp
import pytest

# extensions/eda/plugins/event_source, on the path by pytest.ini (pythonpath)
import studio_events  # pylint: disable=import-error

TOKEN = '0123456789abcdef0123456789abcdef'
ENDED = 'com.twilio.studio.flow.execution.ended'


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def cloud_event(event_id, kind=ENDED, **data):
    body = {'execution_sid': 'FN' + 'a' * 32, 'flow_sid': 'FW' + 'b' * 32, 'account_sid': 'AC' + 'c' * 32,
            'contact_channel_address': '+15551230001', 'status': 'ended', 'ended_reason': 'FLOW_END'}
    body.update(data)
    return {'specversion': '1.0', 'type': kind, 'source': '/v1/Flows/FW%s/Executions/FN%s' % ('b' * 32, 'a' * 32),
            'id': event_id, 'dataschema': 'https://events-schemas.twilio.com/Studio.FlowExecutionEvent/1',
            'datacontenttype': 'application/json', 'time': '2026-11-30T10:00:00.000Z', 'data': body}


def signed(url, raw, token=TOKEN):
    """(URL to post to, headers) for ``raw`` as Twilio sends it to the sink ``url``."""
    target = '%s%sbodySHA256=%s' % (url, '&' if '?' in url else '?', hashlib.sha256(raw).hexdigest())
    digest = hmac.new(token.encode(), target.encode(), hashlib.sha1).digest()
    return target, {'X-Twilio-Signature': base64.b64encode(digest).decode(), 'Content-Type': 'application/json'}


class Source:
    """main() running on a queue, and the sink URL it answers."""

    def __init__(self, queue, **args):
        self.queue = queue
        self.port = free_port()
        self.url = 'http://127.0.0.1:%d/twilio/studio' % self.port
        self.args = dict({'host': '127.0.0.1', 'port': self.port, 'url': self.url, 'auth_token': TOKEN}, **args)
        self.task = None

    async def __aenter__(self):
        self.task = asyncio.create_task(studio_events.main(self.queue, self.args))
        for _attempt in range(100):
            try:
                _reader, writer = await asyncio.open_connection('127.0.0.1', self.port)
                writer.close()
                await writer.wait_closed()
                return self
            except OSError:
                await asyncio.sleep(0.02)
        raise AssertionError('the source did not listen')

    async def __aexit__(self, *exc):
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)

    async def post(self, raw, url=None, headers=None, sign_url=None):
        """Post ``raw`` signed for ``sign_url`` (default: the sink URL) to ``url``; returns the status."""
        target, signature = signed(sign_url or self.url, raw)
        if url is not None:
            target = url
        if headers is not None:
            signature = headers
        async with aiohttp.ClientSession() as session:
            async with session.post(target, data=raw, headers=signature,
                                    timeout=aiohttp.ClientTimeout(total=10)) as resp:
                return resp.status


def drain(queue):
    items = []
    while not queue.empty():
        items.append(queue.get_nowait())
    return items


def raw_of(*events):
    return json.dumps(list(events)).encode()


@pytest.mark.asyncio
async def test_a_signed_delivery_puts_one_event_per_cloud_event():
    queue = asyncio.Queue()
    events = [cloud_event('EV1', 'com.twilio.studio.flow.execution.started', status='active', ended_reason=None),
              cloud_event('EV2', 'com.twilio.studio.flow.step.ended'), cloud_event('EV3')]
    async with Source(queue) as source:
        assert await source.post(raw_of(*events)) == 200
        await asyncio.sleep(0.05)
    got = drain(queue)
    assert [e['id'] for e in got] == ['EV1', 'EV2', 'EV3']
    assert got[2]['type'] == ENDED and got[2]['data'] == events[2]['data']
    assert got[2]['source'] == events[2]['source'] and got[2]['time'] == events[2]['time']
    assert got[0]['meta']['endpoint'] == '/twilio/studio'
    headers = {k.lower() for k in got[0]['meta']['headers']}
    assert 'content-type' in headers and 'x-twilio-signature' not in headers


@pytest.mark.asyncio
async def test_one_event_alone_is_still_an_array_and_a_single_object_is_accepted():
    queue = asyncio.Queue()
    async with Source(queue) as source:
        assert await source.post(raw_of(cloud_event('EV1'))) == 200
        assert await source.post(json.dumps(cloud_event('EV2')).encode()) == 200
        await asyncio.sleep(0.05)
    assert [e['id'] for e in drain(queue)] == ['EV1', 'EV2']


@pytest.mark.asyncio
async def test_a_changed_body_is_rejected_and_nothing_is_queued():
    queue = asyncio.Queue()
    async with Source(queue) as source:
        raw = raw_of(cloud_event('EV1'))
        target, headers = signed(source.url, raw)
        tampered = raw.replace(b'FLOW_END', b'FLOW_ENX')
        assert await source.post(tampered, url=target, headers=headers) == 403
        # a body hash recomputed for the new body no longer matches the signed URL
        target2 = signed(source.url, tampered)[0]
        assert await source.post(tampered, url=target2, headers=headers) == 403
        await asyncio.sleep(0.05)
    assert queue.empty()


@pytest.mark.asyncio
async def test_a_signature_for_another_url_or_token_is_rejected():
    queue = asyncio.Queue()
    async with Source(queue) as source:
        raw = raw_of(cloud_event('EV1'))
        assert await source.post(raw, sign_url=source.url + '/other') == 403
        assert await source.post(raw, sign_url=source.url.replace('127.0.0.1', 'localhost')) == 403
        target, headers = signed(source.url, raw, token='f' * 32)
        assert await source.post(raw, url=target, headers=headers) == 403
        await asyncio.sleep(0.05)
    assert queue.empty()


@pytest.mark.asyncio
async def test_a_missing_signature_or_body_hash_is_rejected():
    queue = asyncio.Queue()
    async with Source(queue) as source:
        raw = raw_of(cloud_event('EV1'))
        target = signed(source.url, raw)[0]
        assert await source.post(raw, url=target, headers={'Content-Type': 'application/json'}) == 401
        # signed, but without bodySHA256 in the URL
        digest = hmac.new(TOKEN.encode(), source.url.encode(), hashlib.sha1).digest()
        assert await source.post(raw, url=source.url,
                                 headers={'X-Twilio-Signature': base64.b64encode(digest).decode()}) == 403
        await asyncio.sleep(0.05)
    assert queue.empty()


@pytest.mark.asyncio
async def test_the_default_port_may_be_signed_or_not():
    assert studio_events.signed_urls('https://eda.example.com/hook', 'a=1') == [
        'https://eda.example.com/hook?a=1', 'https://eda.example.com:443/hook?a=1']
    assert studio_events.signed_urls('https://u:p@eda.example.com:443/hook', '') == [
        'https://eda.example.com:443/hook', 'https://eda.example.com/hook']
    assert studio_events.signed_urls('http://[::1]:8080/hook', 'q') == ['http://[::1]:8080/hook?q']


@pytest.mark.asyncio
async def test_the_same_id_twice_is_one_event_and_the_memory_is_bounded():
    queue = asyncio.Queue()
    async with Source(queue, dedupe=2) as source:
        assert await source.post(raw_of(cloud_event('EV1'), cloud_event('EV1'))) == 200
        assert await source.post(raw_of(cloud_event('EV1'))) == 200   # a retried delivery
        assert await source.post(raw_of(cloud_event('EV2'), cloud_event('EV3'))) == 200
        assert await source.post(raw_of(cloud_event('EV1'))) == 200   # forgotten: only 2 ids kept
        await asyncio.sleep(0.05)
    assert [e['id'] for e in drain(queue)] == ['EV1', 'EV2', 'EV3', 'EV1']


@pytest.mark.asyncio
async def test_types_not_asked_for_are_acknowledged_and_dropped():
    queue = asyncio.Queue()
    async with Source(queue, types=[ENDED]) as source:
        raw = raw_of(cloud_event('EV1', 'com.twilio.studio.flow.step.ended'), cloud_event('EV2'),
                     cloud_event('EV3', 'com.twilio.eventstreams.test-event'))
        assert await source.post(raw) == 200
        await asyncio.sleep(0.05)
    assert [e['id'] for e in drain(queue)] == ['EV2']


@pytest.mark.asyncio
async def test_a_test_event_logs_its_test_id_and_is_not_queued(caplog):
    queue = asyncio.Queue()
    test_event = cloud_event('EV9', 'com.twilio.eventstreams.test-event')
    test_event['data'] = {'test_id': 'TE0123', 'sink_sid': 'DG' + '0' * 32}
    async with Source(queue) as source:
        with caplog.at_level('INFO'):
            assert await source.post(raw_of(test_event)) == 200
        await asyncio.sleep(0.05)
    assert queue.empty()
    assert 'test_id TE0123' in caplog.text


@pytest.mark.asyncio
async def test_a_body_that_is_not_an_array_of_cloud_events_is_refused():
    queue = asyncio.Queue()
    async with Source(queue) as source:
        for raw in (b'not json', b'[1, 2]', b'[{"type": "x"}]', b'"text"'):
            assert await source.post(raw) == 400
        await asyncio.sleep(0.05)
    assert queue.empty()


@pytest.mark.asyncio
async def test_basic_auth_is_required_when_configured():
    queue = asyncio.Queue()
    async with Source(queue, basic_auth={'user': 'twilio', 'password': 's3cret'}) as source:
        raw = raw_of(cloud_event('EV1'))
        target, headers = signed(source.url, raw)
        assert await source.post(raw, url=target, headers=headers) == 401
        wrong = dict(headers, Authorization='Basic ' + base64.b64encode(b'twilio:nope').decode())
        assert await source.post(raw, url=target, headers=wrong) == 401
        right = dict(headers, Authorization='Basic ' + base64.b64encode(b'twilio:s3cret').decode())
        assert await source.post(raw, url=target, headers=right) == 200
        await asyncio.sleep(0.05)
    got = drain(queue)
    assert [e['id'] for e in got] == ['EV1']
    assert 'authorization' not in {k.lower() for k in got[0]['meta']['headers']}


@pytest.mark.asyncio
async def test_a_slow_queue_does_not_slow_the_answer():
    """The rulebook takes nothing: deliveries are still answered at once, and once it takes
    events they all arrive in order."""
    queue = asyncio.Queue(maxsize=1)
    async with Source(queue) as source:
        started = time.monotonic()
        for n in range(5):
            assert await source.post(raw_of(cloud_event('EV%da' % n), cloud_event('EV%db' % n))) == 200
        elapsed = time.monotonic() - started
        assert elapsed < 5.0
        got = [await asyncio.wait_for(queue.get(), 5) for _n in range(10)]
    assert [e['id'] for e in got] == ['EV%d%s' % (n, x) for n in range(5) for x in 'ab']


@pytest.mark.asyncio
async def test_a_full_backlog_asks_twilio_to_retry_and_forgets_nothing():
    queue = asyncio.Queue(maxsize=1)
    async with Source(queue, backlog=2) as source:
        assert await source.post(raw_of(cloud_event('EV1'), cloud_event('EV2'))) == 200
        await asyncio.sleep(0.05)   # EV1 is on the queue, EV2 waits
        assert await source.post(raw_of(cloud_event('EV3'), cloud_event('EV4'))) == 503
        assert (await queue.get())['id'] == 'EV1'
        await asyncio.sleep(0.05)
        # the retry of the refused delivery is taken: its ids were not remembered
        assert await source.post(raw_of(cloud_event('EV3'), cloud_event('EV4'))) == 200
        got = [(await asyncio.wait_for(queue.get(), 5))['id'] for _n in range(3)]
    assert got == ['EV2', 'EV3', 'EV4']


@pytest.mark.parametrize('args, message', [
    ({'url': 'http://x/', 'auth_token': TOKEN}, 'port'),
    ({'port': 5000, 'auth_token': TOKEN}, 'url'),
    ({'port': 5000, 'url': 'eda.example.com/hook', 'auth_token': TOKEN}, 'url'),
    ({'port': 5000, 'url': 'https://eda.example.com/hook'}, 'auth_token'),
    ({'port': 5000, 'url': 'https://e/h', 'auth_token': TOKEN, 'types': 'x'}, 'types'),
    ({'port': 5000, 'url': 'https://e/h', 'auth_token': TOKEN, 'dedupe': -1}, 'dedupe'),
    ({'port': 5000, 'url': 'https://e/h', 'auth_token': TOKEN, 'basic_auth': {'user': 'u'}}, 'basic_auth'),
])
def test_bad_arguments_are_named(args, message, monkeypatch):
    monkeypatch.delenv('TWILIO_AUTH_TOKEN', raising=False)
    with pytest.raises(ValueError, match=message):
        asyncio.run(studio_events.main(asyncio.Queue(), args))


def test_the_auth_token_may_come_from_the_environment(monkeypatch):
    monkeypatch.setenv('TWILIO_AUTH_TOKEN', TOKEN)
    assert studio_events.check_args({'port': '5000', 'url': 'https://e/h'})['auth_token'] == TOKEN
