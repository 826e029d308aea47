# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Flask application: Studio v1 routes, auth, errors, faults and the test controls."""

import base64
import collections
import datetime
import itertools
import json
import secrets
import socket
import sys
import threading
import time
import traceback
from urllib.parse import urlencode

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from . import engine
from .faults import FaultError
from .store import FlowError, flow_from_document, iso

MORE_INFO = 'https://www.twilio.com/docs/errors/%d'


class ApiError(Exception):
    def __init__(self, status, code, message, headers=None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def json_response(body, status=200, headers=None):
    return Response(json.dumps(body), status=status, mimetype='application/json', headers=headers)


def error_response(status, code, message, headers=None):
    return json_response({'code': code, 'message': message, 'more_info': MORE_INFO % code, 'status': status},
                         status, headers)


def not_found():
    return ApiError(404, 20404, 'The requested resource %s was not found' % request.path)


def check_sid(value, prefix, name):
    if not engine.SID_PATTERNS[prefix].match(value):
        raise ApiError(400, 20001, 'Invalid parameter %s: %r does not match ^%s[0-9a-fA-F]{32}$' % (name, value, prefix))
    return value


def parse_date(name):
    value = request.args.get(name)
    if value is None or value == '':
        return None
    try:
        stamp = datetime.datetime.fromisoformat(value.replace(' ', '+'))
    except ValueError as exc:
        raise ApiError(400, 20001, 'Invalid parameter %s: %r is not an ISO 8601 date-time' % (name, value)) from exc
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=datetime.timezone.utc)
    return stamp.timestamp()


def _int_arg(name, default, low, high=None):
    value = request.args.get(name)
    if value is None or value == '':
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise ApiError(400, 20001, 'Invalid parameter %s: %r is not an integer' % (name, value)) from exc
    if number < low or (high is not None and number > high):
        raise ApiError(400, 20001, 'Invalid parameter %s: %d is out of range %d..%s' % (name, number, low, high or ''))
    return number


def _token(direction, position):
    """A page token: a cursor (PA = the page after, PB = the page before ``position``)."""
    return direction + base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip('=')


def _cursor(token):
    """(direction, position) of a page token; 400/21481 when it is not one of ours."""
    try:
        if token[:2] not in ('PA', 'PB'):
            raise ValueError(token)
        raw = token[2:] + '=' * (-len(token[2:]) % 4)
        position = json.loads(base64.urlsafe_b64decode(raw.encode()).decode())
        if not isinstance(position, list):
            raise ValueError(token)
        return token[:2], position
    except (ValueError, UnicodeDecodeError, TypeError) as exc:
        raise ApiError(400, 21481, 'Invalid PageToken %r' % token) from exc


def paginate(items, key, render, position, filters=()):
    """A Twilio list page: PageSize (default 50, at most 1000), Page, PageToken and ``meta``.

    ``items`` come sorted newest first; ``position(item)`` is a value that sorts them the same
    way (descending) and never changes. Page tokens are cursors on it, not offsets, as Twilio's
    are: items created while a client walks the list appear before its cursor, so nothing
    repeats or vanishes on the pages that follow.
    """
    size = _int_arg('PageSize', 50, 1)
    if size > 1000:
        raise ApiError(400, 20007, 'PageSize %d is too large: the largest is 1000' % size)
    page = _int_arg('Page', 0, 0)
    token = request.args.get('PageToken')
    positions = [position(item) for item in items]
    if token:
        direction, at = _cursor(token)
        if direction == 'PA':
            start = next((i for i, p in enumerate(positions) if p < at), len(items))
        else:
            start = max(0, next((i for i, p in enumerate(positions) if p <= at), len(items)) - size)
    else:
        start = page * size
    base = request.host_url.rstrip('/') + request.path
    filters = [(k, v) for k, v in filters if v not in (None, '')]

    def url(page_no, page_token=None):
        query = list(filters) + [('PageSize', size), ('Page', page_no)]
        if page_token:
            query.append(('PageToken', page_token))
        return base + '?' + urlencode(query)

    chunk = items[start:start + size]
    more = start + size < len(items)
    meta = {
        'first_page_url': url(0),
        'key': key,
        'next_page_url': url(page + 1, _token('PA', positions[start + size - 1])) if more and chunk else None,
        'page': page,
        'page_size': size,
        'previous_page_url': url(max(page - 1, 0), _token('PB', positions[start])) if start > 0 and chunk else None,
        'url': url(page, token),
    }
    return json_response({key: [render(item) for item in chunk], 'meta': meta})


class RequestLog:
    """What the emulator was asked: every /v1 request, and counts per route."""

    def __init__(self, maxlen=200000):
        self.lock = threading.Lock()
        self.entries = collections.deque(maxlen=maxlen)
        self.counter = itertools.count(1)
        self.counts = collections.Counter()

    def add(self, entry):
        with self.lock:
            entry['n'] = next(self.counter)
            self.entries.append(entry)
            self.counts['%s %s' % (entry['method'], entry['route'])] += 1

    def since(self, n):
        with self.lock:
            return [e for e in self.entries if e['n'] > n]

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.counts.clear()

    def last(self):
        with self.lock:
            return self.entries[-1]['n'] if self.entries else 0


def create_app(store, credentials, faults):  # pylint: disable=too-many-locals,too-many-statements
    """Build the app. ``credentials`` is a set of (user, password) pairs accepted for Basic auth."""
    app = Flask('studio_emulator')
    app.url_map.strict_slashes = False
    log = RequestLog()
    app.extensions['studio_emulator'] = {'store': store, 'faults': faults, 'log': log}

    # -- rendering -------------------------------------------------------------------------
    def base():
        return request.host_url.rstrip('/')

    def flow_json(flow):
        url = '%s/v1/Flows/%s' % (base(), flow['sid'])
        return {'sid': flow['sid'], 'account_sid': store.account_sid, 'friendly_name': flow['friendly_name'],
                'status': flow['status'], 'version': flow['version'], 'date_created': iso(flow['created']),
                'date_updated': iso(flow.get('updated')), 'url': url,
                'links': {'engagements': url + '/Engagements', 'executions': url + '/Executions'}}

    def execution_json(ex):
        url = '%s/v1/Flows/%s/Executions/%s' % (base(), ex['flow_sid'], ex['sid'])
        return {'sid': ex['sid'], 'account_sid': ex['account_sid'], 'flow_sid': ex['flow_sid'],
                'contact_sid': ex['contact_sid'], 'contact_channel_address': ex['to'], 'context': {},
                'status': ex['status'], 'date_created': iso(ex['created']), 'date_updated': iso(ex['updated']),
                'url': url, 'links': {'steps': url + '/Steps', 'execution_context': url + '/Context'}}

    def step_json(ex, step):
        url = '%s/v1/Flows/%s/Executions/%s/Steps/%s' % (base(), ex['flow_sid'], ex['sid'], step['sid'])
        return {'sid': step['sid'], 'account_sid': ex['account_sid'], 'flow_sid': ex['flow_sid'],
                'execution_sid': ex['sid'], 'parent_step_sid': step['parent_step_sid'], 'name': step['name'],
                'context': {}, 'transitioned_from': step['transitioned_from'],
                'transitioned_to': step['transitioned_to'], 'type': step['type'],
                'date_created': iso(step['created']), 'date_updated': iso(step['updated']), 'url': url,
                'links': {'step_context': url + '/Context'}}

    # -- lookups ---------------------------------------------------------------------------
    def flow_or_404(flow_sid):
        check_sid(flow_sid, 'FW', 'FlowSid')
        flow = store.get_flow(flow_sid)
        if flow is None:
            raise not_found()
        return flow

    def execution_or_404(flow_sid, sid, name='Sid', readable=False):
        flow_or_404(flow_sid)
        check_sid(sid, 'FN', name)
        ex = store.get_execution(flow_sid, sid)
        if ex is None or (readable and not store.visible(ex)):
            raise not_found()
        return ex

    def step_or_404(ex, sid, name='Sid'):
        check_sid(sid, 'FT', name)
        for step in ex['steps']:
            if step['sid'] == sid:
                return step
        raise not_found()

    # -- request pipeline --------------------------------------------------------------------
    def drop_connection():
        sock = request.environ.get('werkzeug.socket')
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    in_flight = [0]
    in_flight_lock = threading.Lock()

    @app.before_request
    def before():
        g.start = time.perf_counter()
        g.fault = None
        with in_flight_lock:
            in_flight[0] += 1
            g.counted = True
        if request.path.startswith('/__emulator__'):
            return None
        auth = request.authorization
        if auth is None or auth.type != 'basic' or (auth.username, auth.password) not in credentials:
            return error_response(401, 20003, 'Authenticate', {'WWW-Authenticate': 'Basic realm="Twilio API"'})
        for rule in faults.pick(request.method, request.path):
            g.fault = rule.kind
            if rule.kind == 'latency':
                time.sleep(rule.seconds)
            elif rule.kind == 'lag':
                g.lag = rule.seconds
            elif rule.kind == 'drop':
                drop_connection()
                return Response(status=599)
            elif rule.kind == '429':
                headers = {'Retry-After': rule.retry_after} if rule.retry_after else None
                return error_response(429, 20429, 'Too Many Requests', headers)
            elif rule.kind in ('500', '503'):
                status = int(rule.kind)
                return error_response(status, 20000 + status,
                                      'Internal Server Error' if status == 500 else 'Service Unavailable')
        return None

    @app.teardown_request
    def uncount(exc=None):  # pylint: disable=unused-argument
        if g.pop('counted', False):
            with in_flight_lock:
                in_flight[0] -= 1

    @app.after_request
    def after(response):
        if request.path.startswith('/__emulator__'):
            return response
        # Twilio's headers on every answer, errors included.
        response.headers['Twilio-Request-Id'] = 'RQ' + secrets.token_hex(16)
        with in_flight_lock:
            response.headers['Twilio-Concurrent-Requests'] = str(max(in_flight[0], 1))
        if g.get('fault') == 'commit_then_fail':
            drop_connection()
        rule = request.url_rule.rule if request.url_rule is not None else request.path
        log.add({'t': time.time(), 'method': request.method, 'path': request.path,
                 'query': request.query_string.decode('latin-1'), 'route': rule,
                 'status': 0 if g.get('fault') in ('drop', 'commit_then_fail') else response.status_code,
                 'fault': g.get('fault'), 'ms': round((time.perf_counter() - g.start) * 1000, 3)})
        return response

    @app.errorhandler(ApiError)
    def api_error(exc):
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.errorhandler(HTTPException)
    def http_error(exc):
        if exc.code == 404:
            return error_response(404, 20404, 'The requested resource %s was not found' % request.path)
        if exc.code == 405:
            return error_response(405, 20004, 'Method not allowed')
        return error_response(exc.code, 20001 if exc.code == 400 else 20000 + exc.code, exc.description or exc.name)

    @app.errorhandler(Exception)
    def crash(exc):  # never expected: reported as Twilio would, with the traceback on stderr only
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
        return error_response(500, 20500, 'Internal Server Error')

    # -- Flows -----------------------------------------------------------------------------
    @app.get('/v1/Flows')
    def list_flows():
        return paginate(store.list_flows(), 'flows', flow_json, lambda f: [f['created'], f['sid']])

    @app.get('/v1/Flows/<flow_sid>')
    def fetch_flow(flow_sid):
        return json_response(flow_json(flow_or_404(flow_sid)))

    @app.delete('/v1/Flows/<flow_sid>')
    def delete_flow(flow_sid):
        flow_or_404(flow_sid)
        store.delete_flow(flow_sid)
        return Response(status=204)

    # -- Executions ------------------------------------------------------------------------
    @app.get('/v1/Flows/<flow_sid>/Executions')
    def list_executions(flow_sid):
        flow_or_404(flow_sid)
        date_from, date_to = parse_date('DateCreatedFrom'), parse_date('DateCreatedTo')
        items = [store.snapshot(ex) for ex in store.list_executions(flow_sid, date_from, date_to)]
        filters = [('DateCreatedFrom', request.args.get('DateCreatedFrom')),
                   ('DateCreatedTo', request.args.get('DateCreatedTo'))]
        return paginate(items, 'executions', execution_json, lambda ex: [ex['seq']], filters)

    @app.post('/v1/Flows/<flow_sid>/Executions')
    def create_execution(flow_sid):
        flow = flow_or_404(flow_sid)
        form = request.form
        for name in ('To', 'From'):
            if not form.get(name):
                raise ApiError(400, 20001, 'Missing required parameter %s in the post body' % name)
        parameters = {}
        if form.get('Parameters') not in (None, ''):
            try:
                parameters = json.loads(form['Parameters'])
            except ValueError:
                parameters = None
            if not isinstance(parameters, dict):
                raise ApiError(400, 20001, 'Invalid parameter Parameters: it must be a JSON object')
        if len((form['To'] + form['From']).encode('utf-8')) > 300:
            raise ApiError(400, 81023, 'To and From together must not exceed 300 bytes')
        if not store.limiter.take():
            headers = {'Retry-After': '%g' % store.limiter.retry_after} if store.limiter.retry_after else None
            raise ApiError(429, 20429, 'Too Many Requests: more than %g REST-triggered Executions per second, '
                           'averaged over %g s' % (store.limiter.rate, store.limiter.window), headers)
        ex, _created = store.create_execution(flow, form['To'], form['From'], parameters, g.get('lag', 0.0))
        return json_response(execution_json(store.snapshot(ex)))

    @app.get('/v1/Flows/<flow_sid>/Executions/<sid>')
    def fetch_execution(flow_sid, sid):
        return json_response(execution_json(store.snapshot(execution_or_404(flow_sid, sid))))

    @app.post('/v1/Flows/<flow_sid>/Executions/<sid>')
    def update_execution(flow_sid, sid):
        ex = execution_or_404(flow_sid, sid)
        status = request.form.get('Status')
        if not status:
            raise ApiError(400, 20001, 'Missing required parameter Status in the post body')
        if status != 'ended':
            raise ApiError(400, 20001, 'Invalid parameter Status: an Execution can only be set to ended')
        store.end_execution(ex)
        return json_response(execution_json(store.snapshot(ex)))

    @app.delete('/v1/Flows/<flow_sid>/Executions/<sid>')
    def delete_execution(flow_sid, sid):
        store.delete_execution(execution_or_404(flow_sid, sid))
        return Response(status=204)

    @app.get('/v1/Flows/<flow_sid>/Executions/<execution_sid>/Context')
    def execution_context(flow_sid, execution_sid):
        ex = store.snapshot(execution_or_404(flow_sid, execution_sid, 'ExecutionSid', readable=True))
        return json_response({'account_sid': ex['account_sid'], 'context': ex['context'], 'flow_sid': flow_sid,
                              'execution_sid': ex['sid'], 'url': base() + request.path})

    # -- Steps -----------------------------------------------------------------------------
    @app.get('/v1/Flows/<flow_sid>/Executions/<execution_sid>/Steps')
    def list_steps(flow_sid, execution_sid):
        ex = store.snapshot(execution_or_404(flow_sid, execution_sid, 'ExecutionSid', readable=True))
        steps = [dict(step, _position=n) for n, step in enumerate(ex['steps'])]
        return paginate(list(reversed(steps)), 'steps', lambda step: step_json(ex, step), lambda step: [step['_position']])

    @app.get('/v1/Flows/<flow_sid>/Executions/<execution_sid>/Steps/<sid>')
    def fetch_step(flow_sid, execution_sid, sid):
        ex = store.snapshot(execution_or_404(flow_sid, execution_sid, 'ExecutionSid', readable=True))
        return json_response(step_json(ex, step_or_404(ex, sid)))

    @app.get('/v1/Flows/<flow_sid>/Executions/<execution_sid>/Steps/<step_sid>/Context')
    def step_context(flow_sid, execution_sid, step_sid):
        ex = store.snapshot(execution_or_404(flow_sid, execution_sid, 'ExecutionSid', readable=True))
        step = step_or_404(ex, step_sid, 'StepSid')
        return json_response({'account_sid': ex['account_sid'], 'context': step['context'],
                              'execution_sid': ex['sid'], 'flow_sid': flow_sid, 'step_sid': step['sid'],
                              'url': base() + request.path})

    # -- Engagements: deprecated, stopped working in January 2019 ----------------------------
    @app.route('/v1/Flows/<flow_sid>/Engagements', methods=['GET', 'POST'])
    @app.route('/v1/Flows/<flow_sid>/Engagements/<path:rest>', methods=['GET', 'POST', 'DELETE'])
    def engagements(flow_sid, rest=None):  # pylint: disable=unused-argument
        raise ApiError(404, 20404, 'Engagements are deprecated and no longer supported: use '
                       '/v1/Flows/%s/Executions instead' % flow_sid)

    # -- test-only controls ----------------------------------------------------------------
    def body():
        """The control's arguments: a JSON object, or a form (curl -d name=value). Anything else
        is a 400 that says what to send, instead of being read as no arguments at all."""
        if request.mimetype == 'application/x-www-form-urlencoded' or request.mimetype == 'multipart/form-data':
            return request.form.to_dict()
        if not request.get_data():
            return {}
        if request.mimetype != 'application/json':
            raise ApiError(400, 20001, 'Send the arguments as JSON (Content-Type: application/json) or as a form '
                                       '(Content-Type: application/x-www-form-urlencoded), not %s'
                                       % (request.mimetype or 'without a Content-Type'))
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise ApiError(400, 20001, 'The JSON body must be an object such as {"flow": "Customer survey", '
                                       '"to": "+15551230001", "body": "5"}')
        return data

    @app.get('/__emulator__/health')
    def health():
        return json_response({'status': 'ok', 'account_sid': store.account_sid, 'base_url': base()})

    @app.post('/__emulator__/reset')
    def reset():
        store.reset()
        log.clear()
        faults.set([])
        return json_response({'reset': True})

    @app.get('/__emulator__/requests')
    def requests_log():
        since = int(request.args.get('since', 0) or 0)
        return json_response({'requests': log.since(since), 'last': log.last()})

    @app.delete('/__emulator__/requests')
    def clear_requests():
        log.clear()
        return Response(status=204)

    @app.get('/__emulator__/counts')
    def counts():
        with log.lock:
            return json_response({'counts': dict(log.counts), 'total': sum(log.counts.values())})

    @app.get('/__emulator__/stats')
    def stats():
        return json_response(store.stats())

    @app.route('/__emulator__/faults', methods=['GET', 'PUT', 'POST', 'DELETE'])
    def set_faults():
        if request.method in ('PUT', 'POST'):
            data = body()
            try:
                faults.set(data.get('faults', []), data.get('seed'))
            except (FaultError, TypeError, ValueError) as exc:
                return error_response(400, 20001, str(exc))
        elif request.method == 'DELETE':
            faults.set([])
        return json_response(faults.describe())

    @app.route('/__emulator__/limits', methods=['GET', 'PUT'])
    def limits():
        if request.method == 'PUT':
            data = body()
            try:
                with store.lock:
                    if 'rate' in data or 'window' in data or 'retry_after' in data:
                        store.limiter.configure(data.get('rate', store.limiter.rate), data.get('window'),
                                                data.get('retry_after'))
                    for key in ('lifetime', 'max_steps', 'max_repeats'):
                        if key in data:
                            setattr(store, key, type(getattr(store, key))(data[key]))
            except (TypeError, ValueError) as exc:
                return error_response(400, 20001, str(exc))
        return json_response({'rate': store.limiter.rate, 'window': store.limiter.window,
                              'retry_after': store.limiter.retry_after, 'lifetime': store.lifetime,
                              'max_steps': store.max_steps, 'max_repeats': store.max_repeats})

    @app.post('/__emulator__/clock')
    def clock():
        try:
            advance = float(body().get('advance', 0))
        except (TypeError, ValueError):
            return error_response(400, 20001, 'advance must be a number of seconds')
        with store.lock:
            store.clock.offset += advance
            store.save_clock()
        return json_response({'now': iso(store.clock.now()), 'offset': store.clock.offset})

    @app.post('/__emulator__/flows')
    def add_flow():
        try:
            flow = flow_from_document(request.get_json(silent=True))
        except FlowError as exc:
            return error_response(400, 20001, str(exc))
        return json_response(flow_json(store.add_flow(flow)))

    def reply_to(ex):
        data = body()
        if not isinstance(data.get('body'), str):
            return error_response(400, 20001, 'body (the reply text) is required')
        if not store.inject_reply(ex, data['body'], data.get('from')):
            return error_response(409, 20409, 'Execution %s is not waiting for a reply' % ex['sid'])
        return json_response(execution_json(store.snapshot(ex)))

    @app.post('/__emulator__/executions/<sid>/reply')
    def reply(sid):
        ex = store.executions.get(sid)
        if ex is None:
            return error_response(404, 20404, 'No Execution %s' % sid)
        return reply_to(ex)

    @app.post('/__emulator__/reply')
    def reply_by_contact():
        data = body()
        flow = store.get_flow(data.get('flow', '')) or next(
            (f for f in store.list_flows() if f['friendly_name'] == data.get('flow')), None)
        if flow is None:
            return error_response(404, 20404, 'No flow %r' % data.get('flow'))
        sid = store.active_for(flow['sid'], data.get('to'), data.get('flow_from'))
        if sid is None:
            return error_response(404, 20404, 'No active Execution for %r' % data.get('to'))
        return reply_to(store.executions[sid])

    @app.get('/__emulator__/executions')
    def all_executions():
        with store.lock:
            items = [{'sid': ex['sid'], 'flow_sid': ex['flow_sid'], 'to': ex['to'], 'from': ex['from'],
                      'status': ex['status'], 'date_created': iso(ex['created']), 'steps': len(ex['steps']),
                      'waiting': (ex.get('waiting') or {}).get('widget'), 'messages': ex['messages']}
                     for ex in sorted(store.executions.values(), key=lambda e: e['seq'])]
        return json_response({'executions': items})

    @app.get('/__emulator__/messages')
    def messages():
        to = request.args.get('to')
        with store.lock:
            items = [dict(m, execution_sid=ex['sid']) for ex in sorted(store.executions.values(), key=lambda e: e['seq'])
                     for m in ex['messages'] if to in (None, m['to'])]
        return json_response({'messages': items})

    return app
