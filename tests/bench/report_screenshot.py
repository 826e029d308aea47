#!/usr/bin/env python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The page of docs/images/report.png: a 200-contact survey as run_flow.yml reports it the day after
(140 replies, numbers and words, 4 opt-outs, 10 Executions ended by end_active.yml, 50 still waiting,
one contact Studio refused), masked, in Europe/Paris.

    PYTHONPATH=<collections root> .venv/bin/python tests/bench/report_screenshot.py report.html
    chromium --headless --hide-scrollbars --window-size=1100,2900 --screenshot=docs/images/report.png report.html
"""

import datetime
import json
import os
import random
import sys

from ansible_collections.telephony.twilio.plugins.filter.studio_report import studio_report

random.seed(7)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
START = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.timezone.utc)


def at(seconds):
    return (START + datetime.timedelta(seconds=seconds)).strftime('%Y-%m-%dT%H:%M:%SZ')


ANSWERS = (['5'] * 40 + ['4'] * 38 + ['3'] * 18 + ['2'] * 8 + ['1'] * 6 + ['five'] * 4 + ['Four'] * 3 + ['STOP'] * 3
           + ['stop', 'yes', 'yes', 'yes', 'great, thanks', 'great, thanks', '4 - the coffee was cold'])
ANSWERS += ['5'] * (140 - len(ANSWERS))
FLOW_SID = 'FW' + 'b' * 32


def step(event, frm, to, seconds):
    return {'name': event, 'transitioned_from': frm, 'transitioned_to': to, 'date_created': at(seconds)}


def survey_contact(n):
    """Contact n: the first 140 replied, the next 10 were ended by end_active.yml, the rest wait."""
    number = '+1555%07d' % (2300000 + n * 37)
    start = n * 3 // 20
    steps = [step('incomingRequest', 'Trigger', 'ask_rating', start)]
    context = {'flow': {'flow_sid': FLOW_SID, 'channel': {'address': '+15005550006'},
                        'data': {'ansible_campaign': 'survey-2026-11'}}, 'widgets': {}}
    status, updated = 'active', start + 30
    if n < 140:
        body = ANSWERS[n]
        reply = start + int(random.expovariate(1 / 1500.0)) + 20
        context['widgets']['ask_rating'] = {'inbound': {'Body': body}}
        rating = body.strip().isdigit()
        steps.append(step('incomingMessage', 'ask_rating', 'check_rating', reply))
        steps.append(step('match' if rating else 'noMatch', 'check_rating', 'set_rating' if rating else 'retry_prompt',
                          reply))
        if rating:
            steps.append(step('next', 'set_rating', 'thank_you', reply))
        steps.append(step('sent', 'thank_you' if rating else 'retry_prompt', 'Ended', reply + 1))
        status, updated = 'ended', reply + 1
    elif n < 150:
        status, updated = 'ended', start + 90000
    return number, {'to': number, 'action': 'created', 'failed': False, 'steps': steps, 'context': context,
                    'execution': {'sid': 'FN%032x' % n, 'status': status, 'date_created': at(start),
                                  'date_updated': at(updated), 'account_sid': 'AC' + 'c' * 32}}


def main():
    with open(os.path.join(ROOT, 'tests', 'emulator', 'studio_emulator', 'flows', 'survey.json')) as handle:
        definition = json.load(handle)['definition']
    contacts = dict(survey_contact(n) for n in range(200))
    failures = {'+15550001234': 'Contact +15550001234: Studio refused the To address: 21211 Invalid To Phone Number'}
    flow = {'friendly_name': 'Customer survey', 'sid': FLOW_SID, 'revision': 12}
    page = studio_report({'contacts': contacts}, failures, 'html', None, 'Campaign report: Customer survey', definition,
                         flow=flow, timezone='Europe/Paris', mask=True, waiting_hours=24, state='present',
                         now='2026-12-01T16:00:00Z')
    with open(sys.argv[1], 'w') as handle:
        handle.write(page)


if __name__ == '__main__':
    main()
