# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The decisions of studio_execution: created or handed back, and the duplicate-safe protocol."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
import threading

import responses

from ansible_collections.telephony.twilio.plugins.modules import studio_execution
from ansible_collections.telephony.twilio.tests.unit.plugins.modules.fake_studio import (
    ARGS,
    EXECUTIONS,
    FLOW,
    FakeStudio,
    now_twilio,
)
from ansible_collections.telephony.twilio.tests.unit.plugins.modules.utils import run


def test_creates_and_reports_changed(mock, monkeypatch):
    studio = FakeStudio(mock)
    result, failed = run(studio_execution, dict(ARGS, parameters={'name': 'Ann'}), monkeypatch)
    assert not failed and result['changed'] is True
    assert studio.posts == 1
    created = list(studio.executions.values())[0]
    assert len(studio.executions) == 1
    assert created['data']['name'] == 'Ann' and len(created['data']['ansible_task_nonce']) == 32
    assert result['diff'] == {'before': {'sid': None, 'status': 'absent'},
                              'after': {'sid': created['sid'], 'status': 'ended'}}


def test_an_old_active_execution_is_kept_without_reading_its_context(mock, monkeypatch):
    old = {'sid': 'FN' + 'a' * 32, 'flow_sid': FLOW, 'contact_channel_address': '+15551230001', 'status': 'active',
           'date_created': now_twilio(-3600)}
    studio = FakeStudio(mock, existing=old)
    result, failed = run(studio_execution, dict(ARGS), monkeypatch)
    assert not failed and result['changed'] is False and result['execution']['sid'] == old['sid']
    assert [c.request.method for c in mock.calls] == ['POST']  # date_created decided it
    assert studio.posts == 1


def test_a_recent_active_execution_of_another_run_is_not_ours(mock, monkeypatch):
    recent = {'sid': 'FN' + 'b' * 32, 'flow_sid': FLOW, 'contact_channel_address': '+15551230001', 'status': 'active',
              'date_created': now_twilio(), 'data': {'ansible_task_nonce': 'someone-else'}}
    FakeStudio(mock, existing=recent)
    result, failed = run(studio_execution, dict(ARGS), monkeypatch)
    assert not failed and result['changed'] is False
    assert [c.request.method for c in mock.calls] == ['POST', 'GET']  # the Context told


def test_commit_then_5xx_is_adopted_not_created_twice(mock, monkeypatch):
    studio = FakeStudio(mock, post_failures=['commit_then_503'])
    result, failed = run(studio_execution, dict(ARGS), monkeypatch)
    assert not failed and result['changed'] is True
    assert studio.posts == 1 and len(studio.executions) == 1
    assert result['execution']['sid'] == list(studio.executions)[0]


def test_reset_before_commit_creates_again_once(mock, monkeypatch):
    studio = FakeStudio(mock, post_failures=['reset'])
    result, failed = run(studio_execution, dict(ARGS), monkeypatch)
    assert not failed and result['changed'] is True
    assert studio.posts == 2 and len(studio.executions) == 1


def test_lookup_failure_after_ambiguous_post_fails_without_posting_again(mock, monkeypatch):
    mock.add(responses.POST, EXECUTIONS, status=503, json={'code': 20503, 'message': 'busy', 'status': 503})
    mock.add(responses.GET, EXECUTIONS, status=401, json={'code': 20003, 'message': 'Authenticate', 'status': 401})
    result, failed = run(studio_execution, dict(ARGS, max_retries=0), monkeypatch)
    assert failed and 'not creating again' in result['msg']
    assert [c.request.method for c in mock.calls] == ['POST', 'GET']


def test_on_active_fail_names_the_execution(mock, monkeypatch):
    old = {'sid': 'FN' + 'c' * 32, 'flow_sid': FLOW, 'contact_channel_address': '+15551230001', 'status': 'active',
           'date_created': now_twilio(-600)}
    FakeStudio(mock, existing=old)
    result, failed = run(studio_execution, dict(ARGS, on_active='fail'), monkeypatch)
    assert failed and old['sid'] in result['msg']


def test_facts_carry_the_execution_its_context_and_steps(mock, monkeypatch):
    old = {'sid': 'FN' + 'd' * 32, 'flow_sid': FLOW, 'contact_channel_address': '+15551230001', 'status': 'active',
           'date_created': now_twilio(-3600), 'data': {'name': 'Ann'}}
    FakeStudio(mock, existing=old)
    steps_url = '%s/%s/Steps' % (EXECUTIONS, old['sid'])
    step = {'sid': 'FT' + 'e' * 32, 'transitioned_from': 'Trigger', 'transitioned_to': 'ask', 'name': 'incomingRequest'}
    mock.add(responses.GET, steps_url, json={'steps': [step], 'meta': {'next_page_url': None}})
    mock.add(responses.GET, '%s/%s/Context' % (steps_url, step['sid']), json={'context': {'widgets': {}}})
    result, failed = run(studio_execution, dict(ARGS, include=['context', 'steps'], facts=True), monkeypatch)
    assert not failed and result['changed'] is False
    facts = result['ansible_facts']
    assert facts['studio_execution'] == result['execution']
    assert facts['studio_steps'] == [dict(step, context={'widgets': {}})]
    context = facts['studio_context']
    assert context['flow']['data'] == {'name': 'Ann'} and context['flow']['sid'] == old['sid']
    assert context['contact']['channel']['address'] == '+15551230001'
    # the Context (not read while deciding: date_created did) was read alongside the Steps
    assert sorted(c.request.url.split('?')[0][len(EXECUTIONS):] for c in mock.calls) == sorted(
        ['', '/%s/Context' % old['sid'], '/%s/Steps' % old['sid'], '/%s/Steps/%s/Context' % (old['sid'], step['sid'])])


def test_facts_without_include_are_empty_and_only_asked_for(mock, monkeypatch):
    FakeStudio(mock)
    result, failed = run(studio_execution, dict(ARGS, facts=True), monkeypatch)
    assert not failed and result['ansible_facts']['studio_context'] == {}
    assert result['ansible_facts']['studio_steps'] == [] and result['ansible_facts']['studio_execution']['sid']
    result, failed = run(studio_execution, dict(ARGS), monkeypatch)
    assert not failed and 'ansible_facts' not in result


def test_a_fresh_create_reads_context_and_steps_at_the_same_time_once(mock, monkeypatch):
    steps_listed = threading.Event()

    class ContextWaitsForSteps(FakeStudio):
        """The Context answers only once the Steps were asked for: a serial module would stall."""

        def context(self, request):
            if not steps_listed.wait(5):
                return 503, {}, json.dumps({'code': 20503, 'message': 'read serially', 'status': 503})
            return FakeStudio.context(self, request)

    def list_steps(request):
        steps_listed.set()
        return 200, {}, json.dumps({'steps': [step], 'meta': {'next_page_url': None}})

    studio = ContextWaitsForSteps(mock)
    step = {'sid': 'FT' + 'f' * 32, 'transitioned_from': 'Trigger', 'transitioned_to': 'Ended', 'name': 'x'}
    mock.add_callback(responses.GET, re.compile(re.escape(EXECUTIONS) + r'/FN\w+/Steps(\?.*)?$'), callback=list_steps)
    mock.add(responses.GET, re.compile(re.escape(EXECUTIONS) + r'/FN\w+/Steps/FT\w+/Context'), json={'context': {}})
    result, failed = run(studio_execution, dict(ARGS, include=['context', 'steps'], max_retries=0), monkeypatch)
    assert not failed and result['changed'] is True and studio.posts == 1, result
    assert result['steps'] == [dict(step, context={})] and result['context']['flow']['data']['ansible_task_nonce']
    paths = [c.request.url.split('?')[0][len(EXECUTIONS):].split('/', 2)[-1] for c in mock.calls]
    assert sorted(paths) == sorted(['', 'Context', 'Steps', 'Steps/%s/Context' % step['sid']])  # 3 + S, no re-read


# -- hostile input, class 8: contradictions are refused, not resolved silently ---------------------
def test_absent_with_the_sid_of_another_contact_deletes_nothing(mock, monkeypatch):
    other = {'sid': 'FN' + 'b' * 32, 'flow_sid': FLOW, 'contact_channel_address': '+15551230002', 'status': 'active',
             'date_created': now_twilio(-60)}
    studio = FakeStudio(mock, existing=other)
    result, failed = run(studio_execution, dict(ARGS, state='absent', execution_sid=other['sid']), monkeypatch)
    assert failed and 'is the Execution of +15551230002, not of to=+15551230001' in result['msg']
    assert other['sid'] in studio.executions
    assert [c.request.method for c in mock.calls] == ['GET']
