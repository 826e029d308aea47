# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Studio REST API v2, flows as code: Flows, Revisions, Validate and TestUsers.

A create or update makes an immutable revision; the list shows ``definition: null``; fetching a
Flow gives its latest revision, which may be a draft; Executions run the latest published one.
"""

import json

from flask import Blueprint, Response, request

from . import engine
from .api import ApiError, base_url, emulator, flow_or_404, json_response, not_found, paginate
from .store import iso, stable_sid

v2 = Blueprint('v2', __name__, url_prefix='/v2')

STATUSES = ('draft', 'published')
VALIDATION_FAILED = 81022


class ValidationFailed(ApiError):
    """Studio's answer to a definition with errors: 400, code 81022, the errors in ``details``."""

    def __init__(self, errors, warnings=()):
        super().__init__(400, VALIDATION_FAILED, 'Flow definition validation failed')
        self.details = {'errors': list(errors), 'warnings': list(warnings)}


def author_sid():
    return stable_sid('US', emulator()['store'].account_sid)


# -- rendering -------------------------------------------------------------------------------
def flow_json(flow, with_definition=True):
    store = emulator()['store']
    latest = flow['revisions'][-1]
    url = '%s/v2/Flows/%s' % (base_url(), flow['sid'])
    return {'sid': flow['sid'], 'account_sid': store.account_sid, 'author_sid': author_sid(),
            'friendly_name': latest['friendly_name'],
            'definition': latest['definition'] if with_definition else None,
            'status': latest['status'], 'revision': latest['revision'], 'commit_message': latest['commit_message'],
            'valid': latest['valid'], 'errors': latest['errors'], 'warnings': latest['warnings'],
            'date_created': iso(flow['created']), 'date_updated': iso(flow.get('updated')),
            'webhook_url': 'http://webhooks.twilio.com/v1/Accounts/%s/Flows/%s' % (store.account_sid, flow['sid']),
            'url': url, 'links': {'test_users': url + '/TestUsers', 'revisions': url + '/Revisions',
                                  'executions': url + '/Executions'}}


def revision_json(flow, revision, with_definition=True):
    return {'sid': flow['sid'], 'account_sid': emulator()['store'].account_sid, 'author_sid': author_sid(),
            'friendly_name': revision['friendly_name'],
            'definition': revision['definition'] if with_definition else None,
            'status': revision['status'], 'revision': revision['revision'],
            'commit_message': revision['commit_message'],
            'valid': revision['valid'] if with_definition else None,
            'errors': revision['errors'] if with_definition else None,
            'date_created': iso(revision['created']), 'date_updated': iso(revision['created']),
            'url': '%s/v2/Flows/%s/Revisions/%d' % (base_url(), flow['sid'], revision['revision'])}


def test_users_json(flow):
    return {'sid': flow['sid'], 'test_users': list(flow.get('test_users') or []),
            'url': '%s/v2/Flows/%s/TestUsers' % (base_url(), flow['sid'])}


# -- arguments -------------------------------------------------------------------------------
def status_arg(required=True):
    status = request.form.get('Status')
    if not status:
        if required:
            raise ApiError(400, 20001, 'Missing required parameter Status in the post body')
        return None
    if status not in STATUSES:
        raise ApiError(400, 20001, 'Invalid parameter Status: %r is not one of draft, published' % status)
    return status


def definition_arg(required=True):
    """The Definition form field: a JSON document (None when absent and not required)."""
    raw = request.form.get('Definition')
    if raw in (None, ''):
        if required:
            raise ApiError(400, 20001, 'Missing required parameter Definition in the post body')
        return None
    try:
        return json.loads(raw, parse_constant=_not_json)  # key order kept: a definition is returned as sent
    except ValueError as exc:
        raise ValidationFailed([{'message': 'Definition is not JSON: %s' % exc, 'property_path': '#'}]) from None


def _not_json(constant):
    raise ValueError('%s is not a JSON value' % constant)


def checked(definition, status):
    """The definition's errors and warnings; a definition with errors is refused when it would be
    published (a draft keeps them: ``valid: false``, ``errors``)."""
    errors = engine.definition_errors(definition)
    if errors and status == 'published':
        raise ValidationFailed(errors)
    return definition


def friendly_name_arg(required):
    name = request.form.get('FriendlyName')
    if required and not name:
        raise ApiError(400, 20001, 'Missing required parameter FriendlyName in the post body')
    return name or None


@v2.errorhandler(ValidationFailed)
def validation_failed(exc):
    return json_response({'code': exc.code, 'message': exc.message,
                          'more_info': 'https://www.twilio.com/docs/errors/%d' % exc.code,
                          'status': exc.status, 'details': exc.details}, exc.status)


# -- Flows -----------------------------------------------------------------------------------
@v2.get('/Flows')
def list_flows():
    return paginate(emulator()['store'].list_flows(), 'flows', lambda f: flow_json(f, with_definition=False),
                    lambda f: [f['created'], f['sid']])


@v2.post('/Flows')
def create_flow():
    name = friendly_name_arg(required=True)
    status = status_arg()
    definition = checked(definition_arg(), status)
    flow = emulator()['store'].create_flow(name, status, definition, request.form.get('CommitMessage'))
    return json_response(flow_json(flow), 201)


@v2.get('/Flows/<sid>')
def fetch_flow(sid):
    return json_response(flow_json(flow_or_404(sid, 'Sid')))


@v2.post('/Flows/<sid>')
def update_flow(sid):
    flow = flow_or_404(sid, 'Sid')
    status = status_arg()
    definition = definition_arg(required=False)
    checked(flow['revisions'][-1]['definition'] if definition is None else definition, status)
    flow = emulator()['store'].update_flow(flow, status, friendly_name_arg(required=False), definition,
                                           request.form.get('CommitMessage'))
    return json_response(flow_json(flow))


@v2.delete('/Flows/<sid>')
def delete_flow(sid):
    flow_or_404(sid, 'Sid')
    emulator()['store'].delete_flow(sid)
    return Response(status=204)


@v2.post('/Flows/Validate')
def validate_flow():
    friendly_name_arg(required=True)
    status_arg()
    definition = definition_arg()
    errors = engine.definition_errors(definition)
    if errors:
        raise ValidationFailed(errors, engine.definition_warnings(definition) if isinstance(definition, dict) else [])
    return json_response({'valid': True})


# -- Revisions -------------------------------------------------------------------------------
@v2.get('/Flows/<sid>/Revisions')
def list_revisions(sid):
    flow = flow_or_404(sid, 'Sid')
    revisions = list(reversed(flow['revisions']))
    return paginate(revisions, 'revisions', lambda r: revision_json(flow, r, with_definition=False),
                    lambda r: [r['revision']])


@v2.get('/Flows/<sid>/Revisions/<revision>')
def fetch_revision(sid, revision):
    flow = flow_or_404(sid, 'Sid')
    found = emulator()['store'].flow_revision(flow, revision)
    if found is None:
        raise not_found()
    return json_response(revision_json(flow, found))


# -- TestUsers -------------------------------------------------------------------------------
@v2.get('/Flows/<sid>/TestUsers')
def fetch_test_users(sid):
    return json_response(test_users_json(flow_or_404(sid, 'Sid')))


@v2.post('/Flows/<sid>/TestUsers')
def update_test_users(sid):
    flow = flow_or_404(sid, 'Sid')
    if 'TestUsers' not in request.form:
        raise ApiError(400, 20001, 'Missing required parameter TestUsers in the post body')
    users = [u for u in request.form.getlist('TestUsers') if u]
    return json_response(test_users_json(emulator()['store'].set_test_users(flow, users)))
