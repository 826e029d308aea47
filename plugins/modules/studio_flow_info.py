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
version_added: 0.1.0
description:
  - Lists the Studio Flows of the account through the Studio REST API v1, or fetches one Flow by SID or by its
    friendly name.
  - A friendly name must match exactly one Flow; when several Flows share it, the module fails and lists their SIDs.
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
extends_documentation_fragment:
  - telephony.twilio.auth
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
'''

from ansible_collections.telephony.twilio.plugins.module_utils._client import StudioError
from ansible_collections.telephony.twilio.plugins.module_utils._module import StudioModule, task_budget
from ansible_collections.telephony.twilio.plugins.module_utils._validators import check_flow, is_sid


def run_module():
    module = StudioModule(
        argument_spec=dict(
            flow=dict(type='str'),
            status=dict(type='str', choices=['draft', 'published']),
        ),
        supports_check_mode=True,
    )
    module.budget = task_budget(module.params)
    flow, status = module.params['flow'], module.params['status']
    module.check(check_flow, flow)
    client = module.client
    if flow is None:
        try:
            flows = module.list_flows()
        except StudioError as exc:
            module.fail_api(exc, 'Listing Flows failed')
    elif is_sid(flow, 'FW'):
        try:
            flows = [client.get('/v1/Flows/%s' % flow)]
        except StudioError as exc:
            if exc.status == 404:
                module.fail_json(msg='flow: no Flow %s in this account (HTTP 404, Twilio error %s)' % (flow, exc.code),
                                 status=404, code=exc.code)
            module.fail_api(exc, 'Fetching Flow %s failed' % flow)
    else:
        sid = module.flow_sid(flow)
        flows = [f for f in module.list_flows() if f['sid'] == sid]  # listed once by flow_sid
    if status:
        flows = [f for f in flows if f.get('status') == status]
    module.exit_json(changed=False, flows=flows)


def main():
    run_module()


if __name__ == '__main__':
    main()
