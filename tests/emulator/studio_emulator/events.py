# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Twilio Event Streams (Events API v1): Types, Schemas, Sinks, Subscriptions and SubscribedEvents,
and the delivery of Studio's events to subscribed webhook sinks.

Deliveries are what Twilio sends a webhook sink: a JSON array of CloudEvents 1.0 (one per request,
or several when the sink's ``batch_events`` is true), POSTed to the sink's ``destination`` with
``bodySHA256`` (hex SHA-256 of the body) added to its query and ``X-Twilio-Signature`` =
base64(HMAC-SHA1(Auth Token, that URL)). A background thread sends them, so the API stays fast; a
sink that does not answer 2xx within 5 seconds gets the same delivery again with backoff (Twilio
retries for 4 hours; the emulator ``max_attempts`` times, ``backoff`` seconds doubling).

Faults (``/__emulator__/events/faults``): ``duplicate`` (a rate: the delivery is sent twice),
``delay`` (seconds before a delivery leaves), ``retry`` (a rate: a delivery the sink accepted is
sent again, as when its answer is lost), ``seed``. Everything sent is in ``/__emulator__/events/
deliveries``. Event Streams state is kept in memory only (not in ``--state``).
"""

import base64
import datetime
import hashlib
import hmac
import itertools
import json
import queue
import random
import re
import secrets
import threading
import time
import urllib.error
import urllib.request
import uuid
from urllib.parse import urlsplit

from flask import Blueprint, Response, request

from .api import ApiError, base_url, emulator, error_response, json_response, not_found, paginate
from .store import iso

events = Blueprint('events', __name__, url_prefix='/v1')
event_controls = Blueprint('event_controls', __name__, url_prefix='/__emulator__/events')

SINK_SID = re.compile(r'^DG[0-9a-fA-F]{32}$')
SUBSCRIPTION_SID = re.compile(r'^DF[0-9a-fA-F]{32}$')
SINK_TYPES = ('kinesis', 'webhook', 'segment', 'email')
TEST_EVENT = 'com.twilio.eventstreams.test-event'
STARTED = 'com.twilio.studio.flow.execution.started'
ENDED = 'com.twilio.studio.flow.execution.ended'
STEP_ENDED = 'com.twilio.studio.flow.step.ended'
SCHEMA_HOST = 'https://events-schemas.twilio.com'
CATALOG_DATE = 1700000000.0

# The Event Types the emulator knows: type -> (schema id, description). Studio's three, the sink
# test event, and two of Messaging's so that a subscription may name another product's types.
TYPES = {
    STARTED: ('Studio.FlowExecutionEvent', 'Studio Flow Execution started'),
    ENDED: ('Studio.FlowExecutionEvent', 'Studio Flow Execution ended'),
    STEP_ENDED: ('Studio.FlowStepEvent', 'Studio Flow Step ended'),
    'com.twilio.messaging.message.delivered': ('Messaging.MessageStatus', 'Message delivered'),
    'com.twilio.messaging.message.failed': ('Messaging.MessageStatus', 'Message failed'),
}
# Schema id -> its versions (1..n); the latest is the default of a subscription.
SCHEMAS = {'Studio.FlowExecutionEvent': 2, 'Studio.FlowStepEvent': 2, 'Messaging.MessageStatus': 5,
           'EventStreams.TestSink': 2}


def stamp(ts):
    """Twilio's event time: ISO 8601 with milliseconds, UTC."""
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z'


def sign(auth_token, url, body):
    """(URL with bodySHA256, X-Twilio-Signature) of ``body`` sent to ``url``, as Twilio signs it."""
    target = '%s%sbodySHA256=%s' % (url, '&' if '?' in url else '?', hashlib.sha256(body).hexdigest())
    signature = base64.b64encode(hmac.new(auth_token.encode(), target.encode(), hashlib.sha1).digest()).decode()
    return target, signature


def cloud_event(kind, source, data, version, ts):
    schema = TYPES[kind][0] if kind in TYPES else 'EventStreams.TestSink'
    return {'specversion': '1.0', 'type': kind, 'source': source, 'id': str(uuid.uuid4()),
            'dataschema': '%s/%s/%d' % (SCHEMA_HOST, schema, version), 'datacontenttype': 'application/json',
            'time': stamp(ts), 'data': data}


def execution_data(ex, ended):
    """``Studio.FlowExecutionEvent`` data (fields as Twilio documents them)."""
    data = {'execution_sid': ex['sid'], 'account_sid': ex['account_sid'], 'flow_sid': ex['flow_sid'],
            'contact_channel_address': ex['to'], 'status': ex['status'],
            'date_created': stamp(ex['created']), 'date_updated': stamp(ex['updated'] or ex['created']),
            'started_by': ex['account_sid'], 'flow_revision': ex.get('revision', 1)}
    if ended:
        data['ended_reason'] = ex.get('ended_reason') or 'FLOW_END'
    return data


def step_data(ex, step):
    """``Studio.FlowStepEvent`` data: the Step resource without its Context, with the contact."""
    return {'step_sid': step['sid'], 'execution_sid': ex['sid'], 'account_sid': ex['account_sid'],
            'flow_sid': ex['flow_sid'], 'parent_step_sid': step['parent_step_sid'], 'name': step['name'],
            'transitioned_from': step['transitioned_from'], 'transitioned_to': step['transitioned_to'],
            'contact_channel_address': ex['to'], 'date_created': stamp(step['created']),
            'date_updated': stamp(step['updated'] or step['created']), 'flow_revision': ex.get('revision', 1)}


class EventStreams:
    """Sinks and Subscriptions of the account, and the thread that delivers to webhook sinks."""

    def __init__(self, account_sid, auth_token, max_attempts=5, backoff=0.2, timeout=5.0):
        self.lock = threading.Lock()
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.max_attempts, self.backoff, self.timeout = max_attempts, backoff, timeout
        self.outbox = queue.PriorityQueue()
        self.order = itertools.count()
        self.reset()
        threading.Thread(target=self._deliver_forever, name='event-streams', daemon=True).start()

    def reset(self):
        with self.lock:
            self.sinks = {}
            self.subscriptions = {}
            self.deliveries = []
            self.received = {}    # the built-in sink's deliveries, by sink name
            self.faults = {'duplicate': 0.0, 'delay': 0.0, 'retry': 0.0}
            self.random = random.Random(0)
            self.generation = getattr(self, 'generation', 0) + 1

    def set_faults(self, data):
        faults = {}
        for key in ('duplicate', 'delay', 'retry'):
            value = float(data.get(key, 0) or 0)
            if value < 0 or (key != 'delay' and value > 1):
                raise ValueError('%s must be %s' % (key, 'a number of seconds' if key == 'delay' else 'a rate in [0, 1]'))
            faults[key] = value
        with self.lock:
            self.faults = faults
            self.random = random.Random(int(data.get('seed', 0) or 0))
        return faults

    # -- what the store tells -------------------------------------------------------------
    def on_execution(self, ex, changes):
        """Store listener: queue the events of what happened to ``ex`` for the subscribed sinks."""
        if not self.subscriptions:
            return  # the usual case (no Event Streams in use): nothing to build
        now = time.time()
        happened = []
        source = '/v1/Flows/%s/Executions/%s' % (ex['flow_sid'], ex['sid'])
        if changes['started']:
            happened.append((STARTED, source, dict(execution_data(ex, False), status='active')))
        for step in changes['steps']:
            happened.append((STEP_ENDED, '%s/Steps/%s' % (source, step['sid']), step_data(ex, step)))
        if changes['ended']:
            happened.append((ENDED, source, execution_data(ex, True)))
        with self.lock:
            for subscription in self.subscriptions.values():
                sink = self.sinks.get(subscription['sink_sid'])
                if sink is None or sink['sink_type'] != 'webhook' or sink['status'] != 'active':
                    continue
                chosen = [cloud_event(kind, src, data, subscription['types'][kind], now)
                          for kind, src, data in happened if kind in subscription['types']]
                self._send(sink, chosen)

    def send_test(self, sink):
        """Sinks/{Sid}/Test: a test event with a new test id to the sink; returns the id."""
        test_id = 'TE' + secrets.token_hex(16)
        with self.lock:
            sink['test_id'] = test_id
            event = cloud_event(TEST_EVENT, '/v1/Sinks/%s' % sink['sid'], {'test_id': test_id, 'sink_sid': sink['sid']},
                                SCHEMAS['EventStreams.TestSink'], time.time())
            if sink['sink_type'] == 'webhook':
                self._send(sink, [event])
        return test_id

    def _send(self, sink, chosen):
        """Queue ``chosen`` for ``sink`` (lock held): one array, or one per event without batching."""
        if not chosen:
            return
        config = sink['sink_configuration']
        batches = [chosen] if config.get('batch_events') else [[e] for e in chosen]
        copies = 2 if self.faults['duplicate'] and self.random.random() < self.faults['duplicate'] else 1
        due = time.time() + self.faults['delay']
        for batch in batches:
            for copy in range(copies):
                job = {'sink_sid': sink['sid'], 'destination': config['destination'],
                       'method': config.get('method', 'POST').upper(), 'body': json.dumps(batch).encode(),
                       'ids': [e['id'] for e in batch], 'types': [e['type'] for e in batch], 'attempt': 1,
                       'fault': 'duplicate' if copy else None, 'generation': self.generation}
                self.outbox.put((due, next(self.order), job))

    # -- the delivering thread --------------------------------------------------------------
    def _deliver_forever(self):
        while True:
            due, _n, job = self.outbox.get()
            wait = due - time.time()
            if wait > 0:
                time.sleep(min(wait, 0.05))
                self.outbox.put((due, next(self.order), job))
                continue
            if job['generation'] == self.generation:
                self._deliver(job)

    def _deliver(self, job):
        target, signature = sign(self.auth_token, job['destination'], job['body'])
        req = urllib.request.Request(target, data=job['body'], method=job['method'], headers={
            'Content-Type': 'application/json', 'X-Twilio-Signature': signature,
            'User-Agent': 'TwilioEventStreams/emulator'})
        started = time.time()
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # nosec - the sink's own URL
                status = resp.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except (OSError, ValueError):
            status = 0
        ok = 200 <= status < 300
        with self.lock:
            lost = ok and self.faults['retry'] and self.random.random() < self.faults['retry']
            self.deliveries.append({'n': len(self.deliveries) + 1, 't': started, 'sink_sid': job['sink_sid'],
                                    'ids': job['ids'], 'types': job['types'], 'status': status,
                                    'attempt': job['attempt'], 'fault': 'retry' if lost else job['fault'],
                                    'ms': round((time.time() - started) * 1000, 1)})
        if (not ok or lost) and job['attempt'] < self.max_attempts:
            retry = dict(job, attempt=job['attempt'] + 1, fault=None)
            self.outbox.put((time.time() + self.backoff * 2 ** (job['attempt'] - 1), next(self.order), retry))


def streams():
    return emulator()['events']


# -- rendering ---------------------------------------------------------------------------------
def type_json(kind):
    schema, description = TYPES[kind]
    return {'type': kind, 'schema_id': schema, 'date_created': iso(CATALOG_DATE), 'date_updated': iso(CATALOG_DATE),
            'description': description, 'status': 'available',
            'documentation_url': 'https://www.twilio.com/docs/events/event-types',
            'url': '%s/v1/Types/%s' % (base_url(), kind), 'links': {}}


def schema_json(schema_id):
    url = '%s/v1/Schemas/%s' % (base_url(), schema_id)
    return {'id': schema_id, 'url': url, 'links': {'versions': url + '/Versions'},
            'latest_version_date_created': iso(CATALOG_DATE + SCHEMAS[schema_id]),
            'latest_version': SCHEMAS[schema_id]}


def schema_version_json(schema_id, version):
    return {'id': schema_id, 'schema_version': version, 'date_created': iso(CATALOG_DATE + version),
            'url': '%s/v1/Schemas/%s/Versions/%d' % (base_url(), schema_id, version),
            'raw': '%s/%s/%d' % (SCHEMA_HOST, schema_id, version)}


def sink_json(sink):
    url = '%s/v1/Sinks/%s' % (base_url(), sink['sid'])
    return {'date_created': iso(sink['created']), 'date_updated': iso(sink['updated']),
            'description': sink['description'], 'sid': sink['sid'], 'sink_configuration': sink['sink_configuration'],
            'sink_type': sink['sink_type'], 'status': sink['status'], 'url': url,
            'links': {'sink_test': url + '/Test', 'sink_validate': url + '/Validate'}}


def subscription_json(sub):
    url = '%s/v1/Subscriptions/%s' % (base_url(), sub['sid'])
    return {'account_sid': streams().account_sid, 'sid': sub['sid'], 'date_created': iso(sub['created']),
            'date_updated': iso(sub['updated']), 'description': sub['description'], 'sink_sid': sub['sink_sid'],
            'url': url, 'links': {'subscribed_events': url + '/SubscribedEvents'}}


def subscribed_event_json(sub, kind):
    return {'account_sid': streams().account_sid, 'type': kind, 'schema_version': sub['types'][kind],
            'subscription_sid': sub['sid'],
            'url': '%s/v1/Subscriptions/%s/SubscribedEvents/%s' % (base_url(), sub['sid'], kind)}


# -- arguments ---------------------------------------------------------------------------------
def bad(message):
    return ApiError(400, 20001, message)


def form_text(name, required=False, limit=None):
    value = request.form.get(name)
    if value is None or value == '':
        if required:
            raise bad('Missing required parameter %s in the post body' % name)
        return None
    if limit and len(value) > limit:
        raise bad('Invalid parameter %s: longer than %d characters' % (name, limit))
    return value


def schema_version(kind, value, name):
    """A type's schema version from the form (default: the latest); 400 when the schema has no such version."""
    latest = SCHEMAS[TYPES[kind][0]]
    if value in (None, ''):
        return latest
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise bad('Invalid parameter %s: %r is not an integer' % (name, value)) from exc
    if not 1 <= number <= latest:
        raise bad('Invalid parameter %s: %s has schema versions 1 to %d, not %d' % (name, kind, latest, number))
    return number


def known_type(kind, name='Type'):
    if kind not in TYPES:
        raise bad('Invalid parameter %s: %r is not an Event Type (GET /v1/Types lists them)' % (name, kind))
    return kind


def sink_configuration(sink_type, text):
    try:
        config = json.loads(text)
    except ValueError as exc:
        raise bad('Invalid parameter SinkConfiguration: not JSON') from exc
    if not isinstance(config, dict):
        raise bad('Invalid parameter SinkConfiguration: must be a JSON object')
    if sink_type == 'webhook':
        destination = config.get('destination')
        parts = urlsplit(destination) if isinstance(destination, str) else None
        if parts is None or parts.scheme not in ('http', 'https') or not parts.hostname:
            raise bad('Invalid parameter SinkConfiguration: a webhook sink needs destination, an http(s) URL')
        method = str(config.get('method', 'POST')).upper()
        if method not in ('POST', 'GET'):
            raise bad('Invalid parameter SinkConfiguration: method must be POST or GET')
        if not isinstance(config.get('batch_events', False), bool):
            raise bad('Invalid parameter SinkConfiguration: batch_events must be true or false')
        config = dict(config, method=method, batch_events=config.get('batch_events', False))
    return config


def sink_or_404(sid, name='Sid'):
    if not SINK_SID.match(sid):
        raise bad('Invalid parameter %s: %r does not match ^DG[0-9a-fA-F]{32}$' % (name, sid))
    sink = streams().sinks.get(sid)
    if sink is None:
        raise not_found()
    return sink


def subscription_or_404(sid, name='Sid'):
    if not SUBSCRIPTION_SID.match(sid):
        raise bad('Invalid parameter %s: %r does not match ^DF[0-9a-fA-F]{32}$' % (name, sid))
    sub = streams().subscriptions.get(sid)
    if sub is None:
        raise not_found()
    return sub


def now():
    return emulator()['store'].clock.now()


# -- Types and Schemas ------------------------------------------------------------------------------
@events.get('/Types')
def list_types():
    schema = request.args.get('SchemaId')
    kinds = sorted((k for k in TYPES if schema in (None, '', TYPES[k][0])), reverse=True)
    return paginate(kinds, 'types', type_json, lambda k: [k], [('SchemaId', schema)])


@events.get('/Types/<path:kind>')
def fetch_type(kind):
    if kind not in TYPES:
        raise not_found()
    return json_response(type_json(kind))


@events.get('/Schemas/<schema_id>')
def fetch_schema(schema_id):
    if schema_id not in SCHEMAS:
        raise not_found()
    return json_response(schema_json(schema_id))


@events.get('/Schemas/<schema_id>/Versions')
def list_schema_versions(schema_id):
    if schema_id not in SCHEMAS:
        raise not_found()
    versions = list(range(SCHEMAS[schema_id], 0, -1))
    return paginate(versions, 'schema_versions', lambda v: schema_version_json(schema_id, v), lambda v: [v])


@events.get('/Schemas/<schema_id>/Versions/<int:version>')
def fetch_schema_version(schema_id, version):
    if schema_id not in SCHEMAS or not 1 <= version <= SCHEMAS[schema_id]:
        raise not_found()
    return json_response(schema_version_json(schema_id, version))


# -- Sinks -----------------------------------------------------------------------------------------
@events.post('/Sinks')
def create_sink():
    description = form_text('Description', required=True, limit=255)
    sink_type = form_text('SinkType', required=True)
    if sink_type not in SINK_TYPES:
        raise bad('Invalid parameter SinkType: must be one of %s' % ', '.join(SINK_TYPES))
    config = sink_configuration(sink_type, form_text('SinkConfiguration', required=True))
    parts = streams()
    with parts.lock:
        # A webhook sink is active at once; the other types wait for Test and Validate.
        sink = {'sid': 'DG' + secrets.token_hex(16), 'description': description, 'sink_type': sink_type,
                'sink_configuration': config, 'status': 'active' if sink_type == 'webhook' else 'initialized',
                'created': now(), 'updated': None, 'test_id': None}
        parts.sinks[sink['sid']] = sink
        return json_response(sink_json(sink), 201)


@events.get('/Sinks')
def list_sinks():
    parts = streams()
    in_use = request.args.get('InUse')
    status = request.args.get('Status')
    if in_use not in (None, '', 'true', 'false', 'True', 'False'):
        raise bad('Invalid parameter InUse: must be true or false')
    with parts.lock:
        used = {s['sink_sid'] for s in parts.subscriptions.values()}
        items = [s for s in parts.sinks.values()
                 if (status in (None, '') or s['status'] == status)
                 and (in_use in (None, '') or (s['sid'] in used) == (in_use.lower() == 'true'))]
    items.sort(key=lambda s: (s['created'], s['sid']), reverse=True)
    return paginate(items, 'sinks', sink_json, lambda s: [s['created'], s['sid']],
                    [('InUse', in_use), ('Status', status)])


@events.get('/Sinks/<sid>')
def fetch_sink(sid):
    return json_response(sink_json(sink_or_404(sid)))


@events.post('/Sinks/<sid>')
def update_sink(sid):
    sink = sink_or_404(sid)
    description = form_text('Description', required=True, limit=255)
    with streams().lock:
        sink.update(description=description, updated=now())
    return json_response(sink_json(sink))


@events.delete('/Sinks/<sid>')
def delete_sink(sid):
    parts = streams()
    sink_or_404(sid)
    with parts.lock:
        if any(s['sink_sid'] == sid for s in parts.subscriptions.values()):
            raise ApiError(400, 20001, 'Sink %s is used by a Subscription: delete the Subscription first' % sid)
        del parts.sinks[sid]
    return Response(status=204)


@events.post('/Sinks/<sid>/Test')
def test_sink(sid):
    streams().send_test(sink_or_404(sid))
    return json_response({'result': 'submitted'}, 201)


@events.post('/Sinks/<sid>/Validate')
def validate_sink(sid):
    sink = sink_or_404(sid)
    test_id = form_text('TestId', required=True)
    with streams().lock:
        if not sink['test_id'] or not hmac.compare_digest(test_id, sink['test_id']):
            raise ApiError(400, 20001, 'Invalid parameter TestId: not the id of the last test event sent to this Sink')
        sink.update(status='active', updated=now())
    return json_response({'result': 'valid'}, 201)


# -- Subscriptions ------------------------------------------------------------------------------------
def parse_types():
    """Types: repeated JSON objects {"type": ..., "schema_version": n} -> {type: version}."""
    chosen = {}
    for text in request.form.getlist('Types'):
        try:
            item = json.loads(text)
        except ValueError as exc:
            raise bad('Invalid parameter Types: %r is not JSON' % text) from exc
        if not isinstance(item, dict) or not isinstance(item.get('type'), str):
            raise bad('Invalid parameter Types: each is a JSON object such as '
                      '{"type": "com.twilio.studio.flow.execution.ended", "schema_version": 2}')
        kind = known_type(item['type'], 'Types')
        chosen[kind] = schema_version(kind, item.get('schema_version'), 'Types')
    if not chosen:
        raise bad('Missing required parameter Types in the post body')
    return chosen


@events.post('/Subscriptions')
def create_subscription():
    description = form_text('Description', required=True, limit=255)
    sink_sid = form_text('SinkSid', required=True)
    if not SINK_SID.match(sink_sid):
        raise bad('Invalid parameter SinkSid: %r does not match ^DG[0-9a-fA-F]{32}$' % sink_sid)
    sink = streams().sinks.get(sink_sid)
    if sink is None:
        raise bad('Invalid parameter SinkSid: there is no Sink %s' % sink_sid)
    types = parse_types()
    parts = streams()
    with parts.lock:
        if sink['status'] != 'active':
            raise bad('Sink %s is %s: a Subscription needs an active Sink' % (sink_sid, sink['status']))
        sub = {'sid': 'DF' + secrets.token_hex(16), 'description': description, 'sink_sid': sink_sid,
               'types': types, 'created': now(), 'updated': None}
        parts.subscriptions[sub['sid']] = sub
        return json_response(subscription_json(sub), 201)


@events.get('/Subscriptions')
def list_subscriptions():
    parts = streams()
    sink_sid = request.args.get('SinkSid')
    with parts.lock:
        items = [s for s in parts.subscriptions.values() if sink_sid in (None, '', s['sink_sid'])]
    items.sort(key=lambda s: (s['created'], s['sid']), reverse=True)
    return paginate(items, 'subscriptions', subscription_json, lambda s: [s['created'], s['sid']],
                    [('SinkSid', sink_sid)])


@events.get('/Subscriptions/<sid>')
def fetch_subscription(sid):
    return json_response(subscription_json(subscription_or_404(sid)))


@events.post('/Subscriptions/<sid>')
def update_subscription(sid):
    sub = subscription_or_404(sid)
    description = form_text('Description', required=True, limit=255)
    with streams().lock:
        sub.update(description=description, updated=now())
    return json_response(subscription_json(sub))


@events.delete('/Subscriptions/<sid>')
def delete_subscription(sid):
    subscription_or_404(sid)
    with streams().lock:
        del streams().subscriptions[sid]
    return Response(status=204)


@events.get('/Subscriptions/<sid>/SubscribedEvents')
def list_subscribed_events(sid):
    sub = subscription_or_404(sid, 'SubscriptionSid')
    kinds = sorted(sub['types'], reverse=True)
    return paginate(kinds, 'types', lambda k: subscribed_event_json(sub, k), lambda k: [k])


@events.post('/Subscriptions/<sid>/SubscribedEvents')
def create_subscribed_event(sid):
    sub = subscription_or_404(sid, 'SubscriptionSid')
    kind = known_type(form_text('Type', required=True))
    version = schema_version(kind, request.form.get('SchemaVersion'), 'SchemaVersion')
    with streams().lock:
        existed = kind in sub['types']
        sub['types'][kind] = version
        sub['updated'] = now()
    return json_response(subscribed_event_json(sub, kind), 200 if existed else 201)


def subscribed_or_404(sub, kind):
    if kind not in sub['types']:
        raise not_found()
    return kind


@events.get('/Subscriptions/<sid>/SubscribedEvents/<path:kind>')
def fetch_subscribed_event(sid, kind):
    sub = subscription_or_404(sid, 'SubscriptionSid')
    return json_response(subscribed_event_json(sub, subscribed_or_404(sub, kind)))


@events.post('/Subscriptions/<sid>/SubscribedEvents/<path:kind>')
def update_subscribed_event(sid, kind):
    sub = subscription_or_404(sid, 'SubscriptionSid')
    subscribed_or_404(sub, kind)
    version = schema_version(kind, form_text('SchemaVersion', required=True), 'SchemaVersion')
    with streams().lock:
        sub['types'][kind] = version
        sub['updated'] = now()
    return json_response(subscribed_event_json(sub, kind))


@events.delete('/Subscriptions/<sid>/SubscribedEvents/<path:kind>')
def delete_subscribed_event(sid, kind):
    sub = subscription_or_404(sid, 'SubscriptionSid')
    subscribed_or_404(sub, kind)
    with streams().lock:
        if len(sub['types']) == 1:
            raise bad('A Subscription keeps at least one Event Type: delete the Subscription instead')
        del sub['types'][kind]
        sub['updated'] = now()
    return Response(status=204)


# -- test controls ------------------------------------------------------------------------------------
@event_controls.get('/deliveries')
def deliveries():
    """What was sent to the sinks: every attempt, with its ids, types, status and fault."""
    parts = streams()
    with parts.lock:
        return json_response({'deliveries': list(parts.deliveries), 'pending': parts.outbox.qsize()})


@event_controls.route('/faults', methods=['GET', 'PUT', 'POST'])
def delivery_faults():
    parts = streams()
    if request.method in ('PUT', 'POST'):
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return error_response(400, 20001, 'Send a JSON object such as {"duplicate": 0.5, "delay": 1, "retry": 0.2}')
        try:
            parts.set_faults(data)
        except (TypeError, ValueError) as exc:
            return error_response(400, 20001, str(exc))
    with parts.lock:
        return json_response(dict(parts.faults))


@event_controls.get('/test-ids')
def test_ids():
    """The id of the last test event of each Sink (what its receiver saw), for Validate."""
    parts = streams()
    with parts.lock:
        return json_response({sid: sink['test_id'] for sid, sink in parts.sinks.items() if sink['test_id']})


@event_controls.route('/sink/<name>', methods=['POST', 'GET'])
def builtin_sink(name):
    """A webhook sink inside the emulator, for tests that need a destination: POST records the
    delivery (answered 200), GET lists what ``name`` received, each with ``signature_valid``."""
    parts = streams()
    if request.method == 'POST':
        raw = request.get_data()
        target = request.url  # what was posted to, bodySHA256 included
        expected = sign(parts.auth_token, target.split('bodySHA256=')[0].rstrip('?&'), raw)
        with parts.lock:
            parts.received.setdefault(name, []).append({
                'events': json.loads(raw or b'[]'), 'signature_valid': hmac.compare_digest(
                    expected[1], request.headers.get('X-Twilio-Signature', '')) and expected[0] == target})
        return json_response({'received': True})
    with parts.lock:
        return json_response({'received': list(parts.received.get(name, []))})
