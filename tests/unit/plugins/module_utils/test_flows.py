# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The canonical form and the change summary of Flow definitions."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json

from ansible_collections.telephony.twilio.plugins.module_utils import _flows

BASE = {'initial_state': 'Trigger', 'states': [
    {'name': 'Trigger', 'type': 'trigger', 'transitions': [{'event': 'incomingRequest', 'next': 'hello'}]},
    {'name': 'hello', 'type': 'send-message', 'properties': {'body': 'Hi', 'from': '+1'}, 'transitions': []},
]}


def test_canonical_ignores_key_order_and_whitespace_but_not_list_order():
    shuffled = json.loads(json.dumps(BASE, indent=5))
    shuffled['states'][1] = dict(reversed(list(shuffled['states'][1].items())))
    assert _flows.canonical(shuffled) == _flows.canonical(BASE)
    swapped = copy.deepcopy(BASE)
    swapped['states'].reverse()
    assert _flows.canonical(swapped) != _flows.canonical(BASE)
    assert _flows.canonical(BASE).endswith('}\n') and '\n  "initial_state": "Trigger"' in _flows.canonical(BASE)


def test_changes_name_the_widget_and_the_property():
    after = copy.deepcopy(BASE)
    after['states'][1]['properties']['body'] = 'Hello'
    after['states'].append({'name': 'bye', 'type': 'send-message', 'properties': {'body': 'x'}})
    after['flags'] = {'allow_concurrent_calls': True}
    assert _flows.changes(BASE, after) == ['bye: added', 'hello: properties.body', 'flags']
    assert _flows.changes(None, after) == ['new Flow']
    reordered = copy.deepcopy(BASE)
    reordered['states'].reverse()
    assert _flows.changes(BASE, reordered) == ['states: order']


def test_commit_messages_carry_the_marker_once():
    assert _flows.commit_message(None) == 'Deployed by Ansible [telephony.twilio]'
    assert _flows.commit_message('abc123 [telephony.twilio]') == 'abc123 [telephony.twilio]'
    assert _flows.made_here('Fix typo [telephony.twilio]') and not _flows.made_here('Published from console')
    assert not _flows.made_here(None)


def test_revisions_are_numbers_or_the_two_aliases():
    assert _flows.parse_revision(3) == '3' and _flows.parse_revision(' LatestPublished ') == 'LatestPublished'
    for bad in ('0', '-1', 'latest', '', '1.5'):
        try:
            _flows.parse_revision(bad)
        except ValueError as exc:
            assert 'revision must be' in str(exc)
        else:
            raise AssertionError(bad)


# -- strict JSON and messages (issue 23) ----------------------------------------------------------
import pytest  # noqa: E402  pylint: disable=wrong-import-position


@pytest.mark.parametrize('text, path', [
    ('{"states": [], "states": []}', "'states' at #/states"),
    ('{"a": {"b": 1, "c": 2, "b": 3}}', "'b' at #/a/b"),
    ('{"s": [{"x": 1}, {"y": 1, "y": 2}]}', "'y' at #/s/1/y"),
])
def test_a_repeated_key_is_refused_with_its_path(text, path):
    with pytest.raises(ValueError) as caught:
        _flows.strict_json(text, 'order.json')
    assert str(caught.value).startswith('order.json repeats the key ') and path in str(caught.value)


@pytest.mark.parametrize('constant', ['NaN', 'Infinity', '-Infinity'])
def test_nan_and_infinity_are_not_json(constant):
    with pytest.raises(ValueError) as caught:
        _flows.parse_definition('{"initial_state": "T", "states": [{"x": %s}]}' % constant)
    assert '%s is not JSON' % constant in str(caught.value)
    with pytest.raises(ValueError) as caught:  # a dict (the option given as YAML) is checked as well
        _flows.parse_definition({'initial_state': 'T', 'states': [{'x': float(constant)}]}, 'definition')
    assert 'definition holds NaN or Infinity at #/states/0/x' in str(caught.value)


def test_strict_json_returns_plain_dicts_in_the_order_given():
    value = _flows.strict_json('{"b": {"d": 1, "c": 2}, "a": [{"z": 1}]}')
    assert not any(isinstance(v, _flows._Object) for v in (value, value['b'], value['a'][0]))
    assert list(value) == ['b', 'a'] and list(value['b']) == ['d', 'c']


def test_problems_name_the_widget_and_the_transition():
    definition = {'initial_state': 'Trigger', 'states': [
        {'name': 'Trigger', 'type': 'trigger', 'transitions': [{'event': 'incomingRequest', 'next': 'greet'}]},
        {'name': 'greet', 'type': 'send-message', 'properties': {},
         'transitions': [{'event': 'sent', 'next': 'lookup_order_typo'}]}]}
    problems = [{'property_path': '#/states/1/transitions/0/next', 'message': 'Transition to unknown widget x'},
                {'property_path': '#/states/1/properties/body', 'message': 'needs a body'},
                {'property_path': '#/initial_state', 'message': 'no such widget'},
                {'property_path': '#/states/9/type', 'message': 'out of range'}]
    assert _flows.describe_problems(problems, definition).split('; ') == [
        "widget 'greet', transition 'sent' \u2192 unknown widget 'lookup_order_typo'",
        "widget 'greet', properties.body: needs a body",
        '#/initial_state: no such widget',
        '#/states/9/type: out of range']
    assert _flows.describe_problems(problems[:1]) == '#/states/1/transitions/0/next: Transition to unknown widget x'
