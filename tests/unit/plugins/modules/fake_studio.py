# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Just enough of Studio v1 for the create protocol, behind the ``responses`` mock.

Every body it answers is built from an answer recorded from the emulator
(tests/unit/fixtures/v1_answers.json, by record_answers.py): the fields and their shapes are
Studio's, not written here. What stays here is state - which Executions exist, and the one rule
the protocol depends on (one active Execution per To/From, handed back to a second create)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import os
import re
import time
from urllib.parse import parse_qs, urlsplit

import requests
import responses

BASE = 'http://127.0.0.1:8765'
FLOW = 'FW' + '1' * 32
CREDS = dict(account_sid='AC0123456789abcdef0123456789abcdef', auth_token='unit-token', studio_url=BASE)
EXECUTIONS = BASE + '/v1/Flows/%s/Executions' % FLOW
ARGS = dict(CREDS, flow=FLOW, to='+15551230001', **{'from': '+15550000000'})


with open(os.path.join(os.path.dirname(__file__), '..', '..', 'fixtures', 'v1_answers.json')) as _handle:
    RECORDED = dict((name, answer['body']) for name, answer in json.load(_handle)['answers'].items())
# Our own fields of a stored Execution, never sent.
PRIVATE = ('from', 'data')


def execution_body(stored):
    """A stored Execution as Studio answers it, from the recorded Execution."""
    body = copy.deepcopy(RECORDED['execution'])
    url = '%s/%s' % (EXECUTIONS, stored['sid'])
    body.update((k, v) for k, v in stored.items() if k not in PRIVATE)
    body.update(url=url, links={'steps': url + '/Steps', 'execution_context': url + '/Context'},
                date_updated=stored['date_created'])
    return body


def context_body(stored):
    """The Execution Context resource, from the recorded one, with this Execution's data."""
    body = copy.deepcopy(RECORDED['context'])
    context = body['context']
    context['flow'].update(sid=stored['sid'], flow_sid=FLOW, data=stored.get('data', {}))
    if stored.get('from'):
        context['flow']['channel'] = {'address': stored['from']}
    else:
        context['flow'].pop('channel', None)
    context['contact']['channel']['address'] = stored['contact_channel_address']
    context['widgets'] = {}
    request = context.get('trigger', {}).get('request')
    if request is not None:
        request.update(to=stored['contact_channel_address'], parameters=stored.get('data', {}))
        request['from'] = stored.get('from', request.get('from'))
    body.update(execution_sid=stored['sid'], flow_sid=FLOW, url='%s/%s/Context' % (EXECUTIONS, stored['sid']))
    return body


def error_body(name, path=None):
    body = copy.deepcopy(RECORDED[name])
    if path:
        body['message'] = 'The requested resource %s was not found' % path
    return json.dumps(body)


def now_twilio(offset=0):
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(time.time() + offset))


class FakeStudio:
    """Just enough of Studio v1 for the create protocol, with scripted failures of POSTs."""

    def __init__(self, mock, post_failures=(), existing=None):
        self.executions = {}
        self.list_calls = []
        self.posts = 0
        self.post_failures = list(post_failures)
        for execution in existing if isinstance(existing, list) else [existing] if existing else []:
            self.executions[execution['sid']] = execution
        mock.add_callback(responses.POST, EXECUTIONS, callback=self.create)
        mock.add_callback(responses.GET, EXECUTIONS, callback=self.list)
        mock.add_callback(responses.GET, re.compile(re.escape(EXECUTIONS) + r'/FN\w+/Context'), callback=self.context)
        mock.add_callback(responses.GET, re.compile(re.escape(EXECUTIONS) + r'/FN\w+$'), callback=self.fetch)
        mock.add_callback(responses.DELETE, re.compile(re.escape(EXECUTIONS) + r'/FN\w+$'), callback=self.delete)

    def create(self, request):
        self.posts += 1
        form = {k: v[0] for k, v in parse_qs(request.body).items()}
        active = [e for e in self.executions.values() if e['status'] == 'active' and
                  e['contact_channel_address'] == form['To'] and e.get('from', form['From']) == form['From']]
        failure = self.post_failures.pop(0) if self.post_failures else None
        if failure == 'reset':
            raise requests.exceptions.ConnectionError('Connection reset by peer')
        if active:
            return 200, {'Date': time.strftime('%a, %d %b %Y %H:%M:%S GMT', time.gmtime())}, json.dumps(
                execution_body(active[0]))
        sid = 'FN%032x' % (len(self.executions) + 1)
        self.executions[sid] = {'sid': sid, 'flow_sid': FLOW, 'contact_channel_address': form['To'], 'status': 'ended',
                                'from': form['From'],
                                'date_created': now_twilio(), 'data': json.loads(form['Parameters'])}
        if failure == 'commit_then_503':
            return 503, {}, error_body('unavailable')
        return 200, {'Date': time.strftime('%a, %d %b %Y %H:%M:%S GMT', time.gmtime())}, json.dumps(
            execution_body(self.executions[sid]))

    def list(self, request):
        """Newest first, DateCreatedFrom honoured, PageSize items a page (Page counts them)."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
        self.list_calls.append(query)
        items = sorted(self.executions.values(), key=lambda e: (e['date_created'], e['sid']), reverse=True)
        if 'DateCreatedFrom' in query:
            items = [e for e in items if e['date_created'] >= query['DateCreatedFrom']]
        size, page = int(query.get('PageSize', 50)), int(query.get('Page', 0))
        chunk = items[page * size:(page + 1) * size]
        more = (page + 1) * size < len(items)
        next_url = '%s?PageSize=%d&Page=%d' % (EXECUTIONS, size, page + 1) if more else None
        if next_url and 'DateCreatedFrom' in query:
            next_url += '&DateCreatedFrom=' + query['DateCreatedFrom']
        meta = dict(RECORDED['executions_page']['meta'], next_page_url=next_url, page=page, page_size=size,
                    url='%s?PageSize=%d&Page=%d' % (EXECUTIONS, size, page),
                    first_page_url='%s?PageSize=%d&Page=0' % (EXECUTIONS, size), previous_page_url=None)
        return 200, {}, json.dumps({'executions': [execution_body(e) for e in chunk], 'meta': meta})

    def fetch(self, request):
        execution = self.executions.get(request.url.rsplit('/', 1)[-1])
        if execution is None:
            return 404, {}, error_body('not_found', urlsplit(request.url).path)
        return 200, {}, json.dumps(execution_body(execution))

    def delete(self, request):
        return (204, {}, '') if self.executions.pop(request.url.rsplit('/', 1)[-1], None) else (
            404, {}, error_body('not_found', urlsplit(request.url).path))

    def context(self, request):
        return 200, {}, json.dumps(context_body(self.executions[request.url.split('/')[-2]]))
