# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The test-only controls under /__emulator__/: reset, faults, limits, clock, flows, replies, logs."""

from flask import Blueprint, Response, request

from .api import ApiError, base_url, emulator, error_response, json_response
from .faults import FaultError
from .store import FlowError, flow_from_document, iso
from .v1 import execution_json, flow_json

controls = Blueprint('controls', __name__, url_prefix='/__emulator__')


def body():
    """The control's arguments: a JSON object, or a form (curl -d name=value). Anything else
    is a 400 that says what to send, instead of being read as no arguments at all."""
    if request.mimetype in ('application/x-www-form-urlencoded', 'multipart/form-data'):
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


@controls.get('/health')
def health():
    return json_response({'status': 'ok', 'account_sid': emulator()['store'].account_sid, 'base_url': base_url()})


@controls.post('/reset')
def reset():
    parts = emulator()
    parts['store'].reset()
    parts['log'].clear()
    parts['faults'].set([])
    parts['events'].reset()
    return json_response({'reset': True})


@controls.get('/requests')
def requests_log():
    log = emulator()['log']
    since = int(request.args.get('since', 0) or 0)
    return json_response({'requests': log.since(since), 'last': log.last()})


@controls.delete('/requests')
def clear_requests():
    emulator()['log'].clear()
    return Response(status=204)


@controls.get('/counts')
def counts():
    per_route = emulator()['log'].counts_by_route()
    return json_response({'counts': per_route, 'total': sum(per_route.values())})


@controls.get('/stats')
def stats():
    return json_response(emulator()['store'].stats())


@controls.route('/faults', methods=['GET', 'PUT', 'POST', 'DELETE'])
def set_faults():
    faults = emulator()['faults']
    if request.method in ('PUT', 'POST'):
        data = body()
        try:
            faults.set(data.get('faults', []), data.get('seed'))
        except (FaultError, TypeError, ValueError) as exc:
            return error_response(400, 20001, str(exc))
    elif request.method == 'DELETE':
        faults.set([])
    return json_response(faults.describe())


@controls.route('/limits', methods=['GET', 'PUT'])
def limits():
    store = emulator()['store']
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


@controls.post('/clock')
def clock():
    store = emulator()['store']
    try:
        advance = float(body().get('advance', 0))
    except (TypeError, ValueError):
        return error_response(400, 20001, 'advance must be a number of seconds')
    with store.lock:
        store.clock.offset += advance
        store.save_clock()
    return json_response({'now': iso(store.clock.now()), 'offset': store.clock.offset})


@controls.post('/flows')
def add_flow():
    try:
        flow = flow_from_document(request.get_json(silent=True), account_sid=emulator()['store'].account_sid)
    except FlowError as exc:
        return error_response(400, 20001, str(exc))
    return json_response(flow_json(emulator()['store'].add_flow(flow)))


def reply_to(ex):
    store = emulator()['store']
    data = body()
    if not isinstance(data.get('body'), str):
        return error_response(400, 20001, 'body (the reply text) is required')
    if not store.inject_reply(ex, data['body'], data.get('from')):
        return error_response(409, 20409, 'Execution %s is not waiting for a reply' % ex['sid'])
    return json_response(execution_json(store.snapshot(ex)))


@controls.post('/executions/<sid>/reply')
def reply(sid):
    ex = emulator()['store'].executions.get(sid)
    if ex is None:
        return error_response(404, 20404, 'No Execution %s' % sid)
    return reply_to(ex)


@controls.post('/reply')
def reply_by_contact():
    store = emulator()['store']
    data = body()
    flow = store.get_flow(data.get('flow', '')) or next(
        (f for f in store.list_flows() if f['friendly_name'] == data.get('flow')), None)
    if flow is None:
        return error_response(404, 20404, 'No flow %r' % data.get('flow'))
    sid = store.active_for(flow['sid'], data.get('to'), data.get('flow_from'))
    if sid is None:
        return error_response(404, 20404, 'No active Execution for %r' % data.get('to'))
    return reply_to(store.executions[sid])


@controls.get('/executions')
def all_executions():
    store = emulator()['store']
    with store.lock:
        items = [{'sid': ex['sid'], 'flow_sid': ex['flow_sid'], 'to': ex['to'], 'from': ex['from'],
                  'status': ex['status'], 'date_created': iso(ex['created']), 'steps': len(ex['steps']),
                  'waiting': (ex.get('waiting') or {}).get('widget'), 'messages': ex['messages']}
                 for ex in sorted(store.executions.values(), key=lambda e: e['seq'])]
    return json_response({'executions': items})


@controls.get('/messages')
def messages():
    store = emulator()['store']
    to = request.args.get('to')
    with store.lock:
        items = [dict(m, execution_sid=ex['sid']) for ex in sorted(store.executions.values(), key=lambda e: e['seq'])
                 for m in ex['messages'] if to in (None, m['to'])]
    return json_response({'messages': items})
