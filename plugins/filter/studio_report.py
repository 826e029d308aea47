# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The summary and the report of a batch: one row per contact, as lines, CSV, JSON or an HTML page;
and the same report made again from a JSON Lines export, a JSON report or an AWX artifact."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.telephony.twilio.plugins.module_utils._results import last_widget
from ansible_collections.telephony.twilio.plugins.plugin_utils import _report
from ansible_collections.telephony.twilio.plugins.plugin_utils._report import COLUMNS, DERIVED, ReportError

# Past this many contacts the summary shows the counts and the failed contacts, not every contact.
SUMMARY_LINES = 200
FORMATS = ('json', 'csv', 'html', 'lines', 'rows')


def report_rows(batch, failures=None, facts=None):
    """One row per contact of the batch, failed ones included (their error says why), described
    from each contact's Steps and Context (``contact_details``)."""
    rows = []
    failures = dict(failures or {})
    results = (batch or {}).get('contacts') or {}
    for name, result in sorted(results.items()):
        execution = result.get('execution') or {}
        steps = result.get('steps')
        # A batch with a results file returns step_count and last_widget instead of the Steps.
        count = len(steps) if steps is not None else result.get('step_count', 0)
        widget = last_widget(steps) if steps is not None else result.get('last_widget')
        row = {'contact': name, 'to': result.get('to') or '', 'execution_sid': execution.get('sid', ''),
               'status': execution.get('status', ''), 'action': result.get('action', ''),
               'date_created': execution.get('date_created', ''), 'last_widget': widget or '',
               'steps': count, 'error': failures.pop(name, result.get('msg') or ''),
               'date_updated': execution.get('date_updated') or '', 'account_sid': execution.get('account_sid') or ''}
        details = contact_details(name, result, facts) if execution else {}
        row = _report.describe(row, details.get('steps'), details.get('context'))
        row['flow_sid'] = row['flow_sid'] or execution.get('flow_sid') or ''
        row.update(result.get('fields') or {})
        rows.append(row)
    for name, message in sorted(failures.items()):
        row = dict(dict((column, '') for column in COLUMNS), contact=name, action='failed', steps=0, error=message)
        rows.append(_report.describe(row))
    return rows


def field_columns(rows):
    """The report_fields columns, in the order they first appear."""
    extra = []
    for row in rows:
        for column in row:
            if column not in COLUMNS and column not in DERIVED and column not in extra:
                extra.append(column)
    return extra


def columns_of(rows):
    """The CSV's columns: the fixed ones, the outcome, then the report_fields columns."""
    return list(COLUMNS) + list(_report.CSV_DERIVED) + field_columns(rows)


def contact_details(name, result, facts):
    """{steps, context} of one contact: the batch result's own when it carries them (the source of
    truth), else the contact's facts (``facts``: hostvars, or any mapping of contact to variables with
    studio_steps and studio_context) - a gather-only run, or a batch that wrote them to a results
    file. The facts count only when they are of the same Execution."""
    found = {'steps': result.get('steps'), 'context': result.get('context')}
    if found['steps'] is not None and found['context'] is not None:
        return found
    try:
        variables = facts[name] if facts is not None else None
    except (KeyError, TypeError):
        variables = None
    if variables is None:
        return found
    execution = variables.get('studio_execution') or {}
    sid = (result.get('execution') or {}).get('sid')
    if isinstance(execution, dict) and execution.get('sid') and sid and execution.get('sid') != sid:
        return found  # facts of another Execution (an older run's) say nothing of this one
    if found['steps'] is None:
        found['steps'] = variables.get('studio_steps') or []
    if found['context'] is None:
        found['context'] = variables.get('studio_context') or {}
    return found


def render(rows, fmt, mask=False, personal=None, **page):
    """``rows`` in ``fmt``; masked first when ``mask``."""
    if fmt not in FORMATS:
        raise AnsibleFilterError('studio_report: fmt must be json, csv, html, lines or rows, got %r' % (fmt,))
    personal = _names('studio_report_personal', personal)
    if _flag('studio_report_mask', mask):
        rows = [_report.mask_row(row, personal) for row in rows]
    try:
        if fmt == 'rows':
            return rows
        if fmt == 'json':
            return json.dumps(rows, indent=2, sort_keys=False) + '\n'
        if fmt == 'csv':
            return _report.csv_text(rows, columns_of(rows))
        if fmt == 'lines':
            return summary_lines(rows)
        return _report.html_page(rows, field_columns(rows), **page)
    except ReportError as exc:
        raise AnsibleFilterError(to_native(exc))


def _flag(option, value):
    """A boolean option given as a bool or as Ansible's words for one (``true``, ``no``, ...)."""
    try:
        return boolean(value, strict=True)
    except TypeError:
        raise AnsibleFilterError('%s must be true or false, got %r' % (option, value))


def _names(option, value):
    if value in (None, ''):
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(item, str) for item in value):
        raise AnsibleFilterError('%s must be a list of report column names, got %r' % (option, value))
    return list(value)


def studio_report(batch, failures=None, fmt='json', facts=None, title='Studio campaign report', definition=None,
                  flow=None, timezone='UTC', mask=False, personal=None, waiting_hours=24, state=None, now=None):
    """The report of a studio_campaign result: ``fmt`` is json, csv, html, lines (the summary) or rows (the data).
    ``facts`` gives each contact's Steps and Context where the batch result does not; ``definition`` the Flow's
    widgets in order; the rest is for the page (see the filter's documentation)."""
    if fmt == 'check':
        return check_options(timezone, mask, personal, waiting_hours)
    rows = report_rows(batch, failures, facts)
    return render(rows, fmt, mask, personal, title=title or 'Studio campaign report', definition=definition,
                  flow=flow, timezone=timezone or 'UTC', waiting_hours=24 if waiting_hours in (None, '') else
                  waiting_hours, state=state, generated=now)


def check_options(timezone='UTC', mask=False, personal=None, waiting_hours=24):
    """True when the report's options are right; an error naming the option otherwise. For a check
    before anything is sent (``fmt='check'``), so that a misspelt time zone does not lose the report."""
    try:
        _report.zone(timezone or 'UTC')
        _report.hours(24 if waiting_hours in (None, '') else waiting_hours)
    except ReportError as exc:
        raise AnsibleFilterError(to_native(exc))
    _flag('studio_report_mask', mask)
    _names('studio_report_personal', personal)
    return True


def studio_report_from(path, fmt='html', title=None, campaign=None, fields=None, timezone='UTC', mask=False,
                       personal=None, waiting_hours=24, now=None):
    """The report made again from a file: a JSON Lines export (read line by line), a JSON report or an AWX
    artifact."""
    if not isinstance(path, str) or not path:
        raise AnsibleFilterError('studio_report_from: give the path of a JSON Lines export, a JSON report or an '
                                 'AWX artifact, got %r' % (path,))
    if fields is not None and not (isinstance(fields, dict) and all(isinstance(v, str) for v in fields.values())):
        raise AnsibleFilterError('studio_report_fields must be a dict of column: Context path, got %r' % (fields,))
    try:
        rows, source = _report.read_report_source(path, campaign or None, fields or {})
    except ReportError as exc:
        raise AnsibleFilterError(to_native(exc))
    if not title:
        sids = sorted(set(row.get('flow_sid') for row in rows if row.get('flow_sid')))
        title = 'Campaign report: %s' % ', '.join(sids) if sids else 'Studio campaign report'
    return render(rows, fmt, mask, personal, title=title, timezone=timezone or 'UTC',
                  waiting_hours=24 if waiting_hours in (None, '') else waiting_hours,
                  state=None, generated=now, source=source)


def summary_lines(rows):
    """The counts of each action, then one line per contact (only the failed ones past SUMMARY_LINES).
    Bidirectional controls in names and messages are shown as code points."""
    counts = {}
    for row in rows:
        counts[row['action']] = counts.get(row['action'], 0) + 1
    text = _report.neutral
    lines = ['%d contacts: %s' % (len(rows), ', '.join('%s %d' % (text(action), counts[action])
                                                       for action in sorted(counts)))]
    for action, title in (('created', 'triggered now'), ('active', 'already running'),
                          ('campaign', 'already reached by this campaign')):
        names = [text(row['contact']) for row in rows if row['action'] == action]
        if names:
            lines.append('%s: %s' % (title, ', '.join(names[:20]) + (' and %d more' % (len(names) - 20)
                                                                     if len(names) > 20 else '')))
    opted = [text(row['contact']) for row in rows if _report.opt_out_of(row)]
    if opted:
        more = ' and %d more' % (len(opted) - 20) if len(opted) > 20 else ''
        lines.append('opted out (replied %s; do not message them again): %s%s'
                     % ('/'.join(_report.OPT_OUT), ', '.join(opted[:20]), more))
    shown = rows if len(rows) <= SUMMARY_LINES else [row for row in rows if row['error']]
    for row in shown:
        name = text(row['contact'])
        if row['error']:
            lines.append('%s: FAILED - %s' % (name, text(row['error'])))
        elif row['action'].startswith('would '):
            lines.append('%s: %s %s' % (name, row['action'], row['execution_sid'] or 'an Execution'))
        elif row['execution_sid']:
            lines.append('%s: %s %s (%s), last widget %s' % (name, row['execution_sid'], row['status'],
                                                             row['action'], text(row['last_widget']) or '(none)'))
        else:
            lines.append('%s: no Execution (%s)' % (name, row['action']))
    return lines


class FilterModule(object):
    def filters(self):
        return {'studio_report': studio_report, 'studio_report_from': studio_report_from}
