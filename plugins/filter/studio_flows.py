# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of the flows-as-code playbooks: read Flow files, order them subflows first, export them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import re

from ansible.errors import AnsibleFilterError

from ansible_collections.telephony.twilio.plugins.module_utils._flows import STATUSES, canonical, made_here, parse_definition

# How a template names another Flow, whose SID in the target account deploy_flows.yml fills in:
#   "flow_sid": "[[ studio_flow_sids['Collect address'] ]]"
REFERENCE = re.compile(r'''studio_flow_sids\s*\[\s*(?:'([^']+)'|"([^"]+)")\s*\]''')
DOCUMENT_KEYS = frozenset(['friendly_name', 'definition', 'status', 'test_users', 'commit_message', 'sid'])


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


def studio_flow_placeholders(sids, names):
    """``sids`` ({name: SID} of the account) completed with a stand-in SID for every name in ``names`` it lacks,
    so that templates render (and validate) before the Flows they reference exist."""
    found = dict(sids or {})
    for name in names or []:
        if name not in found:
            found[name] = 'FW' + hashlib.md5(name.encode('utf-8')).hexdigest()  # nosec - a stand-in, not security
    return found


def studio_flow_document(value, path):
    """A Flow file's content (text or parsed) as {path, friendly_name, definition, status, test_users}.

    A file holds either a Flow document ({"friendly_name", "definition", optional "status",
    "test_users", "commit_message"}) - what export_flows.yml writes - or a bare definition, whose
    Flow is named after the file (survey.json -> "survey")."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
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
        document['definition'] = parse_definition(document['definition'], '%s: definition' % path)
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


def studio_flow_export(flows):
    """Each Flow (studio_flow_info with include=definition) as a file: [{file, content, sid}].

    The content is the canonical JSON of a Flow document (keys sorted, two-space indent), which
    deploy_flows.yml reads back as it is; file names come from friendly names, with the SID
    appended when two names give the same file name."""
    names = {}
    for flow in flows or []:
        names.setdefault(_file_name(flow.get('friendly_name') or ''), []).append(flow['sid'])
    files = []
    for flow in flows or []:
        if flow.get('definition') is None:
            raise AnsibleFilterError('Flow %s has no definition: read the Flows with include: [definition]'
                                     % flow.get('sid'))
        base = _file_name(flow.get('friendly_name') or '')
        name = base if len(names[base]) == 1 else '%s-%s' % (base, flow['sid'])
        document = {'friendly_name': flow.get('friendly_name'), 'status': flow.get('status'),
                    'definition': flow['definition']}
        files.append({'file': name + '.json', 'content': canonical(document), 'sid': flow['sid'],
                      'friendly_name': flow.get('friendly_name')})
    return files


def studio_flow_drift(flows):
    """One line per Flow whose latest revision this collection did not write (changed elsewhere)."""
    return ['drift: %s (%s) revision %s was not written by telephony.twilio (commit message: %s)'
            % (flow.get('friendly_name'), flow.get('sid'), flow.get('revision'),
               repr(flow.get('commit_message')) if flow.get('commit_message') else 'none')
            for flow in flows or [] if not made_here(flow.get('commit_message'))]


class FilterModule(object):
    def filters(self):
        return {
            'studio_flow_source': studio_flow_source,
            'studio_flow_placeholders': studio_flow_placeholders,
            'studio_flow_document': studio_flow_document,
            'studio_flow_order': studio_flow_order,
            'studio_flow_export': studio_flow_export,
            'studio_flow_drift': studio_flow_drift,
        }
