# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""studio_campaign: the batch path keeps every guarantee of the single path, and its lookups are linear."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import signal
import time

import pytest
import responses

from ansible_collections.telephony.twilio.plugins.module_utils import _campaign, _lifeline
from ansible_collections.telephony.twilio.plugins.module_utils._results import read_result
from ansible_collections.telephony.twilio.plugins.module_utils._lifeline import Lifeline
from ansible_collections.telephony.twilio.plugins.modules import studio_campaign
from ansible_collections.telephony.twilio.tests.unit.plugins.modules.fake_studio import (
    BASE,
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


def test_refused_contacts_fail_alone_before_any_request_and_the_others_go_on(mock, monkeypatch):
    """The batch around the refusals. The contact rule is tested in test_contact_rule.py, and the
    module's refusal of each kind of bad contact in its integration target (bad_input.yml)."""
    studio = FakeStudio(mock)
    batch = contacts(2) + [{'name': 'letters', 'to': '+1 555 0100'}, {'name': 'twin', 'to': '+15551230000'}]
    result, failed = run(studio_campaign, dict(BATCH, contacts=batch, rate=1000), monkeypatch)
    assert not failed and studio.posts == 2 and result['failed_contacts'] == 2
    assert sorted(name for name, r in result['contacts'].items() if not r['failed']) == ['host0', 'host1']
    assert result['contacts']['letters']['msg'].startswith('contact letters: to must be an E.164 phone number')
    assert result['contacts']['twin']['msg'] == ('contact twin: to +15551230000 with from +15550000000 is also '
                                                 'contact host0 of this batch (Studio runs one Execution per To/From '
                                                 'pair)')


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
    # one listing of the campaign window, and the guard's two listings of the last seconds
    assert studio.posts == 2 and len(studio.list_calls) == 3
    assert sum(1 for call in studio.list_calls if call['DateCreatedFrom'] == studio.list_calls[1]['DateCreatedFrom']) == 1
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
    assert [call['DateCreatedFrom'] for call in studio.list_calls].count(since + 'T00:00:00Z') == 1


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


def test_a_batch_whose_ansible_playbook_is_gone_starts_no_more_contacts(mock, monkeypatch, tmp_path):
    """The lifeline is checked before every create; once it is gone, nothing more is sent, the
    results directory is removed and the result keeps no contact's data."""
    studio = FakeStudio(mock)
    results = tmp_path / 'results'
    results.mkdir()
    # this test's own pid with another start time: the pid of a process that ended, reused
    args = dict(BATCH, contacts=contacts(3), results_dir=str(results), lifeline='%d:1' % os.getpid())
    result, failed = run(studio_campaign, args, monkeypatch)
    assert failed and studio.posts == 0 and 'which started this batch, is gone or stopping' in result['msg']
    assert 'contacts' not in result and result['failed_contacts'] == 3
    assert not results.exists()


def test_the_lifeline_stops_a_batch_between_two_creates(mock, monkeypatch):
    studio = FakeStudio(mock)
    alive = [True]
    monkeypatch.setattr(_lifeline.Lifeline, 'alive', lambda self: alive[0])
    create = studio.create

    def third_create_ends_the_controller(request):
        if studio.posts == 2:
            alive[0] = False
        return create(request)

    mock.remove(responses.POST, EXECUTIONS)
    mock.add_callback(responses.POST, EXECUTIONS, callback=third_create_ends_the_controller)
    result, failed = run(studio_campaign, dict(BATCH, contacts=contacts(6), workers=1, rate=1000,
                                               lifeline='%d' % os.getpid()), monkeypatch)
    assert failed and studio.posts == 3 and len(studio.executions) == 3


def test_a_lifeline_of_a_running_process_is_alive_and_of_an_ended_one_not(tmp_path):
    import subprocess
    import sys
    child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)'])
    try:
        line = Lifeline.of_process(child.pid)
        again = Lifeline.parse(str(line))
        assert again.alive() and again.pid == child.pid and again.started == line.started
        assert not Lifeline(child.pid, str(int(line.started) + 1)).alive()  # same pid, another process
    finally:
        child.kill()
        child.wait()
    assert not again.alive()
    for bad in ('', 'x', '1', '12:ab', '12:3:4:5', '12:3:x'):
        with pytest.raises(ValueError, match='lifeline must be PID'):
            Lifeline.parse(bad)


def test_a_process_that_stopped_catching_sigint_is_stopping():
    import subprocess
    import sys
    code = ('import signal, time\n'
            'signal.signal(signal.SIGINT, lambda *a: signal.signal(signal.SIGINT, signal.SIG_DFL))\n'
            'signal.signal(signal.SIGTERM, lambda *a: None)\n'
            'print("ready", flush=True)\n'
            'time.sleep(30)\n')
    child = subprocess.Popen([sys.executable, '-c', code], stdout=subprocess.PIPE)
    try:
        child.stdout.readline()
        line = Lifeline.of_process(child.pid)
        assert line.caught == '2+15' and line.alive()
        child.send_signal(signal.SIGINT)  # it resets its handler, as ansible-playbook does, and goes on for now
        deadline = time.time() + 5
        while line.alive() and time.time() < deadline:
            time.sleep(0.01)
        assert not line.alive() and child.poll() is None
    finally:
        child.kill()
        child.wait()


def test_preflight_fails_once_before_any_contact(mock, monkeypatch):
    studio = FakeStudio(mock)
    flows = re.compile(re.escape(BASE) + r'/v1/Flows(\?.*)?$')
    mock.add(responses.GET, flows, json={'flows': [{'sid': FLOW, 'friendly_name': 'Customer survey'}],
                                         'meta': {'next_page_url': None}})
    batch = contacts(30)
    for contact in batch[:12]:
        contact['flow'] = 'Custmer survey'
    result, failed = run(studio_campaign, dict(BATCH, contacts=batch), monkeypatch)
    assert failed and studio.posts == 0 and studio.list_calls == []
    assert result['msg'].count('no Flow is named') == 1 and 'Custmer survey' in result['msg']
    assert 'contacts: host0, host1, host10, host11, host2, host3, host4, host5, host6, host7 and 2 more' in result['msg']
    result, failed = run(studio_campaign, dict(BATCH, contacts=contacts(30)[12:], preflight=True), monkeypatch)
    assert not failed and result['flows'] == {FLOW: FLOW} and studio.posts == 0


def test_with_a_results_directory_the_return_is_slim_and_each_contact_has_its_file(mock, monkeypatch, tmp_path):
    FakeStudio(mock)
    steps_url = re.compile(re.escape(EXECUTIONS) + r'/FN\w+/Steps(\?.*)?$')
    step = {'sid': 'FT' + 'e' * 32, 'transitioned_from': 'Trigger', 'transitioned_to': 'ask', 'name': 'x'}
    mock.add(responses.GET, steps_url, json={'steps': [step], 'meta': {'next_page_url': None}})
    mock.add(responses.GET, re.compile(re.escape(EXECUTIONS) + r'/FN\w+/Steps/FT\w+/Context'), json={'context': {}})
    args = dict(BATCH, contacts=contacts(2), include=['context', 'steps'], rate=1000, results_dir=str(tmp_path))
    result, failed = run(studio_campaign, args, monkeypatch)
    assert not failed
    assert result['contacts']['host1']['step_count'] == 1 and result['contacts']['host1']['last_widget'] == 'ask'
    assert 'steps' not in result['contacts']['host1'] and 'context' not in result['contacts']['host1']
    for name in ('host0', 'host1'):
        mine = read_result(str(tmp_path), name)
        assert mine['steps'][0]['context'] == {} and mine['context']['flow']['data']['n'] == int(name[-1])
        assert mine['execution']['contact_channel_address'] == result['contacts'][name]['to']
    assert result['diff']['before'] == {'host0': 'absent', 'host1': 'absent'}


# -- two runs of one campaign --------------------------------------------------------------------------
def test_a_campaign_another_run_is_creating_waits_until_quiet_then_skips_its_contacts(mock, monkeypatch):
    theirs = execution(1, '+15551230001', age=0, data={'ansible_campaign': 'spring', 'ansible_task_nonce': 'other'})
    studio = FakeStudio(mock, existing=[theirs])
    slept = []
    monkeypatch.setattr(_campaign, 'ANNOUNCE_SECONDS', 0)

    def sleep(seconds):
        slept.append(seconds)
        theirs['date_created'] = now_twilio(-60)  # the other run went quiet meanwhile

    monkeypatch.setattr(_campaign.time, 'sleep', sleep)
    result, failed = run(studio_campaign, dict(BATCH, contacts=contacts(3), campaign='spring', rate=1000), monkeypatch)
    assert not failed and slept and result['summary'] == {'created': 2, 'campaign': 1}
    assert studio.posts == 2


def test_a_campaign_another_run_keeps_creating_is_refused_naming_that_run(mock, monkeypatch):
    theirs = execution(1, '+15551230001', age=0, data={'ansible_campaign': 'spring', 'ansible_task_nonce': 'other'})
    studio = FakeStudio(mock, existing=[theirs])
    clock = [1000.0]

    def sleep(seconds):
        clock[0] += seconds
        theirs['date_created'] = now_twilio()  # still creating

    monkeypatch.setattr(_campaign.time, 'sleep', sleep)
    monkeypatch.setattr(_campaign.time, 'time', lambda: clock[0])
    result, failed = run(studio_campaign, dict(BATCH, contacts=contacts(3), campaign='spring'), monkeypatch)
    assert failed and studio.posts == 0
    assert ('another run of campaign \'spring\' (run other) created Execution %s for +15551230001' % theirs['sid']
            in result['msg']) and 'still creating' in result['msg'] and 'this run sent nothing' in result['msg']


def other_run_announces(studio, address):
    """A sleep that, the first time, lets another run of the campaign announce itself with ``address``
    (an Execution older than ours, lower SID)."""
    earlier = []

    def sleep(seconds):
        if not earlier:
            other = execution(0, address, age=1, data={'ansible_campaign': 'spring', 'ansible_task_nonce': 'other'})
            studio.executions[other['sid']] = other
            earlier.append(other)
    return sleep


def test_of_two_runs_started_at_once_the_later_stops_after_its_announcement(mock, monkeypatch):
    studio = FakeStudio(mock)
    monkeypatch.setattr(_campaign, 'ANNOUNCE_SECONDS', 0)
    # one of this run's contacts: the same inventory run twice at once
    monkeypatch.setattr(_campaign.time, 'sleep', other_run_announces(studio, '+15551230003'))
    result, failed = run(studio_campaign, dict(BATCH, contacts=contacts(5), campaign='spring'), monkeypatch)
    assert failed and studio.posts == 1
    assert 'another run of campaign \'spring\' (run other)' in result['msg'] and 'this run stops after reaching' in result['msg']
    assert sorted(r['action'] for r in result['contacts'].values()) == ['created'] + ['failed'] * 4


def test_another_slice_of_the_campaign_creating_at_the_same_time_is_no_reason_to_stop(mock, monkeypatch):
    """Slices of one AWX job share the campaign key but not their contacts: they go on side by side."""
    studio = FakeStudio(mock)
    monkeypatch.setattr(_campaign, 'ANNOUNCE_SECONDS', 0)
    monkeypatch.setattr(_campaign.time, 'sleep', other_run_announces(studio, '+15551230009'))
    result, failed = run(studio_campaign, dict(BATCH, contacts=contacts(5), campaign='spring'), monkeypatch)
    assert not failed and studio.posts == 5, result
    assert sorted(r['action'] for r in result['contacts'].values()) == ['created'] * 5


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
