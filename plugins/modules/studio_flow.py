#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: studio_flow
short_description: Manage Twilio Studio Flows as code (definitions, publishing, roll back)
version_added: 1.0.0
description:
  - Creates, updates, publishes, rolls back and deletes Studio Flows through the Studio REST API v2, from Flow
    definitions kept in files (usually read with a C(file) or C(template) lookup).
  - Idempotent without revision churn. The wanted definition is compared in a canonical form (parsed JSON; key order
    and whitespace do not count) with the latest revision when O(status=draft), and with the latest published
    revision when O(status=published). When they are equal nothing is written and no revision is made.
  - Every write is checked first with Studio's FlowValidate (O(validate)); a definition with errors fails listing
    each error with its property path, and nothing is written.
  - Each write makes one new, immutable revision. Its commit message ends with C([telephony.twilio]), which is how
    C(playbooks/export_flows.yml) tells revisions made outside git (drift).
options:
  flow:
    description:
      - The Flow's friendly name, used as such when the Flow is created, or a Flow SID (C(FW) followed by
        32 hexadecimal digits) of an existing Flow.
      - A friendly name must match at most one Flow; when several Flows share it, the module fails listing their
        SIDs.
    type: str
    required: true
  friendly_name:
    description:
      - A new friendly name for the Flow (a rename, written as a new revision).
      - When omitted, a Flow named by O(flow) keeps that name, and a Flow given by SID keeps its name.
    type: str
  state:
    description:
      - V(present) makes the Flow exist with the wanted definition and status; V(absent) deletes it (and Studio
        deletes its Executions).
    type: str
    choices: [present, absent]
    default: present
  definition:
    description:
      - The Flow definition (C(description), C(flags), C(initial_state), C(states)), as a dict or as a JSON string,
        usually C("{{ lookup('file', 'flows/survey.json') }}").
      - Required to create a Flow. When omitted for an existing Flow, its latest revision's definition is kept, so
        that O(status=published) alone publishes the current draft.
      - Mutually exclusive with O(revision).
    type: raw
  status:
    description:
      - V(published) makes the definition the one live traffic runs; V(draft) saves it for test users only.
    type: str
    choices: [draft, published]
    default: published
  revision:
    description:
      - Roll back, or forward, to a revision - a revision number, V(LatestPublished) or V(LatestRevision). Its
        definition is written as a new revision with O(status) (nothing is written when it is already the
        compared one).
      - A revision that does not exist fails before anything is written.
    type: str
  commit_message:
    description:
      - The commit message of the revision written. C([telephony.twilio]) is appended.
      - Defaults to C(Deployed by Ansible), or C(Roll back to revision N) with O(revision).
    type: str
  test_users:
    description:
      - The identities (phone numbers, client names) that may run the draft. Compared as a set with the Flow's;
        set only when they differ. Omit to leave them as they are.
    type: list
    elements: str
  validate:
    description:
      - Check the definition with Studio's FlowValidate before every write, and fail without writing when it has
        errors.
    type: bool
    default: true
  standin_sids:
    description:
      - SIDs in O(definition) that stand in for Flows that do not exist yet (a check-mode plan of Flows that
        reference each other), each with the friendly name of the Flow it stands for.
      - The diff labels them as stand-ins, so that nobody takes them for the SIDs of real Flows.
      - C(playbooks/deploy_flows.yml) sets it; there is little use for it elsewhere.
    type: dict
extends_documentation_fragment:
  - telephony.twilio.credentials
  - telephony.twilio.connection
  - telephony.twilio.attributes
attributes:
  check_mode:
    description: Validates the definition and predicts the change, without any write.
    support: full
  diff_mode:
    description: Shows the compared revision's definition and the wanted one as canonical JSON (keys sorted, two-space
      indent), so that the changed widget and property show; the headers name the account, the revision to be
      written and its status, and list the changed widgets and any stand-in SIDs.
    support: full
notes:
  - Canonical form means the JSON of the definition with its keys sorted; lists (the order of C(states), of
    C(transitions)) count. Export with C(playbooks/export_flows.yml) to get files in exactly this form.
  - Requests for an unchanged Flow given by SID, one; by name, two (a listing, where definitions are null, and one
    fetch), plus one when the wanted status is published and the latest revision is a draft.
seealso:
  - module: telephony.twilio.studio_flow_info
  - name: Studio Flow resource (v2)
    description: Twilio's reference of the v2 Flow resource, its revisions and FlowValidate.
    link: https://www.twilio.com/docs/studio/rest-api/v2/flow
  - name: Flows as code
    description: The collection's guide to keeping Flows in git, promoting them and rolling back.
    link: https://github.com/telephony-twilio/telephony.twilio/blob/main/docs/docsite/rst/guide_flows_as_code.rst
author:
  - telephony.twilio developers (@telephony-twilio)
'''

EXAMPLES = r'''
- name: Deploy a Flow from its definition in git (nothing is written when it is unchanged)
  telephony.twilio.studio_flow:
    flow: Customer survey
    definition: "{{ lookup('ansible.builtin.file', 'flows/customer-survey.json') }}"
    commit_message: "{{ lookup('ansible.builtin.pipe', 'git log -1 --format=%h') }}"

- name: Save a draft for test users only
  telephony.twilio.studio_flow:
    flow: Customer survey
    definition: "{{ lookup('ansible.builtin.file', 'flows/customer-survey.json') }}"
    status: draft
    test_users: ["+14155550100"]

- name: Publish the current draft as it is
  telephony.twilio.studio_flow:
    flow: Customer survey
    status: published

- name: Roll back - publish revision 4 again, as a new revision
  telephony.twilio.studio_flow:
    flow: FW0123456789abcdef0123456789abcdef
    revision: 4

- name: Show what would change, and why a definition is invalid, without writing
  telephony.twilio.studio_flow:
    flow: Customer survey
    definition: "{{ lookup('ansible.builtin.file', 'flows/customer-survey.json') }}"
  check_mode: true
  diff: true
  register: planned

- name: Delete a Flow
  telephony.twilio.studio_flow:
    flow: Old campaign
    state: absent
'''

RETURN = r'''
flow:
  description:
    - The v2 Flow resource after the task (the latest revision), as Twilio returns it; the Flow as found in check
      mode; null when it does not exist (absent, or to be created in check mode).
  returned: always
  type: dict
  contains:
    sid:
      description: The Flow SID.
      type: str
      sample: FW0123456789abcdef0123456789abcdef
    friendly_name:
      description: The Flow's name.
      type: str
      sample: Customer survey
    definition:
      description: The definition of the latest revision.
      type: dict
    status:
      description: The latest revision's status, C(draft) or C(published).
      type: str
      sample: published
    revision:
      description: The latest revision number.
      type: int
      sample: 5
    commit_message:
      description: The latest revision's commit message.
      type: str
      sample: Deployed by Ansible [telephony.twilio]
    valid:
      description: Whether Studio found the definition valid.
      type: bool
    errors:
      description: Studio's errors in the definition.
      type: list
      elements: dict
    warnings:
      description: Studio's warnings about the definition.
      type: list
      elements: dict
    webhook_url:
      description: The Flow's webhook URL.
      type: str
account_sid:
  description: The account the Flow belongs to (or would belong to, when it is created).
  returned: when known
  type: str
  sample: AC0123456789abcdef0123456789abcdef
planned_revision:
  description:
    - The number of the revision this task writes (or would write, in check mode); null when it writes none.
  returned: when state is present
  type: int
  sample: 6
revision_created:
  description: Whether a new revision was written (or would be, in check mode).
  returned: always
  type: bool
  sample: false
revision:
  description: The latest revision number after the task (null when the Flow does not exist).
  returned: always
  type: int
  sample: 5
compared_revision:
  description: The revision the wanted definition was compared with (null for a new Flow, or one never published).
  returned: when state is present
  type: int
  sample: 4
changes:
  description:
    - "What differs between the compared revision and the wanted definition, by widget name and property path
      (C(send_survey: properties.body)), plus C(friendly_name) and C(test_users) when those change. Empty when
      nothing changes."
  returned: always
  type: list
  elements: str
  sample: ["send_survey: properties.body"]
validation:
  description: What FlowValidate said of the wanted definition (errors and warnings with their property paths).
  returned: when the definition was validated
  type: dict
  sample: {"errors": [], "warnings": []}
test_users:
  description: The Flow's test users after the task.
  returned: when O(test_users) is given
  type: list
  elements: str
'''

from ansible_collections.telephony.twilio.plugins.module_utils._client import StudioError
from ansible_collections.telephony.twilio.plugins.module_utils._flows import (
    FlowNotResolved, Flows, canonical, changes, commit_message, describe_problems, parse_definition, parse_revision, same)
from ansible_collections.telephony.twilio.plugins.module_utils._module import StudioModule, task_budget
from ansible_collections.telephony.twilio.plugins.module_utils._validators import check_flow, is_sid, shown


def check_options(params):
    """Contradictions and malformed values, before any request; returns (definition, revision)."""
    check_flow(params['flow'])
    if params['state'] == 'absent':
        given = [name for name in ('definition', 'revision', 'test_users', 'friendly_name', 'commit_message')
                 if params[name] is not None]
        if given:
            raise ValueError('state=absent deletes the Flow and takes none of: %s' % ', '.join(given))
        return None, None
    if params['definition'] is not None and params['revision'] is not None:
        raise ValueError('definition and revision are mutually exclusive: give the definition to deploy, or the '
                         'revision to roll back to')
    definition = parse_definition(params['definition']) if params['definition'] is not None else None
    revision = parse_revision(params['revision']) if params['revision'] is not None else None
    for user in params['test_users'] or []:
        if not isinstance(user, str) or not user.strip():
            raise ValueError('test_users must be identities such as "+14155550100" or "client:ann", got %s'
                             % shown(user))
    if params['friendly_name'] is not None and not params['friendly_name'].strip():
        raise ValueError('friendly_name must not be empty')
    return definition, revision


class Deploy:
    """One studio_flow task: returns its result dict, or raises Failure."""

    def __init__(self, module, flows):
        self.module = module
        self.flows = flows
        self.params = module.params

    def absent(self, current):
        if current is None:
            return dict(changed=False, flow=None, revision=None, revision_created=False, changes=[])
        if not self.module.check_mode:
            self.flows.delete(current['sid'])
        return dict(changed=True, flow=None if not self.module.check_mode else current, revision=None,
                    revision_created=False, changes=['deleted'],
                    account_sid=self.account_sid(current),
                    diff=dict(before=canonical(current.get('definition')), after='',
                              before_header='%s revision %s in account %s' % (
                                  current['sid'], current.get('revision'), self.account_sid(current)),
                              after_header='(deleted)'))

    def compared(self, current, status):
        """The revision the wanted definition is compared with: the latest for a draft, the latest
        published for published (one more fetch only when the latest revision is a draft)."""
        if current is None:
            return None
        if status == 'draft' or current.get('status') == 'published':
            return current
        return self.flows.revision(current['sid'], 'LatestPublished')

    def wanted_definition(self, current, definition, revision):
        if revision is not None:
            found = self.flows.revision(current['sid'], revision)
            if found is None:
                raise Failure('revision: Flow %s has no revision %s; its latest is %s'
                              % (current['sid'], revision, current.get('revision')))
            return found['definition'], found
        if definition is not None:
            return definition, None
        return current['definition'], None

    def present(self, current, definition, revision):
        params, status = self.params, self.params['status']
        flow = params['flow']
        if current is None:
            if is_sid(flow, 'FW'):
                raise Failure('flow: no Flow %s in this account; to create a Flow, give its friendly name' % flow)
            if revision is not None:
                raise Failure('revision: Flow %s does not exist yet, so it has no revision to roll back to'
                              % shown(flow))
            if definition is None:
                raise Failure('definition is required to create Flow %s' % shown(flow))
        name = params['friendly_name'] or (flow if current is None or not is_sid(flow, 'FW')
                                           else current['friendly_name'])
        if current is None:
            wanted, source = definition, None
        else:
            wanted, source = self.wanted_definition(current, definition, revision)
        target = self.compared(current, status)
        if target is not None:
            before = target['definition']
            found = [] if same(before, wanted) else changes(before, wanted)
        elif current is not None:  # never published: compared with its latest draft
            before = current['definition']
            found = ['first publication'] + ([] if same(before, wanted) else changes(before, wanted))
        else:
            before, found = None, ['new Flow']
        if current is not None and current.get('friendly_name') != name:
            found.append('friendly_name: %s -> %s' % (current.get('friendly_name'), name))
        users = self.test_users_change(current)
        result = dict(changed=bool(found) or users is not None, flow=current, changes=list(found),
                      revision_created=bool(found), compared_revision=target.get('revision') if target else None,
                      revision=current.get('revision') if current else None,
                      planned_revision=((current.get('revision') or 0) + 1 if current else 1) if found else None,
                      account_sid=self.account_sid(current))
        if users is not None:
            result['changes'].append('test_users')
        if found:
            result['diff'] = self.diff(target or current, before, wanted, status, name, found,
                                       result['account_sid'], result['planned_revision'], params['standin_sids'])
            message = params['commit_message'] or ('Roll back to revision %s' % source['revision'] if source else None)
            if params['validate']:
                errors, warnings = self.flows.validate(name, status, wanted, commit_message(message))
                result['validation'] = dict(errors=errors, warnings=warnings)
                if errors:
                    result.update(changed=False, revision_created=False)
                    result.pop('diff')
                    raise Failure('definition: Studio found %d error(s), nothing was written: %s'
                                  % (len(errors), describe_problems(errors, wanted)), **result)
            if not self.module.check_mode:
                if current is None:
                    written = self.flows.create(name, status, wanted, commit_message(message))
                else:
                    written = self.flows.update(current['sid'], name, status, wanted, commit_message(message))
                result.update(flow=written, revision=written.get('revision'),
                              planned_revision=written.get('revision'),
                              account_sid=written.get('account_sid') or result['account_sid'])
        if users is not None:
            result['test_users'] = users
            if not self.module.check_mode:
                result['test_users'] = self.flows.set_test_users(result['flow']['sid'], users)
        elif params['test_users'] is not None:
            result['test_users'] = list(params['test_users'])
        return result

    def test_users_change(self, current):
        """The wanted test users when they differ from the Flow's (as sets), else None."""
        wanted = self.params['test_users']
        if wanted is None:
            return None
        have = self.flows.test_users(current['sid']) if current is not None else []
        return list(wanted) if set(wanted) != set(have) else None

    def account_sid(self, flow):
        """The account of ``flow`` as Studio says, else the account the credentials name (None with an API key)."""
        return (flow or {}).get('account_sid') or self.params.get('account_sid') or None

    @staticmethod
    def diff(compared, before, wanted, status, name, found, account, planned, standins):
        widgets = sorted(set(c.split(':', 1)[0] for c in found))
        where = ' in account %s' % account if account else ''
        before_header = ('%s revision %s (%s)%s' % (compared['sid'], compared.get('revision'), compared.get('status'),
                                                    where) if compared else '(new Flow%s)' % where)
        after_header = '%s revision %s (%s)%s; changed: %s' % (name, planned, status, where, ', '.join(widgets))
        text = canonical(wanted)
        labels = ['%s stands in for Flow %s, created by this run' % (sid, shown(flow))
                  for sid, flow in sorted((standins or {}).items()) if sid in text]
        if labels:
            after_header += '; stand-in SIDs (not real Flows yet): %s' % '; '.join(labels)
        return dict(before=canonical(before) if before is not None else '', after=text,
                    before_header=before_header, after_header=after_header)


class Failure(Exception):
    def __init__(self, message, **result):
        super(Failure, self).__init__(message)
        self.result = result


def run_module():
    module = StudioModule(
        argument_spec=dict(
            flow=dict(type='str', required=True),
            friendly_name=dict(type='str'),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            definition=dict(type='raw'),
            status=dict(type='str', choices=['draft', 'published'], default='published'),
            revision=dict(type='str'),
            commit_message=dict(type='str'),
            test_users=dict(type='list', elements='str'),
            validate=dict(type='bool', default=True),
            standin_sids=dict(type='dict'),
        ),
        supports_check_mode=True,
    )
    module.budget = task_budget(module.params)
    definition, revision = module.valid_or_fail(check_options, module.params)
    flows = Flows(module.client)
    deploy = Deploy(module, flows)
    try:
        current = flows.find(module.params['flow'])
        if module.params['state'] == 'absent':
            result = deploy.absent(current)
        else:
            result = deploy.present(current, definition, revision)
    except FlowNotResolved as exc:
        module.fail_json(msg=str(exc), **exc.result)
    except Failure as exc:
        module.fail_json(msg=str(exc), **exc.result)
    except StudioError as exc:
        module.fail_api(exc, 'Studio refused or failed')
    module.exit_json(**result)


def main():
    run_module()


if __name__ == '__main__':
    main()
