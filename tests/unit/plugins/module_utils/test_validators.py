# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile input, by class: each is refused with a message naming the option and the form, nothing echoed
that could be a secret, no traceback."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest

from ansible_collections.telephony.twilio.plugins.module_utils._module import check_limits, choose_credentials
from ansible_collections.telephony.twilio.plugins.module_utils._validators import (
    check_address,
    check_flow,
    check_range,
    check_sid,
    parameters_json,
    parse_datetime,
    twilio_format,
)

HEX = '0123456789abcdef0123456789abcdef'


# -- 1. not JSON --------------------------------------------------------------------------------
@pytest.mark.parametrize('value, expected', [
    ({'x': float('nan')}, 'parameters.x must be a finite number (JSON has no NaN or Infinity), got nan'),
    ({'a': {'b': [1, float('inf')]}}, 'parameters.a.b[1] must be a finite number (JSON has no NaN or Infinity)'),
    ({'x': float('-inf')}, 'parameters.x must be a finite number'),
    ({'x': {1: 'one'}}, 'parameters.x must have text keys, got the key 1'),
    ({'x': {'y': object()}}, 'parameters.x.y must be a JSON value (text, number, true/false, null, list or dict)'),
    ('{"x": NaN}', 'the string is not JSON: NaN is not JSON (JSON has no NaN or Infinity)'),
    ('{"x": Infinity}', 'the string is not JSON: Infinity is not JSON'),
    ('{"x": 1', 'the string is not JSON'),
])
def test_parameters_that_are_not_json_are_refused_naming_the_key(value, expected):
    with pytest.raises(ValueError) as info:
        parameters_json(value)
    assert expected in str(info.value)


def test_parameters_are_serialised_strictly():
    assert parameters_json({'b': [1, 2.5, None, True], 'a': 'x'}) == '{"a":"x","b":[1,2.5,null,true]}'


# -- 2. addresses ---------------------------------------------------------------------------------
@pytest.mark.parametrize('value', [
    '+14155550100', 'whatsapp:+14155550100', 'messenger:1234567890', 'client:alice.smith@home', 'client:agent_7',
    'sip:alice@example.com', 'sip:alice@10.0.0.1:5060', 'MG' + HEX, '+1',
])
def test_addresses_of_the_grammar_pass(value):
    assert check_address(value, 'to') == value


@pytest.mark.parametrize('value, expected', [
    ('whatsapp:', "to: after whatsapp: comes an E.164 number, such as whatsapp:+14155550100; got 'whatsapp:'"),
    ('WhatsApp:+15557770103', 'to: write the channel prefix as whatsapp: (lower case, no spaces)'),
    ('whatsapp: +15557770104', 'to: after whatsapp: comes an E.164 number'),
    (' whatsapp:+15557770104', 'to: write the channel prefix as whatsapp:'),
    ('+1555777\n0105', "to must be an E.164 phone number"),
    ('+15557770106\n', "to must be an E.164 phone number"),
    ('\u200b+15557770107', "got '\\u200b+15557770107'"),
    ('+\uff11\uff15\uff15\uff15', 'to must be an E.164 phone number'),
    ("['+15557770108']", "to must be an E.164 phone number such as +14155550100"),
    (['+15557770108'], 'to must be a string'),
    (15557770109, 'to must be a string'),
    ('dave smith', "got 'dave smith'"),
    ('+1 555 777 0110', 'to must be an E.164 phone number: + then up to 15 digits'),
    ('+0155577701', 'to must be an E.164 phone number'),
    ('+1234567890123456', 'to must be an E.164 phone number'),
    ('15557770111', 'to must be an E.164 phone number'),
    ('messenger:page-abc', 'to: after messenger: comes a Facebook Messenger ID of digits'),
    ('client:al ice', 'to: after client: comes a Twilio Client identity'),
    ('sip:alice', 'to: after sip: comes a SIP address user@host'),
    ('', "got ''"),
    ('x' * 5000, '...'),
])
def test_addresses_outside_the_grammar_are_refused(value, expected):
    with pytest.raises(ValueError) as info:
        check_address(value, 'to')
    assert expected in str(info.value)
    assert len(str(info.value)) < 400  # a long value is cut, not echoed whole


# -- 3. the $ trap ------------------------------------------------------------------------------
@pytest.mark.parametrize('prefix, option', [('FN', 'execution_sid'), ('FW', 'flow'), ('FT', 'step_sid')])
def test_a_sid_with_a_trailing_newline_is_refused(prefix, option):
    with pytest.raises(ValueError):
        check_sid(prefix + HEX + '\n', prefix, option)
    assert check_sid(prefix + HEX, prefix, option) == prefix + HEX


def test_a_flow_with_a_trailing_newline_is_refused():
    with pytest.raises(ValueError, match='flow must be a Flow SID'):
        check_flow('FW' + HEX + '\n')
    with pytest.raises(ValueError, match='without surrounding spaces or control characters'):
        check_flow('Customer survey\n')


# -- 4. numbers ---------------------------------------------------------------------------------
@pytest.mark.parametrize('timeout, retries, expected', [
    (float('nan'), 5, 'timeout must be a number of seconds above 0 and at most 300, got nan'),
    (float('inf'), 5, 'timeout must be a number of seconds above 0 and at most 300, got inf'),
    (1e308, 5, 'timeout must be a number of seconds above 0 and at most 300'),
    (0.0, 5, 'timeout must be a number of seconds above 0'),
    (-1.0, 5, 'timeout must be a number of seconds above 0'),
    (30.0, 10 ** 400, 'max_retries must be a whole number from 0 to 10'),
    (30.0, 1000000000, 'max_retries must be a whole number from 0 to 10, got 1000000000'),
    (30.0, -1, 'max_retries must be a whole number from 0 to 10'),
])
def test_numbers_outside_their_bounds_are_refused(timeout, retries, expected):
    with pytest.raises(ValueError) as info:
        check_limits({'timeout': timeout, 'max_retries': retries})
    assert expected in str(info.value)


# -- 5. dates at the edges ----------------------------------------------------------------------
@pytest.mark.parametrize('value', ['0001-01-01T00:30:00+01:00', '9999-12-31T23:30:00-01:00', '0999-12-31',
                                   '1969-12-31T23:59:59Z', '2024-02-30', '2024-05-01T25:00:00Z', 'yesterday'])
def test_dates_out_of_range_or_wrong_are_refused_by_name(value):
    with pytest.raises(ValueError) as info:
        parse_datetime(value, 'date_created_from')
    assert str(info.value).startswith('date_created_from must be')


@pytest.mark.parametrize('value, expected, sent', [
    ('2024-05-01', datetime.datetime(2024, 5, 1), '2024-05-01T00:00:00Z'),
    ('2024-05-01T10:00:00+02:00', datetime.datetime(2024, 5, 1, 8), '2024-05-01T08:00:00Z'),
    ('2024-05-01T10:00:00z', datetime.datetime(2024, 5, 1, 10), '2024-05-01T10:00:00Z'),
    ('2024-05-01T10:00:00.987654Z', datetime.datetime(2024, 5, 1, 10), '2024-05-01T10:00:00Z'),
    ('1970-01-01', datetime.datetime(1970, 1, 1), '1970-01-01T00:00:00Z'),
])
def test_dates_are_read_as_naive_utc_to_the_second_and_sent_with_four_digit_years(value, expected, sent):
    stamp = parse_datetime(value, 'since')
    assert stamp == expected and stamp.tzinfo is None
    assert twilio_format(stamp) == sent
    assert parse_datetime('', 'since') is None and parse_datetime(None, 'since') is None


def test_a_reversed_range_is_refused():
    day, next_day = datetime.datetime(2024, 5, 1), datetime.datetime(2024, 5, 2)
    with pytest.raises(ValueError, match=r'date_created_from \(2024-05-02T00:00:00Z\) must be before date_created_to '
                                         r'\(2024-05-01T00:00:00Z\)'):
        check_range(next_day, day, 'date_created_from', 'date_created_to')
    early, late = parse_datetime('2024-05-01T10:00:00.100Z', 'a'), parse_datetime('2024-05-01T10:00:00.900Z', 'b')
    with pytest.raises(ValueError, match='must be before'):
        check_range(early, late, 'date_created_from', 'date_created_to')  # the same second for Twilio
    check_range(day, next_day, 'date_created_from', 'date_created_to')
    check_range(None, day, 'date_created_from', 'date_created_to')


# -- 6. credentials -----------------------------------------------------------------------------
TOKEN = 'a9f3c0ffee' * 3 + 'zz'


@pytest.mark.parametrize('params, expected', [
    (dict(account_sid=TOKEN, auth_token='AC' + HEX), 'account_sid must be an Account SID'),
    (dict(api_key=TOKEN, api_secret='x'), 'api_key must be an API key SID'),
    (dict(account_sid='AC' + HEX + '\n', auth_token=TOKEN), 'account_sid must be an Account SID'),
    (dict(account_sid='AC' + HEX, auth_token='t\u00f6k\u20acn' + TOKEN), 'auth_token must be printable ASCII'),
    (dict(api_key='SK' + HEX, api_secret=TOKEN + ' \n'), 'api_secret must be printable ASCII'),
])
def test_credentials_are_checked_and_never_echoed(params, expected):
    with pytest.raises(ValueError) as info:
        choose_credentials(dict(dict.fromkeys(['account_sid', 'auth_token', 'api_key', 'api_secret']), **params))
    message = str(info.value)
    assert expected in message
    assert TOKEN not in message and 't\u00f6k' not in message
