# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Event Streams deliveries: Studio's events reach a subscribed webhook sink as signed CloudEvents
arrays when Executions start and end and Steps end; faults duplicate, delay and retry them."""

import base64
import hashlib
import hmac
import http.server
import json
import threading
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from studio_emulator import DEFAULT_AUTH_TOKEN

STARTED = 'com.twilio.studio.flow.execution.started'
ENDED = 'com.twilio.studio.flow.execution.ended'
STEP = 'com.twilio.studio.flow.step.ended'


class Sink:
    """A webhook sink on loopback that records what it receives; ``hold`` makes it answer late."""

    def __init__(self):
        self.received = []
        self.hold = threading.Event()
        self.hold.set()
        self.arrived = threading.Condition()
        sink = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # pylint: disable=invalid-name
                raw = self.rfile.read(int(self.headers['Content-Length']))
                with sink.arrived:
                    sink.received.append({'path': self.path, 'headers': dict(self.headers), 'raw': raw})
                    sink.arrived.notify_all()
                sink.hold.wait(10)
                self.send_response(200)
                self.send_header('Content-Length', '0')
                self.end_headers()

            def log_message(self, *args):  # pylint: disable=arguments-differ
                pass

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = 'http://127.0.0.1:%d/twilio/studio?tenant=a' % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count, timeout=10):
        deadline = time.time() + timeout
        with self.arrived:
            while len(self.received) < count and time.time() < deadline:
                self.arrived.wait(0.1)
        return self.received

    def events(self):
        return [e for r in self.received for e in json.loads(r['raw'])]

    def close(self):
        self.hold.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sink():
    receiver = Sink()
    yield receiver
    receiver.close()


def subscribe(emu, url, types=(STARTED, ENDED, STEP), batch=False):
    config = json.dumps({'destination': url, 'method': 'POST', 'batch_events': batch})
    made = emu.post('/v1/Sinks', {'Description': 'EDA', 'SinkType': 'webhook', 'SinkConfiguration': config}).json()
    emu.post('/v1/Subscriptions', {'Description': 'Studio', 'SinkSid': made['sid'],
                                   'Types': [json.dumps({'type': t}) for t in types]}).raise_for_status()
    return made['sid']


def verify(request, url):
    """Twilio's check, written out here: the signature covers the sink URL with bodySHA256."""
    path_query = urlsplit(url)
    signed = '%s://%s%s' % (path_query.scheme, path_query.netloc, request['path'])
    digest = hmac.new(DEFAULT_AUTH_TOKEN.encode(), signed.encode(), hashlib.sha1).digest()
    assert hmac.compare_digest(base64.b64encode(digest).decode(), request['headers']['X-Twilio-Signature'])
    query = parse_qs(urlsplit(request['path']).query)
    assert query['tenant'] == ['a']
    assert query['bodySHA256'] == [hashlib.sha256(request['raw']).hexdigest()]


def test_an_execution_delivers_started_steps_and_ended_signed(emu, sink):
    subscribe(emu, sink.url)
    created = emu.create('Appointment reminder', '+15552220001').json()
    received = sink.wait_for(4)
    assert len(received) == 4
    for request in received:
        verify(request, sink.url)
        assert isinstance(json.loads(request['raw']), list) and len(json.loads(request['raw'])) == 1
    events = sink.events()
    assert [e['type'] for e in events] == [STARTED, STEP, STEP, ENDED]
    assert len({e['id'] for e in events}) == 4
    started, first, last, ended = events
    assert started['data']['status'] == 'active' and 'ended_reason' not in started['data']
    wanted = {'execution_sid': created['sid'], 'flow_sid': created['flow_sid'], 'status': 'ended',
              'contact_channel_address': '+15552220001', 'ended_reason': 'FLOW_END', 'flow_revision': 1}
    assert {k: ended['data'].get(k) for k in wanted} == wanted
    assert ended['dataschema'] == 'https://events-schemas.twilio.com/Studio.FlowExecutionEvent/2'
    assert (first['data']['transitioned_from'], first['data']['transitioned_to']) == ('Trigger', 'send_reminder')
    assert (last['data']['transitioned_from'], last['data']['transitioned_to']) == ('send_reminder', 'Ended')
    assert all(e['specversion'] == '1.0' and e['source'].startswith('/v1/Flows/') for e in events)


def test_a_reply_later_delivers_the_rest_and_types_are_filtered(emu, sink):
    subscribe(emu, sink.url, types=(ENDED,), batch=True)
    created = emu.create('Customer survey', '+15552220002').json()
    emu.control.reply('Customer survey', '+15552220002', '2')
    received = sink.wait_for(1)
    time.sleep(0.3)   # nothing else comes: one subscribed type, one Execution
    assert len(received) == 1
    assert [(e['type'], e['data']['execution_sid']) for e in sink.events()] == [(ENDED, created['sid'])]


def test_ending_through_the_api_gives_its_reason(emu, sink):
    subscribe(emu, sink.url, types=(ENDED,))
    created = emu.create('Customer survey', '+15552220003').json()
    emu.post('/v1/Flows/%s/Executions/%s' % (created['flow_sid'], created['sid']), {'Status': 'ended'})
    sink.wait_for(1)
    assert [e['data']['ended_reason'] for e in sink.events()] == ['ENDED_BY_API']


def test_a_slow_sink_does_not_slow_the_api(emu, sink):
    subscribe(emu, sink.url, types=(STARTED,))
    sink.hold.clear()   # the sink takes the first delivery and does not answer
    emu.create('Customer survey', '+15552220004').raise_for_status()
    sink.wait_for(1)
    # while the sink holds its answer, the API answers
    second = emu.create('Customer survey', '+15552220005')
    assert second.status_code == 200 and not sink.hold.is_set()
    sink.hold.set()
    assert len(sink.wait_for(2)) == 2


def delivery_log(emu, count, timeout=10):
    """The emulator's delivery log once it has at least ``count`` attempts."""
    deadline = time.time() + timeout
    while True:
        log = emu.control.call('GET', 'events/deliveries')['deliveries']
        if len(log) >= count or time.time() > deadline:
            return log
        time.sleep(0.05)


def test_faults_duplicate_delay_and_retry(emu, sink):
    subscribe(emu, sink.url, types=(ENDED,))
    emu.control.call('PUT', 'events/faults', {'duplicate': 1})
    emu.create('Appointment reminder', '+15552220006').raise_for_status()
    delivery_log(emu, 2)
    ids = [e['id'] for e in sink.events()]
    assert len(ids) == 2 and ids[0] == ids[1]

    # retry: the sink's 200 is "lost", so the same delivery comes again (5 attempts in all)
    emu.control.call('PUT', 'events/faults', {'retry': 1})
    emu.create('Appointment reminder', '+15552220007').raise_for_status()
    log = delivery_log(emu, 7)
    received = sink.wait_for(7)
    assert len({r['raw'] for r in received[2:7]}) == 1
    assert [d['attempt'] for d in log[2:7]] == [1, 2, 3, 4, 5] and log[2]['fault'] == 'retry'

    emu.control.call('PUT', 'events/faults', {'delay': 0.5})
    posted = time.time()
    emu.create('Appointment reminder', '+15552220008').raise_for_status()
    log = delivery_log(emu, 8)
    assert len(log) == 8 and log[-1]['t'] - posted >= 0.5

    with pytest.raises(RuntimeError, match='rate'):
        emu.control.call('PUT', 'events/faults', {'duplicate': 2})


def test_a_failing_sink_is_retried_with_backoff(emu):
    subscribe(emu, 'http://127.0.0.1:9/nothing-listens', types=(ENDED,))
    emu.create('Appointment reminder', '+15552220009').raise_for_status()
    log = delivery_log(emu, 5, timeout=15)
    assert [d['status'] for d in log] == [0] * 5 and [d['attempt'] for d in log] == [1, 2, 3, 4, 5]
    assert len({tuple(d['ids']) for d in log}) == 1
    # backoff doubles: the last wait (4 x backoff) is longer than the first
    assert log[4]['t'] - log[3]['t'] > log[1]['t'] - log[0]['t']
