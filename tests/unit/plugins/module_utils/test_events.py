# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Event Streams helpers: the wanted sink configuration and types, how they compare with what
Twilio holds, and the exact requests the modules send (HTTP faked with responses)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
from urllib.parse import parse_qs

import pytest
import responses

from ansible_collections.telephony.twilio.plugins.module_utils._client import StudioClient, base_url
from ansible_collections.telephony.twilio.plugins.module_utils._events import (
    EventStreams, NotUnique, find_one, parse_types, same_configuration, sink_configuration)

AC, TOKEN = 'AC0123456789abcdef0123456789abcdef', 'secret-token-value'
BASE = base_url(product='events')
SUB = 'DF' + 'a' * 32
ENDED = 'com.twilio.studio.flow.execution.ended'


def test_a_webhook_configuration_is_completed_and_compared_as_twilio_keeps_it():
    want = sink_configuration('webhook', {'destination': 'https://eda.example.com/hook', 'method': 'post'})
    assert want == {'destination': 'https://eda.example.com/hook', 'method': 'POST', 'batch_events': False}
    assert same_configuration({'destination': 'https://eda.example.com/hook', 'method': 'post'}, want)
    assert not same_configuration({'destination': 'https://eda.example.com/other', 'method': 'POST'}, want)
    assert not same_configuration(dict(want, batch_events=True), want)


@pytest.mark.parametrize('config, text', [
    (None, 'sink_configuration must be a mapping'),
    ({'destination': 'eda.example.com/hook'}, 'destination must be the absolute http'),
    ({'destination': 'https://x/#frag'}, 'destination must be the absolute http'),
    ({'destination': 'https://x/', 'method': 'DELETE'}, 'method must be POST or GET'),
    ({'destination': 'https://x/', 'batch_events': 1}, 'batch_events must be true or false'),
    ({'destination': 'https://x/', 'retries': 1}, 'not retries'),
])
def test_bad_webhook_configurations_are_named(config, text):
    with pytest.raises(ValueError, match=text):
        sink_configuration('webhook', config)


def test_types_by_name_or_with_versions():
    assert parse_types([ENDED, {'type': 'com.twilio.studio.flow.step.ended', 'schema_version': '2'}]) == {
        ENDED: None, 'com.twilio.studio.flow.step.ended': 2}
    for bad, text in (([], 'non-empty list'), ([{'type': ENDED, 'schema_version': True}], 'whole number'),
                      (['ended'], 'must be an event type'), ([ENDED, ENDED], 'given twice')):
        with pytest.raises(ValueError, match=text):
            parse_types(bad)


def test_one_resource_by_sid_or_by_a_unique_description():
    items = [{'sid': 'DG1', 'description': 'a'}, {'sid': 'DG2', 'description': 'b'}, {'sid': 'DG3', 'description': 'b'}]
    assert find_one(items, None, 'a', 'Sink')['sid'] == 'DG1'
    assert find_one(items, 'DG3', 'ignored', 'Sink')['sid'] == 'DG3'
    assert find_one(items, None, 'c', 'Sink') is None
    with pytest.raises(NotUnique) as info:
        find_one(items, None, 'b', 'Sink')
    assert info.value.sids == ['DG2', 'DG3']


@responses.activate
def test_the_requests_sent_for_a_subscription():
    responses.add(responses.POST, BASE + '/v1/Subscriptions', json={'sid': SUB}, status=201)
    responses.add(responses.POST, BASE + '/v1/Subscriptions/%s/SubscribedEvents/%s' % (SUB, ENDED),
                  json={'type': ENDED, 'schema_version': 1})
    responses.add(responses.DELETE, BASE + '/v1/Subscriptions/%s/SubscribedEvents/com.twilio.studio.flow.step.ended'
                  % SUB, status=204)
    api = EventStreams(StudioClient(AC, TOKEN, BASE))
    api.create_subscription('Studio to EDA', 'DG' + 'b' * 32, {ENDED: 2, 'com.twilio.studio.flow.step.ended': None})
    api.set_version(SUB, ENDED, 1)
    api.unsubscribe(SUB, 'com.twilio.studio.flow.step.ended')
    created = parse_qs(responses.calls[0].request.body)
    assert created['Description'] == ['Studio to EDA'] and created['SinkSid'] == ['DG' + 'b' * 32]
    assert [json.loads(t) for t in created['Types']] == [
        {'type': ENDED, 'schema_version': 2}, {'type': 'com.twilio.studio.flow.step.ended'}]
    assert parse_qs(responses.calls[1].request.body) == {'SchemaVersion': ['1']}
    assert [c.request.method for c in responses.calls] == ['POST', 'POST', 'DELETE']
    assert all(c.request.url.startswith('https://events.twilio.com/v1/') for c in responses.calls)
