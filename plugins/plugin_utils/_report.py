# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the telephony.twilio collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""What happened in a campaign, per contact and in total - and the HTML page a manager reads.

A report is built from *rows*, one per contact: the fixed columns (contact, to, execution_sid, status,
action, date_created, last_widget, steps, error), what ``describe`` derives from the contact's Steps
and Context (outcome, ended_by, ended_at, path, replies, from, account_sid, flow_sid, campaign) and
the report fields. The rows are the JSON report and the AWX artifact, so the page can be made again
from either, or from a JSON Lines export (``rows_from_export``, streamed)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import datetime
import html
import io
import json
import math
import re

from ansible_collections.telephony.twilio.plugins.module_utils._context_path import dig
from ansible_collections.telephony.twilio.plugins.module_utils._files import MAX_LINE

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
except ImportError:  # pragma: no cover - Python < 3.9 (the controller needs 3.10 or later anyway)
    ZoneInfo = ZoneInfoNotFoundError = None

ENDED = 'Ended'
TRIGGERED_ACTIONS = ('created', 'restarted')
TOP_ANSWERS = 12
COLUMNS = ('contact', 'to', 'execution_sid', 'status', 'action', 'date_created', 'last_widget', 'steps', 'error')
# What describe() adds to a row; CSV gets the scalar ones that a spreadsheet needs.
DERIVED = ('outcome', 'ended_by', 'ended_at', 'date_updated', 'from', 'account_sid', 'flow_sid', 'campaign',
           'path', 'replies')
CSV_DERIVED = ('outcome',)
CAMPAIGN_KEY = 'ansible_campaign'
# Twilio's default opt-out keywords, matched as the whole reply, whatever the case.
OPT_OUT = ('STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT')
NUMBER_WORDS = dict((word, n + 1) for n, word in enumerate(
    ('one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten')))
# A question is numeric when at least this share of its answers (opt-outs aside) are numbers.
NUMERIC_SHARE = 0.75
MONTHS = ('Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec')
# Bidirectional controls: embeddings and overrides (U+202A-U+202E), isolates (U+2066-U+2069), and
# the marks (U+200E, U+200F, U+061C). Shown as their code point, never obeyed.
BIDI = re.compile(u'[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]')
# A phone number inside text: 7 digits or more, maybe with a +, spaces, dots, dashes or brackets;
# not part of a longer word (an Execution SID's hexadecimal digits are not a number).
PHONE = re.compile(r'(?<![\w+])\+?\d(?:[ .()-]?\d){6,}(?!\w)')
MASK = u'\u2022\u2022\u2022'
# A cell a spreadsheet would read as a formula (OWASP "CSV Injection").
FORMULA_START = ('=', '+', '-', '@', '\t', '\r')
# Longest text shown in a table cell or chart label; the whole value is in its tooltip.
CELL_CHARS = 80
LABEL_CHARS = 30
# The attention lists show this many contacts each, and this many more when opened; the table has them all.
ATTENTION_SHOWN = 10
ATTENTION_ROWS = 100
# The contact table comes in pages of this many rows (collapsed but the first).
TABLE_PAGE = 500
STATE_NAMES = {'present': 'run_flow.yml', 'gathered': 'gather_facts.yml', 'ended': 'end_active.yml',
               'export': 'report.yml'}


class ReportError(ValueError):
    """Bad input to the report, said in words (the filter turns it into an Ansible error)."""


# -- text ----------------------------------------------------------------------------------------
def neutral(value):
    """``value`` as text with every bidirectional control shown as its code point (``<U+202E>``)."""
    text = '' if value is None else value if isinstance(value, str) else str(value)
    return BIDI.sub(lambda match: '<U+%04X>' % ord(match.group(0)), text)


def mask_number(text):
    """Every phone number in ``text`` masked: ``+15551230123`` is ``+1555•••0123``."""
    def one(match):
        number = match.group(0)
        digits = re.sub(r'\D', '', number)
        return ('+' if number.startswith('+') else '') + digits[:4] + MASK + digits[-4:]
    return PHONE.sub(one, '' if text is None else str(text))


def mask_row(row, personal=()):
    """A copy of ``row`` with phone numbers masked in its text and the ``personal`` columns hidden."""
    out = dict(row)
    for column in ('contact', 'to', 'error'):
        out[column] = mask_number(row.get(column))
    for column in personal or ():
        if column in out and out[column] not in (None, ''):
            out[column] = MASK
    for column, value in row.items():
        if column not in COLUMNS and column not in DERIVED and column not in (personal or ()) \
                and isinstance(value, str):
            out[column] = mask_number(value)
    replies = row.get('replies')
    if isinstance(replies, dict):
        out['replies'] = dict((widget, dict(reply, body=mask_number(reply.get('body')))
                               if isinstance(reply, dict) else reply) for widget, reply in replies.items())
    return out


def csv_cell(value):
    """A CSV cell a spreadsheet shows as text: bidi controls shown, and a cell that would start a
    formula (``= + - @``, tab, carriage return) starts with ``'`` instead."""
    if value is None:
        return ''
    if not isinstance(value, str):
        value = json.dumps(value) if isinstance(value, (dict, list)) else str(value)
    value = neutral(value)
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_text(rows, columns):
    """CSV for spreadsheets: every field quoted, rows ending with CR LF (a line break inside a value
    stays inside its quoted cell), every cell through ``csv_cell``."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator='\r\n')
    writer.writerow([csv_cell(column) for column in columns])
    for row in rows:
        writer.writerow([csv_cell(row.get(column, '')) for column in columns])
    return out.getvalue()


# -- times ---------------------------------------------------------------------------------------
def zone(name):
    """The ZoneInfo of an IANA time zone name; ReportError naming the option otherwise."""
    name = name or 'UTC'
    if isinstance(name, str) and name.upper() in ('UTC', 'Z'):
        name = 'UTC'
    if not isinstance(name, str) or not re.match(r'^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$', name):
        raise ReportError('studio_report_timezone must be an IANA time zone name such as UTC or Europe/Paris, '
                          'got %r' % (name,))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ReportError('studio_report_timezone must be an IANA time zone name such as UTC or Europe/Paris, '
                          'got %r (not in the time zone database; a system without one needs the tzdata package)' % (name,))


def parse_time(value):
    """An aware datetime from an ISO 8601 text (``2026-11-30T09:46:43Z``), or None."""
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace('Z', '+00:00').replace('z', '+00:00')
    try:
        found = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=datetime.timezone.utc)


def short_time(moment, tz, year=False):
    """``30 Nov 09:46`` (with the year: ``30 Nov 2026 09:46``) in ``tz``; '' for None."""
    if moment is None:
        return ''
    local = moment.astimezone(tz)
    return '%d %s%s %02d:%02d' % (local.day, MONTHS[local.month - 1], ' %d' % local.year if year else '',
                                  local.hour, local.minute)


def full_time(moment, tz):
    return moment.astimezone(tz).isoformat() if moment is not None else ''


def duration(seconds):
    """``45 s``, ``12 min``, ``3 h 05 min``, ``2 d 4 h``; '' for None."""
    if seconds is None:
        return ''
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return '%d s' % seconds
    if seconds < 3600:
        return '%d min' % (seconds // 60)
    if seconds < 86400:
        return '%d h %02d min' % (seconds // 3600, seconds % 3600 // 60)
    return '%d d %d h' % (seconds // 86400, seconds % 86400 // 3600)


def between(start, end):
    start, end = parse_time(start), parse_time(end)
    return (end - start).total_seconds() if start is not None and end is not None else None


def percentile(values, share):
    """The nearest-rank percentile (``share`` 0.5 is the median) of ``values``, or None."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, int(math.ceil(share * len(ordered))) - 1)]


# -- one contact ---------------------------------------------------------------------------------
def step_time(step):
    return step.get('date_created') or step.get('created') or ''


def contact_path(steps):
    """The widgets one contact reached, in order, from its Steps (oldest first): the widget each Step
    left, then the one the last Step entered (unless that is the end)."""
    path = []
    for step in steps or []:
        for widget in (step.get('transitioned_from'), step.get('transitioned_to')):
            if widget and widget != ENDED and (not path or path[-1] != widget):
                path.append(widget)
    return path


def replies_of(steps, context):
    """{widget: {body, at}}: each widget that received a reply (``widgets.NAME.inbound.Body`` in the
    Context, the latest one), and when (the last Step that left the widget on ``incomingMessage``)."""
    found = {}
    widgets = (context or {}).get('widgets') if isinstance(context, dict) else None
    for name, data in (widgets if isinstance(widgets, dict) else {}).items():
        inbound = data.get('inbound') if isinstance(data, dict) else None
        if isinstance(inbound, dict) and inbound.get('Body') is not None:
            found[name] = {'body': str(inbound['Body']), 'at': ''}
    for step in steps or []:
        widget = step.get('transitioned_from')
        if step.get('name') == 'incomingMessage' and widget in found:
            found[widget]['at'] = step_time(step)
    return found


def stopped_by_limit(steps):
    """Whether Studio stopped the Execution itself: 1,000 Steps, or one widget entered 10 times in a row."""
    if len(steps) >= 1000:
        return True
    last = [step.get('transitioned_to') for step in steps[-10:]]
    return len(last) == 10 and len(set(last)) == 1


def ending(row, steps):
    """(outcome, ended_by, ended_at) of one contact.

    An Execution that ended through its Flow has a last Step that goes to ``Ended``. One that ended
    while it waited in a widget - its last Step goes into that widget and no Step leaves it - was
    ended from outside: through the API (``end_active.yml``, ``studio_execution state=ended``, the
    console), unless Studio's own limits stopped it. Studio documents neither case; this is how its
    Steps look, and how the emulator answers."""
    if row.get('error') or row.get('action') == 'failed':
        return 'failed', '', ''
    if not row.get('execution_sid'):
        return 'no Execution (%s)' % (row.get('action') or 'none'), '', ''
    path = contact_path(steps)
    widget = path[-1] if path else row.get('last_widget')
    if row.get('action') == 'ended' and row.get('status') == 'ended' and not (steps and steps[-1].get(
            'transitioned_to') == ENDED):
        # end_active.yml ended it now (it reads no Steps: the widget is known only from earlier facts)
        return 'ended by the operator%s' % (' at %s' % widget if widget else ''), 'operator', \
            row.get('date_updated') or ''
    if not widget:
        return 'no Steps read', '', ''
    if row.get('status') == 'active':
        return 'waiting at %s' % widget, '', ''
    if row.get('status') != 'ended':
        return '%s at %s' % (row.get('status') or 'unknown', widget), '', ''
    if steps and steps[-1].get('transitioned_to') == ENDED:
        return 'ended after %s' % widget, 'flow', step_time(steps[-1])
    if steps and stopped_by_limit(steps):
        return "stopped by Studio's limits at %s" % widget, 'limit', row.get('date_updated') or ''
    if steps or row.get('action') == 'ended':
        return 'ended by the operator at %s' % widget, 'operator', row.get('date_updated') or ''
    return 'ended after %s' % widget, 'flow', row.get('date_updated') or ''


def describe(row, steps=None, context=None):
    """``row`` with what its Steps (chronological) and Context say: outcome, ended_by, ended_at, path,
    replies, and the Execution's sender, account, Flow and campaign key. Rows described already
    (from a JSON report) keep what they say when there is nothing new to read."""
    out = dict(row)
    steps = [step for step in (steps or []) if isinstance(step, dict)]
    context = context if isinstance(context, dict) else {}
    flow = context.get('flow') if isinstance(context.get('flow'), dict) else {}
    data = flow.get('data') if isinstance(flow.get('data'), dict) else {}
    channel = flow.get('channel') if isinstance(flow.get('channel'), dict) else {}
    if steps or 'outcome' not in row:
        out['outcome'], out['ended_by'], out['ended_at'] = ending(row, steps)
    if steps or 'path' not in row:
        out['path'] = contact_path(steps)
    if context or 'replies' not in row:
        out['replies'] = replies_of(steps, context)
    for key, value in (('from', channel.get('address')), ('campaign', data.get(CAMPAIGN_KEY)),
                       ('flow_sid', flow.get('flow_sid'))):
        if value or key not in out:
            out[key] = value or ''
    for key in ('account_sid', 'date_updated'):
        out.setdefault(key, '')
    return out


def is_opt_out(text):
    return isinstance(text, str) and text.strip().upper() in OPT_OUT


def number_of(text):
    """The number an answer says (``5``, ``4.5``, ``4,5``, ``five``), or None."""
    word = ' '.join(str(text).split()).lower()
    if word in NUMBER_WORDS:
        return NUMBER_WORDS[word]
    if re.match(r'^[+-]?\d{1,9}([.,]\d{1,6})?$', word):
        value = float(word.replace(',', '.'))
        return int(value) if value == int(value) else value
    return None


# -- reading a report back -----------------------------------------------------------------------


def rows_from_export(handle, campaign=None, fields=None, personal=None):
    """(rows, executions read) from a JSON Lines export (``studio_execution_export``), streamed: a line
    is read, reduced to its contact's row, and dropped, so memory holds one row per contact whatever
    the size of the lines. A contact's latest Execution (``date_created``) is its row; with
    ``campaign``, only Executions carrying that campaign key count."""
    latest, read = {}, 0
    number = 0
    while True:
        line = handle.readline(MAX_LINE + 1)
        if not line:
            break
        number += 1
        if len(line) > MAX_LINE:
            raise ReportError('studio_report_from: line %d is longer than %d bytes; not an export of this '
                              'collection' % (number, MAX_LINE))
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            if not line.endswith('\n') and read:
                break  # a last line an export's interruption cut short: the export repairs it on its next run
            raise ReportError('studio_report_from: line %d is not JSON; a JSON Lines export '
                              '(export_executions.yml) has one Execution per line' % number)
        execution = item.get('execution') if isinstance(item, dict) else None
        if not isinstance(execution, dict):
            raise ReportError('studio_report_from: line %d has no "execution"; a JSON Lines export '
                              '(export_executions.yml) has one Execution per line' % number)
        read += 1
        context = item.get('context') if isinstance(item.get('context'), dict) else {}
        if campaign and ((context.get('flow') or {}).get('data') or {}).get(CAMPAIGN_KEY) != campaign:
            continue
        address = execution.get('contact_channel_address') or ''
        known = latest.get(address)
        if known is not None and (known['date_created'], known['execution_sid']) >= \
                (execution.get('date_created') or '', execution.get('sid') or ''):
            continue
        steps = item.get('steps') if isinstance(item.get('steps'), list) else []
        row = {'contact': address, 'to': address, 'execution_sid': execution.get('sid') or '',
               'status': execution.get('status') or '', 'action': 'exported',
               'date_created': execution.get('date_created') or '', 'last_widget': '',
               'steps': len(steps), 'error': '', 'date_updated': execution.get('date_updated') or '',
               'account_sid': execution.get('account_sid') or ''}
        row = describe(row, steps, context)
        row['last_widget'] = row['path'][-1] if row['path'] else ''
        row['flow_sid'] = row['flow_sid'] or execution.get('flow_sid') or ''
        for column, path in (fields or {}).items():
            row[column] = dig(context, path)
        latest[address] = row
    return [latest[address] for address in sorted(latest)], read


def rows_from_json(data):
    """The rows of a JSON report (a list of rows) or of an AWX artifact (``{"studio_report": rows}``, or
    the job itself with them under ``artifacts``)."""
    if isinstance(data, dict):
        data = (data.get('artifacts') or {}).get('studio_report') if 'artifacts' in data else data.get('studio_report')
    if not isinstance(data, list) or not all(isinstance(row, dict) and 'contact' in row for row in data):
        raise ReportError('studio_report_from: not a report - expected a JSON Lines export (export_executions.yml), '
                          'a JSON report (studio_report_path=*.json) or an AWX artifact holding studio_report')
    return [describe(dict(dict((column, '') for column in COLUMNS), **row)) for row in data]


def read_report_source(path, campaign=None, fields=None):
    """(rows, what the file is) from a JSON Lines export, a JSON report or an AWX artifact."""
    try:
        handle = io.open(path, 'r', encoding='utf-8')
    except (IOError, OSError) as exc:
        raise ReportError('studio_report_from: cannot read %s: %s' % (path, exc.strerror or exc))
    with handle:
        try:
            first = handle.readline(MAX_LINE + 1)
            if not first:
                raise ReportError('studio_report_from: %s is empty - expected a JSON Lines export '
                                  '(export_executions.yml), a JSON report or an AWX artifact' % path)
            try:
                item = json.loads(first) if first.strip() else None
            except ValueError:
                item = None
            if isinstance(item, dict) and isinstance(item.get('execution'), dict):
                handle.seek(0)
                rows, read = rows_from_export(handle, campaign, fields)
                return rows, 'a JSON Lines export (%d Executions read)' % read
            handle.seek(0)
            try:
                data = json.load(handle)
            except ValueError:
                raise ReportError('studio_report_from: %s is neither JSON Lines nor JSON - expected a JSON Lines '
                                  'export (export_executions.yml), a JSON report or an AWX artifact' % path)
        except UnicodeDecodeError:
            raise ReportError('studio_report_from: %s is not UTF-8 text' % path)
    rows = rows_from_json(data)
    if campaign:
        rows = [row for row in rows if row.get('campaign') == campaign]
    return rows, 'the AWX artifact' if isinstance(data, dict) else 'a JSON report'


# -- the numbers ---------------------------------------------------------------------------------
def flow_order(definition):
    """The widgets of a Flow definition in the order a contact meets them: breadth first from the
    initial state, following each widget's transitions in their order."""
    states = dict((state.get('name'), state) for state in (definition or {}).get('states') or []
                  if isinstance(state, dict))
    start = (definition or {}).get('initial_state') or 'Trigger'
    order, queue = [], [start] if start in states else []
    while queue:
        name = queue.pop(0)
        if name in order:
            continue
        order.append(name)
        for transition in states[name].get('transitions') or []:
            target = transition.get('next') if isinstance(transition, dict) else None
            if target in states and target not in order:
                queue.append(target)
    return order


def funnel(paths, definition=None):
    """[(widget, contacts that reached it)].

    A contact counts once per widget however often it went through it (loops count contacts, not
    visits). With the Flow's ``definition`` the widgets come in the Flow's order (breadth first from
    the trigger), those nobody reached included with 0; without it, in the order contacts reached
    them (the earliest position at which any contact did)."""
    first_seen, reached = {}, {}
    for path in paths:
        for position, widget in enumerate(path):
            if widget not in first_seen or position < first_seen[widget]:
                first_seen[widget] = position
        for widget in set(path):
            reached[widget] = reached.get(widget, 0) + 1
    by_reach = sorted(reached, key=lambda widget: (first_seen[widget], -reached[widget], widget))
    order = flow_order(definition)
    order += [widget for widget in by_reach if widget not in order]
    return [(widget, reached.get(widget, 0)) for widget in order]


def outcome(row, steps):
    """Where one contact stopped, in words."""
    return ending(row, steps)[0]


def question_widgets(definition):
    return [state.get('name') for state in (definition or {}).get('states') or []
            if isinstance(state, dict) and state.get('type') == 'send-and-wait-for-reply']


def answers(rows, definition=None):
    """{widget: question} for each widget that waited for a reply, from the rows' ``replies``.

    A question has ``asked`` (contacts that reached the widget), ``replied``, ``opted_out`` (replies
    that are an opt-out keyword, kept out of the answers), ``items`` [(label, count)] - by value when
    the answers are numbers (``numeric``, with ``mean`` and ``counted``), else by count with the long
    tail as one "other" item - ``variants`` {label: {raw text: count}}, and ``to_reply`` (seconds
    from the start of the Execution to each reply)."""
    questions = {}
    for name in question_widgets(definition):
        questions[name] = {'replies': [], 'opted_out': 0, 'to_reply': [], 'asked': 0}
    for row in rows:
        replies = row.get('replies') if isinstance(row.get('replies'), dict) else {}
        for name, reply in replies.items():
            question = questions.setdefault(name, {'replies': [], 'opted_out': 0, 'to_reply': [], 'asked': 0})
            body = ' '.join(str((reply or {}).get('body', '')).split())
            if is_opt_out(body):
                question['opted_out'] += 1
                continue
            question['replies'].append(body)
            wait = between(row.get('date_created'), (reply or {}).get('at'))
            if wait is not None:
                question['to_reply'].append(wait)
    for row in rows:
        path = row.get('path') if isinstance(row.get('path'), list) else []
        replies = row.get('replies') if isinstance(row.get('replies'), dict) else {}
        for name, question in questions.items():
            if name in path or name in replies:
                question['asked'] += 1
    return dict((name, rank(question)) for name, question in questions.items())


def rank(question):
    texts = question.pop('replies')
    numbers = [number_of(text) for text in texts]
    counted = [value for value in numbers if value is not None]
    question.update(replied=len(texts) + question['opted_out'], answered=len(texts), variants={},
                    numeric=bool(texts) and len(counted) >= NUMERIC_SHARE * len(texts))
    if question['numeric']:
        counts, other = {}, 0
        for text, value in zip(texts, numbers):
            if value is None:
                other += 1
                continue
            counts[value] = counts.get(value, 0) + 1
            question['variants'].setdefault(str(value), {}).setdefault(text, 0)
            question['variants'][str(value)][text] += 1
        values = sorted(counts)
        if all(isinstance(v, int) for v in values) and values[-1] - values[0] <= 20:
            values = list(range(values[0], values[-1] + 1))
        question['items'] = [(str(value), counts.get(value, 0)) for value in values]
        if other:
            question['items'].append(('other (not a number)', other))
        question['counted'] = len(counted)
        question['mean'] = sum(counted) / float(len(counted))
        return question
    groups, spelling = {}, {}
    for text in texts:
        key = text.casefold()
        groups[key] = groups.get(key, 0) + 1
        spelling.setdefault(key, {}).setdefault(text, 0)
        spelling[key][text] += 1
    labels = dict((key, max(forms.items(), key=lambda item: item[1])[0]) for key, forms in spelling.items())
    ranked = sorted(((labels[key], count) for key, count in groups.items()), key=lambda item: (-item[1], item[0]))
    for key, forms in spelling.items():
        question['variants'][labels[key]] = forms
    if len(ranked) > TOP_ANSWERS:
        rest = ranked[TOP_ANSWERS - 1:]
        ranked = ranked[:TOP_ANSWERS - 1] + [('other answers (%d different)' % len(rest), sum(c for a, c in rest))]
    question['items'] = ranked
    return question


def totals(rows, waiting=0):
    """The headline counts of a campaign's rows."""
    count = dict(contacts=len(rows), triggered=0, adopted=0, campaign=0, failed=0, active=0, ended=0,
                 executions=0, none=0, ended_now=0, not_active=0, operator=0, opted_out=0, waiting=waiting)
    for row in rows:
        action = row.get('action') or ''
        if row.get('error') or action == 'failed':
            count['failed'] += 1
        elif action in TRIGGERED_ACTIONS:
            count['triggered'] += 1
        elif action == 'active':
            count['adopted'] += 1
        elif action == 'campaign':
            count['campaign'] += 1
        elif action == 'ended':
            count['ended_now'] += 1
        elif action == 'not active':
            count['not_active'] += 1
        if row.get('execution_sid'):
            count['executions'] += 1
        elif not row.get('error') and action != 'failed':
            count['none'] += 1
        if row.get('status') == 'active':
            count['active'] += 1
        elif row.get('status') == 'ended':
            count['ended'] += 1
        if row.get('ended_by') == 'operator':
            count['operator'] += 1
        if opt_out_of(row):
            count['opted_out'] += 1
    return count


def opt_out_of(row):
    """(widget, reply) of the contact's opt-out, or None."""
    replies = row.get('replies') if isinstance(row.get('replies'), dict) else {}
    for widget in sorted(replies):
        reply = replies[widget] or {}
        if is_opt_out(reply.get('body')):
            return widget, reply
    return None


def infer_state(rows):
    actions = set(row.get('action') for row in rows)
    if actions & set(TRIGGERED_ACTIONS + ('campaign', 'would create', 'would restart')):
        return 'present'
    if actions & set(('ended', 'not active', 'would end')):
        return 'ended'
    if actions & set(('exported',)):
        return 'export'
    return 'gathered'


def cards_for(state, count):
    """The cards that can apply to the playbook that made the page: (key, label, kind)."""
    if state == 'present':
        cards = [('contacts', 'Contacts'), ('triggered', 'Triggered now'),
                 ('adopted', 'Already running (adopted)')]
        if count['campaign']:
            cards.append(('campaign', 'Reached earlier by this campaign'))
        cards += [('failed', 'Failed'), ('active', 'Still active'), ('ended', 'Ended')]
    elif state == 'ended':
        cards = [('contacts', 'Contacts'), ('ended_now', 'Ended now by this run'),
                 ('not_active', 'Not active (nothing to end)'), ('none', 'No Execution'), ('failed', 'Failed')]
    else:
        cards = [('contacts', 'Contacts'), ('executions', 'With an Execution')]
        if state != 'export':
            cards += [('none', 'No Execution'), ('failed', 'Failed')]
        cards += [('active', 'Still active'), ('ended', 'Ended')]
    if state != 'ended':
        cards += [('operator', 'Ended by the operator'), ('opted_out', 'Opted out'), ('waiting', 'Waiting too long')]
    alert = ('failed',)
    warn = ('opted_out', 'waiting')
    return [(key, label, 'alert' if key in alert and count[key] else 'warn' if key in warn and count[key] else '')
            for key, label in cards]


# -- the page ------------------------------------------------------------------------------------
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1a1a1a;background:#fff;
margin:0;line-height:1.45}
main{max-width:76rem;margin:0 auto;padding:1.5rem}
h1{font-size:1.7rem;margin:.2rem 0;overflow-wrap:anywhere}
h2{font-size:1.25rem;margin:2rem 0 .5rem;border-bottom:2px solid #d0d7de;padding-bottom:.2rem}
h3{font-size:1.05rem;margin:1.2rem 0 .3rem;overflow-wrap:anywhere}
p.lead{color:#3d3d3d;margin:.2rem 0 1rem}
dl.about{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:.5rem 0 1rem;font-size:.95rem}
dl.about dt{color:#3d3d3d}dl.about dd{margin:0;overflow-wrap:anywhere}
dl.totals{display:flex;flex-wrap:wrap;gap:.75rem;margin:0}
dl.totals div{border:1px solid #d0d7de;border-radius:6px;padding:.6rem .9rem;min-width:8.5rem}
dl.totals div.alert{border:2px solid #b3261e;background:#fdecea}dl.totals div.alert dd{color:#b3261e}
dl.totals div.warn{border:2px solid #9a6700;background:#fff8e1}
dl.totals dt{font-size:.85rem;color:#3d3d3d}dl.totals dd{margin:0;font-size:1.6rem;font-weight:600}
section.attention{border-left:4px solid #b3261e;padding-left:1rem}
section.calm{border-left:4px solid #2e7d32;padding-left:1rem}
svg text{font-size:13px;fill:#1a1a1a}svg .bar{fill:#1f4e8c}svg .track{fill:#eef1f4}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:.9rem;min-width:100%}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border-bottom:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top;unicode-bidi:isolate}
th{background:#f3f5f7;white-space:nowrap}td{max-width:22rem;overflow-wrap:break-word}td.who{min-width:8.5rem}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.time,td.sid{white-space:nowrap}td.sid{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.8rem}
tr.failed td{background:#fdecea}tr.optout td{background:#fff8e1}
details{margin:.4rem 0}summary{cursor:pointer;color:#1f4e8c}
details.page>div{content-visibility:auto}
.note{font-size:.9rem;color:#3d3d3d}
.stats{font-size:.95rem;margin:.2rem 0 .4rem}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;overflow-wrap:anywhere}
"""


def _e(value):
    return html.escape(neutral(value), quote=True)


def shown(value, limit=CELL_CHARS):
    """Untrusted text for the page: escaped, bidi controls shown, cut at ``limit`` characters with the
    whole value in a tooltip."""
    text = neutral(value)
    if len(text) <= limit:
        return '<bdi>%s</bdi>' % html.escape(text, quote=True)
    return '<bdi title="%s">%s\u2026</bdi>' % (html.escape(text, quote=True), html.escape(text[:limit - 1]))


def bars(title, items, total, ident, unit='contacts'):
    """A horizontal bar chart as inline SVG, with a text alternative and the numbers as a table."""
    if not items:
        return '<p class="note">Nothing to show.</p>'
    label_width, bar_width, row_height = 250, 420, 28
    height = row_height * len(items) + 8
    top = max(count for dummy, count in items) or 1
    description = '; '.join('%s: %d %s' % (neutral(label), count, unit) for label, count in items)
    parts = ['<svg role="img" aria-labelledby="%s-title %s-desc" width="100%%" viewBox="0 0 %d %d" '
             'xmlns="http://www.w3.org/2000/svg" style="max-width:%dpx">'
             % (ident, ident, label_width + bar_width + 150, height, label_width + bar_width + 150),
             '<title id="%s-title">%s</title>' % (ident, _e(title)),
             '<desc id="%s-desc">%s</desc>' % (ident, html.escape(description, quote=True))]
    for n, (label, count) in enumerate(items):
        y = 4 + n * row_height
        width = max(2, int(round(bar_width * count / float(top)))) if count else 0
        share = ' (%d%%)' % round(100.0 * count / total) if total else ''
        text = neutral(label)
        cut = text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 1] + '\u2026'
        parts.append('<text x="%d" y="%d" text-anchor="end"><title>%s</title>%s</text>'
                     % (label_width - 8, y + 18, html.escape(text, quote=True), html.escape(cut)))
        parts.append('<rect class="track" x="%d" y="%d" width="%d" height="20" rx="3"/>'
                     % (label_width, y + 3, bar_width))
        parts.append('<rect class="bar" x="%d" y="%d" width="%d" height="20" rx="3"/>' % (label_width, y + 3, width))
        parts.append('<text x="%d" y="%d">%d%s</text>' % (label_width + bar_width + 8, y + 18, count, share))
    parts.append('</svg>')
    table = ['<details><summary>%s as a table</summary><div class="scroll"><table><thead><tr><th scope="col">%s'
             '</th><th scope="col">%s</th></tr></thead><tbody>' % (_e(title), 'item', _e(unit))]
    table.extend('<tr><td>%s</td><td class="num">%d</td></tr>' % (shown(label), count) for label, count in items)
    table.append('</tbody></table></div></details>')
    return '\n'.join(parts) + '\n' + ''.join(table)


def _time_cell(value, tz):
    moment = parse_time(value)
    if moment is None:
        return '<td class="time">%s</td>' % _e(value)
    return '<td class="time" title="%s">%s</td>' % (_e(full_time(moment, tz)), _e(short_time(moment, tz)))


def _header(rows, flow, tz, tz_name, generated, state, source):
    """The "what this was" list: campaign key, Flow, sender, account, window, time zone."""
    def listed(values, limit=3):
        values = sorted(set(value for value in values if value))
        if not values:
            return '<span class="note">not known</span>'
        more = ' and %d more' % (len(values) - limit) if len(values) > limit else ''
        return ', '.join(shown(value) for value in values[:limit]) + more
    flow = flow or {}
    starts = [moment for moment in (parse_time(row.get('date_created')) for row in rows) if moment]
    name = flow.get('friendly_name')
    flow_sids = set(row.get('flow_sid') for row in rows if row.get('flow_sid'))
    if flow.get('sid'):
        flow_sids = set([flow['sid']])
    revision = flow.get('revision')
    about = [('Campaign key', listed(row.get('campaign') for row in rows)),
             ('Flow', '%s%s' % (shown(name) + ' ' if name else '',
                                '<code>%s</code>' % ', '.join(_e(sid) for sid in sorted(flow_sids))
                                if flow_sids else '')),
             ('Flow revision', _e(revision) if revision not in (None, '') else
              '<span class="note">not known (%s)</span>'
              % ('not read' if state != 'export' else 'an export does not hold it')),
             ('Sender', listed(row.get('from') for row in rows)),
             ('Account', listed(row.get('account_sid') for row in rows)),
             ('First Execution', _e(short_time(min(starts), tz, year=True)) if starts else 'none'),
             ('Last Execution', _e(short_time(max(starts), tz, year=True)) if starts else 'none'),
             ('Time zone', '%s (every time on this page)' % _e(tz_name)),
             ('Made by', '%s, %s%s' % (_e(STATE_NAMES.get(state, state)), _e(short_time(generated, tz, year=True)),
                                       ', from %s' % _e(source) if source else ''))]
    return '<dl class="about" id="about">%s</dl>' % ''.join(
        '<dt>%s</dt><dd id="about-%s">%s</dd>' % (_e(label), label.lower().replace(' ', '-'), value)
        for label, value in about)


def _numbers_differ(rows):
    """Whether the Number column says anything the Contact column does not (hosts named by number)."""
    return any(row.get('to') and row.get('to') != row.get('contact') for row in rows)


def _who(row, numbers):
    cells = '<td class="who">%s</td>' % shown(row.get('contact'))
    return cells + ('<td class="who">%s</td>' % shown(row.get('to')) if numbers else '')


def _attention(rows, waiting, waiting_hours, tz, now):
    failed = [row for row in rows if row.get('error') or row.get('action') == 'failed']
    opted = [(row, opt_out_of(row)) for row in rows if opt_out_of(row)]
    if not failed and not opted and not waiting:
        return ('<section id="attention" class="calm" aria-labelledby="attention-h"><h2 id="attention-h">Needs '
                'attention</h2><p>Nobody: no contact failed, nobody opted out, nobody has waited more than %s.</p>'
                '</section>' % _e(duration(waiting_hours * 3600)))
    out = ['<section id="attention" class="attention" aria-labelledby="attention-h"><h2 id="attention-h">Needs '
           'attention</h2>']
    numbers = _numbers_differ(rows)

    def table(ident, caption, head, lines):
        head = ''.join('<th scope="col">%s</th>' % _e(h) for h in (('Contact', 'Number') if numbers else ('Contact',))
                       + head)
        out.append('<div class="scroll"><table id="%s"><caption>%s</caption><thead><tr>%s</tr></thead><tbody>%s'
                   '</tbody></table></div>' % (ident, caption, head, ''.join(lines[:ATTENTION_SHOWN])))
        if len(lines) > ATTENTION_SHOWN:
            out.append('<details><summary>%d more</summary><div class="scroll"><table><thead><tr>%s</tr></thead>'
                       '<tbody>%s</tbody></table></div>%s</details>'
                       % (len(lines) - ATTENTION_SHOWN, head, ''.join(lines[ATTENTION_SHOWN:ATTENTION_ROWS]),
                          '<p class="note">and %d more: every contact is in the table below.</p>'
                          % (len(lines) - ATTENTION_ROWS) if len(lines) > ATTENTION_ROWS else ''))
    if failed:
        table('attention-failed', '%d failed: nothing reached them, or Studio refused them' % len(failed), ('Why',),
              ['<tr class="failed">%s<td>%s</td></tr>' % (_who(row, numbers), shown(row.get('error') or 'failed', 300))
               for row in failed])
    if opted:
        table('attention-optout', '%d opted out: they replied %s - do not message them again' % (
            len(opted), '/'.join(OPT_OUT)), ('Reply', 'To', 'When'),
            ['<tr class="optout">%s<td>%s</td><td>%s</td>%s</tr>'
             % (_who(row, numbers), shown(reply.get('body')), shown(widget, 40), _time_cell(reply.get('at'), tz))
             for row, (widget, reply) in opted])
    if waiting:
        table('attention-waiting', '%d still waiting after more than %s' % (len(waiting), duration(waiting_hours * 3600)),
              ('Waiting at', 'Since', 'For'),
              ['<tr>%s<td>%s</td>%s<td class="num">%s</td></tr>'
               % (_who(row, numbers), shown((row.get('path') or [''])[-1] or row.get('last_widget'), 40),
                  _time_cell(full_time(since, datetime.timezone.utc), tz), _e(duration((now - since).total_seconds())))
               for row, since in waiting])
    out.append('</section>')
    return '\n'.join(out)


def hours(value):
    """``studio_report_waiting_hours`` as a float: a number of hours, 0 or more."""
    try:
        found = float(value)
    except (TypeError, ValueError):
        found = None
    if isinstance(value, bool) or found is None or not 0 <= found < 24 * 366 * 100:
        raise ReportError('studio_report_waiting_hours must be a number of hours, 0 or more, got %r' % (value,))
    return found


def waiting_since(row):
    """When an active contact started waiting where it is: its latest reply or Execution update."""
    times = [parse_time(row.get('date_updated')), parse_time(row.get('date_created'))]
    times += [parse_time((reply or {}).get('at')) for reply in (row.get('replies') or {}).values()
              if isinstance(reply, dict)]
    times = [moment for moment in times if moment]
    return max(times) if times else None


def html_page(rows, columns, title='Studio campaign report', generated=None, definition=None, flow=None,
              timezone='UTC', waiting_hours=24, state=None, source=None):
    """The self-contained report page: no script, no stylesheet or font from anywhere else.

    ``rows`` are described rows (``describe``); ``columns`` the report fields' columns to show;
    ``flow`` what studio_flow_info says of the Flow (friendly_name, sid, revision); ``state`` the
    playbook that made it (present, gathered, ended, export), which decides the cards."""
    tz = zone(timezone)
    now = parse_time(generated) or datetime.datetime.now(datetime.timezone.utc)
    state = state or infer_state(rows)
    waiting_hours = hours(waiting_hours)
    limit = datetime.timedelta(hours=waiting_hours)
    waiting = [(row, waiting_since(row)) for row in rows if row.get('status') == 'active']
    waiting = [(row, since) for row, since in waiting if since is not None and now - since > limit]
    count = totals(rows, len(waiting))
    paths = [row.get('path') for row in rows if row.get('execution_sid') and isinstance(row.get('path'), list)
             and row.get('path')]
    outcomes = {}
    for row in rows:
        label = row.get('outcome') or 'unknown'
        outcomes[label] = outcomes.get(label, 0) + 1
    questions = answers(rows, definition)
    out = ['<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; '
           'img-src data:">',
           '<title>%s</title>' % _e(title), '<style>%s</style>' % CSS, '</head>', '<body>', '<main>',
           '<h1>%s</h1>' % shown(title, 120),
           _header(rows, flow, tz, getattr(tz, 'key', None) or timezone or 'UTC', now, state, source),
           '<section id="totals" aria-labelledby="totals-h"><h2 id="totals-h">Totals</h2><dl class="totals">']
    for key, label, kind in cards_for(state, count):
        out.append('<div%s><dt>%s</dt><dd id="total-%s">%d</dd></div>'
                   % (' class="%s"' % kind if kind else '', _e(label), key, count[key]))
    out.append('</dl><p class="note">Opted out: replied an opt-out keyword (%s, the whole reply) - Twilio blocks '
               'further messages to them from this sender. Waiting too long: still active, with nothing new for '
               'more than %s.</p></section>' % (', '.join(OPT_OUT), _e(duration(waiting_hours * 3600))))
    out.append(_attention(rows, waiting, waiting_hours, tz, now))
    out.append(_answers_section(questions))
    out.append('<section id="funnel" aria-labelledby="funnel-h"><h2 id="funnel-h">Funnel: how many contacts '
               'reached each widget</h2><p class="note">Each contact runs through the Flow\'s widgets (the steps of a '
               'conversation: a message, a question, a check). Widgets in %s; a contact counts once per widget, '
               'however often it passed through it. Out of %d contacts with Steps.</p>'
               % ('the order of the Flow, from its trigger' if definition else 'the order contacts reached them',
                  len(paths)))
    out.append(bars('Contacts reaching each widget', funnel(paths, definition), len(paths), 'funnel-chart'))
    out.append('</section>')
    out.append('<section id="outcomes" aria-labelledby="outcomes-h"><h2 id="outcomes-h">Outcomes: where contacts '
               'stopped</h2>')
    out.append(bars('Where contacts stopped', sorted(outcomes.items(), key=lambda item: (-item[1], item[0])),
                    count['contacts'], 'outcome-chart'))
    out.append('<p class="note" id="ended-note">"Ended after X": the Flow reached its end after widget X. "Ended by '
               'the operator at X": the Execution was ended through the API (end_active.yml, the console) while it '
               'waited at X. "Ended" is about the Flow, not about delivery: a message the Flow sent can still fail '
               'to arrive (unreachable, blocked by the carrier, opted out); its delivery status is in Twilio\'s '
               'Messaging logs, not in Studio.</p></section>')
    out.append(_contacts_section(rows, columns, questions, tz))
    out.append('</main></body></html>')
    return '\n'.join(out) + '\n'


def _answers_section(questions):
    out = ['<section id="answers" aria-labelledby="answers-h"><h2 id="answers-h">Answers</h2>']
    if not questions:
        out.append('<p class="note">No widget of this run waited for a reply, or nobody replied yet.</p>')
    for n, name in enumerate(sorted(questions)):
        q = questions[name]
        rate = ' (%d%%)' % round(100.0 * q['replied'] / q['asked']) if q['asked'] else ''
        out.append('<h3 id="question-%d">%s <span class="note">(<code>widgets.%s.inbound.Body</code>)</span></h3>'
                   % (n, shown(name, 120), _e(name)))
        facts = ['<b>%d of %d</b> asked replied%s' % (q['replied'], q['asked'], rate)]
        if q['opted_out']:
            facts.append('%d opted out (not counted as answers)' % q['opted_out'])
        if q['numeric']:
            facts.append('mean <b>%.1f</b> over %d numeric answers' % (q['mean'], q['counted']))
        if q['to_reply']:
            facts.append('time to reply: median %s, 90%% within %s' % (
                duration(percentile(q['to_reply'], 0.5)), duration(percentile(q['to_reply'], 0.9))))
        out.append('<p class="stats" id="question-%d-stats">%s.</p>' % (n, '; '.join(facts)))
        if q['numeric']:
            out.append('<p class="note">Answers are numbers: in order of value (words one to ten count as '
                       'numbers; the contact table keeps what was written).</p>')
        out.append(bars('Answers to %s' % name, q['items'], q['answered'], 'answers-%d' % n, unit='replies'))
        folded = [(label, forms) for label, forms in sorted(q['variants'].items()) if len(forms) > 1]
        if folded:
            out.append('<p class="note">Counted together: %s.</p>' % '; '.join(
                '%s = %s' % (shown(label, 30), ', '.join('%s (%d)' % (shown(text, 30), c)
                                                         for text, c in sorted(forms.items())))
                for label, forms in folded[:20]))
    out.append('</section>')
    return '\n'.join(out)


def _contacts_section(rows, columns, questions, tz):
    numbers = _numbers_differ(rows)
    heads = ['Contact'] + (['Number'] if numbers else []) + ['Outcome', 'Started']
    for name in sorted(questions):
        heads += ['%s: reply' % name, 'replied', 'to reply']
    heads += ['to end', 'Steps', 'Execution', 'Error'] + [column.replace('_', ' ') for column in columns]
    out = ['<section id="contacts" aria-labelledby="contacts-h"><h2 id="contacts-h">Every contact</h2>'
           '<p class="note">One row per contact; failed contacts say why. Times: when it started, when it replied, '
           'how long from start to reply and from start to end. Hover a cut value for all of it.</p>']
    head = '<thead><tr>%s</tr></thead>' % ''.join('<th scope="col">%s</th>' % shown(h, 40) for h in heads)
    pages = [rows[start:start + TABLE_PAGE] for start in range(0, len(rows), TABLE_PAGE)] or [[]]
    for number, page in enumerate(pages):
        body = []
        for row in page:
            replies = row.get('replies') if isinstance(row.get('replies'), dict) else {}
            kind = ' class="failed"' if row.get('error') or row.get('action') == 'failed' else \
                ' class="optout"' if opt_out_of(row) else ''
            cells = [_who(row, numbers), '<td>%s</td>' % shown(row.get('outcome')),
                     _time_cell(row.get('date_created'), tz)]
            for name in sorted(questions):
                reply = replies.get(name) if isinstance(replies.get(name), dict) else {}
                cells.append('<td>%s</td>' % shown(reply.get('body', '')))
                cells.append(_time_cell(reply.get('at', ''), tz))
                cells.append('<td class="num">%s</td>' % _e(duration(between(row.get('date_created'), reply.get('at')))))
            cells.append('<td class="num">%s</td>' % _e(duration(between(row.get('date_created'), row.get('ended_at')))))
            cells.append('<td class="num">%s</td>' % _e(row.get('steps', '')))
            cells.append('<td class="sid">%s</td>' % _e(row.get('execution_sid', '')))
            cells.append('<td>%s</td>' % shown(row.get('error', ''), 200))
            for column in columns:
                value = row.get(column)
                cells.append('<td>%s</td>' % shown('' if value is None else value if isinstance(value, str)
                                                   else json.dumps(value)))
            body.append('<tr%s>%s</tr>' % (kind, ''.join(cells)))
        table = '<div class="scroll"><table>%s<tbody>%s</tbody></table></div>' % (head, '\n'.join(body))
        if len(pages) == 1:
            out.append(table)
        else:
            out.append('<details class="page"%s><summary>Contacts %d to %d of %d</summary><div>%s</div></details>'
                       % (' open' if number == 0 else '', number * TABLE_PAGE + 1, number * TABLE_PAGE + len(page),
                          len(rows), table))
    out.append('</section>')
    return '\n'.join(out)
