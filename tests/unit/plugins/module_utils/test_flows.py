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
