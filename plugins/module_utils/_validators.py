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
import math
import re

SID_KINDS = {
    'AC': 'Account SID',
    'SK': 'API key SID',
    'FW': 'Flow SID',
    'FN': 'Execution SID',
    'FT': 'Step SID',
    'MG': 'Messaging Service SID',
}
# Every pattern is used with fullmatch: ``$`` would also match before a final newline.
_SID = re.compile(r'(AC|SK|FW|FN|FT|MG)[0-9a-fA-F]{32}')
_E164 = re.compile(r'\+[1-9][0-9]{0,14}')
_PHONE_LIKE = re.compile(r'[+0-9(][0-9 ()./-]*')
# Longest value echoed back in a message.
SHOWN = 100

# The contact and sender addresses Studio's REST-triggered Executions take, as the collection
# checks them before sending (README, "Addresses"). A channel prefix is written in lower case.
CHANNELS = {
    'whatsapp': ('an E.164 number, such as whatsapp:+14155550100', lambda rest: bool(_E164.fullmatch(rest))),
    'messenger': ('a Facebook Messenger ID of digits, such as messenger:1234567890',
                  lambda rest: bool(re.fullmatch(r'[0-9]{1,32}', rest))),
    'client': ('a Twilio Client identity of letters, digits and _ - . @, such as client:alice',
               lambda rest: bool(re.fullmatch(r'[A-Za-z0-9_.@-]{1,121}', rest))),
    'sip': ('a SIP address user@host, such as sip:alice@example.com',
            lambda rest: bool(re.fullmatch(r'[A-Za-z0-9_.!~*\'()&=+$,;?/%-]{1,64}@[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?',
                                           rest))),
}
ADDRESS_FORMS = ('an E.164 phone number such as +14155550100 (+ then up to 15 digits, no spaces), or a channel '
                 'address: whatsapp:+14155550100, messenger:<digits>, client:<identity>, sip:<user>@<host>')


def shown(value):
    """``value`` for a message: its repr (so that newlines and invisible characters show), cut short."""
    text = repr(value)
    return text if len(text) <= SHOWN else text[:SHOWN - 3] + '...'


def type_name(value):
    """The plain JSON-ish type of ``value`` (not the name of a subclass such as Ansible's tagged ones)."""
    for kind in (bool, int, float, str, dict, list):
        if isinstance(value, kind):
            return kind.__name__
    return 'null' if value is None else type(value).__name__


def is_sid(value, prefix):
    return isinstance(value, str) and bool(_SID.fullmatch(value)) and value.startswith(prefix)


def check_sid(value, prefix, option, credential=False):
    """``value`` must be ``prefix`` followed by 32 hexadecimal digits.

    With ``credential``, the value is never echoed (a token given in the wrong option would be).
    """
    if value is None:
        return None
    if not is_sid(value, prefix):
        kind = SID_KINDS.get(prefix, prefix + ' SID')
        got = ('a value of %d characters (not shown: it may be a secret)' % len(value) if credential and
               isinstance(value, str) else shown(value))
        raise ValueError('%s must be %s %s: %s followed by 32 hexadecimal digits (%s%s), got %s'
                         % (option, 'an' if kind[0] in 'AEIOU' else 'a', kind, prefix, prefix, 'a' * 32, got))
    return value


def check_secret(value, option):
    """A token or secret: printable ASCII without spaces (what Twilio issues). Never echoed."""
    if value is None:
        return None
    if not isinstance(value, str) or not re.fullmatch(r'[!-~]+', value):
        raise ValueError('%s must be printable ASCII without spaces, as Twilio issues it (the value is not shown)'
                         % option)
    return value


_SID_LIKE = re.compile(r'(FW|FN|FT)[0-9a-fA-F]+\s*')


def check_flow(value, option='flow'):
    """A Flow SID or a friendly name; text that looks like a mistyped Flow SID is refused."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueError('%s must be a Flow SID (FW followed by 32 hexadecimal digits) or a Flow friendly name, '
                         'not empty' % option)
    if _SID_LIKE.fullmatch(value) and not is_sid(value, 'FW'):
        check_sid(value, 'FW', option)
    if value != value.strip() or any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError('%s must be a Flow SID or friendly name without surrounding spaces or control characters, '
                         'got %s' % (option, shown(value)))
    return value


def check_address(value, option):
    """A contact or sender address in the grammar of ADDRESS_FORMS (or a Messaging Service SID).

    E.164 is checked with ASCII digits only and as a full match: spaces, newlines, invisible or
    full-width characters, a list turned into text, all fail. A known channel prefix in another
    case is refused with the right spelling.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError('%s must be a string: %s; got %s %s' % (option, ADDRESS_FORMS, type_name(value), shown(value)))
    if _E164.fullmatch(value) or is_sid(value, 'MG'):
        return value
    prefix, colon, rest = value.partition(':')
    if colon and prefix in CHANNELS:
        form, valid = CHANNELS[prefix]
        if valid(rest):
            return value
        raise ValueError('%s: after %s: comes %s; got %s' % (option, prefix, form, shown(value)))
    if colon and prefix.strip().lower() in CHANNELS:
        raise ValueError('%s: write the channel prefix as %s: (lower case, no spaces), got %s'
                         % (option, prefix.strip().lower(), shown(value)))
    if _PHONE_LIKE.fullmatch(value.strip()):
        raise ValueError('%s must be an E.164 phone number: + then up to 15 digits, no spaces or punctuation (such '
                         'as +14155550100), got %s' % (option, shown(value)))
    raise ValueError('%s must be %s; got %s' % (option, ADDRESS_FORMS, shown(value)))


def non_json(value, path):
    """The first place in ``value`` that JSON cannot hold, as (path, why), or None."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return path, 'must be a finite number (JSON has no NaN or Infinity), got %s' % value
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return path, 'must have text keys, got the key %s' % shown(key)
            found = non_json(item, '%s.%s' % (path, key))
            if found:
                return found
        return None
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found = non_json(item, '%s[%d]' % (path, index))
            if found:
                return found
        return None
    if value is None or isinstance(value, (str, bool, int, float)):
        return None
    return path, 'must be a JSON value (text, number, true/false, null, list or dict), got %s' % type_name(value)


def parse_parameters(value, option='parameters'):
    """A dict, or a string holding a JSON object; returned as a dict of JSON values."""
    if value is None:
        return {}
    if isinstance(value, str):
        try:
            parsed = json.loads(value, parse_constant=_no_constant)
        except ValueError as exc:
            raise ValueError('%s must be a dict or a string holding a JSON object; the string is not JSON: %s'
                             % (option, exc))
        if not isinstance(parsed, dict):
            raise ValueError('%s must be a dict or a string holding a JSON object, got JSON %s'
                             % (option, type(parsed).__name__))
        value = parsed
    if not isinstance(value, dict):
        raise ValueError('%s must be a dict or a string holding a JSON object, got %s' % (option, type_name(value)))
    found = non_json(value, option)
    if found:
        raise ValueError('%s %s' % found)
    return value


def _no_constant(name):
    raise ValueError('%s is not JSON (JSON has no NaN or Infinity)' % name)


def parameters_json(value, option='parameters'):
    """The parameters option (a dict, or a string holding a JSON object) as the JSON text Studio's
    ``Parameters`` takes (keys sorted, no spaces), or None; raises ValueError as parse_parameters does."""
    if value is None:
        return None
    return json.dumps(parse_parameters(value, option), sort_keys=True, separators=(',', ':'), allow_nan=False)


def parse_datetime(value, option):
    """An ISO 8601 date-time (``2024-05-01T10:00:00Z``, an offset, or a date) as a naive UTC datetime
    to the second (what Twilio's date filters take: ``twilio_format`` writes it), or None when empty.

    Years 1970 to 9998 after conversion to UTC; anything else, or a value that is not a date,
    fails naming the option.
    """
    if value is None or value == '':
        return None
    text = str(value).strip()
    candidate = text[:-1] + '+00:00' if text.endswith(('Z', 'z')) else text
    try:
        if re.fullmatch(r'[0-9]{4}-[0-9]{2}-[0-9]{2}', candidate):
            stamp = datetime.datetime.strptime(candidate, '%Y-%m-%d')
        else:
            stamp = datetime.datetime.fromisoformat(candidate.replace(' ', 'T', 1))
        if stamp.tzinfo is not None:
            stamp = stamp.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    except (ValueError, OverflowError):
        raise ValueError('%s must be an ISO 8601 date-time such as 2024-05-01T10:00:00Z or 2024-05-01, got %s'
                         % (option, shown(value)))
    if not 1970 <= stamp.year <= 9998:
        raise ValueError('%s must be between 1970 and 9998 (in UTC), got %s' % (option, shown(value)))
    return stamp.replace(microsecond=0)


def twilio_format(stamp):
    """``2024-05-01T10:00:00Z`` (years always with four digits; strftime does not pad on every platform)."""
    return '%04d-%02d-%02dT%02d:%02d:%02dZ' % (
        stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)


def check_range(date_from, date_to, option_from, option_to):
    """Twilio returns nothing for a reversed range; refuse it instead (the values are parse_datetime's)."""
    if date_from and date_to and date_from >= date_to:
        raise ValueError('%s (%s) must be before %s (%s): %s is inclusive, %s exclusive'
                         % (option_from, twilio_format(date_from), option_to, twilio_format(date_to), option_from,
                            option_to))


def parse_twilio_date(value):
    """Twilio's ``date_created`` (``2024-05-01T10:00:00Z``) as naive UTC, or None."""
    if not value:
        return None
    try:
        return datetime.datetime.strptime(value, '%Y-%m-%dT%H:%M:%SZ')
    except ValueError:
        return None


# Keys the collection adds to the Execution's Parameters (the Flow sees them as flow.data.<key>).
NONCE_KEY = 'ansible_task_nonce'
CAMPAIGN_KEY = 'ansible_campaign'
RESERVED_KEYS = (NONCE_KEY, CAMPAIGN_KEY)


def reserved_key_error(parameters, option='parameters'):
    """A message when the user's parameters use a key the collection adds itself, else None."""
    taken = sorted(key for key in RESERVED_KEYS if key in (parameters or {}))
    if taken:
        return ('%s must not contain %s: the collection adds %s itself to recognise its own Executions'
                % (option, ', '.join(taken), 'this key' if len(taken) == 1 else 'these keys'))
    return None


def describe(value):
    """``int 15550000107``: the plain type (not Ansible's tagged subclasses) and the value, cut at 80 characters."""
    if value is None:
        return 'nothing (unset)'
    kind = type_name(value)
    plain = {'bool': bool, 'int': int, 'float': float, 'str': str}.get(kind, lambda v: v)(value)
    text = repr(plain)
    return '%s %s' % (kind, text if len(text) <= 80 else text[:77] + '...')


CONTACT_FIELDS = ('name', 'flow', 'to', 'from', 'parameters')
# What messages call each field of a contact: the module's ``contacts`` option uses the field
# names; the playbooks' contacts are hosts, whose variables have their own names.
FIELD_NAMES = dict((field, field) for field in CONTACT_FIELDS)
HOST_VARIABLES = {'name': 'inventory_hostname', 'flow': 'studio_flow', 'to': 'studio_to', 'from': 'studio_from',
                  'parameters': 'studio_parameters'}


def check_contact(contact, label, defaults=None, needs_from=True, names=None):
    """One contact as {name, flow, to, from, parameters (a dict)}: the one rule for a contact's data,
    applied by the filter studio_contacts (to hosts) and the module studio_campaign (to its contacts).

    ``contact`` holds fields of CONTACT_FIELDS (``name`` defaults to ``to``). ``defaults``, the
    module's, holds ``flow``, ``from`` and ``parameters`` (a checked dict, under the contact's own) for
    the fields a contact leaves out. ``names`` says what messages call each field (FIELD_NAMES, the
    default, or HOST_VARIABLES). Raises ValueError starting with ``label`` (such as ``contact ann``)
    and naming the field, its value and the expected form.
    """
    names = names or FIELD_NAMES
    if not isinstance(contact, dict):
        raise ValueError('%s must be a dict with %s, got %s' % (label, ', '.join(CONTACT_FIELDS), type_name(contact)))
    unknown = sorted(str(key) for key in contact if key not in CONTACT_FIELDS)
    if unknown:
        raise ValueError('%s: unknown field %s; a contact has %s' % (label, ', '.join(unknown), ', '.join(CONTACT_FIELDS)))

    def or_option(field):
        return ' (in the contact or as the %s option)' % field if defaults is not None else ''

    given = dict((field, contact.get(field)) for field in CONTACT_FIELDS)
    for field in ('flow', 'from'):
        if given[field] is None and defaults is not None:
            given[field] = defaults.get(field)
    name, flow, to, sender = given['name'], given['flow'], given['to'], given['from']
    try:
        if name is not None and not isinstance(name, str):
            raise ValueError('%s must be a string, got %s' % (names['name'], describe(name)))
        if not isinstance(flow, str) or not flow.strip():
            raise ValueError('%s must be set to a Flow SID or the friendly name of a Flow%s, got %s'
                             % (names['flow'], or_option('flow'), describe(flow)))
        check_flow(flow, names['flow'])
        if to is None:
            raise ValueError('%s is required (the contact\'s address, such as +14155550100)' % names['to'])
        if not isinstance(to, str):
            raise ValueError('%s must be a string such as "+14155550100" (quote numbers in YAML), got %s'
                             % (names['to'], describe(to)))
        check_address(to, names['to'])
        if needs_from or sender is not None:
            if not isinstance(sender, str) or not sender:
                raise ValueError('%s must be set to the sender, an E.164 number such as "+14155550199" or a Messaging '
                                 'Service SID%s, got %s' % (names['from'], or_option('from'), describe(sender)))
            check_address(sender, names['from'])
        parameters = dict((defaults or {}).get('parameters') or {})
        parameters.update(parse_parameters(given['parameters'], names['parameters']))
        reserved = reserved_key_error(parameters, names['parameters'])
        if reserved:
            raise ValueError(reserved)
    except ValueError as exc:
        raise ValueError('%s: %s' % (label, exc))
    return {'name': name or to, 'flow': flow, 'to': to, 'from': sender, 'parameters': parameters}
