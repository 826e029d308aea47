# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the telephony.twilio collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""Flows on the Studio REST API: the one lookup of a Flow by SID or friendly name (v1 and v2), and
definitions on v2 (canonical form, diff, validation and revisions)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import math

from ansible_collections.telephony.twilio.plugins.module_utils._client import StudioError
from ansible_collections.telephony.twilio.plugins.module_utils._validators import is_sid, shown

STATUSES = ('draft', 'published')
REVISION_ALIASES = ('LatestPublished', 'LatestRevision')
# Every revision this collection writes carries this in its commit message; export_flows.yml
# reports a Flow whose latest revision lacks it as drift (changed outside git).
MARKER = '[telephony.twilio]'
DEFAULT_COMMIT_MESSAGE = 'Deployed by Ansible'
VALIDATION_FAILED = 81022
MAX_STATES = 1000


class _Object(dict):
    """A JSON object as parsed by strict_json, with the keys that were repeated in it."""
    repeated = ()


def _pairs(pairs):
    found = _Object()
    repeated = []
    for key, value in pairs:
        if key in found and key not in repeated:
            repeated.append(key)
        found[key] = value
    if repeated:
        found.repeated = repeated
    return found


def _not_a_number(name):
    raise ValueError('%s is not JSON (JSON has no NaN or Infinity)' % name)


def json_path(parts):
    """A JSON Pointer-like path for messages: ('states', 2, 'name') -> '#/states/2/name'."""
    return '#' + ''.join('/%s' % part for part in parts)


def _first(value, test, parts=()):
    """The path (a tuple) of the first node of ``value`` for which ``test`` is true, or None."""
    if test(value):
        return parts
    if isinstance(value, dict):
        for key, item in value.items():
            found = _first(item, test, parts + (key,))
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _first(item, test, parts + (index,))
            if found is not None:
                return found
    return None


def non_finite(value):
    """The path of the first NaN or Infinity in a parsed JSON value ('#/states/1/properties/x'), or None."""
    found = _first(value, lambda v: isinstance(v, float) and not math.isfinite(v))
    return None if found is None else json_path(found)


def strict_json(text, name='definition'):
    """Parse JSON text, refusing what the standard library lets through: a key repeated in one object
    (JSON keeps the last, so a reviewer reads one value and Studio gets another) and NaN/Infinity
    (not JSON). ValueError names the key's path."""
    value = json.loads(text, object_pairs_hook=_pairs, parse_constant=_not_a_number)
    found = _first(value, lambda v: isinstance(v, _Object) and bool(v.repeated))
    if found is not None:
        node = value
        for part in found:
            node = node[part]
        raise ValueError('%s repeats the key %s at %s (JSON keeps only the last one): give each key once'
                         % (name, shown(node.repeated[0]), json_path(found + (node.repeated[0],))))
    return _plain(value)


def _plain(value):
    if isinstance(value, dict):
        return dict((key, _plain(item)) for key, item in value.items())
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def parse_definition(value, name='definition'):
    """A Flow definition from a dict or a JSON string; ValueError naming ``name`` otherwise.

    A string with a repeated key, and NaN or Infinity anywhere, are refused (see strict_json)."""
    if isinstance(value, (bytes, bytearray)):
        value = value.decode('utf-8')
    if isinstance(value, str):
        try:
            value = strict_json(value, name)
        except ValueError as exc:
            if str(exc).startswith(name):
                raise
            raise ValueError('%s must be a Flow definition, a dict or a JSON string; the string is not JSON: %s'
                             % (name, exc))
    if not isinstance(value, dict):
        raise ValueError('%s must be a Flow definition (a JSON object with initial_state and states), got %s'
                         % (name, type(value).__name__))
    bad = non_finite(value)
    if bad is not None:
        raise ValueError('%s holds NaN or Infinity at %s, which JSON (and Studio) cannot carry' % (name, bad))
    states = value.get('states')
    if not isinstance(states, list) or not states:
        raise ValueError('%s must have states, a non-empty list of widgets (it has %s)'
                         % (name, 'none' if states is None else shown(states)))
    if len(states) > MAX_STATES:
        raise ValueError('%s has %d states; Studio allows at most %d' % (name, len(states), MAX_STATES))
    return value


def canonical(definition):
    """The canonical text of a definition: keys sorted, two-space indent, one trailing newline.

    Two definitions are the same Flow exactly when their canonical texts are equal, whatever the
    key order and whitespace of the files they came from."""
    return json.dumps(definition, sort_keys=True, indent=2, ensure_ascii=False, separators=(',', ': ')) + '\n'


def same(left, right):
    return left is not None and right is not None and canonical(left) == canonical(right)


def _paths(before, after, prefix=''):
    """The dotted paths where two JSON values differ."""
    if isinstance(before, dict) and isinstance(after, dict):
        found = []
        for key in sorted(set(before) | set(after)):
            path = '%s.%s' % (prefix, key) if prefix else key
            if key not in before or key not in after:
                found.append(path)
            else:
                found.extend(_paths(before[key], after[key], path))
        return found
    return [] if canonical(before) == canonical(after) else [prefix or '(root)']


def changes(before, after):
    """What changed between two definitions, by widget name: ["hello: properties.body", ...]."""
    if before is None:
        return ['new Flow']
    found = []
    old = dict((s.get('name'), s) for s in before.get('states') or [] if isinstance(s, dict))
    new = dict((s.get('name'), s) for s in after.get('states') or [] if isinstance(s, dict))
    for name in [n for n in new if n not in old]:
        found.append('%s: added' % name)
    for name in [n for n in old if n not in new]:
        found.append('%s: removed' % name)
    for name in [n for n in new if n in old]:
        found.extend('%s: %s' % (name, path) for path in _paths(old[name], new[name]))
    if [s.get('name') for s in before.get('states') or [] if isinstance(s, dict)] != list(new) and not found:
        found.append('states: order')
    for key in sorted((set(before) | set(after)) - set(['states'])):
        found.extend(_paths(before.get(key), after.get(key), key))
    return found


def commit_message(message=None):
    """The commit message written with a revision: the user's (or the default) plus MARKER."""
    message = (message or DEFAULT_COMMIT_MESSAGE).strip()
    return message if MARKER in message else '%s %s' % (message, MARKER)


def made_here(message):
    """Whether a revision's commit message says this collection wrote it."""
    return bool(message) and MARKER in message


def parse_revision(value):
    """A revision option: a positive number, LatestPublished or LatestRevision (as a string)."""
    text = str(value).strip()
    if text in REVISION_ALIASES:
        return text
    if text.isdigit() and int(text) > 0:
        return str(int(text))
    raise ValueError('revision must be a revision number (1, 2, ...), LatestPublished or LatestRevision, got %s'
                     % shown(value))


def validation_problems(error):
    """(errors, warnings) of a failed FlowValidate or write (code 81022), else None."""
    if error.code != VALIDATION_FAILED:
        return None
    details = error.details or {}
    return list(details.get('errors') or []), list(details.get('warnings') or [])


def _widget_words(parts, definition):
    """'widget 'greet', transition 'sent'' for a path into a definition's states, or None."""
    states = definition.get('states') if isinstance(definition, dict) else None
    if len(parts) < 2 or parts[0] != 'states' or not parts[1].isdigit() or not isinstance(states, list) \
            or int(parts[1]) >= len(states) or not isinstance(states[int(parts[1])], dict):
        return None
    state = states[int(parts[1])]
    words = ['widget %s' % shown(state.get('name'))]
    rest = parts[2:]
    transitions = state.get('transitions')
    if len(rest) >= 2 and rest[0] == 'transitions' and rest[1].isdigit() and isinstance(transitions, list) \
            and int(rest[1]) < len(transitions) and isinstance(transitions[int(rest[1])], dict):
        transition = transitions[int(rest[1])]
        words.append('transition %s' % shown(transition.get('event')))
        rest = rest[2:]
        names = [s.get('name') for s in states if isinstance(s, dict)]
        if rest == ['next'] and transition.get('next') not in names:
            return '%s \u2192 unknown widget %s' % (', '.join(words), shown(transition.get('next'))), True
    elif rest:
        words.append('.'.join(rest))
    return ', '.join(words), False


def describe_problems(problems, definition=None):
    """One line per error, naming the widget and the transition or property when the path leads into
    ``definition``: "widget 'greet', transition 'sent' \u2192 unknown widget 'lookup_order_typo'"."""
    lines = []
    for problem in problems:
        if not isinstance(problem, dict):
            lines.append(str(problem))
            continue
        path = problem.get('property_path') or '#'
        message = problem.get('message') or str(problem)
        found = _widget_words([p for p in path.lstrip('#').split('/') if p], definition) if definition else None
        if found is None:
            lines.append('%s: %s' % (path, message))
        elif found[1]:
            lines.append(found[0])
        else:
            lines.append('%s: %s' % (found[0], message))
    return '; '.join(lines)


class FlowNotResolved(ValueError):
    """A ``flow`` that names no Flow (``matching_sids`` is empty) or several (``matching_sids`` lists
    their SIDs). ``result`` holds what the module's failure returns besides the message."""

    def __init__(self, message, matching_sids=(), **result):
        super(FlowNotResolved, self).__init__(message)
        self.matching_sids = sorted(matching_sids)
        self.result = dict(result, matching_sids=self.matching_sids)


class FlowFinder:
    """The one lookup of the Flow a ``flow`` option names - a Flow SID, or the exact friendly name of
    one Flow - on the Studio REST API v1 or v2 (both list Flows with ``sid`` and ``friendly_name``).

    ``flow`` has been checked with check_flow. The Flows are listed at most once per finder, and only
    for a friendly name."""

    def __init__(self, client, version='v1'):
        self.client = client
        self.version = version
        self._listing = None

    def listing(self):
        """Every Flow of the account, as the listing gives them (v2: without definitions). Raises StudioError."""
        if self._listing is None:
            self._listing = list(self.client.paginate('/%s/Flows' % self.version, 'flows', page_size=1000))
        return self._listing

    def sid(self, flow):
        """The SID of the Flow ``flow`` names: a Flow SID as it is (no request), a friendly name through
        the listing. Raises FlowNotResolved or StudioError."""
        return flow if is_sid(flow, 'FW') else self._named(flow)['sid']

    def find(self, flow):
        """The Flow ``flow`` names, as Studio gives it: a Flow SID read (one request), a friendly name from
        the listing. Raises FlowNotResolved (also for a SID Studio does not know) or StudioError."""
        if not is_sid(flow, 'FW'):
            return self._named(flow)
        try:
            return self.client.get('/%s/Flows/%s' % (self.version, flow))
        except StudioError as exc:
            if exc.status == 404:
                raise FlowNotResolved('flow: no Flow %s in this account (HTTP 404, Twilio error %s)' % (flow, exc.code),
                                      status=404, code=exc.code)
            raise

    def _named(self, name):
        flows = self.listing()
        matches = [f for f in flows if f.get('friendly_name') == name]
        if len(matches) == 1:
            return matches[0]
        if matches:
            sids = sorted(f['sid'] for f in matches)
            raise FlowNotResolved('flow: %d Flows are named %s (%s); give the Flow SID instead'
                                  % (len(matches), shown(name), ', '.join(sids)), sids)
        names = sorted(shown(f.get('friendly_name') or '') for f in flows)
        if names:
            more = ' and %d more' % (len(names) - 20) if len(names) > 20 else ''
            known = 'the exact friendly name of one of: %s%s' % (', '.join(names[:20]), more)
        else:
            known = 'the friendly name of a Flow (this account has no Flows)'
        raise FlowNotResolved('flow: no Flow is named %s; give a Flow SID (FW + 32 hex digits) or %s'
                              % (shown(name), known))


class Flows:
    """Reads and writes of v2 Flows through one StudioClient; every method returns what it found."""

    def __init__(self, client):
        self.client = client
        self.finder = FlowFinder(client, 'v2')

    def fetch(self, sid):
        """The Flow (its latest revision, definition included), or None when there is none."""
        try:
            return self._json_only(self.client.get('/v2/Flows/%s' % sid), '/v2/Flows/%s' % sid)
        except StudioError as exc:
            if exc.status == 404:
                return None
            raise

    @staticmethod
    def _json_only(flow, path):
        """``flow`` as read; StudioError when its definition holds NaN or Infinity (which Studio's own
        JSON should never hold, and which cannot be written back or exported as JSON)."""
        bad = non_finite((flow or {}).get('definition'))
        if bad is not None:
            raise StudioError('Flow %s revision %s: its definition holds NaN or Infinity at %s, which is not JSON; '
                              'correct that value in Studio' % (flow.get('sid'), flow.get('revision'), bad),
                              method='GET', path=path)
        return flow

    def find(self, flow):
        """The Flow named by ``flow`` (a SID, or a friendly name matching one Flow), definition included,
        or None when there is none. A name costs one listing and one fetch; raises FlowNotResolved when
        the name matches several Flows."""
        try:
            sid = self.finder.sid(flow)
        except FlowNotResolved as exc:
            if exc.matching_sids:
                raise
            return None
        return self.fetch(sid)

    def revision(self, sid, which):
        """Revision ``which`` (a number, LatestPublished or LatestRevision) of a Flow, or None."""
        try:
            path = '/v2/Flows/%s/Revisions/%s' % (sid, which)
            return self._json_only(self.client.get(path), path)
        except StudioError as exc:
            if exc.status == 404:
                return None
            raise

    def revisions(self, sid):
        """Every revision of a Flow, newest first (without definitions, as the list gives them)."""
        return list(self.client.paginate('/v2/Flows/%s/Revisions' % sid, 'revisions', page_size=1000))

    def validate(self, name, status, definition, message):
        """(errors, warnings) of FlowValidate: two empty lists when the definition is valid."""
        try:
            self.client.post('/v2/Flows/Validate', self._form(name, status, definition, message))
        except StudioError as exc:
            problems = validation_problems(exc)
            if problems is None:
                raise
            return problems
        return [], []

    def create(self, name, status, definition, message):
        return self.client.post('/v2/Flows', self._form(name, status, definition, message))

    def update(self, sid, name, status, definition, message):
        return self.client.post('/v2/Flows/%s' % sid, self._form(name, status, definition, message))

    def delete(self, sid):
        self.client.delete('/v2/Flows/%s' % sid)

    def test_users(self, sid):
        return list((self.client.get('/v2/Flows/%s/TestUsers' % sid) or {}).get('test_users') or [])

    def set_test_users(self, sid, users):
        answer = self.client.post('/v2/Flows/%s/TestUsers' % sid, {'TestUsers': list(users)})
        return list((answer or {}).get('test_users') or [])

    @staticmethod
    def _form(name, status, definition, message):
        form = {'Status': status, 'CommitMessage': message}
        if name is not None:
            form['FriendlyName'] = name
        if definition is not None:
            form['Definition'] = json.dumps(definition, sort_keys=True, separators=(',', ':'))
        return form
