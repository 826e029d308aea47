# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every route shares: Twilio's error body, request arguments, and list pages with cursors."""

import base64
import datetime
import json
from urllib.parse import urlencode

from flask import Response, current_app, request

from . import engine

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


def int_arg(name, default, low, high=None):
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
    size = int_arg('PageSize', 50, 1)
    if size > 1000:
        raise ApiError(400, 20007, 'PageSize %d is too large: the largest is 1000' % size)
    page = int_arg('Page', 0, 0)
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


def emulator():
    """The running emulator's parts: ``store``, ``faults`` and ``log``."""
    return current_app.extensions['studio_emulator']


def base_url():
    return request.host_url.rstrip('/')


def flow_or_404(sid, name):
    """The Flow ``sid`` (the path parameter ``name``): 400 when it is not a Flow SID, 404 when there is none."""
    check_sid(sid, 'FW', name)
    flow = emulator()['store'].get_flow(sid)
    if flow is None:
        raise not_found()
    return flow
