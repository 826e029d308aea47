#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: studio_execution
short_description: Trigger, end or delete a Twilio Studio Execution, idempotently
version_added: 1.0.0
description:
  - Ensures the state of a Studio Execution through the Studio REST API v1. With O(state=present) it triggers the
    Flow for a contact (a REST-triggered Execution) unless the contact already has an active Execution of that Flow,
    optionally waits for the Execution to end and gathers its Context and Steps in the same task.
  - Studio allows one active Execution per contact on a Flow. On v1, creating another one does not fail - Twilio
    answers C(200 OK) with the contact's B(existing) active Execution - so the answer alone never says whether the
    task created anything. This module reports RV(ignore:changed=true) only when this task created the Execution;
    see the notes for the method and its limits.
  - Creation is duplicate-safe. A create that Twilio answered with 429 is retried (Twilio did not process it). After
    an ambiguous failure (timeout, reset connection, 5xx) the module first looks for an Execution of this contact
    that this task created and adopts it; only when there is none does it create again. One task never starts two
    Executions for one contact because of a fault.
options:
  # Also flow, from, parameters, on_active, include, campaign and since: doc fragment telephony.twilio.executions.
  flow:
    required: true
  to:
    description:
      - The contact, available in the Flow as C({{contact.channel.address}}).
      - A phone number in E.164 form (V(+14155550100)), a channel address such as V(whatsapp:+14155550100), or
        another identifier the Flow's channel understands.
      - Required with O(state=present). With O(state=ended) or O(state=absent) and no O(execution_sid), the module
        acts on this contact's active Execution.
    type: str
  state:
    description:
      - V(present) - an active Execution of the Flow exists for the contact (created if needed).
      - V(ended) - the Execution (O(execution_sid), else the contact's active one) is ended; Twilio keeps it.
      - V(absent) - the Execution (O(execution_sid), else the contact's active one) is deleted.
    type: str
    choices: [present, ended, absent]
    default: present
  execution_sid:
    description:
      - The Execution to end or delete, C(FN) followed by 32 hexadecimal digits.
      - Only with O(state=ended) or O(state=absent).
    type: str
  wait:
    description:
      - Wait until the Execution has ended (the Flow reached its end, or the Execution was ended) before returning.
      - When O(wait_timeout) passes first, the module fails and returns the Execution and its last Step.
      - Only with O(state=present). Check mode does not simulate the wait - it returns the contact's Execution as
        it is now, or V(null) when one would be created.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait with O(wait=true).
    type: int
    default: 60
  facts:
    description:
      - Also return the result as host facts (RV(ansible_facts)) C(studio_execution), C(studio_context) and
        C(studio_steps), so that they become cacheable facts (kept by fact caching and by AWX fact storage) without a
        separate M(ansible.builtin.set_fact) task per host.
      - C(studio_context) and C(studio_steps) hold what O(include) gathered, V({}) and V([]) otherwise.
        With O(state=absent), C(studio_execution) is V(null).
    type: bool
    default: false
extends_documentation_fragment:
  - telephony.twilio.executions
  - telephony.twilio.credentials
  - telephony.twilio.connection
  - telephony.twilio.attributes
  - telephony.twilio.attributes.actions
attributes:
  facts:
    description: With O(facts=true), sets the host facts C(studio_execution), C(studio_context) and C(studio_steps).
    support: full
notes:
  - How RV(ignore:changed) is decided for O(state=present). The create answer carries C(date_created) with whole
    seconds. When it is clearly older than the request (by Twilio's clock, from the C(Date) header), the contact's
    Execution already existed - RV(ignore:changed=false) at no extra cost. Otherwise the module reads the Execution
    Context (which O(include=context) reads anyway) and compares C(flow.data.ansible_task_nonce) with the value this
    task sent - equal means this task created it.
  - Round trips of O(include=[context, steps]) - the Execution Context is read at the same time as the Steps are
    listed, and the Step Contexts four at a time, so an S-step Execution costs 3 + S requests in about
    2 + S/4 round trips after the create.
  - Limits - the nonce is visible to the Flow as C({{flow.data.ansible_task_nonce}}). Executions created by
    other tools carry no nonce and are never taken for this task's own.
  - Check mode predicts without creating anything - it looks the contact's active Execution up instead (the
    Executions of the last 30 days, since Studio ends active Executions after 30 days; v1 has no status or contact
    filter, so this reads every Execution of the Flow in that window).
  - After an ambiguous failure the module looks for this task's Execution among the contact's Executions created
    since the task started. After a timeout it keeps looking for O(timeout) seconds (at least 5) before creating
    again, so that a request still in flight can land; a request delayed by more than that could still start a
    second run.
  - Right after a create, Twilio may briefly answer 404 for the new Execution's Context and Steps; those reads are
    retried for up to 10 seconds before the 404 is believed.
  - Contacts are matched on C(contact_channel_address) (O(to)); C(contact_sid) is deprecated in v1.
  - Steps are returned in chronological order (Twilio lists them newest first).
seealso:
  - module: telephony.twilio.studio_execution_info
  - module: telephony.twilio.studio_step_info
  - module: telephony.twilio.studio_flow_info
  - name: Studio Execution resource (v1)
    description: Twilio's reference of the Execution resource.
    link: https://www.twilio.com/docs/studio/rest-api/execution
author:
  - telephony.twilio developers (@telephony-twilio)
'''

EXAMPLES = r'''
- name: Trigger the reminder for a contact and gather what happened, in one task
  telephony.twilio.studio_execution:
    flow: Appointment reminder
    to: "+14155550100"
    from: "+14155550199"
    parameters:
      name: Ann
      date: May 5
    include: [context, steps]
  register: run

- name: Show the message the Flow sent (in check mode nothing was sent, and execution is null)
  ansible.builtin.debug:
    msg: "{{ run.context.widgets.send_reminder.outbound.Body }}"
  when: not ansible_check_mode

- name: The same, keeping the result as cacheable host facts studio_execution, studio_context, studio_steps
  telephony.twilio.studio_execution:
    flow: Appointment reminder
    to: "{{ inventory_hostname }}"
    from: "+14155550199"
    include: [context, steps]
    facts: true

- name: Credentials for every Studio module from module_defaults
  module_defaults:
    group/telephony.twilio.studio:
      api_key: "{{ twilio_api_key }}"
      api_secret: "{{ twilio_api_secret }}"
  block:
    - name: Start a survey, replacing a stuck one, and wait for it to end
      telephony.twilio.studio_execution:
        flow: FW0123456789abcdef0123456789abcdef
        to: "whatsapp:+14155550100"
        from: MG0123456789abcdef0123456789abcdef
        parameters: '{"product": "coffee"}'
        on_active: restart
        wait: true
        wait_timeout: 300

    - name: End the contact's active Execution
      telephony.twilio.studio_execution:
        flow: Customer survey
        to: "+14155550100"
        state: ended

    - name: Delete one Execution
      telephony.twilio.studio_execution:
        flow: Customer survey
        execution_sid: FN0123456789abcdef0123456789abcdef
        state: absent
'''

RETURN = r'''
action:
  description:
    - How the state was reached - V(created), V(active) (the contact already had an active Execution),
      V(restarted), V(campaign) (an Execution carrying O(campaign) exists), V(ended), V(not active), V(deleted),
      V(none) (nothing to act on), or in check mode V(would create), V(would restart), V(would end),
      V(would delete).
  returned: success
  type: str
  sample: created
last_step:
  description: On a O(wait_timeout), the last Step of the Execution still active (without its Step Context).
  returned: when O(wait=true) and the Execution was still active after O(wait_timeout)
  type: dict
ansible_facts:
  description: With O(facts=true), the host facts this task sets.
  returned: when O(facts=true)
  type: dict
  contains:
    studio_execution:
      description: The Execution as in RV(execution); V(null) with O(state=absent).
      type: dict
    studio_context:
      description: The Execution Context as in RV(context), or V({}) when O(include) does not contain V(context).
      type: dict
    studio_steps:
      description: The Steps as in RV(steps), or V([]) when O(include) does not contain V(steps).
      type: list
      elements: dict
execution:
  description:
    - The Execution with the fields of the Studio v1 Execution resource (C(context) is the empty object Twilio puts
      there; see RV(context)).
    - For O(state=absent), the Execution as it was before it was deleted. Null when there was nothing to act on, and
      in check mode when an Execution would be created.
  returned: always
  type: dict
  contains:
    sid:
      description: The Execution SID.
      type: str
      sample: FN0123456789abcdef0123456789abcdef
    flow_sid:
      description: The Flow SID.
      type: str
    account_sid:
      description: The account SID.
      type: str
    contact_channel_address:
      description: The contact (O(to)).
      type: str
      sample: "+14155550100"
    contact_sid:
      description: Deprecated by Twilio; do not rely on it.
      type: str
    status:
      description: V(active) or V(ended).
      type: str
      sample: active
    date_created:
      description: When the Execution was created (ISO 8601, UTC, whole seconds).
      type: str
      sample: '2024-05-01T10:00:00Z'
    date_updated:
      description: When it last changed.
      type: str
    url:
      description: Its absolute URL.
      type: str
    links:
      description: URLs of its Steps and Execution Context.
      type: dict
context:
  description:
    - The Execution Context - C(flow) (C(sid), C(channel.address), C(data), C(variables)), C(contact),
      C(widgets) and C(trigger), as the Flow stands.
  returned: when O(include) contains V(context) and there is an Execution
  type: dict
steps:
  description:
    - The Steps in chronological order, each with the fields of the Step resource and its Step Context in C(context).
  returned: when O(include) contains V(steps) and there is an Execution
  type: list
  elements: dict
  contains:
    sid:
      description: The Step SID.
      type: str
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
      sample: send_reminder
    type:
      description: The type of the widget left.
      type: str
    context:
      description: The Step Context.
      type: dict
'''

import uuid

from ansible_collections.telephony.twilio.plugins.module_utils._client import StudioError
from ansible_collections.telephony.twilio.plugins.module_utils._contact import (
    SETTLE_MIN,
    ContactError,
    Protocol,
    lookup_since,
)
from ansible_collections.telephony.twilio.plugins.module_utils._executions import FRESH_READ_SECONDS, Executions
from ansible_collections.telephony.twilio.plugins.module_utils._module import StudioModule, task_budget
from ansible_collections.telephony.twilio.plugins.module_utils._options import executions_argument_spec
from ansible_collections.telephony.twilio.plugins.module_utils._results import execution_facts
from ansible_collections.telephony.twilio.plugins.module_utils._validators import (
    check_address,
    check_flow,
    check_sid,
    parameters_json,
    parse_datetime,
    parse_parameters,
    reserved_key_error,
)

# The longest wait_timeout (a day): Studio Executions waiting longer are better gathered later.
MAX_WAIT = 86400
ACTIONS = {'present': 'Triggering the Execution', 'ended': 'Ending the Execution', 'absent': 'Deleting the Execution'}


def validate(module):
    params = module.params
    module.valid_or_fail(check_flow, params['flow'])
    module.valid_or_fail(check_address, params['to'], 'to')
    module.valid_or_fail(check_address, params['from'], 'from')
    params['parameters'] = module.valid_or_fail(parameters_json, params['parameters'])
    reserved = reserved_key_error(module.valid_or_fail(parse_parameters, params['parameters']))
    if reserved:
        module.fail_json(msg=reserved)
    module.valid_or_fail(check_sid, params['execution_sid'], 'FN', 'execution_sid')
    state = params['state']
    for option, what in (('to', 'the contact'), ('from', 'the sender')):
        if state == 'present' and not params[option]:
            module.fail_json(msg='state=present needs %s (%s: an E.164 number such as +14155550100, a channel '
                                 'address or, for from, a Messaging Service SID)' % (option, what))
    if state == 'present' and params['execution_sid']:
        module.fail_json(msg='execution_sid is only used with state=ended or state=absent; state=present creates '
                             'or adopts the active Execution of the contact given by to')
    if state != 'present' and not (params['execution_sid'] or params['to']):
        module.fail_json(msg='state=%s needs execution_sid (FN + 32 hex digits), or to (the contact whose active '
                             'Execution to act on)' % state)
    if not 0 < params['wait_timeout'] <= MAX_WAIT:
        module.fail_json(msg='wait_timeout must be a whole number of seconds from 1 to %d, got %s'
                             % (MAX_WAIT, params['wait_timeout']))
    if state != 'present' and params['wait']:
        module.fail_json(msg='wait is only used with state=present (state=%s returns once the Execution is %s)'
                             % (state, 'ended' if state == 'ended' else 'deleted'))
    if params['campaign'] is not None and not params['campaign'].strip():
        module.fail_json(msg='campaign must be a non-empty text such as spring-2026')
    if params['since'] and not params['campaign']:
        module.fail_json(msg='since is the window of campaign: set campaign too, or leave since out')
    return module.valid_or_fail(parse_datetime, params['since'], 'since')


def target(module, protocol):
    """The Execution that state=ended/absent acts on (execution_sid, else the contact's active one), or None."""
    executions = protocol.executions
    sid = module.params['execution_sid']
    if not sid:
        history = executions.created_since(module.params['to'], executions.active_window_start())
        return protocol.active_execution(module.params['to'], history, module.params['from'])
    execution = executions.fetch(sid)
    if execution is None and module.params['state'] == 'ended':
        module.fail_json(msg='execution_sid: no Execution %s in Flow %s' % (sid, executions.flow_sid))
    to = module.params['to']
    if execution is not None and to and execution.get('contact_channel_address') != to:
        module.fail_json(msg='execution_sid %s is the Execution of %s, not of to=%s; give one of them, or both of the '
                             'same contact' % (sid, execution.get('contact_channel_address'), to))
    return execution


def fail_wait(module, protocol, execution):
    """wait_timeout passed: fail with the Execution and its last Step."""
    last = None
    try:
        steps = protocol.executions.steps(execution['sid'], with_context=False)
        last = steps[-1] if steps else None
    except StudioError:
        pass
    where = ('; last step: %s -> %s on %s' % (last.get('transitioned_from'), last.get('transitioned_to'),
                                              last.get('name'))) if last else ''
    module.fail_json(msg='Execution %s of %s is still active after wait_timeout=%ss%s'
                         % (execution['sid'], module.params['to'] or execution.get('contact_channel_address'),
                            module.params['wait_timeout'], where),
                     execution=execution, last_step=last, changed=True)


def apply_state(module, protocol, since):
    """The Outcome of the task's state, waiting and gathering as asked."""
    params = module.params
    state = params['state']
    if state != 'present':
        execution = target(module, protocol)
        return protocol.ended(execution) if state == 'ended' else protocol.absent(execution)
    history = None
    executions = protocol.executions
    start = lookup_since(state, module.check_mode, since, executions.active_window_start())
    if start is not None:
        history = executions.created_since(params['to'], start)  # newest first, as Twilio lists them
    waiting = params['wait'] and not module.check_mode
    outcome = protocol.present(params['to'], params['from'], parse_parameters(params['parameters']), history,
                               gather=not waiting)
    if waiting and outcome.execution is not None:
        execution = protocol.wait_ended(outcome.execution, params['wait_timeout'])
        if execution is None:
            fail_wait(module, protocol, protocol.executions.fetch(outcome.execution['sid']) or outcome.execution)
        outcome = protocol.finish(execution, outcome.changed, outcome.before, outcome.action, None, None, True)
    return outcome


def run_module():
    argument_spec = executions_argument_spec()
    argument_spec.update(
        flow=dict(type='str', required=True),
        to=dict(type='str'),
        state=dict(type='str', default='present', choices=['present', 'ended', 'absent']),
        execution_sid=dict(type='str'),
        wait=dict(type='bool', default=False),
        wait_timeout=dict(type='int', default=60),
        facts=dict(type='bool', default=False),
    )
    module = StudioModule(
        argument_spec=argument_spec,
        required_if=[('state', 'present', ('to', 'from'))],
        supports_check_mode=True,
    )
    since = validate(module)
    params = module.params
    state = params['state']
    module.budget = task_budget(params, (params['wait_timeout'] if params['wait'] else 0) + FRESH_READ_SECONDS +
                                max(params['timeout'], SETTLE_MIN))
    executions = Executions(module.client, module.flow_sid(params['flow']))
    campaign_since = None
    if params['campaign']:
        campaign_since = since or executions.active_window_start()
    protocol = Protocol(executions, uuid.uuid4().hex, max_retries=params['max_retries'], timeout=params['timeout'],
                        campaign=params['campaign'], campaign_since=campaign_since, on_active=params['on_active'],
                        include=params['include'] if state != 'absent' else [], check_mode=module.check_mode)
    try:
        outcome = apply_state(module, protocol, campaign_since)
    except ContactError as exc:
        module.fail_json(msg=str(exc), execution=exc.execution)
    except StudioError as exc:
        module.fail_api(exc, '%s failed' % ACTIONS[state])
    execution, changed, before = outcome.execution, outcome.changed, outcome.before
    after_status = 'absent' if state == 'absent' and changed else (
        execution.get('status') if execution else ('active' if changed else 'absent'))
    diff = {
        'before': {'sid': before.get('sid') if before else None, 'status': before.get('status') if before else 'absent'},
        'after': {'sid': execution.get('sid') if execution else None, 'status': after_status},
    }
    extra = {}
    if outcome.context is not None:
        extra['context'] = outcome.context
    if outcome.steps is not None:
        extra['steps'] = outcome.steps
    if params['facts']:
        extra['ansible_facts'] = execution_facts(None if state == 'absent' else execution, outcome.context,
                                                 outcome.steps)
    module.exit_json(changed=changed, execution=execution, action=outcome.action, diff=diff, **extra)


def main():
    run_module()


if __name__ == '__main__':
    main()
