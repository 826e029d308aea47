#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: studio_campaign
short_description: Trigger, gather, end or delete the Studio Executions of many contacts at Studio's rate
version_added: 1.0.0
description:
  - The batch form of M(telephony.twilio.studio_execution) - one task, run once on the controller, handles a whole
    list of contacts. It is what the collection's playbooks use, with C(run_once) over C(ansible_play_hosts).
  - Contacts are handled concurrently (O(workers) at a time) and the creates are paced at O(rate) per second,
    Studio's own limit of 20 REST-triggered Executions per second per account by default, so that N contacts take
    about N/20 seconds.
  - Studio's limit belongs to the account, so batches running at the same time on one account (the slices of an
    AWX job, other playbooks) share it. A 429 from Twilio is feedback, not failure - the batch slows down to its
    share of what the account accepted (and waits out C(Retry-After) when Twilio sends it), speeds back up towards
    O(rate) when the 429s stop, and sends the refused create again. See O(rate).
  - The Flow is looked up once per batch, one connection pool serves every contact, and whatever needs "this
    contact's Executions" (check mode, O(state=ended), O(state=absent), O(state=gathered), O(campaign)) reads
    B(one) listing of the Flow's Executions, 1,000 a page, indexed by contact - linear in contacts plus Executions.
  - Every guarantee of M(telephony.twilio.studio_execution) holds for each contact - a truthful C(changed), no
    second Execution after an ambiguous failure (timeout, reset connection, 5xx), check mode without creating
    anything.
  - A contact that cannot be handled does not fail the task - its result says C(failed) and why (RV(contacts)),
    and RV(failed_contacts) counts them. Contacts with bad data are refused before any request, with a message
    naming the contact and the field; the others go on.
options:
  # Also flow, from, parameters, on_active, include, campaign and since: doc fragment telephony.twilio.executions.
  contacts:
    description:
      - The contacts, each a dict with C(to) (required - the contact's address, as O(telephony.twilio.studio_execution#module:to)),
        and optionally C(name) (the key of its result, default C(to); the playbooks use the inventory host name),
        C(from), C(parameters) and C(flow), which default to the options of the same name.
      - Names must be unique, and so must each Flow's C(to)/C(from) pairs (Studio runs one active Execution per
        pair).
    type: list
    elements: dict
    required: true
  state:
    description:
      - V(present) - each contact has an Execution of the Flow (created unless it has an active one, or, with
        O(campaign), one of this campaign).
      - V(gathered) - read each contact's latest Execution since O(since) (with O(include)), changing nothing.
      - V(ended) - end each contact's active Execution.
      - V(absent) - delete each contact's active Execution.
      - Studio runs one active Execution per To/From pair; see O(from) for a contact that has several.
    type: str
    choices: [present, gathered, ended, absent]
    default: present
  report_fields:
    description:
      - Values to pick from each contact's Execution Context for reports, as a dict of column names to paths; a
        path names keys with dots and list items with C([n]), such as V(widgets.ask_rating.inbound.Body) for the
        answer to a Send & Wait For Reply widget named C(ask_rating).
      - Each contact's result then carries C(fields), a dict of column names to values (V(null) where the path
        leads nowhere); P(telephony.twilio.studio_report#filter) adds them as columns.
      - Needs V(context) in O(include).
    type: dict
  rate:
    description:
      - The most creates per second this batch sends (at most one create every 1/O(rate) seconds, across all
        workers). Studio starts at most 20 REST-triggered Executions per second per account, averaged over 10 s.
      - The batch adapts below O(rate) to what the account allows - a 429 brings its pace down to 0.8 times the
        creates per second the account accepted from it over the last 10 seconds (or since its first create, when
        that is shorter), at most once a second and not below 0.5 per second; each second without a decrease adds
        2 per second, back up to O(rate). So with the default, K
        batches started at the same time on one account (K slices of an AWX job) share its 20 per second without a
        failure, and slices run one after another each go at the full rate - there is no need to give each 20/K.
      - A create refused with 429 is sent again (taking its turn in the pace) for up to 300 seconds from its first
        429, whatever O(max_retries) says; only a contact still refused after that fails (rerun with the same
        O(campaign) to reach it). What a 429 storm costs - the 429 answers themselves (cheap, not processed by
        Twilio), and for the batches that share the account, time - the account's 20 per second is split among
        them.
      - Set a lower O(rate) to leave room on the account for other traffic that must not wait (another
        application triggering Flows through the REST API), or when Twilio raised your account's limit, a higher
        one.
    type: float
    default: 20
  results_dir:
    description:
      - "Also write each contact's result, as soon as it is known, to its own file in this existing directory on the
        host the module runs on, C({\"name\": ..., \"result\": {...}}) (0600, written whole)."
      - With it, RV(contacts) leaves C(context) and C(steps) out (they are in the files) and carries C(step_count)
        and C(last_widget) instead, so that the task's own result stays small for thousands of contacts.
      - Without it, a batch started with C(async) gets a private directory (C(0700), in the controller's temporary
        directory), returned as RV(results_dir) with the job's C(ansible_job_id); the playbooks turn each contact's
        file into its facts with M(telephony.twilio.studio_campaign_facts) while the batch goes on, and that action
        removes the directory when the batch has ended.
      - When the batch stops because the C(ansible-playbook) that started it is gone, the directory is removed.
    type: path
  lifeline:
    description:
      - The process whose end stops the batch, as C(PID) or C(PID:START) (its start time in clock ticks, from
        C(/proc)). The collection's action plugin sets it to the C(ansible-playbook) process that runs the task; there
        is no need to give it.
      - Before every create the batch checks it. Once that process is gone (interrupted with Ctrl-C, cancelled in
        AWX, killed), no further create starts - also when the batch runs with C(async), in the background - and the
        contacts not started fail with a message saying so. SIGINT and SIGTERM to the module stop it the same way.
      - An empty string turns the check off.
    type: str
  preflight:
    description:
      - Only check, once, what every contact needs - the options, each contact's data, the credentials, the account
        and every Flow the contacts name - and return the Flows' SIDs in RV(flows), sending nothing else.
      - A batch started with C(async) runs it first in the foreground (the module's action does), so that a missing
        credential or a mistyped Flow name fails the task that starts the batch, at once, with one message.
    type: bool
    default: false
  workers:
    description:
      - Contacts handled at the same time (threads), each with one request in flight.
      - The default, 32, keeps Studio's 20 creates per second busy when a contact takes up to about a second and a
        half (its create, Context, Steps and Step Contexts), and stays far below Twilio's limit of 100 concurrent
        requests per account. At most 100.
    type: int
    default: 32
extends_documentation_fragment:
  - telephony.twilio.executions
  - telephony.twilio.credentials
  - telephony.twilio.connection
  - telephony.twilio.attributes
  - telephony.twilio.attributes.actions
notes:
  - C(changed) is decided per contact as M(telephony.twilio.studio_execution) decides it - from the create
    answer's C(date_created) and, within two seconds of the request, from a nonce sent in the Parameters as
    C(ansible_task_nonce).
  - With O(campaign), two runs of one campaign do not message a contact twice, on one machine or on several
    (Studio is what they share). Before its first create a run lists the Flow's Executions of the last seconds; when
    another run of the campaign created one within 6 seconds (by Studio's clock), it waits for that run to be quiet (up
    to 15 seconds), then lists again and skips whoever that run reached - or refuses to start, naming that run. Two runs
    started at the same moment each create one contact, look again after 2 seconds, and the later one stops, naming
    the other. See the README for what is and is not guaranteed.
  - Results can be large with O(include) - about the size of each contact's Context and Steps. The playbooks keep
    them in O(results_dir), and M(telephony.twilio.studio_campaign_facts) turns each contact's into its facts.
seealso:
  - module: telephony.twilio.studio_execution
  - module: telephony.twilio.studio_execution_info
  - name: Studio REST API rate limits
    description: Twilio's FAQ on REST-triggered Executions (20 per second per account).
    link: https://www.twilio.com/docs/studio/rest-api/v2/execution
author:
  - telephony.twilio developers (@telephony-twilio)
'''

EXAMPLES = r'''
- name: Trigger the survey for every contact of the play (hosts with studio_flow, studio_from), at Studio's rate
  telephony.twilio.studio_campaign:
    contacts: "{{ (ansible_play_hosts | telephony.twilio.studio_contacts(hostvars)).contacts }}"
    campaign: survey-2026-11
  run_once: true
  register: survey

- name: The same for a list of contacts kept in a file
  telephony.twilio.studio_campaign:
    flow: FW0123456789abcdef0123456789abcdef
    from: MG0123456789abcdef0123456789abcdef
    contacts:
      - {to: "+14155550100", parameters: {name: Ann}}
      - {to: "whatsapp:+14155550101", parameters: {name: Bo}}
    campaign: reminders-2026-11-27
    include: [context, steps]
  register: reminders

- name: Show who was triggered now and who already had a run
  ansible.builtin.debug:
    msg: "{{ reminders.summary }}"

- name: Read every contact's latest Execution of the last week, changing nothing
  telephony.twilio.studio_campaign:
    flow: Customer survey
    contacts: "{{ my_contacts }}"
    state: gathered
    since: "{{ '%Y-%m-%d' | strftime(now().timestamp() - 7 * 86400) }}"
    include: [context, steps]
  register: latest

- name: End every contact's stuck Execution
  module_defaults:
    group/telephony.twilio.studio:
      api_key: "{{ twilio_api_key }}"
      api_secret: "{{ twilio_api_secret }}"
  telephony.twilio.studio_campaign:
    flow: Customer survey
    contacts: "{{ my_contacts }}"
    state: ended
'''

RETURN = r'''
contacts:
  description:
    - One result per contact, keyed by its name.
  returned: always
  type: dict
  contains:
    to:
      description: The contact's address.
      type: str
    changed:
      description: Whether this task changed anything for the contact (created, ended or deleted an Execution).
      type: bool
    failed:
      description: Whether the contact could not be handled; RV(contacts.msg) says why.
      type: bool
    msg:
      description: Why the contact failed.
      type: str
      returned: when failed
    action:
      description:
        - V(created), V(active) (it already had an active Execution), V(restarted), V(campaign) (an Execution of
          this campaign exists, nothing sent), V(ended), V(not active), V(deleted), V(latest), V(none) (nothing to
          act on), V(failed), or in check mode V(would create), V(would restart), V(would end), V(would delete).
      type: str
      sample: created
    execution:
      description: The contact's Execution (fields of the Studio v1 Execution resource), or V(null).
      type: dict
    fields:
      description: The values O(report_fields) asks for, by column name.
      type: dict
      returned: with O(report_fields), when there is an Execution
    context:
      description: The Execution Context.
      type: dict
      returned: when O(include) contains V(context) and there is an Execution
    steps:
      description: The Steps in chronological order, each with its Step Context in C(context).
      type: list
      elements: dict
      returned: when O(include) contains V(steps), there is an Execution and O(results_dir) is not set
    step_count:
      description: How many Steps the Execution has.
      type: int
      returned: when O(include) contains V(steps), there is an Execution and O(results_dir) is set
    last_widget:
      description: The widget the contact is at, or ended on.
      type: str
      returned: when O(include) contains V(steps), there is an Execution and O(results_dir) is set
summary:
  description: How many contacts ended with each RV(contacts.action).
  returned: always
  type: dict
  sample: {created: 480, campaign: 18, failed: 2}
flows:
  description: With O(preflight), the SID of every Flow the contacts name, by the name they give.
  returned: with O(preflight)
  type: dict
  sample: {Customer survey: FW0123456789abcdef0123456789abcdef}
stopped:
  description: Why the batch stopped before its end (interrupted), else V(null).
  returned: success
  type: str
failed_contacts:
  description: How many contacts failed.
  returned: always
  type: int
  sample: 0
results_dir:
  description:
    - The private directory the action made for a batch started with C(async) without O(results_dir) (returned
      with C(ansible_job_id) when the batch starts). M(telephony.twilio.studio_campaign_facts) reads it and removes it.
  returned: when the batch starts in the background without O(results_dir)
  type: str
  sample: /tmp/studio-campaign-k2j3h4
'''

from ansible_collections.telephony.twilio.plugins.module_utils._batch import MAX_WORKERS
from ansible_collections.telephony.twilio.plugins.module_utils._campaign import run_campaign
from ansible_collections.telephony.twilio.plugins.module_utils._module import StudioModule
from ansible_collections.telephony.twilio.plugins.module_utils._options import executions_argument_spec


def main():
    argument_spec = executions_argument_spec()
    argument_spec.update({
        'contacts': dict(type='list', elements='dict', required=True),
        'state': dict(type='str', default='present', choices=['present', 'gathered', 'ended', 'absent']),
        'rate': dict(type='float', default=20.0),
        'report_fields': dict(type='dict'),
        'results_dir': dict(type='path'),
        'lifeline': dict(type='str'),
        'preflight': dict(type='bool', default=False),
        'workers': dict(type='int', default=32),
    })
    module = StudioModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        connections=MAX_WORKERS,
    )
    run_campaign(module)


if __name__ == '__main__':
    main()
