# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the HTML report counts (funnel, outcomes, answers, totals) and how it shows it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.telephony.twilio.plugins.filter.studio_report import studio_report
from ansible_collections.telephony.twilio.plugins.plugin_utils import _report


def step(frm, to):
    return {'transitioned_from': frm, 'transitioned_to': to}


LOOPING = [step('Trigger', 'ask'), step('ask', 'check'), step('check', 'ask'), step('ask', 'check'),
           step('check', 'thanks'), step('thanks', 'Ended')]
STRAIGHT = [step('Trigger', 'ask'), step('ask', 'Ended')]
WAITING = [step('Trigger', 'ask')]


def test_a_path_lists_widgets_in_order_without_the_end():
    assert _report.contact_path(LOOPING) == ['Trigger', 'ask', 'check', 'ask', 'check', 'thanks']
    assert _report.contact_path([]) == []


def test_the_funnel_counts_contacts_not_visits():
    paths = [_report.contact_path(s) for s in (LOOPING, STRAIGHT, WAITING)]
    assert _report.funnel(paths) == [('Trigger', 3), ('ask', 3), ('check', 1), ('thanks', 1)]


DEFINITION = {'initial_state': 'Trigger', 'states': [
    {'name': 'thanks', 'type': 'send-message', 'transitions': [{'event': 'sent'}]},
    {'name': 'Trigger', 'type': 'trigger', 'transitions': [{'event': 'incomingRequest', 'next': 'ask'}]},
    {'name': 'ask', 'type': 'send-and-wait-for-reply',
     'transitions': [{'event': 'incomingMessage', 'next': 'check'}, {'event': 'timeout', 'next': 'reminder'}]},
    {'name': 'check', 'type': 'split-based-on', 'transitions': [{'event': 'match', 'next': 'thanks'},
                                                                {'event': 'noMatch', 'next': 'ask'}]},
    {'name': 'reminder', 'type': 'send-message', 'transitions': []},
    {'name': 'orphan', 'type': 'send-message', 'transitions': []},
]}


def test_with_the_definition_the_funnel_follows_the_flow_and_shows_widgets_nobody_reached():
    assert _report.flow_order(DEFINITION) == ['Trigger', 'ask', 'check', 'reminder', 'thanks']
    paths = [_report.contact_path(s) for s in (LOOPING, STRAIGHT, WAITING)]
    assert _report.funnel(paths, DEFINITION) == [('Trigger', 3), ('ask', 3), ('check', 1), ('reminder', 0),
                                                 ('thanks', 1)]
    # a widget contacts reached that the definition no longer has comes last
    assert _report.funnel([['Trigger', 'old_widget']], DEFINITION)[-1] == ('old_widget', 1)


def test_outcomes_say_where_each_contact_stopped():
    assert _report.outcome({'execution_sid': 'FN1', 'status': 'ended'}, LOOPING) == 'ended after thanks'
    assert _report.outcome({'execution_sid': 'FN1', 'status': 'active'}, WAITING) == 'waiting at ask'
    assert _report.outcome({'execution_sid': 'FN1', 'status': 'active'}, []) == 'no Steps read'
    assert _report.outcome({'error': 'boom', 'execution_sid': ''}, []) == 'failed'
    assert _report.outcome({'execution_sid': '', 'action': 'none'}, []) == 'no Execution (none)'


def described(*contexts):
    return [_report.describe({'contact': 'c%d' % n, 'execution_sid': 'FN%d' % n, 'status': 'active'}, [], context)
            for n, context in enumerate(contexts)]


def test_answers_are_counted_per_widget_and_the_long_tail_folded():
    rows = described({'widgets': {'ask': {'inbound': {'Body': ' yes '}}, 'note': {'outbound': {'Body': 'x'}}}},
                     {'widgets': {'ask': {'inbound': {'Body': 'Yes'}}}}, {'widgets': {'ask': {'inbound': {'Body': 'no'}}}},
                     {}, {'widgets': {'ask': 'not a dict'}})
    assert _report.answers(rows)['ask']['items'] == [('yes', 2), ('no', 1)]
    many = described(*[{'widgets': {'ask': {'inbound': {'Body': 'word%02d' % n}}}} for n in range(20)])
    ranked = _report.answers(many)['ask']['items']
    assert len(ranked) == _report.TOP_ANSWERS and ranked[-1] == ('other answers (9 different)', 9)


BATCH = {'contacts': {
    'ann': {'to': '+1', 'action': 'created', 'failed': False,
            'execution': {'sid': 'FN1', 'status': 'ended'}, 'steps': LOOPING,
            'context': {'widgets': {'ask': {'inbound': {'Body': '<b>5</b>'}}}}},
    'bo': {'to': '+2', 'action': 'active', 'failed': False, 'execution': {'sid': 'FN2', 'status': 'active'}},
    'cy': {'to': '+3', 'action': 'failed', 'failed': True, 'msg': 'Studio said "no" & <left>', 'execution': None},
}}


class Facts(dict):
    """hostvars: contact -> its variables."""


def test_the_page_has_totals_funnel_outcomes_answers_and_every_contact_escaped():
    facts = Facts(bo={'studio_steps': WAITING, 'studio_context': {}})
    page = studio_report(BATCH, {'dave': 'Contact dave: studio_flow must be set'}, 'html', facts)
    assert re.search(r'id="total-contacts">4<', page) and re.search(r'id="total-failed">2<', page)
    assert re.search(r'id="total-triggered">1<', page) and re.search(r'id="total-adopted">1<', page)
    assert re.search(r'id="total-active">1<', page) and re.search(r'id="total-ended">1<', page)
    funnel = page[page.index('id="funnel"'):page.index('id="outcomes"')]
    assert '<desc id="funnel-chart-desc">Trigger: 2 contacts; ask: 2 contacts; check: 1 contacts; thanks: 1 contacts' \
        in funnel
    assert 'waiting at ask' in page and 'ended after thanks' in page
    assert '&lt;b&gt;5&lt;/b&gt;' in page and '<b>5</b>' not in page
    assert 'Studio said &quot;no&quot; &amp; &lt;left&gt;' in page
    assert page[page.index('id="contacts"'):].count('<tr class="failed">') == 2
    assert page[page.index('id="attention"'):page.index('id="answers"')].count('<tr class="failed">') == 2


def test_the_page_loads_nothing_from_anywhere():
    page = studio_report(BATCH, None, 'html', Facts())
    assert '<script' not in page and 'http://' not in page.replace('http://www.w3.org/2000/svg', '')
    assert 'https://' not in page and "default-src 'none'" in page
    assert re.search(r'<svg role="img" aria-labelledby=', page) and '<caption>' in page
