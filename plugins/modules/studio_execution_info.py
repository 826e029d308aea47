#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: studio_execution_info
short_description: List the Executions of a Twilio Studio Flow or fetch one
version_added: 1.0.0
description:
  - Lists the Executions of a Studio Flow through the Studio REST API v1, newest first, or fetches one by SID.
  - Optionally returns each Execution's Context and Steps (with Step Contexts) in the same task.
options:
  flow:
    description:
      - The Flow, as a Flow SID (C(FW) followed by 32 hexadecimal digits) or the exact friendly name of one Flow.
    type: str
    required: true
  execution_sid:
    description:
      - Fetch this Execution (C(FN) followed by 32 hexadecimal digits) instead of listing.
    type: str
  date_created_from:
    description:
      - Only Executions created at or after this ISO 8601 date-time (V(2024-05-01T10:00:00Z), an offset, or a date).
    type: str
  date_created_to:
    description:
      - Only Executions created before this ISO 8601 date-time (exclusive).
    type: str
  to:
    description:
      - Only Executions of this contact (C(contact_channel_address)). Filtered by the module, since v1 has no
        contact filter.
    type: str
  status:
    description:
      - Only Executions with this status. Filtered by the module, since v1 has no status filter.
    type: str
    choices: [active, ended]
  include:
    description:
      - Also return each Execution's Context (V(context)) in its C(context) field and its Steps (V(steps)), in
        chronological order with their Step Contexts, in a C(steps) field.
    type: list
    elements: str
    choices: [context, steps]
    default: []
  limit:
    description:
      - Return at most this many Executions (after the filters); pages are only fetched as far as needed.
    type: int
extends_documentation_fragment:
  - telephony.twilio.credentials
  - telephony.twilio.connection
  - telephony.twilio.attributes
  - telephony.twilio.attributes.info
seealso:
  - module: telephony.twilio.studio_execution
  - module: telephony.twilio.studio_step_info
author:
  - telephony.twilio developers (@telephony-twilio)
'''

EXAMPLES = r'''
- name: Active Executions of a contact
  telephony.twilio.studio_execution_info:
    flow: Customer survey
    to: "+14155550100"
    status: active
  register: active

- name: The latest Execution of a contact with everything it did
  telephony.twilio.studio_execution_info:
    flow: Appointment reminder
    to: "+14155550100"
    limit: 1
    include: [context, steps]
  register: latest

- name: Executions created in May 2024
  telephony.twilio.studio_execution_info:
    flow: FW0123456789abcdef0123456789abcdef
    date_created_from: "2024-05-01"
    date_created_to: "2024-06-01"
  register: may
'''

RETURN = r'''
executions:
  description:
    - The Executions, newest first, with the fields of the Studio v1 Execution resource.
    - With O(include=context), C(context) holds the Execution Context; with O(include=steps), C(steps) holds the
      Steps in chronological order, each with its Step Context in C(context).
  returned: always
  type: list
  elements: dict
  contains:
    sid:
      description: The Execution SID.
      type: str
      sample: FN0123456789abcdef0123456789abcdef
    contact_channel_address:
      description: The contact.
      type: str
    status:
      description: V(active) or V(ended).
      type: str
    date_created:
      description: When it was created (ISO 8601, UTC).
      type: str
    context:
      description: The Execution Context with O(include=context), else the empty object Twilio returns.
      type: dict
    steps:
      description: The Steps with O(include=steps).
      type: list
      elements: dict
'''

from ansible_collections.telephony.twilio.plugins.module_utils._client import StudioError
from ansible_collections.telephony.twilio.plugins.module_utils._executions import Executions
from ansible_collections.telephony.twilio.plugins.module_utils._module import StudioModule, task_budget
from ansible_collections.telephony.twilio.plugins.module_utils._validators import (
    check_address,
    check_flow,
    check_sid,
    check_range,
    parse_datetime,
)


def run_module():
    module = StudioModule(
        argument_spec=dict(
            flow=dict(type='str', required=True),
            execution_sid=dict(type='str'),
            date_created_from=dict(type='str'),
            date_created_to=dict(type='str'),
            to=dict(type='str'),
            status=dict(type='str', choices=['active', 'ended']),
            include=dict(type='list', elements='str', default=[], choices=['context', 'steps']),
            limit=dict(type='int'),
        ),
        supports_check_mode=True,
    )
    params = module.params
    module.valid_or_fail(check_flow, params['flow'])
    module.valid_or_fail(check_sid, params['execution_sid'], 'FN', 'execution_sid')
    module.valid_or_fail(check_address, params['to'], 'to')
    date_from = module.valid_or_fail(parse_datetime, params['date_created_from'], 'date_created_from')
    date_to = module.valid_or_fail(parse_datetime, params['date_created_to'], 'date_created_to')
    module.valid_or_fail(check_range, date_from, date_to, 'date_created_from', 'date_created_to')
    module.budget = task_budget(params)
    if params['limit'] is not None and params['limit'] < 1:
        module.fail_json(msg='limit must be 1 or more, got %s' % params['limit'])
    executions = Executions(module.client, module.flow_sid(params['flow']))
    try:
        if params['execution_sid']:
            found = executions.fetch(params['execution_sid'])
            if found is None:
                module.fail_json(msg='execution_sid: no Execution %s in Flow %s'
                                     % (params['execution_sid'], executions.flow_sid), status=404)
            if params['to'] and found.get('contact_channel_address') != params['to']:
                module.fail_json(msg='execution_sid %s is the Execution of %s, not of to=%s; give one of them, or both '
                                     'of the same contact'
                                     % (params['execution_sid'], found.get('contact_channel_address'), params['to']))
            items = [found]
        else:
            items = []
            # A filter applied here (to, status) may skip any number of items: only an unfiltered
            # listing may ask Twilio for pages as small as the limit.
            filtered = bool(params['to'] or params['status'])
            page_size = 1000 if filtered or not params['limit'] else min(params['limit'], 1000)
            for item in executions.list(date_from=date_from, date_to=date_to, page_size=page_size):
                if params['to'] and item.get('contact_channel_address') != params['to']:
                    continue
                if params['status'] and item.get('status') != params['status']:
                    continue
                items.append(item)
                if params['limit'] and len(items) >= params['limit']:
                    break
        for item in items:
            item.update(executions.gather(item['sid'], params['include']))
    except StudioError as exc:
        module.fail_api(exc, 'Reading Executions failed')
    module.exit_json(changed=False, executions=items)


def main():
    run_module()


if __name__ == '__main__':
    main()
