# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the telephony.twilio collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""Flow definitions on the Studio REST API v2: canonical form, diff, validation and revisions."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

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


def parse_definition(value, name='definition'):
    """A Flow definition from a dict or a JSON string; ValueError naming ``name`` otherwise."""
    if isinstance(value, (bytes, bytearray)):
        value = value.decode('utf-8')
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise ValueError('%s must be a Flow definition, a dict or a JSON string; the string is not JSON: %s'
                             % (name, exc))
    if not isinstance(value, dict):
        raise ValueError('%s must be a Flow definition (a JSON object with initial_state and states), got %s'
                         % (name, type(value).__name__))
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


def describe_problems(problems):
    """One line per error: "#/states/1/properties/body: send-message widget hello needs ..."."""
    lines = []
    for problem in problems:
        if isinstance(problem, dict):
            lines.append('%s: %s' % (problem.get('property_path') or '#', problem.get('message') or problem))
        else:
            lines.append(str(problem))
    return '; '.join(lines)


class NotUnique(ValueError):
    """A friendly name that matches several Flows (``sids`` lists them)."""

    def __init__(self, message, sids):
        super(NotUnique, self).__init__(message)
        self.sids = sids


class Flows:
    """Reads and writes of v2 Flows through one StudioClient; every method returns what it found."""

    def __init__(self, client):
        self.client = client

    def fetch(self, sid):
        """The Flow (its latest revision, definition included), or None when there is none."""
        try:
            return self.client.get('/v2/Flows/%s' % sid)
        except StudioError as exc:
            if exc.status == 404:
                return None
            raise

    def find(self, flow):
        """The Flow named by ``flow`` (a SID, or a friendly name matching one Flow), or None.

        A name costs one listing (definitions are null there) and one fetch; raises NotUnique."""
        if is_sid(flow, 'FW'):
            return self.fetch(flow)
        matches = [f for f in self.client.paginate('/v2/Flows', 'flows', page_size=1000)
                   if f.get('friendly_name') == flow]
        if len(matches) > 1:
            sids = sorted(f['sid'] for f in matches)
            raise NotUnique('flow: %d Flows are named %s (%s); give the Flow SID instead'
                            % (len(matches), shown(flow), ', '.join(sids)), sids)
        return self.fetch(matches[0]['sid']) if matches else None

    def revision(self, sid, which):
        """Revision ``which`` (a number, LatestPublished or LatestRevision) of a Flow, or None."""
        try:
            return self.client.get('/v2/Flows/%s/Revisions/%s' % (sid, which))
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
