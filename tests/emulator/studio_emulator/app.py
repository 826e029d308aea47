# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Flask application: what every request goes through (auth, faults, Twilio's headers, the
request log, errors), with the v1 API, the v2 API and the test controls as Blueprints."""

import collections
import itertools
import secrets
import socket
import sys
import threading
import time
import traceback

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from .api import ApiError, error_response
from .controls import controls
from .events import EventStreams, event_controls, events
from .v1 import v1
from .v2 import v2

# The server puts the client's socket here, so that the drop faults can cut the connection.
SOCKET_KEY = 'studio_emulator.socket'


class RequestLog:
    """What the emulator was asked: every API request, and counts per route."""

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

    def counts_by_route(self):
        with self.lock:
            return dict(self.counts)

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.counts.clear()

    def last(self):
        with self.lock:
            return self.entries[-1]['n'] if self.entries else 0


class InFlight:
    """How many requests are being answered now (Twilio-Concurrent-Requests)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.count = 0

    def enter(self):
        with self.lock:
            self.count += 1

    def leave(self):
        with self.lock:
            self.count -= 1

    def now(self):
        with self.lock:
            return max(self.count, 1)


def drop_connection():
    """Cut the client's connection: it sees a reset or an empty answer, never a response."""
    sock = request.environ.get(SOCKET_KEY)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def is_control():
    return request.path.startswith('/__emulator__')


def create_app(store, credentials, faults):
    """Build the app. ``credentials`` is a set of (user, password) pairs accepted for Basic auth."""
    app = Flask('studio_emulator')
    app.url_map.strict_slashes = False
    log = RequestLog()
    in_flight = InFlight()
    auth_token = next((token for user, token in credentials if user == store.account_sid), '')
    streams = EventStreams(store.account_sid, auth_token)
    store.listeners.append(streams.on_execution)
    app.extensions['studio_emulator'] = {'store': store, 'faults': faults, 'log': log, 'events': streams}

    @app.before_request
    def authenticate_and_apply_faults():
        g.start = time.perf_counter()
        g.fault = None
        in_flight.enter()
        g.counted = True
        if is_control():
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
            in_flight.leave()

    @app.after_request
    def headers_and_log(response):
        if is_control():
            return response
        # Twilio's headers on every answer, errors included.
        response.headers['Twilio-Request-Id'] = 'RQ' + secrets.token_hex(16)
        response.headers['Twilio-Concurrent-Requests'] = str(in_flight.now())
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

    app.register_blueprint(v1)
    app.register_blueprint(v2)
    app.register_blueprint(controls)
    app.register_blueprint(events)
    app.register_blueprint(event_controls)
    return app
