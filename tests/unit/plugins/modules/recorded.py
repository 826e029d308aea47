# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator's recorded Studio v2 answers (tests/unit/fixtures/v2_answers.json, by record_answers.py), served with
`responses`: a unit test says which answers the server gives, in Studio's own words."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import responses

FIXTURES = os.path.join(os.path.dirname(__file__), '..', '..', 'fixtures')

with open(os.path.join(FIXTURES, 'v2_answers.json')) as _handle:
    RECORDED = json.load(_handle)

BASE = RECORDED['base']
SID = RECORDED['sid']
CREDS = dict(account_sid='AC0123456789abcdef0123456789abcdef', auth_token='unit-token', studio_url=BASE)


def definition():
    with open(os.path.join(FIXTURES, 'survey_definition.json')) as handle:
        return json.load(handle)


def serve(mock, *names):
    """Register the recorded answers ``names`` (each answers its method and path once)."""
    for name in names:
        answer = RECORDED['answers'][name]
        path = answer['path'].split('?')[0]
        kwargs = dict(status=answer['status'])
        if answer['body'] is not None:
            kwargs['json'] = answer['body']
        mock.add(getattr(responses, answer['method']), BASE + path, **kwargs)


def writes(mock):
    """The requests that change something (POST/DELETE other than Validate)."""
    return [(c.request.method, c.request.url.replace(BASE, '')) for c in mock.calls
            if c.request.method in ('POST', 'DELETE') and not c.request.url.endswith('/Validate')]


def sent_form(call):
    """The form fields of a recorded call, as lists."""
    from urllib.parse import parse_qs
    return parse_qs(call.request.body)
