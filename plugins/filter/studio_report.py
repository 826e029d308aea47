# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The summary and the report of a batch: one row per contact, as lines, CSV, JSON or an HTML page."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import io
import json

from ansible_collections.telephony.twilio.plugins.module_utils._executions import last_widget
from ansible_collections.telephony.twilio.plugins.plugin_utils._report import html_page

COLUMNS = ('contact', 'to', 'execution_sid', 'status', 'action', 'date_created', 'last_widget', 'steps', 'error')
# Past this many contacts the summary shows the counts and the failed contacts, not every contact.
SUMMARY_LINES = 200


def report_rows(batch, failures=None):
    """One row per contact of the batch, failed ones included (their error says why)."""
    rows = []
    failures = dict(failures or {})
    for name, result in sorted(((batch or {}).get('contacts') or {}).items()):
        execution = result.get('execution') or {}
        steps = result.get('steps')
        # A batch with a results file returns step_count and last_widget instead of the Steps.
        count = len(steps) if steps is not None else result.get('step_count', 0)
        widget = last_widget(steps) if steps is not None else result.get('last_widget')
        row = {'contact': name, 'to': result.get('to') or '', 'execution_sid': execution.get('sid', ''),
               'status': execution.get('status', ''), 'action': result.get('action', ''),
               'date_created': execution.get('date_created', ''), 'last_widget': widget or '',
               'steps': count, 'error': failures.pop(name, result.get('msg') or '')}
        row.update(result.get('fields') or {})
        rows.append(row)
    for name, message in sorted(failures.items()):
        rows.append(dict(dict((column, '') for column in COLUMNS), contact=name, action='failed', steps=0,
                         error=message))
    return rows


def columns_of(rows):
    """The fixed columns, then the report_fields columns in the order they first appear."""
    extra = []
    for row in rows:
        for column in row:
            if column not in COLUMNS and column not in extra:
                extra.append(column)
    return list(COLUMNS) + extra


def contact_details(batch, rows, facts):
    """{contact: {steps, context}}: from the batch's own result when it has them, else from the
    contacts' facts (``facts``: hostvars, or any mapping of contact to variables with studio_steps
    and studio_context)."""
    results = (batch or {}).get('contacts') or {}
    found = {}
    for row in rows:
        name = row['contact']
        result = results.get(name) or {}
        if result.get('steps') is not None:
            found[name] = {'steps': result.get('steps'), 'context': result.get('context') or {}}
            continue
        try:
            variables = facts[name] if facts is not None else None
        except (KeyError, TypeError):
            variables = None
        if variables is not None:
            found[name] = {'steps': variables.get('studio_steps') or [],
                           'context': variables.get('studio_context') or {}}
    return found


def studio_report(batch, failures=None, fmt='json', facts=None, title='Studio campaign report', definition=None):
    """The report of a studio_campaign result: ``fmt`` is json, csv, html (``facts`` gives each contact's
    Steps and Context, ``definition`` the Flow's widgets in order), lines (the summary) or rows (the data)."""
    rows = report_rows(batch, failures)
    if fmt == 'rows':
        return rows
    if fmt == 'json':
        return json.dumps(rows, indent=2, sort_keys=False) + '\n'
    if fmt == 'csv':
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns_of(rows), lineterminator='\n', restval='')
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()
    if fmt == 'html':
        return html_page(rows, contact_details(batch, rows, facts), columns_of(rows), title=title,
                         definition=definition)
    if fmt == 'lines':
        return summary_lines(rows)
    raise ValueError('studio_report: fmt must be json, csv, html, lines or rows, got %r' % (fmt,))


def summary_lines(rows):
    """The counts of each action, then one line per contact (only the failed ones past SUMMARY_LINES)."""
    counts = {}
    for row in rows:
        counts[row['action']] = counts.get(row['action'], 0) + 1
    lines = ['%d contacts: %s' % (len(rows), ', '.join('%s %d' % (action, counts[action]) for action in sorted(counts)))]
    for action, title in (('created', 'triggered now'), ('active', 'already running'),
                          ('campaign', 'already reached by this campaign')):
        names = [row['contact'] for row in rows if row['action'] == action]
        if names:
            lines.append('%s: %s' % (title, ', '.join(names[:20]) + (' and %d more' % (len(names) - 20)
                                                                     if len(names) > 20 else '')))
    shown = rows if len(rows) <= SUMMARY_LINES else [row for row in rows if row['error']]
    for row in shown:
        if row['error']:
            lines.append('%s: FAILED - %s' % (row['contact'], row['error']))
        elif row['action'].startswith('would '):
            lines.append('%s: %s %s' % (row['contact'], row['action'], row['execution_sid'] or 'an Execution'))
        elif row['execution_sid']:
            lines.append('%s: %s %s (%s), last widget %s' % (row['contact'], row['execution_sid'], row['status'],
                                                             row['action'], row['last_widget'] or '(none)'))
        else:
            lines.append('%s: no Execution (%s)' % (row['contact'], row['action']))
    return lines


class FilterModule(object):
    def filters(self):
        return {'studio_report': studio_report}
