# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of the flows-as-code playbooks: paths, read Flow files, order them subflows first, export them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import re

from ansible.errors import AnsibleFilterError

from ansible_collections.telephony.twilio.plugins.module_utils._flows import (
    STATUSES, canonical, changes, describe_problems, made_here, non_finite, parse_definition, same, strict_json)
from ansible_collections.telephony.twilio.plugins.module_utils._validators import is_sid

# How a template names another Flow, whose SID in the target account deploy_flows.yml fills in:
#   "flow_sid": "[[ studio_flow_sids['Collect address'] ]]"
REFERENCE = re.compile(r'''studio_flow_sids\s*\[\s*(?:'([^']+)'|"([^"]+)")\s*\]''')
DOCUMENT_KEYS = frozenset(['friendly_name', 'definition', 'status', 'test_users', 'commit_message', 'sid'])


def studio_path(path, name='path'):
    """``path`` as the absolute path it names for the person who ran ansible-playbook: ``~`` expanded,
    then made absolute against the directory ansible-playbook started in (its working directory, which
    Ansible does not change). Symbolic links are left as they are (no realpath), so the path printed is
    the path given. ``name`` (the variable's name) is for the error message."""
    if not isinstance(path, str) or not path.strip():
        raise AnsibleFilterError('%s must name a file or folder, got %r' % (name, path))
    return os.path.abspath(os.path.expanduser(path))


def studio_json_text(value):
    """``value`` as the inside of a JSON string literal (quotes, backslashes and control characters escaped),
    so that a template value inside "..." stays one string whatever it holds."""
    if value is None:
        value = ''
    return json.dumps(value if isinstance(value, str) else str(value), ensure_ascii=False)[1:-1]


def _base_name(path):
    name = os.path.basename(path)
    for suffix in ('.j2', '.json'):
        if name.endswith(suffix):
            name = name[:-len(suffix)]
    return name


JINJA_HEADER = '#jinja2:'


def studio_flow_source(text, path):
    """A Flow file as read, unrendered: {path, text, template, references}.

    ``references`` are the friendly names it names through studio_flow_sids['NAME']. A template
    (*.j2) with Liquid tags ({% ... %}) must start with a #jinja2: line that moves Jinja's block
    delimiters away, or Jinja would run Studio's tags: such a file is refused here."""
    if not isinstance(text, str):
        raise AnsibleFilterError('%s: expected the text of the file' % path)
    template = path.endswith('.j2')
    if template and '{%' in text and not (text.startswith(JINJA_HEADER) and 'block_start_string' in text.split('\n', 1)[0]):
        raise AnsibleFilterError(
            "%s has Liquid tags ({%% ... %%}) that Jinja would run: start it with the line "
            "#jinja2: block_start_string:'[%%', block_end_string:'%%]'  (and write Jinja blocks as [%% ... %%])" % path)
    return {'path': path, 'text': text, 'template': template,
            'references': sorted(set(a or b for a, b in REFERENCE.findall(text)))}


STANDIN_PREFIX = 'FW00000000'


def studio_flow_placeholders(sids, names):
    """``sids`` ({name: SID} of the account) completed with a stand-in SID for every name in ``names`` it lacks,
    so that templates render (and validate) before the Flows they reference exist. A stand-in is
    FW00000000 followed by 24 hex digits of the name's MD5: well-formed, and plain to see in a diff."""
    found = dict(sids or {})
    for name in names or []:
        if name not in found:
            found[name] = STANDIN_PREFIX + hashlib.md5(name.encode('utf-8')).hexdigest()[:24]  # nosec - not security
    return found


def studio_flow_standins(sids, account_sids):
    """{stand-in SID: Flow name} of the SIDs in ``sids`` that are not the account's (``account_sids``, {name: SID})."""
    account = dict(account_sids or {})
    return dict((sid, name) for name, sid in (sids or {}).items() if account.get(name) != sid)


def studio_flow_document(value, path):
    """A Flow file's content (text or parsed) as {path, friendly_name, definition, status, test_users}.

    A file holds either a Flow document ({"friendly_name", "definition", optional "status",
    "test_users", "commit_message"}) - what export_flows.yml writes - or a bare definition, whose
    Flow is named after the file (survey.json -> "survey")."""
    if isinstance(value, str):
        try:
            value = strict_json(value, os.path.basename(path))
        except ValueError as exc:
            if str(exc).startswith(os.path.basename(path)):
                raise AnsibleFilterError(str(exc))
            raise AnsibleFilterError('%s: not JSON (after rendering): %s' % (path, exc))
    if not isinstance(value, dict):
        raise AnsibleFilterError('%s: a Flow file holds a JSON object, not %s' % (path, type(value).__name__))
    if 'definition' in value:
        unknown = sorted(set(value) - DOCUMENT_KEYS)
        if unknown:
            raise AnsibleFilterError('%s: unknown keys %s; a Flow document has %s' % (
                path, ', '.join(unknown), ', '.join(sorted(DOCUMENT_KEYS))))
        document = dict(value)
    else:
        document = {'friendly_name': _base_name(path), 'definition': value}
    try:
        document['definition'] = parse_definition(document['definition'], '%s: definition' % os.path.basename(path))
    except ValueError as exc:
        raise AnsibleFilterError(str(exc))
    name = document.get('friendly_name')
    if not isinstance(name, str) or not name.strip():
        raise AnsibleFilterError('%s: friendly_name must be a non-empty string' % path)
    status = document.get('status')
    if status is not None and status not in STATUSES:
        raise AnsibleFilterError('%s: status must be draft or published, not %r' % (path, status))
    users = document.get('test_users')
    if users is not None and (not isinstance(users, list) or not all(isinstance(u, str) and u for u in users)):
        raise AnsibleFilterError('%s: test_users must be a list of identities' % path)
    return {'path': path, 'friendly_name': name, 'definition': document['definition'], 'status': status,
            'test_users': users, 'commit_message': document.get('commit_message')}


def studio_flow_order(documents, sources, account_names=()):
    """The documents in deploy order: every Flow after the Flows it references (subflows first).

    ``sources`` (studio_flow_source of each file) say which names each file references. A name
    must be a Flow of the folder or of the account; a cycle, or two files for one Flow, fail
    naming the files."""
    references = dict((source['path'], source['references']) for source in sources)
    by_name = {}
    for doc in documents:
        if doc['friendly_name'] in by_name:
            raise AnsibleFilterError('Two files define Flow %r: %s and %s' % (
                doc['friendly_name'], by_name[doc['friendly_name']]['path'], doc['path']))
        by_name[doc['friendly_name']] = doc
    known = set(account_names or ()) | set(by_name)
    for doc in documents:
        missing = [n for n in references.get(doc['path'], []) if n not in known]
        if missing:
            raise AnsibleFilterError('%s references Flow %s, which is neither in the folder nor in the account' % (
                doc['path'], ', '.join(repr(n) for n in missing)))
    ordered, done, visiting = [], set(), []

    def visit(doc):
        name = doc['friendly_name']
        if name in done:
            return
        if name in visiting:
            cycle = visiting[visiting.index(name):] + [name]
            raise AnsibleFilterError('Flows reference each other in a cycle: %s' % ' -> '.join(cycle))
        visiting.append(name)
        for ref in references.get(doc['path'], []):
            if ref in by_name and ref != name:
                visit(by_name[ref])
        visiting.pop()
        done.add(name)
        ordered.append(doc)

    for doc in sorted(documents, key=lambda d: d['path']):
        visit(doc)
    return ordered


def _file_name(name):
    slug = re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')
    return slug or 'flow'


def _checked_flow(flow):
    if flow.get('definition') is None:
        raise AnsibleFilterError('Flow %s has no definition: read the Flows with include: [definition]'
                                 % flow.get('sid'))
    bad = non_finite(flow['definition'])
    if bad is not None:
        raise AnsibleFilterError('Flow %s (%s) holds NaN or Infinity at %s, which is not JSON: correct it in Studio'
                                 % (flow.get('friendly_name'), flow.get('sid'), bad))
    return flow


def _templated(templates):
    """{friendly name: template document} and the set of file names the templates occupy (NAME.json of NAME.json.j2)."""
    by_name = dict((t['friendly_name'], t) for t in templates or [])
    files = set(os.path.basename(t['path'])[:-len('.j2')] for t in templates or [])
    return by_name, files


def studio_flow_export(flows, templates=None):
    """Each Flow (studio_flow_info with include=definition) as a file: [{file, content, sid}].

    The content is the canonical JSON of a Flow document (keys sorted, two-space indent), which
    deploy_flows.yml reads back as it is; file names come from friendly names, with the SID
    appended when two names give the same file name. A Flow kept as a template of the folder
    (``templates``: studio_flow_document of each rendered NAME.json.j2) gets no file: the template is
    its source, and studio_flow_template_drift reports how the Flow differs from it."""
    by_template, occupied = _templated(templates)
    names = {}
    for flow in flows or []:
        names.setdefault(_file_name(flow.get('friendly_name') or ''), []).append(flow['sid'])
    files = []
    for flow in flows or []:
        _checked_flow(flow)
        if flow.get('friendly_name') in by_template:
            continue
        base = _file_name(flow.get('friendly_name') or '')
        name = base if len(names[base]) == 1 else '%s-%s' % (base, flow['sid'])
        if name + '.json' in occupied:
            name = '%s-%s' % (name, flow['sid'])
        document = {'friendly_name': flow.get('friendly_name'), 'status': flow.get('status'),
                    'definition': flow['definition']}
        files.append({'file': name + '.json', 'content': canonical(document), 'sid': flow['sid'],
                      'friendly_name': flow.get('friendly_name')})
    return files


def studio_flow_template_drift(flows, templates):
    """One line per Flow kept as a template whose definition in the account differs from the template
    rendered with this inventory's variables: which widgets differ, and which template to edit."""
    by_template, _occupied = _templated(templates)
    lines = []
    for flow in flows or []:
        template = by_template.get(flow.get('friendly_name'))
        if template is None:
            continue
        _checked_flow(flow)
        if not same(flow['definition'], template['definition']):
            lines.append('drift: %s (%s) revision %s differs from its template %s as rendered for this inventory '
                         '(%s): edit the template, not an exported copy'
                         % (flow.get('friendly_name'), flow.get('sid'), flow.get('revision'), template['path'],
                            ', '.join(changes(template['definition'], flow['definition']))))
    return lines


def studio_flow_drift(flows):
    """One line per Flow whose latest revision this collection did not write (changed elsewhere)."""
    return ['drift: %s (%s) revision %s was not written by telephony.twilio (commit message: %s)'
            % (flow.get('friendly_name'), flow.get('sid'), flow.get('revision'),
               repr(flow.get('commit_message')) if flow.get('commit_message') else 'none')
            for flow in flows or [] if not made_here(flow.get('commit_message'))]


def studio_flow_problems(results):
    """The failures of studio_flow tasks looped over Flow documents (registered with failed_when: false),
    one line each, named by file: "order-update.json: widget 'greet', transition 'sent' \u2192 unknown
    widget 'lookup_order_typo'". Empty when every task succeeded."""
    lines = []
    for result in results or []:
        if not result.get('msg') or result.get('skipped'):
            continue
        item = result.get('item') or {}
        where = os.path.basename(item.get('path') or '') or item.get('friendly_name') or 'Flow'
        errors = (result.get('validation') or {}).get('errors')
        if errors:
            lines.append('%s: %s' % (where, describe_problems(errors, item.get('definition'))))
        else:
            lines.append('%s: %s' % (where, result['msg']))
    return lines


def studio_flow_account(info, expected=None, configured=None):
    """The account the credentials reach, from a studio_flow_info result (each Flow's account_sid) and the
    Account SID the credentials name (``configured``, empty with an API key). With ``expected``
    (inventory variable studio_account_sid), anything else is refused before any write."""
    seen = sorted(set([f.get('account_sid') for f in (info or {}).get('flows') or [] if f.get('account_sid')]
                      + ([configured] if configured else [])))
    if expected:
        if not is_sid(expected, 'AC'):
            raise AnsibleFilterError('studio_account_sid must be an Account SID (AC followed by 32 hex digits), '
                                     'got %r' % (expected,))
        others = [sid for sid in seen if sid != expected]
        if others:
            raise AnsibleFilterError('These credentials reach account %s, but this inventory is for account %s '
                                     '(studio_account_sid): nothing was written. Use the credentials of %s.'
                                     % (', '.join(others), expected, expected))
        if not seen:
            raise AnsibleFilterError('Cannot confirm that these credentials are for account %s (studio_account_sid): '
                                     'the account has no Flows and the credentials name no Account SID. Set '
                                     'TWILIO_ACCOUNT_SID as well.' % expected)
        return expected
    if len(seen) > 1:
        raise AnsibleFilterError('These credentials name account %s but reach Flows of account %s'
                                 % (configured, ', '.join(s for s in seen if s != configured)))
    return seen[0] if seen else 'unknown (API key credentials; set TWILIO_ACCOUNT_SID to have it named)'


class FilterModule(object):
    def filters(self):
        return {
            'studio_path': studio_path,
            'studio_json_text': studio_json_text,
            'studio_flow_standins': studio_flow_standins,
            'studio_flow_template_drift': studio_flow_template_drift,
            'studio_flow_problems': studio_flow_problems,
            'studio_flow_account': studio_flow_account,
            'studio_flow_source': studio_flow_source,
            'studio_flow_placeholders': studio_flow_placeholders,
            'studio_flow_document': studio_flow_document,
            'studio_flow_order': studio_flow_order,
            'studio_flow_export': studio_flow_export,
            'studio_flow_drift': studio_flow_drift,
        }
