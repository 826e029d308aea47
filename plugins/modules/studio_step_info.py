#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: studio_step_info
short_description: The Steps of a Twilio Studio Execution, with their Step Contexts
version_added: 1.0.0
description:
  - Returns the Steps of one Studio Execution in chronological order (Twilio lists them newest first), or one
    Step, through the Studio REST API v1.
  - Each Step's Step Context is included by default; they are fetched concurrently over one connection pool.
options:
  flow:
    description:
      - The Flow, as a Flow SID (C(FW) followed by 32 hexadecimal digits) or the exact friendly name of one Flow.
    type: str
    required: true
  execution_sid:
    description:
      - The Execution, C(FN) followed by 32 hexadecimal digits.
    type: str
    required: true
  step_sid:
    description:
      - Return only this Step, C(FT) followed by 32 hexadecimal digits.
    type: str
  include_context:
    description:
      - Return each Step's Step Context in its C(context) field.
    type: bool
    default: true
extends_documentation_fragment:
  - telephony.twilio.credentials
  - telephony.twilio.connection
  - telephony.twilio.attributes
  - telephony.twilio.attributes.info
seealso:
  - module: telephony.twilio.studio_execution
  - module: telephony.twilio.studio_execution_info
author:
  - telephony.twilio developers (@telephony-twilio)
'''

EXAMPLES = r'''
- name: The path an Execution took through the Flow
  telephony.twilio.studio_step_info:
    flow: Customer survey
    execution_sid: "{{ run.execution.sid }}"
  register: steps

- name: Show it
  ansible.builtin.debug:
    msg: "{{ steps.steps | map(attribute='transitioned_to') | list }}"

- name: One Step without its context
  telephony.twilio.studio_step_info:
    flow: FW0123456789abcdef0123456789abcdef
    execution_sid: FN0123456789abcdef0123456789abcdef
    step_sid: FT0123456789abcdef0123456789abcdef
    include_context: false
'''

RETURN = r'''
steps:
  description:
    - The Steps in chronological order with the fields of the Studio v1 Step resource; C(context) holds the Step
      Context with O(include_context=true).
  returned: always
  type: list
  elements: dict
  contains:
    sid:
      description: The Step SID.
      type: str
      sample: FT0123456789abcdef0123456789abcdef
    name:
      description: The event that left the widget.
      type: str
      sample: incomingRequest
    transitioned_from:
      description: The widget the Step left.
      type: str
      sample: Trigger
    transitioned_to:
      description: The widget it went to, C(Ended) at the end.
      type: str
    type:
      description: The type of the widget left.
      type: str
      sample: trigger
    date_created:
      description: When the Step happened (ISO 8601, UTC).
      type: str
    context:
      description: The Step Context.
      type: dict
'''

from ansible_collections.telephony.twilio.plugins.module_utils._client import StudioError
from ansible_collections.telephony.twilio.plugins.module_utils._executions import Executions
from ansible_collections.telephony.twilio.plugins.module_utils._module import StudioModule, task_budget
from ansible_collections.telephony.twilio.plugins.module_utils._validators import check_flow, check_sid


def run_module():
    module = StudioModule(
        argument_spec=dict(
            flow=dict(type='str', required=True),
            execution_sid=dict(type='str', required=True),
            step_sid=dict(type='str'),
            include_context=dict(type='bool', default=True),
        ),
        supports_check_mode=True,
    )
    module.budget = task_budget(module.params)
    params = module.params
    module.valid_or_fail(check_flow, params['flow'])
    module.valid_or_fail(check_sid, params['execution_sid'], 'FN', 'execution_sid')
    module.valid_or_fail(check_sid, params['step_sid'], 'FT', 'step_sid')
    executions = Executions(module.client, module.flow_sid(params['flow']))
    try:
        if params['step_sid']:
            steps = [executions.step(params['execution_sid'], params['step_sid'], params['include_context'])]
        else:
            steps = executions.steps(params['execution_sid'], params['include_context'])
    except StudioError as exc:
        if exc.status == 404:
            module.fail_json(msg='No %s in Flow %s (HTTP 404, Twilio error %s)'
                                 % ('Step %s of Execution %s' % (params['step_sid'], params['execution_sid'])
                                    if params['step_sid'] else 'Execution %s' % params['execution_sid'],
                                    executions.flow_sid, exc.code), status=404, code=exc.code)
        module.fail_api(exc, 'Reading Steps failed')
    module.exit_json(changed=False, steps=steps)


def main():
    run_module()


if __name__ == '__main__':
    main()
