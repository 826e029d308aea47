# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one rule for a contact's data (check_contact), which the filter studio_contacts applies to host
variables and the module studio_campaign to its contacts: each wrong field is refused with a
one-line message naming the field (or the host variable), its value and the expected form."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.telephony.twilio.plugins.module_utils._validators import (
    HOST_VARIABLES,
    check_contact,
)

GOOD = {'name': 'ann', 'flow': 'Customer survey', 'to': '+15551230009', 'from': '+15005550006'}
DEFAULTS = {'flow': None, 'from': None, 'parameters': {}}


def refusal(contact, label='contact ann', **kwargs):
    with pytest.raises(ValueError) as caught:
        check_contact(contact, label, **kwargs)
    message = str(caught.value)
    assert message.startswith(label + ' ') or message.startswith(label + ':')
    assert '\n' not in message and 'Traceback' not in message
    return message


def test_a_right_contact_is_returned_whole_with_defaults_under_its_own_values():
    assert check_contact(dict(GOOD, parameters={'n': 1}), 'contact ann', DEFAULTS) == dict(GOOD, parameters={'n': 1})
    defaults = {'flow': 'FW' + 'a' * 32, 'from': 'MG' + 'b' * 32, 'parameters': {'shared': 1, 'n': 0}}
    assert check_contact({'to': 'whatsapp:+15551230004', 'parameters': '{"n": 2}'}, 'contact x', defaults) == {
        'name': 'whatsapp:+15551230004', 'flow': 'FW' + 'a' * 32, 'to': 'whatsapp:+15551230004',
        'from': 'MG' + 'b' * 32, 'parameters': {'shared': 1, 'n': 2}}
    # without a sender where none is needed (gathered, ended)
    assert check_contact({'name': 'b', 'flow': 'F', 'to': '+15551230001'}, 'contact b', needs_from=False)['from'] is None


# Each case: the contact's fields, then the message in the module's words and in the host variables'.
CASES = [
    ({'to': 15550000107}, 'to must be a string such as "+14155550100" (quote numbers in YAML), got int 15550000107',
     'studio_to must be a string such as "+14155550100" (quote numbers in YAML), got int 15550000107'),
    ({'to': '+1 555 0107'}, 'to must be an E.164 phone number', 'studio_to must be an E.164 phone number'),
    ({'to': None}, "to is required (the contact's address, such as +14155550100)", 'studio_to is required'),
    ({'to': ['x' * 500]}, 'to must be a string such as', 'studio_to must be a string such as'),
    ({'flow': None}, 'flow must be set to a Flow SID or the friendly name of a Flow (in the contact or as the flow '
                     'option), got nothing (unset)',
     'studio_flow must be set to a Flow SID or the friendly name of a Flow, got nothing (unset)'),
    ({'flow': {'sid': 'FW' + 'a' * 32}}, "flow must be set to a Flow SID or the friendly name of a Flow (in the "
                                         "contact or as the flow option), got dict {'sid'",
     "studio_flow must be set to a Flow SID or the friendly name of a Flow, got dict {'sid'"),
    ({'flow': 'FW123'}, 'flow must be a Flow SID', 'studio_flow must be a Flow SID'),
    ({'flow': ' Survey'}, 'flow must be a Flow SID or friendly name without surrounding spaces',
     'studio_flow must be a Flow SID or friendly name without surrounding spaces'),
    ({'from': ''}, 'from must be set to the sender, an E.164 number such as "+14155550199" or a Messaging Service '
                   'SID (in the contact or as the from option), got str',
     'studio_from must be set to the sender, an E.164 number such as "+14155550199" or a Messaging Service SID, '
     'got str'),
    ({'from': 'sms:+15005550006'}, 'from must be an E.164 phone number such as +14155550100 (+ then up to 15 digits, '
                                   'no spaces), or a channel address', 'studio_from must be an E.164 phone number'),
    ({'parameters': 'not a dict'}, 'parameters must be a dict or a string holding a JSON object; the string is not '
                                   'JSON', 'studio_parameters must be a dict or a string holding a JSON object'),
    ({'parameters': [1, 2]}, 'parameters must be a dict or a string holding a JSON object, got list',
     'studio_parameters must be a dict or a string holding a JSON object, got list'),
    ({'parameters': {'x': float('inf')}}, 'parameters.x must be a finite number (JSON has no NaN or Infinity), got inf',
     'studio_parameters.x must be a finite number (JSON has no NaN or Infinity), got inf'),
    ({'parameters': {'a': [1, {'b': object()}]}}, 'parameters.a[1].b must be a JSON value',
     'studio_parameters.a[1].b must be a JSON value'),
    ({'parameters': '{"x": NaN}'}, 'the string is not JSON: NaN is not JSON', 'the string is not JSON: NaN is not JSON'),
    ({'parameters': {'ansible_campaign': 'mine'}}, 'parameters must not contain ansible_campaign: the collection adds '
                                                   'this key itself',
     'studio_parameters must not contain ansible_campaign: the collection adds this key itself'),
    ({'parameters': {'ansible_task_nonce': 'x'}}, 'parameters must not contain ansible_task_nonce',
     'studio_parameters must not contain ansible_task_nonce'),
]


@pytest.mark.parametrize('fields, module_words, host_words', CASES)
def test_each_wrong_field_is_refused_naming_it_in_the_words_of_its_caller(fields, module_words, host_words):
    contact = dict(GOOD, **fields)
    message = refusal(contact, 'contact ann', defaults=DEFAULTS)
    assert module_words in message and len(message) < 400, message
    message = refusal(contact, 'Contact ann', names=HOST_VARIABLES)
    assert host_words in message and len(message) < 400, message


def test_what_only_a_module_contact_can_get_wrong():
    assert refusal([1, 2], 'contacts[3]', defaults=DEFAULTS) == (
        'contacts[3] must be a dict with name, flow, to, from, parameters, got list')
    assert refusal(dict(GOOD, colour='blue'), defaults=DEFAULTS) == (
        'contact ann: unknown field colour; a contact has name, flow, to, from, parameters')
    assert refusal(dict(GOOD, name=7), 'contacts[0]', defaults=DEFAULTS) == (
        'contacts[0]: name must be a string, got int 7')


def test_a_sender_is_needed_to_trigger_only_but_checked_whenever_given():
    contact = dict(GOOD)
    del contact['from']
    assert 'from must be set to the sender' in refusal(contact, defaults=DEFAULTS)
    assert check_contact(contact, 'contact ann', DEFAULTS, needs_from=False)['from'] is None
    assert 'from must be an E.164' in refusal(dict(GOOD, **{'from': '+1 555'}), defaults=DEFAULTS, needs_from=False)
