#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: studio_flow_info
short_description: List Twilio Studio Flows or fetch one
version_added: 1.0.0
description:
  - Lists the Studio Flows of the account through the Studio REST API v1, or fetches one Flow by SID or by its
    friendly name.
  - A friendly name must match exactly one Flow; when several Flows share it, the module fails and lists their SIDs.
  - With O(include), adds each Flow's definition and revisions from the Studio REST API v2; with O(revision), fetches
    one revision of one Flow.
options:
  flow:
    description:
      - A Flow SID (C(FW) followed by 32 hexadecimal digits) or the exact friendly name of one Flow.
      - When omitted, every Flow is returned.
    type: str
  status:
    description:
      - Only return Flows with this status.
    type: str
    choices: [draft, published]
  include:
    description:
      - V(definition) adds, from the v2 Flow resource, the latest revision's C(definition), C(revision),
        C(commit_message), C(valid), C(errors), C(warnings), and C(written_by_collection) (its commit message carries
        C([telephony.twilio])). One request per Flow (the list has no definitions).
      - V(revisions) adds C(revisions), every revision newest first, without definitions. One listing per Flow.
    type: list
    elements: str
    choices: [definition, revisions]
    default: []
  revision:
    description:
      - Fetch this revision of O(flow) (required with it), definition included - a revision number,
        V(LatestPublished) or V(LatestRevision). Returned as RV(revision).
    type: str
extends_documentation_fragment:
  - telephony.twilio.credentials
  - telephony.twilio.connection
  - telephony.twilio.attributes
  - telephony.twilio.attributes.info
seealso:
  - module: telephony.twilio.studio_execution
  - module: telephony.twilio.studio_execution_info
  - name: Studio Flow resource (v1)
    description: Twilio's reference of the Flow resource.
    link: https://www.twilio.com/docs/studio/rest-api/flow
author:
  - telephony.twilio developers (@telephony-twilio)
'''

EXAMPLES = r'''
- name: List every Flow
  telephony.twilio.studio_flow_info:
    account_sid: "{{ twilio_account_sid }}"
    auth_token: "{{ twilio_auth_token }}"
  register: all_flows

- name: Fetch one Flow by friendly name, credentials from TWILIO_API_KEY and TWILIO_API_SECRET
  telephony.twilio.studio_flow_info:
    flow: Appointment reminder
  register: reminder

- name: Use the SID of that Flow
  ansible.builtin.debug:
    msg: "{{ reminder.flows[0].sid }}"

- name: Every Flow with its definition and revision history (Studio REST API v2)
  telephony.twilio.studio_flow_info:
    include: [definition, revisions]
  register: flows_v2

- name: The definition live traffic runs
  telephony.twilio.studio_flow_info:
    flow: Appointment reminder
    revision: LatestPublished
  register: live

- name: Published Flows only, with credentials for every Studio module of the play
  module_defaults:
    group/telephony.twilio.studio:
      api_key: "{{ twilio_api_key }}"
      api_secret: "{{ twilio_api_secret }}"
  block:
    - name: List published Flows
      telephony.twilio.studio_flow_info:
        status: published
      register: published
'''

RETURN = r'''
flows:
  description:
    - The Flows found, newest first, with the fields of the Studio v1 Flow resource.
    - An empty list when no Flow matches O(status).
  returned: always
  type: list
  elements: dict
  contains:
    sid:
      description: The Flow SID.
      type: str
      sample: FW0123456789abcdef0123456789abcdef
    account_sid:
      description: The SID of the account that owns the Flow.
      type: str
      sample: AC0123456789abcdef0123456789abcdef
    friendly_name:
      description: The Flow's name.
      type: str
      sample: Appointment reminder
    status:
      description: C(draft) or C(published).
      type: str
      sample: published
    version:
      description: The latest version number of the Flow's definition.
      type: int
      sample: 3
    date_created:
      description: When the Flow was created (ISO 8601, UTC).
      type: str
      sample: '2024-05-01T10:00:00Z'
    date_updated:
      description: When the Flow was last updated, or null.
      type: str
      sample: '2024-05-02T09:30:00Z'
    url:
      description: The absolute URL of the Flow resource.
      type: str
    links:
      description: URLs of the Flow's Executions and Engagements.
      type: dict
    definition:
      description: The latest revision's Flow definition (with O(include=definition)).
      type: dict
    revision:
      description: The latest revision number (with O(include=definition)).
      type: int
      sample: 7
    commit_message:
      description: The latest revision's commit message (with O(include=definition)).
      type: str
    valid:
      description: Whether Studio found the latest revision's definition valid (with O(include=definition)).
      type: bool
    errors:
      description: Studio's errors in the latest revision's definition (with O(include=definition)).
      type: list
      elements: dict
    warnings:
      description: Studio's warnings about the latest revision's definition (with O(include=definition)).
      type: list
      elements: dict
    written_by_collection:
      description:
        - Whether the latest revision was written by this collection (its commit message carries
          C([telephony.twilio])); false means it was changed elsewhere, such as in the Studio console
          (with O(include=definition)).
      type: bool
    revisions:
      description: Every revision, newest first, without definitions (with O(include=revisions)).
      type: list
      elements: dict
revision:
  description: The revision asked for with O(revision), definition included (the v2 Flow Revision resource).
  returned: when O(revision) is given
  type: dict
  contains:
    revision:
      description: The revision number.
      type: int
      sample: 4
    status:
      description: C(draft) or C(published).
      type: str
    definition:
      description: The revision's Flow definition.
      type: dict
    commit_message:
      description: The revision's commit message.
      type: str
'''

from ansible_collections.telephony.twilio.plugins.module_utils._batch import run_batch
from ansible_collections.telephony.twilio.plugins.module_utils._client import StudioError
from ansible_collections.telephony.twilio.plugins.module_utils._flows import (
    FlowNotResolved, Flows, made_here, parse_revision)
from ansible_collections.telephony.twilio.plugins.module_utils._module import StudioModule, task_budget
from ansible_collections.telephony.twilio.plugins.module_utils._validators import check_flow, is_sid

V2_FIELDS = ('definition', 'revision', 'commit_message', 'valid', 'errors', 'warnings')
WORKERS = 8


def check_options(params):
    check_flow(params['flow'])
    if params['revision'] is None:
        return None
    if params['flow'] is None:
        raise ValueError('revision needs flow: the revision of which Flow?')
    return parse_revision(params['revision'])


def with_v2(flows, flow, include):
    """``flow`` (v1) with the v2 data ``include`` asks for."""
    flow = dict(flow)
    if 'definition' in include:
        found = flows.fetch(flow['sid']) or {}
        flow.update((key, found.get(key)) for key in V2_FIELDS)
        flow['written_by_collection'] = made_here(found.get('commit_message'))
    if 'revisions' in include:
        flow['revisions'] = flows.revisions(flow['sid'])
    return flow


def run_module():
    module = StudioModule(
        argument_spec=dict(
            flow=dict(type='str'),
            status=dict(type='str', choices=['draft', 'published']),
            include=dict(type='list', elements='str', choices=['definition', 'revisions'], default=[]),
            revision=dict(type='str'),
        ),
        supports_check_mode=True,
    )
    module.budget = task_budget(module.params)
    flow, status = module.params['flow'], module.params['status']
    revision = module.valid_or_fail(check_options, module.params)
    client = module.client
    try:
        flows = module.flow_finder.listing() if flow is None else [module.flow_finder.find(flow)]
    except FlowNotResolved as exc:
        module.fail_json(msg=str(exc), **exc.result)
    except StudioError as exc:
        module.fail_api(exc, 'Fetching Flow %s failed' % flow if is_sid(flow, 'FW') else 'Listing Flows failed')
    if status:
        flows = [f for f in flows if f.get('status') == status]
    result = dict(changed=False)
    v2 = Flows(client)
    try:
        if module.params['include']:
            flows = run_batch(flows, lambda f: with_v2(v2, f, module.params['include']), WORKERS)
        if revision is not None:
            result['revision'] = v2.revision(flows[0]['sid'], revision) if flows else None
            if result['revision'] is None:
                module.fail_json(msg='revision: Flow %s has no revision %s' % (flow, revision), flows=flows)
    except StudioError as exc:
        module.fail_api(exc, 'Reading Flow definitions (Studio REST API v2) failed')
    module.exit_json(flows=flows, **result)


def main():
    run_module()


if __name__ == '__main__':
    main()
