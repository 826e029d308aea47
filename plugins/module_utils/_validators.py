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


def type_name(value):
    """The plain JSON-ish type of ``value`` (not the name of a subclass such as Ansible's tagged ones)."""
    for kind in (bool, int, float, str, dict, list):
        if isinstance(value, kind):
            return kind.__name__
    return 'null' if value is None else type(value).__name__


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


def parse_parameters(value, option='parameters'):
    """A dict, or a string holding a JSON object; returned as a dict of JSON values."""
    if value is None:
        return {}
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
        raise ValueError('%s must be a dict or a string holding a JSON object, got %s' % (option, type_name(value)))
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError('%s must hold only JSON values (strings, numbers, booleans, lists, dicts): %s'
                         % (option, exc))
    return value


def check_parameters(value, option='parameters'):
    """A dict, or a string holding a JSON object; returned as the JSON string Studio expects."""
    if value is None:
        return None
    return json.dumps(parse_parameters(value, option), sort_keys=True, separators=(',', ':'), allow_nan=False)


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


CONTACT_FIELDS = ('name', 'flow', 'to', 'from', 'parameters')


def check_contact(contact, position, defaults, needs_from=True):
    """One contact of a batch as {name, flow, to, from, parameters (a dict)}.

    ``defaults`` holds the module's ``flow``, ``from`` and ``parameters`` (a dict, under the
    contact's own). Raises ValueError with a message that names the contact and the field.
    """
    if not isinstance(contact, dict):
        raise ValueError('contacts[%d] must be a dict with %s, got %s'
                         % (position, ', '.join(CONTACT_FIELDS), type_name(contact)))
    name = contact.get('name', contact.get('to'))
    label = 'contacts[%d]' % position if not isinstance(name, str) or not name else 'contact %s' % name
    unknown = sorted(str(key) for key in contact if key not in CONTACT_FIELDS)
    if unknown:
        raise ValueError('%s: unknown field %s; a contact has %s' % (label, ', '.join(unknown), ', '.join(CONTACT_FIELDS)))
    checked = {}
    for field in ('name', 'flow', 'to', 'from'):
        value = contact.get(field)
        if value is None and field != 'to':
            value = defaults.get(field)
        if value is not None and not isinstance(value, str):
            raise ValueError('%s: %s must be a string%s, got %s %r'
                             % (label, field, ' such as +14155550100' if field in ('to', 'from') else '',
                                type_name(value), value))
        checked[field] = value
    if not checked['to']:
        raise ValueError('%s: to is required (the contact\'s address, such as +14155550100)' % label)
    if not checked['flow']:
        raise ValueError('%s: flow is required (a Flow SID or friendly name), in the contact or as the flow option'
                         % label)
    if needs_from and not checked['from']:
        raise ValueError('%s: from is required (the sender: an E.164 number or a Messaging Service SID), in the '
                         'contact or as the from option' % label)
    checked['name'] = checked['name'] or checked['to']
    try:
        check_flow(checked['flow'], 'flow')
        check_address(checked['to'], 'to')
        check_address(checked['from'], 'from')
        parameters = dict(defaults.get('parameters') or {})
        parameters.update(parse_parameters(contact.get('parameters'), 'parameters'))
        checked['parameters'] = parse_parameters(parameters, 'parameters')
    except ValueError as exc:
        raise ValueError('%s: %s' % (label, exc))
    return checked
