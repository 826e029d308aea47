# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report of a batch: every contact (failed ones too), CSV through the csv module, summary lines."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import csv
import inspect
import io
import json
import os

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.telephony.twilio.plugins.filter.studio_report import studio_report

COLLECTION = 'ansible_collections.telephony.twilio.'
SID = 'FN' + 'a' * 32
STEPS = [{'transitioned_from': 'Trigger', 'transitioned_to': 'ask'},
         {'transitioned_from': 'ask', 'transitioned_to': 'Ended'}]
BATCH = {'contacts': {
    'ann': {'to': '+15551230001', 'changed': True, 'failed': False, 'action': 'created',
            'execution': {'sid': SID, 'status': 'ended', 'date_created': '2026-11-27T10:00:00Z'}, 'steps': STEPS},
    'bo, "the one"\nwith a newline': {'to': '+15551230002', 'changed': False, 'failed': True, 'action': 'failed',
                                      'msg': 'Triggering failed: "quoted", and, commas\nand a newline',
                                      'execution': None},
    'cy': {'to': '+15551230003', 'changed': False, 'failed': False, 'action': 'none', 'execution': None},
}}
NEVER_SENT = {'dave': 'Contact dave: studio_to must be a string such as "+14155550100", got int 1'}


def test_csv_reads_back_equal_with_every_contact():
    text = studio_report(BATCH, NEVER_SENT, 'csv')
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r['contact'] for r in rows] == ['ann', 'bo, "the one"\nwith a newline', 'cy', 'dave']
    assert rows[0]['execution_sid'] == SID and rows[0]['last_widget'] == 'ask' and rows[0]['steps'] == '2'
    assert rows[1]['error'] == 'Triggering failed: "quoted", and, commas\nand a newline'
    assert rows[3]['action'] == 'failed' and rows[3]['error'] == NEVER_SENT['dave']
    assert list(rows[0]) == ['contact', 'to', 'execution_sid', 'status', 'action', 'date_created', 'last_widget',
                             'steps', 'error', 'outcome']
    assert rows[0]['to'] == "'+15551230001" and rows[0]['outcome'] == 'ended after ask'


def test_json_has_the_same_rows():
    rows = json.loads(studio_report(BATCH, NEVER_SENT, 'json'))
    assert [r['contact'] for r in rows] == ['ann', 'bo, "the one"\nwith a newline', 'cy', 'dave']
    assert rows[2]['execution_sid'] == '' and rows[2]['steps'] == 0


def test_summary_says_who_was_triggered_now_and_who_failed():
    lines = studio_report(BATCH, NEVER_SENT, 'lines')
    assert lines[0] == '4 contacts: created 1, failed 2, none 1'
    assert lines[1] == 'triggered now: ann'
    assert 'ann: %s ended (created), last widget ask' % SID in lines
    assert 'cy: no Execution (none)' in lines
    assert any(line.startswith('dave: FAILED - Contact dave: studio_to') for line in lines)


def test_summary_of_a_big_batch_lists_only_failures():
    contacts = dict(('c%d' % i, {'failed': False, 'action': 'created', 'execution': {'sid': SID}}) for i in range(300))
    lines = studio_report({'contacts': contacts}, {'bad': 'Contact bad: wrong'}, 'lines')
    assert lines[0] == '301 contacts: created 300, failed 1'
    assert lines[1].endswith('and 280 more') and lines[2:] == ['bad: FAILED - Contact bad: wrong']


def test_unknown_format_is_refused():
    assert studio_report(BATCH, NEVER_SENT, 'rows') == json.loads(studio_report(BATCH, NEVER_SENT, 'json'))
    with pytest.raises(AnsibleFilterError, match='fmt must be json, csv, html, lines or rows'):
        studio_report(BATCH, None, 'xml')


def test_report_fields_become_columns_after_the_fixed_ones():
    batch = {'contacts': {
        'ann': {'failed': False, 'action': 'created', 'execution': {'sid': SID}, 'fields': {'rating': '5', 'name': 'Ann'}},
        'bo': {'failed': False, 'action': 'created', 'execution': {'sid': SID}, 'fields': {'rating': None, 'name': 'Bo'}},
    }}
    rows = list(csv.DictReader(io.StringIO(studio_report(batch, {}, 'csv'))))
    assert list(rows[0])[-2:] == ['rating', 'name']
    assert [(r['contact'], r['rating'], r['name']) for r in rows] == [('ann', '5', 'Ann'), ('bo', '', 'Bo')]


HTTP_MODULES = ('requests', 'urllib3', 'http', 'urllib.request', 'socket', 'ssl', 'ansible.module_utils.urls')


def collection_imports(path, root, seen=None):
    """(collection modules, other modules) that the file at ``path`` imports, following the
    collection's own modules (files under ``root``) to the end."""
    seen = set() if seen is None else seen
    others = set()
    with open(path) as handle:
        tree = ast.parse(handle.read(), path)
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
            names.extend('%s.%s' % (node.module, alias.name) for alias in node.names)
    for name in names:
        if not name.startswith(COLLECTION):
            others.add(name)
            continue
        target = os.path.join(root, *name[len(COLLECTION):].split('.')) + '.py'
        if os.path.isfile(target) and name not in seen:
            seen.add(name)
            others |= collection_imports(target, root, seen)[1]
    return seen, others


def test_the_report_filter_imports_nothing_that_does_http():
    """The report is made on the controller from data already read: its filter (and what it imports)
    must not pull in the HTTP client, requests or urllib3."""
    path = os.path.abspath(inspect.getsourcefile(studio_report))
    root = os.path.dirname(os.path.dirname(os.path.dirname(path)))
    ours, others = collection_imports(path, root)
    assert COLLECTION + 'plugins.module_utils._results' in ours  # the walk follows the collection's modules
    assert not [name for name in ours if name.endswith(('._client', '._executions', '._module'))]
    http = [name for name in others if name in HTTP_MODULES or name.startswith(tuple(m + '.' for m in HTTP_MODULES))]
    assert not http, http
