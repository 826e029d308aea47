# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Studio REST API v1: Flows, Executions, Execution Context, Steps and Step Context."""

import json

from flask import Blueprint, Response, g, request

from .api import ApiError, base_url, check_sid, emulator, flow_or_404, json_response, not_found, paginate, parse_date
from .store import NotRunnable, iso

v1 = Blueprint('v1', __name__, url_prefix='/v1')


# -- rendering -------------------------------------------------------------------------------
def flow_json(flow):
    store = emulator()['store']
    url = '%s/v1/Flows/%s' % (base_url(), flow['sid'])
    return {'sid': flow['sid'], 'account_sid': store.account_sid, 'friendly_name': flow['friendly_name'],
            'status': flow['status'], 'version': flow['version'], 'date_created': iso(flow['created']),
            'date_updated': iso(flow.get('updated')), 'url': url,
            'links': {'engagements': url + '/Engagements', 'executions': url + '/Executions'}}


def execution_json(ex):
    url = '%s/v1/Flows/%s/Executions/%s' % (base_url(), ex['flow_sid'], ex['sid'])
    return {'sid': ex['sid'], 'account_sid': ex['account_sid'], 'flow_sid': ex['flow_sid'],
            'contact_sid': ex['contact_sid'], 'contact_channel_address': ex['to'], 'context': {},
            'status': ex['status'], 'date_created': iso(ex['created']), 'date_updated': iso(ex['updated']),
            'url': url, 'links': {'steps': url + '/Steps', 'execution_context': url + '/Context'}}


def step_json(ex, step):
    url = '%s/v1/Flows/%s/Executions/%s/Steps/%s' % (base_url(), ex['flow_sid'], ex['sid'], step['sid'])
    return {'sid': step['sid'], 'account_sid': ex['account_sid'], 'flow_sid': ex['flow_sid'],
            'execution_sid': ex['sid'], 'parent_step_sid': step['parent_step_sid'], 'name': step['name'],
            'context': {}, 'transitioned_from': step['transitioned_from'],
            'transitioned_to': step['transitioned_to'], 'type': step['type'],
            'date_created': iso(step['created']), 'date_updated': iso(step['updated']), 'url': url,
            'links': {'step_context': url + '/Context'}}


# -- lookups ---------------------------------------------------------------------------------
def execution_or_404(flow_sid, sid, name='Sid', readable=False):
    store = emulator()['store']
    flow_or_404(flow_sid, 'FlowSid')
    check_sid(sid, 'FN', name)
    ex = store.get_execution(flow_sid, sid)
    if ex is None or (readable and not store.visible(ex)):
        raise not_found()
    return ex


def readable_snapshot(flow_sid, execution_sid):
    """A consistent copy of an Execution whose Context and Steps may be read."""
    return emulator()['store'].snapshot(execution_or_404(flow_sid, execution_sid, 'ExecutionSid', readable=True))


def step_or_404(ex, sid, name='Sid'):
    check_sid(sid, 'FT', name)
    for step in ex['steps']:
        if step['sid'] == sid:
            return step
    raise not_found()


# -- Flows -----------------------------------------------------------------------------------
@v1.get('/Flows')
def list_flows():
    return paginate(emulator()['store'].list_flows(), 'flows', flow_json, lambda f: [f['created'], f['sid']])


@v1.get('/Flows/<flow_sid>')
def fetch_flow(flow_sid):
    return json_response(flow_json(flow_or_404(flow_sid, 'FlowSid')))


@v1.delete('/Flows/<flow_sid>')
def delete_flow(flow_sid):
    flow_or_404(flow_sid, 'FlowSid')
    emulator()['store'].delete_flow(flow_sid)
    return Response(status=204)


# -- Executions ------------------------------------------------------------------------------
@v1.get('/Flows/<flow_sid>/Executions')
def list_executions(flow_sid):
    store = emulator()['store']
    flow_or_404(flow_sid, 'FlowSid')
    date_from, date_to = parse_date('DateCreatedFrom'), parse_date('DateCreatedTo')
    items = [store.snapshot(ex) for ex in store.list_executions(flow_sid, date_from, date_to)]
    filters = [('DateCreatedFrom', request.args.get('DateCreatedFrom')),
               ('DateCreatedTo', request.args.get('DateCreatedTo'))]
    return paginate(items, 'executions', execution_json, lambda ex: [ex['seq']], filters)


def _parameters(form):
    """The Parameters form field: a JSON object, or {} when absent."""
    if form.get('Parameters') in (None, ''):
        return {}
    try:
        parameters = json.loads(form['Parameters'])
    except ValueError:
        parameters = None
    if not isinstance(parameters, dict):
        raise ApiError(400, 20001, 'Invalid parameter Parameters: it must be a JSON object')
    return parameters


@v1.post('/Flows/<flow_sid>/Executions')
def create_execution(flow_sid):
    store = emulator()['store']
    flow = flow_or_404(flow_sid, 'FlowSid')
    form = request.form
    for name in ('To', 'From'):
        if not form.get(name):
            raise ApiError(400, 20001, 'Missing required parameter %s in the post body' % name)
    parameters = _parameters(form)
    if len((form['To'] + form['From']).encode('utf-8')) > 300:
        raise ApiError(400, 81023, 'To and From together must not exceed 300 bytes')
    if not store.limiter.take():
        headers = {'Retry-After': '%g' % store.limiter.retry_after} if store.limiter.retry_after else None
        raise ApiError(429, 20429, 'Too Many Requests: more than %g REST-triggered Executions per second, '
                       'averaged over %g s' % (store.limiter.rate, store.limiter.window), headers)
    try:
        ex, dummy = store.create_execution(flow, form['To'], form['From'], parameters, g.get('lag', 0.0))
    except NotRunnable:
        raise ApiError(400, 20001, 'Flow %s has no published revision: only its test users can run the draft'
                       % flow_sid) from None
    return json_response(execution_json(store.snapshot(ex)))


@v1.get('/Flows/<flow_sid>/Executions/<sid>')
def fetch_execution(flow_sid, sid):
    return json_response(execution_json(emulator()['store'].snapshot(execution_or_404(flow_sid, sid))))


@v1.post('/Flows/<flow_sid>/Executions/<sid>')
def update_execution(flow_sid, sid):
    store = emulator()['store']
    ex = execution_or_404(flow_sid, sid)
    status = request.form.get('Status')
    if not status:
        raise ApiError(400, 20001, 'Missing required parameter Status in the post body')
    if status != 'ended':
        raise ApiError(400, 20001, 'Invalid parameter Status: an Execution can only be set to ended')
    store.end_execution(ex)
    return json_response(execution_json(store.snapshot(ex)))


@v1.delete('/Flows/<flow_sid>/Executions/<sid>')
def delete_execution(flow_sid, sid):
    emulator()['store'].delete_execution(execution_or_404(flow_sid, sid))
    return Response(status=204)


@v1.get('/Flows/<flow_sid>/Executions/<execution_sid>/Context')
def execution_context(flow_sid, execution_sid):
    ex = readable_snapshot(flow_sid, execution_sid)
    return json_response({'account_sid': ex['account_sid'], 'context': ex['context'], 'flow_sid': flow_sid,
                          'execution_sid': ex['sid'], 'url': base_url() + request.path})


# -- Steps -----------------------------------------------------------------------------------
@v1.get('/Flows/<flow_sid>/Executions/<execution_sid>/Steps')
def list_steps(flow_sid, execution_sid):
    ex = readable_snapshot(flow_sid, execution_sid)
    steps = [dict(step, _position=n) for n, step in enumerate(ex['steps'])]
    return paginate(list(reversed(steps)), 'steps', lambda step: step_json(ex, step),
                    lambda step: [step['_position']])


@v1.get('/Flows/<flow_sid>/Executions/<execution_sid>/Steps/<sid>')
def fetch_step(flow_sid, execution_sid, sid):
    ex = readable_snapshot(flow_sid, execution_sid)
    return json_response(step_json(ex, step_or_404(ex, sid)))


@v1.get('/Flows/<flow_sid>/Executions/<execution_sid>/Steps/<step_sid>/Context')
def step_context(flow_sid, execution_sid, step_sid):
    ex = readable_snapshot(flow_sid, execution_sid)
    step = step_or_404(ex, step_sid, 'StepSid')
    return json_response({'account_sid': ex['account_sid'], 'context': step['context'],
                          'execution_sid': ex['sid'], 'flow_sid': flow_sid, 'step_sid': step['sid'],
                          'url': base_url() + request.path})


# -- Engagements: deprecated, stopped working in January 2019 --------------------------------
@v1.route('/Flows/<flow_sid>/Engagements', methods=['GET', 'POST'])
@v1.route('/Flows/<flow_sid>/Engagements/<path:rest>', methods=['GET', 'POST', 'DELETE'])
def engagements(flow_sid, rest=None):  # pylint: disable=unused-argument
    raise ApiError(404, 20404, 'Engagements are deprecated and no longer supported: use '
                   '/v1/Flows/%s/Executions instead' % flow_sid)
