# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""studio_campaign: the batch path keeps every guarantee of the single path, and its lookups are linear."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import multiprocessing
import os
import re
import time

import pytest
import responses

from ansible_collections.telephony.twilio.plugins.modules import studio_campaign
from ansible_collections.telephony.twilio.tests.unit.plugins.modules.fake_studio import (
    CREDS,
    EXECUTIONS,
    FLOW,
    FakeStudio,
    now_twilio,
)
from ansible_collections.telephony.twilio.tests.unit.plugins.modules.utils import run

SENDER = '+15550000000'
BATCH = dict(CREDS, flow=FLOW, **{'from': SENDER})


def contacts(count, start=0):
    return [{'name': 'host%d' % i, 'to': '+1555123%04d' % i, 'parameters': {'n': i}} for i in range(start, start + count)]


def execution(number, to, status='ended', age=60, data=None, sender=SENDER):
    return {'sid': 'FN%032x' % (0xabc000 + number), 'flow_sid': FLOW, 'contact_channel_address': to,
            'status': status, 'date_created': now_twilio(-age), 'data': data or {}, 'from': sender}


def test_triggers_every_contact_once_and_reports_each(mock, monkeypatch):
    studio = FakeStudio(mock)
    result, failed = run(studio_campaign, dict(BATCH, contacts=contacts(6), parameters={'shared': 1}, rate=1000),
                         monkeypatch)
    assert not failed and result['changed'] is True and result['failed_contacts'] == 0
    assert studio.posts == 6 and len(studio.executions) == 6
    assert result['summary'] == {'created': 6}
    assert sorted(result['contacts']) == ['host%d' % i for i in range(6)]
    host3 = result['contacts']['host3']
    assert host3['changed'] is True and host3['to'] == '+15551230003' and host3['action'] == 'created'
    made = studio.executions[host3['execution']['sid']]
    assert made['data']['n'] == 3 and made['data']['shared'] == 1 and len(made['data']['ansible_task_nonce']) == 32
    # without a campaign, check mode or a per-contact lookup, nothing is listed
    assert studio.list_calls == []


def test_creates_are_paced_at_the_rate(mock, monkeypatch):
    studio = FakeStudio(mock)
    stamps = []
    create = studio.create

    def stamped(request):
        stamps.append(time.monotonic())
        return create(request)

    mock.replace(responses.POST, EXECUTIONS, body='')  # drop the registered callback ...
    mock.remove(responses.POST, EXECUTIONS)
    mock.add_callback(responses.POST, EXECUTIONS, callback=stamped)  # ... and stamp every create
    result, failed = run(studio_campaign, dict(BATCH, contacts=contacts(11), rate=50, workers=8), monkeypatch)
    assert not failed and result['summary'] == {'created': 11}
    stamps.sort()
    assert stamps[-1] - stamps[0] >= 10 * 0.02 * 0.9  # 11 creates at 50/s span at least 10 intervals


def test_bad_contacts_are_refused_before_any_request_and_the_others_go_on(mock, monkeypatch):
    studio = FakeStudio(mock)
    batch = contacts(2) + [
        {'name': 'letters', 'to': '+1 555 0100'},
        {'name': 'number', 'to': 15550000107},
        {'name': 'nan', 'to': '+15551239003', 'parameters': {'x': float('nan')}},
        {'name': 'nonce', 'to': '+15551239004', 'parameters': {'ansible_task_nonce': 'mine'}},
        {'name': 'extra', 'to': '+15551239005', 'colour': 'blue'},
        {'name': 'twin', 'to': '+15551230000'},
        {'name': 'no address'},
    ]
    result, failed = run(studio_campaign, dict(BATCH, contacts=batch, rate=1000), monkeypatch)
    assert not failed and studio.posts == 2 and result['failed_contacts'] == 7
    messages = dict((name, r['msg']) for name, r in result['contacts'].items() if r['failed'])
    assert 'contact letters: to must be an E.164 phone number' in messages['letters']
    assert 'contact number: to must be a string' in messages['number'] and '15550000107' in messages['number']
    assert messages['nan'] == ('contact nan: parameters.x must be a finite number (JSON has no NaN or Infinity), '
                               'got nan')
    assert 'ansible_task_nonce' in messages['nonce']
    assert 'unknown field colour' in messages['extra']
    assert 'also contact host0' in messages['twin']
    assert 'contact no address: to is required' in messages['no address']


def test_check_mode_lists_once_and_posts_nothing(mock, monkeypatch):
    studio = FakeStudio(mock, existing=[execution(1, '+15551230001', status='active')])
    result, failed = run(studio_campaign, dict(BATCH, contacts=contacts(3), _ansible_check_mode=True), monkeypatch)
    assert not failed and studio.posts == 0 and len(studio.list_calls) == 1
    assert result['summary'] == {'would create': 2, 'active': 1}
    assert result['contacts']['host1']['execution']['sid'] == execution(1, '')['sid']


def test_a_campaign_skips_contacts_it_already_reached_even_when_ended(mock, monkeypatch):
    reached = execution(1, '+15551230001', data={'ansible_campaign': 'spring'})
    other = execution(2, '+15551230002', data={'ansible_campaign': 'autumn'})
    studio = FakeStudio(mock, existing=[reached, other])
    result, failed = run(studio_campaign, dict(BATCH, contacts=contacts(3), campaign='spring', rate=1000),
                         monkeypatch)
    assert not failed and result['summary'] == {'created': 2, 'campaign': 1}
    assert result['contacts']['host1']['changed'] is False
    assert result['contacts']['host1']['execution']['sid'] == reached['sid']
    assert studio.posts == 2 and len(studio.list_calls) == 1
    new = [e for e in studio.executions.values() if e['sid'] not in (reached['sid'], other['sid'])]
    assert {e['data']['ansible_campaign'] for e in new} == {'spring'}
    # the rerun after that (all reached now) sends no create at all
    result, failed = run(studio_campaign, dict(BATCH, contacts=contacts(3), campaign='spring'), monkeypatch)
    assert not failed and result['summary'] == {'campaign': 3} and result['changed'] is False
    assert studio.posts == 2


def test_a_campaign_only_counts_executions_since_its_window(mock, monkeypatch):
    old = execution(1, '+15551230001', age=3 * 86400, data={'ansible_campaign': 'spring'})
    studio = FakeStudio(mock, existing=[old])
    since = time.strftime('%Y-%m-%d', time.gmtime(time.time() - 86400))
    result, failed = run(studio_campaign, dict(BATCH, contacts=contacts(2), campaign='spring', since=since),
                         monkeypatch)
    assert not failed and result['summary'] == {'created': 2} and studio.posts == 2
    assert studio.list_calls[0]['DateCreatedFrom'] == since + 'T00:00:00Z'


def test_commit_then_5xx_is_adopted_in_a_batch(mock, monkeypatch):
    studio = FakeStudio(mock, post_failures=['commit_then_503'])
    result, failed = run(studio_campaign, dict(BATCH, contacts=contacts(1), rate=1000), monkeypatch)
    assert not failed and result['summary'] == {'created': 1}
    assert studio.posts == 1 and len(studio.executions) == 1


def test_gathered_reads_one_listing_for_all_contacts(mock, monkeypatch):
    existing = [execution(i, '+1555123%04d' % (i % 40), age=60 + i) for i in range(120)]
    studio = FakeStudio(mock, existing=existing)
    result, failed = run(studio_campaign, dict(CREDS, flow=FLOW, contacts=contacts(50), state='gathered'),
                         monkeypatch)
    assert not failed and studio.posts == 0
    assert len(studio.list_calls) == 1 and studio.list_calls[0]['PageSize'] == '1000'
    assert result['summary'] == {'latest': 40, 'none': 10}
    # the latest is the newest of the contact's three
    assert result['contacts']['host5']['execution']['sid'] == execution(5, '')['sid']


def test_ended_ends_only_active_executions_found_in_the_listing(mock, monkeypatch):
    studio = FakeStudio(mock, existing=[execution(1, '+15551230001', status='active'), execution(2, '+15551230002')])
    ended = []
    mock.add_callback(responses.POST, EXECUTIONS + '/' + execution(1, '')['sid'],
                      callback=lambda request: (ended.append(request.body) or 200, {},
                                                '{"sid": "%s", "status": "ended"}' % execution(1, '')['sid']))
    result, failed = run(studio_campaign, dict(CREDS, flow=FLOW, contacts=contacts(3), state='ended'), monkeypatch)
    assert not failed and result['summary'] == {'ended': 1, 'none': 2} and ended == ['Status=ended']
    assert len(studio.list_calls) == 1


def test_a_batch_nobody_waits_for_starts_no_more_contacts(mock, monkeypatch, tmp_path):
    studio = FakeStudio(mock)
    heartbeat = tmp_path / 'alive'
    results = tmp_path / 'results.jsonl'
    touched = []
    real_utime = os.utime

    def stale_after_first_touch(path, times=None):
        real_utime(path, times)
        touched.append(path)
        real_utime(path, (1, 1))  # as if the waiter stopped touching it long ago

    monkeypatch.setattr(os, 'utime', stale_after_first_touch)
    args = dict(BATCH, contacts=contacts(3), heartbeat_path=str(heartbeat), results_path=str(results),
                heartbeat_timeout=5)
    result, failed = run(studio_campaign, args, monkeypatch)
    assert not failed and studio.posts == 0 and result['summary'] == {'failed': 3}
    assert 'whoever waited for this batch is gone' in result['contacts']['host0']['msg']
    assert len(results.read_text().splitlines()) == 3  # every contact is in the results file, failed


def test_with_a_results_file_the_return_is_slim_and_the_file_complete(mock, monkeypatch, tmp_path):
    FakeStudio(mock)
    steps_url = re.compile(re.escape(EXECUTIONS) + r'/FN\w+/Steps(\?.*)?$')
    step = {'sid': 'FT' + 'e' * 32, 'transitioned_from': 'Trigger', 'transitioned_to': 'ask', 'name': 'x'}
    mock.add(responses.GET, steps_url, json={'steps': [step], 'meta': {'next_page_url': None}})
    mock.add(responses.GET, re.compile(re.escape(EXECUTIONS) + r'/FN\w+/Steps/FT\w+/Context'), json={'context': {}})
    results = tmp_path / 'results.jsonl'
    args = dict(BATCH, contacts=contacts(2), include=['context', 'steps'], rate=1000, results_path=str(results))
    result, failed = run(studio_campaign, args, monkeypatch)
    assert not failed
    assert result['contacts']['host1']['step_count'] == 1 and result['contacts']['host1']['last_widget'] == 'ask'
    assert 'steps' not in result['contacts']['host1'] and 'context' not in result['contacts']['host1']
    lines = [json.loads(line) for line in results.read_text().splitlines()]
    assert sorted(line['name'] for line in lines) == ['host0', 'host1']
    assert lines[0]['result']['steps'][0]['context'] == {} and 'flow' in lines[0]['result']['context']
    assert result['diff']['before'] == {'host0': 'absent', 'host1': 'absent'}


def test_report_fields_pick_values_from_each_context(mock, monkeypatch):
    FakeStudio(mock)
    fields = {'name': 'flow.data.name', 'first': 'flow.data.list[0]', 'missing': 'widgets.ask.inbound.Body'}
    batch = [{'name': 'ann', 'to': '+15551230001', 'parameters': {'name': 'Ann', 'list': ['a', 'b']}}]
    result, failed = run(studio_campaign, dict(BATCH, contacts=batch, include=['context'], report_fields=fields),
                         monkeypatch)
    assert not failed and result['contacts']['ann']['fields'] == {'name': 'Ann', 'first': 'a', 'missing': None}
    result, failed = run(studio_campaign, dict(BATCH, contacts=batch, report_fields=fields), monkeypatch)
    assert failed and 'report_fields needs context in include' in result['msg']
    result, failed = run(studio_campaign, dict(BATCH, contacts=batch, include=['context'],
                                               report_fields={'x': 'a..b'}), monkeypatch)
    assert failed and 'report_fields.x must be a path into the Execution Context' in result['msg']


# -- Studio runs one active Execution per To/From pair ---------------------------------------------
def test_check_mode_predicts_a_create_for_another_sender(mock, monkeypatch):
    FakeStudio(mock, existing=[execution(1, '+15551230000', status='active', sender='+15559999999')])
    result, failed = run(studio_campaign, dict(BATCH, contacts=contacts(1), _ansible_check_mode=True), monkeypatch)
    assert not failed and result['summary'] == {'would create': 1}


def test_ended_picks_the_contacts_execution_of_its_sender_and_refuses_to_guess(mock, monkeypatch):
    mine = execution(1, '+15551230000', status='active')
    theirs = execution(2, '+15551230000', status='active', sender='+15559999999')
    FakeStudio(mock, existing=[mine, theirs])
    ended = []
    for sid in (mine['sid'], theirs['sid']):
        mock.add_callback(responses.POST, EXECUTIONS + '/' + sid,
                          callback=lambda request, sid=sid: (ended.append(sid) or 200, {},
                                                             json.dumps({'sid': sid, 'status': 'ended'})))
    result, failed = run(studio_campaign, dict(BATCH, contacts=contacts(1), state='ended'), monkeypatch)
    assert not failed and result['summary'] == {'ended': 1} and ended == [mine['sid']]
    result, failed = run(studio_campaign, dict(CREDS, flow=FLOW, contacts=contacts(1), state='ended'), monkeypatch)
    assert not failed and result['failed_contacts'] == 1
    assert 'has 2 active Executions of this Flow' in result['contacts']['host0']['msg']
    assert 'give from to choose one' in result['contacts']['host0']['msg']


class LockModule:
    """What campaign_lock reads of the module: its params, and fail_json."""

    def __init__(self, campaign='survey-2026-11'):
        self.params = dict(studio_url='http://127.0.0.1:1', region=None, account_sid=CREDS['account_sid'],
                           api_key=None, campaign=campaign)

    def fail_json(self, msg):
        raise RuntimeError(msg)


def hold_lock(contact_list, ready, release):
    """In another process (record locks are per process): take the campaign's lock, then wait."""
    handle = studio_campaign.campaign_lock(LockModule(), contact_list)
    ready.set()
    release.wait(30)
    handle.close()


def test_campaign_lock_lets_slices_with_other_contacts_run_and_makes_the_same_contacts_wait(monkeypatch):
    """AWX slices of one campaign on one node (disjoint contacts) run side by side; a batch with a contact of a
    batch still running waits for it, and fails after LOCK_SECONDS, naming the campaign."""
    context = multiprocessing.get_context('fork')
    ready, release = context.Event(), context.Event()
    first = [dict(c, flow=FLOW) for c in contacts(50)]
    holder = context.Process(target=hold_lock, args=(first, ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        started = time.time()
        other_slice = studio_campaign.campaign_lock(LockModule(), [dict(c, flow=FLOW) for c in contacts(50, 50)])
        assert time.time() - started < 0.5
        other_slice.close()
        other_campaign = studio_campaign.campaign_lock(LockModule('another'), first)
        other_campaign.close()
        monkeypatch.setattr(studio_campaign, 'LOCK_SECONDS', 1)
        overlapping = [dict(c, flow=FLOW) for c in contacts(2, 49)]  # host49 is in the running batch
        with pytest.raises(RuntimeError, match="another batch of campaign 'survey-2026-11' with some of the same"):
            studio_campaign.campaign_lock(LockModule(), overlapping)
        release.set()
        holder.join(30)
        studio_campaign.campaign_lock(LockModule(), overlapping).close()  # free once the first batch ended
    finally:
        release.set()
        holder.join(30)
