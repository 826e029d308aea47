# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the telephony.twilio collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""Input checks made before any request: each raises ValueError naming the option and the form."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import re

SID_KINDS = {
    'AC': 'Account SID',
    'SK': 'API key SID',
    'FW': 'Flow SID',
    'FN': 'Execution SID',
    'FT': 'Step SID',
}
_SID = re.compile(r'^(AC|SK|FW|FN|FT)[0-9a-fA-F]{32}$')
_E164 = re.compile(r'^\+[1-9][0-9]{0,14}$')
_PHONE_LIKE = re.compile(r'^[+0-9(][0-9 ()./-]*$')
_CHANNEL = re.compile(r'^([a-z][a-z0-9_-]*):(.+)$')


def is_sid(value, prefix):
    return isinstance(value, str) and bool(_SID.match(value)) and value.startswith(prefix)


def check_sid(value, prefix, option):
    """``value`` must be ``prefix`` followed by 32 hexadecimal digits."""
    if value is None:
        return None
    if not is_sid(value, prefix):
        kind = SID_KINDS.get(prefix, prefix + ' SID')
        raise ValueError('%s must be %s %s: %s followed by 32 hexadecimal digits (%s%s), got %r'
                         % (option, 'an' if kind[0] in 'AEIOU' else 'a', kind, prefix, prefix, 'a' * 32, value))
    return value


_SID_LIKE = re.compile(r'^(FW|FN|FT)[0-9a-fA-F]+$')


def check_flow(value, option='flow'):
    """A Flow SID or a friendly name; text that looks like a mistyped Flow SID is refused."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueError('%s must be a Flow SID (FW followed by 32 hexadecimal digits) or a Flow friendly name, '
                         'not empty' % option)
    if _SID_LIKE.match(value) and not is_sid(value, 'FW'):
        check_sid(value, 'FW', option)
    return value


def check_address(value, option):
    """A contact or sender address.

    Phone-like values must be E.164 (``+`` and up to 15 digits); ``channel:address`` values
    (``whatsapp:+1...``, ``messenger:...``) are checked after the prefix when the rest is phone-like;
    other identifiers (a Messaging Service SID ``MG...``, a client name) pass unchanged.
    """
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        raise ValueError('%s must be a non-empty address without surrounding spaces, such as +14155550100' % option)
    address = value
    match = _CHANNEL.match(value)
    if match:
        address = match.group(2)
    if _PHONE_LIKE.match(address) and not _E164.match(address):
        raise ValueError('%s must be an E.164 phone number: + then up to 15 digits, no spaces or punctuation '
                         '(such as +14155550100%s), got %r'
                         % (option, ', or whatsapp:+14155550100' if match else '', value))
    return value


def check_parameters(value, option='parameters'):
    """A dict, or a string holding a JSON object; returned as the JSON string Studio expects."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError as exc:
            raise ValueError('%s must be a dict or a string holding a JSON object; the string is not JSON: %s'
                             % (option, exc))
        if not isinstance(parsed, dict):
            raise ValueError('%s must be a dict or a string holding a JSON object, got JSON %s'
                             % (option, type(parsed).__name__))
        value = parsed
    if not isinstance(value, dict):
        raise ValueError('%s must be a dict or a string holding a JSON object, got %s' % (option, type(value).__name__))
    try:
        return json.dumps(value, sort_keys=True, separators=(',', ':'))
    except (TypeError, ValueError) as exc:
        raise ValueError('%s must hold only JSON values (strings, numbers, booleans, lists, dicts): %s'
                         % (option, exc))


def parse_datetime(value, option):
    """An ISO 8601 date-time (``2024-05-01T10:00:00Z``, an offset, or a date) in UTC, for Twilio."""
    if value is None or value == '':
        return None
    text = str(value).strip()
    candidate = text[:-1] + '+00:00' if text.endswith(('Z', 'z')) else text
    try:
        if len(candidate) == 10:
            stamp = datetime.datetime.strptime(candidate, '%Y-%m-%d')
        else:
            stamp = _fromisoformat(candidate)
    except ValueError:
        raise ValueError('%s must be an ISO 8601 date-time such as 2024-05-01T10:00:00Z or 2024-05-01, got %r'
                         % (option, value))
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(_UTC).replace(tzinfo=None)
    return stamp.strftime('%Y-%m-%dT%H:%M:%SZ')


class _Utc(datetime.tzinfo):
    def utcoffset(self, dt):
        return datetime.timedelta(0)

    def tzname(self, dt):
        return 'UTC'

    def dst(self, dt):
        return datetime.timedelta(0)


_UTC = _Utc()


def _fromisoformat(text):
    if hasattr(datetime.datetime, 'fromisoformat'):
        return datetime.datetime.fromisoformat(text.replace(' ', 'T', 1))
    match = re.match(r'^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?([+-]\d{2}:?\d{2})?$', text)
    if not match:
        raise ValueError(text)
    fmt = '%Y-%m-%dT%H:%M:%S' if match.group(2).count(':') == 2 else '%Y-%m-%dT%H:%M'
    stamp = datetime.datetime.strptime('%sT%s' % (match.group(1), match.group(2)), fmt)
    if match.group(3):
        sign = -1 if match.group(3)[0] == '-' else 1
        digits = match.group(3)[1:].replace(':', '')
        stamp -= sign * datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return stamp


def parse_twilio_date(value):
    """Twilio's ``date_created`` (``2024-05-01T10:00:00Z``) as naive UTC, or None."""
    if not value:
        return None
    try:
        return datetime.datetime.strptime(value, '%Y-%m-%dT%H:%M:%SZ')
    except ValueError:
        return None
