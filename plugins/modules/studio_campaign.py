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
version_added: 0.2.0
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
  flow:
    description:
      - The Flow, as a Flow SID or the exact friendly name of one Flow, for the contacts that do not name their own.
    type: str
  from:
    description:
      - The sender for the contacts that do not give their own - an E.164 number or a Messaging Service SID
        (C(MG...)). Required with O(state=present), here or in every contact.
    type: str
  parameters:
    description:
      - Data for the Flow (C({{flow.data.<key>}})) shared by every contact - a dict or a string holding a JSON
        object. A contact's own C(parameters) are merged over it.
      - The keys C(ansible_task_nonce) and C(ansible_campaign) are the collection's and are refused.
    type: raw
  state:
    description:
      - V(present) - each contact has an Execution of the Flow (created unless it has an active one, or, with
        O(campaign), one of this campaign).
      - V(gathered) - read each contact's latest Execution since O(since) (with O(include)), changing nothing.
      - V(ended) - end each contact's active Execution.
      - V(absent) - delete each contact's active Execution.
      - Studio runs one active Execution per To/From pair, so a contact may have one per sender. With
        V(ended) and V(absent), a contact with several is matched on its C(from) (read from each one's Context);
        without C(from) it fails, naming them.
    type: str
    choices: [present, gathered, ended, absent]
    default: present
  on_active:
    description:
      - What O(state=present) does for a contact that already has an active Execution - V(keep) it, V(restart) it
        (end it and create a new one), or V(fail) that contact.
    type: str
    choices: [keep, restart, fail]
    default: keep
  include:
    description:
      - Also return, per contact, the Execution Context (V(context)) and the Steps with their Step Contexts
        (V(steps)).
    type: list
    elements: str
    choices: [context, steps]
    default: []
  report_fields:
    description:
      - Values to pick from each contact's Execution Context for reports, as a dict of column names to paths; a
        path names keys with dots and list items with C([n]), such as V(widgets.ask_rating.inbound.Body) for the
        answer to a Send & Wait For Reply widget named C(ask_rating).
      - Each contact's result then carries C(fields), a dict of column names to values (V(null) where the path
        leads nowhere); P(telephony.twilio.studio_report#filter) adds them as columns.
      - Needs V(context) in O(include).
    type: dict
  campaign:
    description:
      - A campaign key that makes reruns safe, even on Flows whose Executions end at once. It is sent in each
        Execution's Parameters as C(ansible_campaign) (the Flow sees C({{flow.data.ansible_campaign}})).
      - A contact that already has an Execution of this Flow carrying the same key, created since O(since), active
        B(or ended), is not triggered again - its result is RV(ignore:changed=false) with that Execution and
        C(action=campaign). So a campaign that was interrupted (controller lost, job cancelled, crash) can simply be
        run again - nobody is messaged twice.
      - Cost - the Flow's Executions since O(since) are listed once, and the Execution Context of each Execution of
        a contact of the batch is read until the key is found.
    type: str
  since:
    description:
      - The window of O(campaign) and of O(state=gathered) - Executions created since then count (ISO 8601, such as
        V(2026-11-01) or V(2026-11-01T09:00:00Z)).
      - Default - 30 days ago, as long as Studio keeps Executions.
    type: str
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
  results_path:
    description:
      - "Also write each contact's result, as soon as it is known, to this file on the host the module runs on, as
        one JSON line per contact, C({\"name\": ..., \"result\": {...}}) (JSON Lines, appended)."
      - With it, RV(contacts) leaves C(context) and C(steps) out (they are in the file) and carries C(step_count)
        and C(last_widget) instead, so that the task's own result stays small for thousands of contacts.
      - The playbooks start the batch with C(async) and let M(telephony.twilio.studio_campaign_facts) turn each line
        into the contact's facts while the batch goes on.
    type: path
  heartbeat_path:
    description:
      - A file that whoever waits for the batch touches while it waits (M(telephony.twilio.studio_campaign_facts)
        does). When it has not been touched for O(heartbeat_timeout) seconds, the waiter is taken as gone (the
        controller crashed, the job was cancelled, C(ansible-playbook) was interrupted) and the batch starts no
        further contact; those contacts fail with a message saying so.
      - Meant for batches started with C(async), which would otherwise go on alone in the background.
    type: path
  heartbeat_timeout:
    description: Seconds without a touch of O(heartbeat_path) after which the batch stops starting contacts.
    type: float
    default: 10
  workers:
    description:
      - Contacts handled at the same time (threads), each with one request in flight.
      - The default, 32, keeps Studio's 20 creates per second busy when a contact takes up to about a second and a
        half (its create, Context, Steps and Step Contexts), and stays far below Twilio's limit of 100 concurrent
        requests per account. At most 100.
    type: int
    default: 32
extends_documentation_fragment:
  - telephony.twilio.auth
  - telephony.twilio.attributes
  - telephony.twilio.attributes.actions
notes:
  - C(changed) is decided per contact as M(telephony.twilio.studio_execution) decides it - from the create
    answer's C(date_created) and, within two seconds of the request, from a nonce sent in the Parameters as
    C(ansible_task_nonce).
  - With O(campaign), one batch at a time handles a given contact of the campaign on a machine - a second batch
    with some of the same contacts waits (up to 120 seconds) for the first to end, so that a rerun started right
    after a crash cannot race a batch that is still stopping. Batches of one campaign with other contacts (such as
    the slices of an AWX job on one node) run side by side.
  - Results can be large with O(include) - about the size of each contact's Context and Steps. The playbooks turn
    them into per-host facts with one looped M(ansible.builtin.set_fact) (C(delegate_facts)).
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
- name: Trigger the survey for every contact of the play, at Studio's rate
  telephony.twilio.studio_campaign:
    flow: Customer survey
    from: "+14155550199"
    contacts: "{{ ansible_play_hosts | telephony.twilio.studio_contacts(hostvars) }}"
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
      returned: when O(include) contains V(steps), there is an Execution and O(results_path) is not set
    step_count:
      description: How many Steps the Execution has.
      type: int
      returned: when O(include) contains V(steps), there is an Execution and O(results_path) is set
    last_widget:
      description: The widget the contact is at, or ended on.
      type: str
      returned: when O(include) contains V(steps), there is an Execution and O(results_path) is set
summary:
  description: How many contacts ended with each RV(contacts.action).
  returned: always
  type: dict
  sample: {created: 480, campaign: 18, failed: 2}
failed_contacts:
  description: How many contacts failed.
  returned: always
  type: int
  sample: 0
'''

import hashlib
import json
import os
import re
import tempfile
import time
import uuid

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None

from ansible_collections.telephony.twilio.plugins.module_utils._batch import MAX_WORKERS, run_batch
from ansible_collections.telephony.twilio.plugins.module_utils._client import StudioError
from ansible_collections.telephony.twilio.plugins.module_utils._contact import (
    ContactError,
    Protocol,
    lookup_since,
    reserved_key_error,
)
from ansible_collections.telephony.twilio.plugins.module_utils._executions import Executions, last_widget
from ansible_collections.telephony.twilio.plugins.module_utils._journal import ResultsWriter
from ansible_collections.telephony.twilio.plugins.module_utils._pacer import Pacer
from ansible_collections.telephony.twilio.plugins.module_utils._module import FlowNotFound, StudioModule
from ansible_collections.telephony.twilio.plugins.module_utils._validators import (
    check_address,
    check_contact,
    check_flow,
    parse_datetime,
    parse_parameters,
    parse_twilio_date,
    shown,
)

# How long a batch with a campaign waits for another batch of the same campaign on this machine.
LOCK_SECONDS = 120
ACTIONS = {'present': 'Triggering the Execution', 'gathered': 'Reading the Execution',
           'ended': 'Ending the Execution', 'absent': 'Deleting the Execution'}


def failure(contact, message):
    return {'to': contact.get('to'), 'changed': False, 'failed': True, 'action': 'failed', 'msg': message,
            'execution': None}


def read_contacts(module):
    """(contacts checked, {name: failed result}) - every contact's data checked before any request."""
    params = module.params
    defaults = {'flow': params['flow'], 'from': params['from'],
                'parameters': module.check(parse_parameters, params['parameters'])}
    reserved = reserved_key_error(defaults['parameters'])
    if reserved:
        module.fail_json(msg=reserved)
    good, failed, pairs = [], {}, {}
    for position, raw in enumerate(params['contacts']):
        try:
            contact = check_contact(raw, position, defaults, needs_from=params['state'] == 'present')
            reserved = reserved_key_error(contact['parameters'])
            if reserved:
                raise ValueError('contact %s: %s' % (contact['name'], reserved))
        except ValueError as exc:
            name = raw.get('name', raw.get('to')) if isinstance(raw, dict) else None
            failed[name if isinstance(name, str) and name else 'contacts[%d]' % position] = failure(
                raw if isinstance(raw, dict) else {}, str(exc))
            continue
        name = contact['name']
        if name in failed or any(c['name'] == name for c in good):
            module.fail_json(msg='contacts: the name %r is given twice; names must be unique' % name)
        pair = (contact['flow'], contact['to'], contact['from'] if params['state'] == 'present' else None)
        if pair in pairs:
            failed[name] = failure(contact, 'contact %s: to %s%s is also contact %s of this batch (Studio runs one '
                                            'Execution per To/From pair)'
                                   % (name, contact['to'], ' with from %s' % contact['from'] if pair[2] else '',
                                      pairs[pair]))
            continue
        pairs[pair] = name
        good.append(contact)
    return good, failed


def contact_result(contact, outcome, include, report_fields):
    result = {'to': contact['to'], 'changed': outcome.changed, 'failed': False, 'action': outcome.action,
              'execution': outcome.execution}
    if outcome.execution is not None:
        if report_fields:
            result['fields'] = dict((column, dig(outcome.context, path)) for column, path in report_fields.items())
        if 'context' in include:
            result['context'] = outcome.context
        if 'steps' in include:
            result['steps'] = outcome.steps
    return result


def dig(data, path):
    """The value at ``path`` (``a.b[0].c``) in ``data``, or None where it leads nowhere."""
    for key, index in _PATH_STEP.findall(path):
        if key:
            data = data.get(key) if isinstance(data, dict) else None
        else:
            position = int(index)
            data = data[position] if isinstance(data, list) and -len(data) <= position < len(data) else None
        if data is None:
            return None
    return data


_PATH_STEP = re.compile(r'([^.\[\]]+)|\[(-?[0-9]+)\]')
_PATH = re.compile(r'[^.\[\]]+(\[-?[0-9]+\])*(\.[^.\[\]]+(\[-?[0-9]+\])*)*')


def slim(result):
    """A contact's result without its Context and Steps (they went to the results file)."""
    small = dict((key, value) for key, value in result.items() if key not in ('context', 'steps'))
    if 'steps' in result:
        small['step_count'] = len(result['steps'] or [])
        small['last_widget'] = last_widget(result['steps'])
    return small


def run_flow_batch(module, flow, contacts, pacer, nonce, since, record, abandoned):
    """{name: result} for the contacts of one Flow: one Flow lookup, one listing, then the pool."""
    params = module.params
    state = params['state']
    try:
        executions = Executions(module.client, module.resolve_flow(flow))
    except (FlowNotFound, StudioError) as exc:
        message = str(exc) if isinstance(exc, FlowNotFound) else 'Looking up the Flow failed: %s' % exc
        return dict(record(c['name'], failure(c, message)) for c in contacts)
    include = params['include'] if state != 'absent' else []
    campaign_since = (since or executions.active_window_start()) if params['campaign'] else None
    protocol = Protocol(executions, nonce, max_retries=params['max_retries'], timeout=params['timeout'],
                        campaign=params['campaign'], campaign_since=campaign_since, on_active=params['on_active'],
                        include=include, workers=1, check_mode=module.check_mode, pace=pacer.wait)
    start = lookup_since(state, module.check_mode, since if state == 'gathered' else campaign_since,
                         executions.active_window_start())
    index = {}
    if start is not None:
        try:
            index = executions.by_contact(start)
        except StudioError as exc:
            message = 'Listing the Executions of Flow %s failed: %s' % (executions.flow_sid, exc)
            return dict(record(c['name'], failure(c, message)) for c in contacts)

    def work(contact):
        return record(contact['name'], handle(contact))

    def handle(contact):
        gone = abandoned()
        if gone:
            return failure(contact, gone)
        history = index.get(contact['to'], [])
        try:
            if state == 'present':
                outcome = protocol.present(contact['to'], contact['from'], contact['parameters'], history)
            elif state == 'gathered':
                outcome = protocol.latest(history)
            elif state == 'ended':
                outcome = protocol.ended(protocol.active_execution(contact['to'], history, contact['from']))
            else:
                outcome = protocol.absent(protocol.active_execution(contact['to'], history, contact['from']))
        except ContactError as exc:
            return dict(failure(contact, str(exc)), execution=exc.execution)
        except StudioError as exc:
            return failure(contact, '%s failed: %s' % (ACTIONS[state], exc))
        except Exception as exc:  # pylint: disable=broad-except
            # One contact's unexpected error must not lose the other contacts' results.
            return failure(contact, '%s failed unexpectedly: %s: %s' % (ACTIONS[state], type(exc).__name__, exc))
        return contact_result(contact, outcome, include, params['report_fields'])

    return dict(run_batch(contacts, work, params['workers']))


def validate_options(module):
    """The batch-wide options; returns ``since`` as a naive UTC datetime or None."""
    params = module.params
    module.check(check_flow, params['flow'])
    module.check(check_address, params['from'], 'from')
    if not 0 < params['rate'] <= 1000:
        module.fail_json(msg='rate must be a number of creates per second above 0 and at most 1000 (Studio allows 20 '
                             'per account), got %s' % params['rate'])
    if not 1 <= params['workers'] <= MAX_WORKERS:
        module.fail_json(msg='workers must be a whole number from 1 to %d, got %s' % (MAX_WORKERS, params['workers']))
    if params['campaign'] is not None and not params['campaign'].strip():
        module.fail_json(msg='campaign must be a non-empty text such as survey-2026-11')
    since = module.check(parse_datetime, params['since'], 'since')
    for column, path in (params['report_fields'] or {}).items():
        if not isinstance(path, str) or not _PATH.fullmatch(path):
            module.fail_json(msg='report_fields.%s must be a path into the Execution Context such as '
                                 'widgets.ask_rating.inbound.Body, got %s' % (column, shown(path)))
    if params['report_fields'] and 'context' not in params['include']:
        module.fail_json(msg='report_fields needs context in include (the values are read from the Execution Context)')
    return parse_twilio_date(since) if since else None


def run_module():
    module = StudioModule(
        argument_spec={
            'contacts': dict(type='list', elements='dict', required=True),
            'flow': dict(type='str'),
            'from': dict(type='str'),
            'parameters': dict(type='raw'),
            'state': dict(type='str', default='present', choices=['present', 'gathered', 'ended', 'absent']),
            'on_active': dict(type='str', default='keep', choices=['keep', 'restart', 'fail']),
            'include': dict(type='list', elements='str', default=[], choices=['context', 'steps']),
            'campaign': dict(type='str'),
            'since': dict(type='str'),
            'rate': dict(type='float', default=20.0),
            'report_fields': dict(type='dict'),
            'results_path': dict(type='path'),
            'heartbeat_path': dict(type='path'),
            'heartbeat_timeout': dict(type='float', default=10.0),
            'workers': dict(type='int', default=32),
        },
        supports_check_mode=True,
        connections=MAX_WORKERS,
    )
    since = validate_options(module)
    pacer = Pacer(module.params['rate'])
    module.pacer = pacer  # a 429 slows the batch down; a create retried after it takes a slot of the rate too
    contacts, results = read_contacts(module)
    writer = open_results(module)
    abandoned = Heartbeat(module.params['heartbeat_path'], module.params['heartbeat_timeout']).lost
    lock = campaign_lock(module, contacts)

    def record(name, result):
        """Keep one contact's result: in the results file at once, and (slim with a file) in the return."""
        if writer is None:
            return name, result
        writer.write(name, result)
        return name, slim(result)

    for name in list(results):
        results[name] = record(name, results[name])[1]
    by_flow = {}
    for contact in contacts:
        by_flow.setdefault(contact['flow'], []).append(contact)
    nonce = uuid.uuid4().hex
    try:
        for flow, members in by_flow.items():
            results.update(run_flow_batch(module, flow, members, pacer, nonce, since, record, abandoned))
    finally:
        if writer is not None:
            writer.close()
        if lock is not None:
            lock.close()
    summary = {}
    for result in results.values():
        summary[result['action']] = summary.get(result['action'], 0) + 1
    failed = summary.get('failed', 0)
    if failed:
        module.warn('%d of %d contacts failed; see contacts.<name>.msg' % (failed, len(results)))
    changed = sorted(name for name, r in results.items() if r['changed'])
    diff = {'before': dict((name, status_before(results[name])) for name in changed),
            'after': dict((name, status_after(results[name])) for name in changed)}
    module.exit_json(changed=bool(changed), contacts=results, summary=summary, failed_contacts=failed, diff=diff)


def status_before(result):
    """A changed contact's Execution status before the task, for --diff."""
    return 'absent' if result['action'] in ('created', 'would create') else 'active'


def status_after(result):
    if result['action'] in ('deleted', 'would delete'):
        return 'absent'
    return (result['execution'] or {}).get('status') or 'active'


class Heartbeat:
    """Whether the waiter of an async batch is gone: its heartbeat file was not touched for ``seconds``."""

    def __init__(self, path, seconds):
        self.path = path
        self.seconds = seconds
        self.checked = 0.0
        self.message = None
        if path:
            with open(path, 'a'):
                os.utime(path, None)  # the waiter's grace period starts now

    def lost(self):
        """None while the waiter is there; once gone, the message for the contacts not started."""
        if not self.path or self.message:
            return self.message
        now = time.time()
        if now - self.checked >= 0.5:
            self.checked = now
            try:
                idle = now - os.stat(self.path).st_mtime
            except OSError:
                idle = float('inf')
            if idle > self.seconds:
                self.message = ('Not started: whoever waited for this batch is gone (%s not touched for %.0f s: the '
                                'controller stopped or the job was cancelled); run again to go on' % (self.path, idle))
        return self.message


def campaign_lock(module, contacts):
    """With a campaign, exclusive locks on this machine for each (account, campaign, Flow, contact) of the batch,
    or None: one byte each of the campaign's lock file (POSIX record locks, taken in order). So batches of one
    campaign with other contacts (AWX slices of one job on one node) run side by side, and a rerun of the same
    contacts waits for a batch that is still stopping."""
    params = module.params
    if not params['campaign'] or fcntl is None:
        return None
    key = json.dumps([module.params['studio_url'], module.params['region'], params['account_sid'], params['api_key'],
                      params['campaign']])
    path = os.path.join(tempfile.gettempdir(), 'telephony.twilio-campaign-%s.lock'
                        % hashlib.sha256(key.encode('utf-8')).hexdigest()[:24])
    handle = open(path, 'a')
    # A 40-bit place per contact: two slices of 1,000 contacts each share one with a chance of about one in a
    # million (and would then only wait for each other).
    places = sorted(set(int(hashlib.sha256(json.dumps([c['flow'], c['to']]).encode('utf-8')).hexdigest()[:10], 16)
                        for c in contacts))
    deadline = time.time() + LOCK_SECONDS
    for place in places:
        while True:
            try:
                fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, place)
                break
            except (IOError, OSError):
                if time.time() >= deadline:
                    handle.close()
                    module.fail_json(msg='campaign: another batch of campaign %r with some of the same contacts is '
                                         'still running on this machine (lock %s held for %d s); wait for it to end, '
                                         'or stop it' % (params['campaign'], path, LOCK_SECONDS))
                time.sleep(0.5)
    return handle


def open_results(module):
    """A ResultsWriter on results_path (emptied first), or None."""
    path = module.params['results_path']
    if not path:
        return None
    try:
        open(path, 'w').close()
        return ResultsWriter(path)
    except (IOError, OSError) as exc:
        module.fail_json(msg='results_path: cannot write %s: %s' % (path, exc))


def main():
    run_module()


if __name__ == '__main__':
    main()
