# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the telephony.twilio collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""The campaign engine behind ``studio_campaign`` (the module keeps its docs, arguments and
``main()``): the contacts checked, one preflight, per Flow one listing and the pool of contacts
through the per-contact protocol, paced creates, a stop that is checked before every create
(the lifeline of the ``ansible-playbook`` that started the batch, and SIGINT/SIGTERM), the
results written per contact, and the campaign guard that keeps two runs of one campaign - on any
machine - from messaging a contact twice (``CampaignGuard``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import random
import signal
import threading
import time
import uuid

from ansible_collections.telephony.twilio.plugins.module_utils._batch import MAX_WORKERS, run_batch
from ansible_collections.telephony.twilio.plugins.module_utils._client import StudioError
from ansible_collections.telephony.twilio.plugins.module_utils._contact import ContactError, Protocol, flow_data, lookup_since
from ansible_collections.telephony.twilio.plugins.module_utils._context_path import PATH, dig
from ansible_collections.telephony.twilio.plugins.module_utils._executions import Executions
from ansible_collections.telephony.twilio.plugins.module_utils._flows import FlowNotResolved
from ansible_collections.telephony.twilio.plugins.module_utils._results import ResultsWriter, last_widget
from ansible_collections.telephony.twilio.plugins.module_utils._lifeline import Lifeline
from ansible_collections.telephony.twilio.plugins.module_utils._pacer import Pacer
from ansible_collections.telephony.twilio.plugins.module_utils._validators import (
    CAMPAIGN_KEY,
    NONCE_KEY,
    check_address,
    check_contact,
    check_flow,
    parse_datetime,
    parse_parameters,
    parse_twilio_date,
    reserved_key_error,
    shown,
)

ACTIONS = {'present': 'Triggering the Execution', 'gathered': 'Reading the Execution',
           'ended': 'Ending the Execution', 'absent': 'Deleting the Execution'}
# A campaign whose Executions (by another run) are this recent is still being run: no create of a
# stopped run starts later than the lifeline's bound (2.5 s), Studio's date_created and Date have
# whole seconds (+1 s each), and a create in flight when the run stopped lands within a second.
QUIET_SECONDS = 6.0
# How long a run waits for another run of its campaign to go quiet before it refuses to start.
QUIET_WAIT = 15.0
# After its first create (its announcement), a run waits this long and looks again: a run that
# started at the same moment has announced itself by then, and the two agree on who goes on.
ANNOUNCE_SECONDS = 2.0
# How many contacts a run tries for its announcement (one that needs no create does not announce).
ANNOUNCE_TRIES = 3
# The time budget of each listing of a batch (100,000 Executions are 100 pages).
LISTING_BUDGET = 600.0


class Stopped(Exception):
    """The batch must start no further contact (the message says why)."""


class CampaignBusy(Exception):
    """Another run of the same campaign is creating Executions; the message names it."""


def failure(contact, message):
    return {'to': contact.get('to'), 'changed': False, 'failed': True, 'action': 'failed', 'msg': message,
            'execution': None}


class Stop:
    """Why the batch starts no further contact: its lifeline (the ansible-playbook that started it)
    ended, or the module got SIGINT/SIGTERM. Thread-safe: ``reason`` is set once and only read."""

    def __init__(self, lifeline=None):
        self.lifeline = lifeline
        self.reason = None
        self.lock = threading.Lock()

    def listen(self):
        """Turn SIGINT and SIGTERM into a stop (the batch then ends its contacts in flight and returns)."""
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._signalled)

    def _signalled(self, signum, frame):
        self._set('Not started: the batch was interrupted (%s); run again with the same campaign key to go on'
                  % signal.Signals(signum).name)

    def _set(self, reason):
        with self.lock:
            if self.reason is None:
                self.reason = reason

    def reason_to_stop(self):
        """The reason to stop (its lifeline is looked at now), or None to go on."""
        if self.reason is None and self.lifeline is not None and not self.lifeline.alive():
            self._set('Not started: ansible-playbook (process %d), which started this batch, is gone or stopping '
                      '(interrupted, cancelled or killed); run again with the same campaign key to go on'
                      % self.lifeline.pid)
        return self.reason

    def raise_if_stopped(self):
        reason = self.reason_to_stop()
        if reason:
            raise Stopped(reason)


# -- the contacts and the options ---------------------------------------------------------------
def read_contacts(module):
    """(contacts checked, {name: failed result}) - every contact's data checked before any request."""
    params = module.params
    defaults = {'flow': params['flow'], 'from': params['from'],
                'parameters': module.valid_or_fail(parse_parameters, params['parameters'])}
    reserved = reserved_key_error(defaults['parameters'])
    if reserved:
        module.fail_json(msg=reserved)
    good, failed, pairs, names = [], {}, {}, set()
    for position, raw in enumerate(params['contacts']):
        name = raw.get('name', raw.get('to')) if isinstance(raw, dict) else None
        named = isinstance(name, str) and bool(name)
        key = name if named else 'contacts[%d]' % position
        try:
            contact = check_contact(raw, 'contact %s' % name if named else key, defaults,
                                    needs_from=params['state'] == 'present')
        except ValueError as exc:
            failed[key] = failure(raw if isinstance(raw, dict) else {}, str(exc))
            continue
        name = contact['name']
        if name in failed or name in names:
            module.fail_json(msg='contacts: the name %r is given twice; names must be unique' % name)
        pair = (contact['flow'], contact['to'], contact['from'] if params['state'] == 'present' else None)
        if pair in pairs:
            failed[name] = failure(contact, 'contact %s: to %s%s is also contact %s of this batch (Studio runs one '
                                            'Execution per To/From pair)'
                                   % (name, contact['to'], ' with from %s' % contact['from'] if pair[2] else '',
                                      pairs[pair]))
            continue
        pairs[pair] = name
        names.add(name)
        good.append(contact)
    return good, failed


def validate_options(module):
    """The batch-wide options; returns ``since`` as a naive UTC datetime or None."""
    params = module.params
    module.valid_or_fail(check_flow, params['flow'])
    module.valid_or_fail(check_address, params['from'], 'from')
    if not 0 < params['rate'] <= 1000:
        module.fail_json(msg='rate must be a number of creates per second above 0 and at most 1000 (Studio allows 20 '
                             'per account), got %s' % params['rate'])
    if not 1 <= params['workers'] <= MAX_WORKERS:
        module.fail_json(msg='workers must be a whole number from 1 to %d, got %s' % (MAX_WORKERS, params['workers']))
    if params['campaign'] is not None and not params['campaign'].strip():
        module.fail_json(msg='campaign must be a non-empty text such as survey-2026-11')
    since = module.valid_or_fail(parse_datetime, params['since'], 'since')
    for column, path in (params['report_fields'] or {}).items():
        if not isinstance(path, str) or not PATH.fullmatch(path):
            module.fail_json(msg='report_fields.%s must be a path into the Execution Context such as '
                                 'widgets.ask_rating.inbound.Body, got %s' % (column, shown(path)))
    if params['report_fields'] and 'context' not in params['include']:
        module.fail_json(msg='report_fields needs context in include (the values are read from the Execution Context)')
    if params['lifeline']:
        module.valid_or_fail(Lifeline.parse, params['lifeline'])
    return since


def preflight(module, contacts):
    """{flow: Flow SID} for every Flow the contacts name, checked once before any contact: the
    credentials and the account (the Flows are listed with them) and each Flow. Fails the module
    once, with one message per Flow that is not found listing the contacts it concerns."""
    members = {}
    for contact in contacts:
        members.setdefault(contact['flow'], []).append(contact['name'])
    sids, problems = {}, []
    for flow, names in members.items():
        try:
            sids[flow] = module.flow_finder.sid(flow)
        except FlowNotResolved as exc:
            problems.append('%s (contacts: %s)' % (exc, _names(names)))
        except StudioError as exc:
            module.fail_api(exc, 'Before any contact, checking the credentials and the Flows failed (nothing was sent)')
    if problems:
        module.fail_json(msg='Nothing was sent: %s' % '; '.join(problems))
    return sids


def _names(names, shown_at_most=10):
    names = sorted(names)
    more = len(names) - shown_at_most
    return ', '.join(names[:shown_at_most]) + (' and %d more' % more if more > 0 else '')


# -- results -------------------------------------------------------------------------------------
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


def slim(result):
    """A contact's result without its Context and Steps (they went to the results directory)."""
    small = dict((key, value) for key, value in result.items() if key not in ('context', 'steps'))
    if 'steps' in result:
        small['step_count'] = len(result['steps'] or [])
        small['last_widget'] = last_widget(result['steps'])
    return small


def status_before(result):
    """A changed contact's Execution status before the task, for --diff."""
    return 'absent' if result['action'] in ('created', 'would create') else 'active'


def status_after(result):
    if result['action'] in ('deleted', 'would delete'):
        return 'absent'
    return (result['execution'] or {}).get('status') or 'active'


# -- the campaign guard ----------------------------------------------------------------------------
class CampaignGuard:
    """Two runs of one campaign must not both create: the only thing every node shares is Studio.

    * Before its first create, a run lists the Flow's Executions of the last QUIET_SECONDS (by
      Studio's clock) and reads their Contexts: this campaign's Executions made by another run
      (another nonce) mean that run is still creating - it waits until they are QUIET_SECONDS old
      (at most QUIET_WAIT), then lists again; or it refuses, naming the other run.
    * Runs that start at the same moment both see nothing. So a run announces itself with its first
      create (a contact with no Execution yet, chosen at random, so that two runs announce with
      different contacts), waits ANNOUNCE_SECONDS and looks again: with another run's Executions
      there, the run whose campaign Execution is older (then lower SID) goes on once the other is
      quiet, and the other refuses, naming it.

    Only Executions of this run's own contacts (``addresses``) count: runs of one campaign with other
    contacts - the slices of an AWX job - share the account's rate and go on side by side.
    """

    def __init__(self, executions, campaign, nonce, addresses, sleep=None, clock=None):
        self.executions = executions
        self.addresses = frozenset(addresses)
        self.client = executions.client
        self.campaign = campaign
        self.nonce = nonce
        self.sleep = sleep or time.sleep
        self.clock = clock or time.time
        self.contexts = {}

    def others(self, since, newest_only=False):
        """[(execution, nonce)] of this campaign's Executions created since ``since`` (naive UTC) by
        other runs, newest first; with ``newest_only``, at most the newest one (the listing is newest
        first, so that costs one Context read per Execution newer than it)."""
        found = []
        for execution in self.executions.list(date_from=since, budget=LISTING_BUDGET):
            if execution.get('contact_channel_address') not in self.addresses:
                continue  # another slice's contact, or nobody's of this campaign: no Context read
            data = self.contexts.get(execution['sid'])
            if data is None:
                try:
                    data = flow_data(self.executions.context(execution['sid']))
                except StudioError as exc:
                    if exc.status != 404:
                        raise
                    data = {}  # deleted since the listing
                self.contexts[execution['sid']] = data
            if data.get(CAMPAIGN_KEY) == self.campaign and data.get(NONCE_KEY) != self.nonce:
                found.append((execution, data.get(NONCE_KEY)))
                if newest_only:
                    break
        return found

    def describe(self, execution, nonce):
        return ('another run of campaign %s (run %s) created Execution %s for %s at %s'
                % (shown(self.campaign), nonce or 'unknown', execution['sid'],
                   execution.get('contact_channel_address'), execution.get('date_created')))

    def wait_quiet(self, since=None):
        """Return once no other run has created an Execution of this campaign for QUIET_SECONDS
        (since ``since`` when given); raise CampaignBusy when that takes longer than QUIET_WAIT."""
        deadline = self.clock() + QUIET_WAIT
        while True:
            now = self.client.server_now()
            window = now - datetime.timedelta(seconds=QUIET_SECONDS)
            recent = self.others(max(window, since) if since else window, newest_only=True)
            recent = [(e, n) for e, n in recent if (parse_twilio_date(e.get('date_created')) or now) >= window]
            if not recent:
                return
            newest = max(recent, key=lambda item: parse_twilio_date(item[0].get('date_created')) or now)
            if self.clock() >= deadline:
                raise CampaignBusy('campaign: %s, and that run is still creating (for more than %.0f s); this run '
                                   'sent nothing. Wait for it to end (or stop it), then run again'
                                   % (self.describe(*newest), QUIET_WAIT))
            self.sleep(1.0)

    def settle(self, since, mine):
        """After this run's announcement ``mine`` (its first created Execution): (None when this run
        goes on - alone, or first - else CampaignBusy naming the run that goes on, whether another
        run was seen)."""
        self.contexts[mine['sid']] = {CAMPAIGN_KEY: self.campaign, NONCE_KEY: self.nonce}  # ours: no need to read
        self.sleep(ANNOUNCE_SECONDS)
        others = self.others(since)
        if not others:
            return None, False

        def order(item):
            return (parse_twilio_date(item[0].get('date_created')) or datetime.datetime.max, item[0]['sid'])

        first = min(others + [(mine, self.nonce)], key=order)
        if first[1] == self.nonce:
            self.wait_quiet(since)
            return None, True
        return CampaignBusy('campaign: %s just before this run; this run stops after reaching %s, so that nobody is '
                            'messaged twice (the other run goes on)'
                            % (self.describe(*first), mine.get('contact_channel_address'))), True


# -- the batch -------------------------------------------------------------------------------------
class Campaign:
    """One batch: ``run()`` returns {name: result} for every contact."""

    def __init__(self, module, contacts, flows, since, stop, record):
        self.module = module
        self.params = module.params
        self.contacts = contacts
        self.flows = flows
        self.since = since
        self.stop = stop
        self.record = record
        self.nonce = uuid.uuid4().hex
        # Before every create - a create sent again after a 429 too - the batch must still be allowed to go on.
        self.pacer = Pacer(self.params['rate'], gate=stop.raise_if_stopped)

    def pace(self):
        """Before every create: wait for its slot of the rate (Stopped once the batch must not go on)."""
        self.pacer.wait()

    def run(self):
        by_flow = {}
        for contact in self.contacts:
            by_flow.setdefault(contact['flow'], []).append(contact)
        results = {}
        for flow, members in by_flow.items():
            results.update(self.run_flow(self.flows[flow], members))
        return results

    def run_flow(self, flow_sid, contacts):
        """{name: result} for the contacts of one Flow: one listing, the guard, then the pool."""
        params, module = self.params, self.module
        state = params['state']
        executions = Executions(module.client, flow_sid)
        include = params['include'] if state != 'absent' else []
        campaign_since = (self.since or executions.active_window_start()) if params['campaign'] else None
        protocol = Protocol(executions, self.nonce, max_retries=params['max_retries'], timeout=params['timeout'],
                            campaign=params['campaign'], campaign_since=campaign_since,
                            on_active=params['on_active'], include=include, workers=1, check_mode=module.check_mode,
                            pace=self.pace)
        start = lookup_since(state, module.check_mode, self.since if state == 'gathered' else campaign_since,
                             executions.active_window_start())
        guard = None
        if state == 'present' and params['campaign'] and not module.check_mode:
            guard = CampaignGuard(executions, params['campaign'], self.nonce, [c['to'] for c in contacts])
        try:
            if guard is not None:
                guard.wait_quiet()
            # What the guard's second look counts: Executions created since this run found the campaign
            # quiet (less a second: date_created has whole seconds). Older ones were seen by that look.
            listed_from = module.client.server_now() - datetime.timedelta(seconds=1)
            index = executions.by_contact(start, budget=LISTING_BUDGET) if start is not None else {}
        except CampaignBusy as exc:
            module.fail_json(msg=str(exc))
        except StudioError as exc:
            message = 'Listing the Executions of Flow %s failed: %s' % (flow_sid, exc)
            return dict(self.record(c['name'], failure(c, message)) for c in contacts)

        def work(contact):
            return self.record(contact['name'], handle(contact))

        def handle(contact):
            reason = self.stop.reason_to_stop()
            if reason:
                return failure(contact, reason)
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
            except Stopped as exc:
                return failure(contact, str(exc))
            except ContactError as exc:
                return dict(failure(contact, str(exc)), execution=exc.execution)
            except StudioError as exc:
                return failure(contact, '%s failed: %s' % (ACTIONS[state], exc))
            except Exception as exc:  # pylint: disable=broad-except
                # One contact's unexpected error must not lose the other contacts' results.
                return failure(contact, '%s failed unexpectedly: %s: %s' % (ACTIONS[state], type(exc).__name__, exc))
            return contact_result(contact, outcome, include, params['report_fields'])

        done = {}
        rest = list(contacts)
        if guard is not None:
            done, rest, index = self.announce(guard, work, rest, index, listed_from, executions, start)
        done.update(run_batch(rest, work, params['workers']))
        return done

    def announce(self, guard, work, contacts, index, listed_from, executions, start):
        """This run's first create, then the guard's second look (CampaignGuard.settle). Returns
        (results so far, contacts left, the index - listed again when another run was there)."""
        fresh = [c for c in contacts if not index.get(c['to'])] or list(contacts)
        random.shuffle(fresh)
        done = {}
        mine = None
        for contact in fresh[:ANNOUNCE_TRIES]:
            name, result = work(contact)
            done[name] = result
            if result.get('action') == 'created':
                mine = result['execution']
                break
        rest = [c for c in contacts if c['name'] not in done]
        if mine is None:
            return done, rest, index
        seen = False
        try:
            busy, seen = guard.settle(listed_from, mine)
        except CampaignBusy as exc:
            busy = exc
        except StudioError as exc:
            busy = CampaignBusy('campaign: looking for another run of this campaign failed (%s); this run stops after '
                                'its first contact, so that nobody is messaged twice' % exc)
        if busy is not None:
            reason = 'Not started: %s' % busy
            for contact in rest:
                done.update([self.record(contact['name'], failure(contact, reason))])
            self.module.fail_json(msg=str(busy), contacts=done, failed_contacts=len(rest))
        if seen:
            index = executions.by_contact(start, budget=LISTING_BUDGET)  # the other run's contacts are skipped from here on
        return done, rest, index


def run_campaign(module):
    """The module's work: check, preflight, run, exit_json."""
    params = module.params
    since = validate_options(module)
    contacts, results = read_contacts(module)
    flows = preflight(module, contacts)
    if params['preflight']:
        module.exit_json(changed=False, flows=flows, contacts=results, summary={}, failed_contacts=len(results))
    writer = open_results(module)
    stop = Stop(Lifeline.parse(params['lifeline']) if params['lifeline'] else None)
    stop.listen()
    campaign = None

    def record(name, result):
        """Keep one contact's result: in its results file at once, and (slim with a directory) in the return."""
        if writer is None:
            return name, result
        writer.write(name, result)
        return name, slim(result)

    for name in list(results):
        results[name] = record(name, results[name])[1]
    campaign = Campaign(module, contacts, flows, since, stop, record)
    # A 429 slows the batch down; a create retried after it takes a slot of the rate too.
    module.pacer = campaign.pacer
    results.update(campaign.run())
    if stop.reason_to_stop() and stop.lifeline is not None and not stop.lifeline.alive():
        # Nobody is there to read the results: leave nothing behind (the job file keeps only this).
        if writer is not None:
            writer.remove()
        module.fail_json(msg=stop.reason_to_stop(), failed_contacts=sum(1 for r in results.values() if r['failed']))
    summary = {}
    for result in results.values():
        summary[result['action']] = summary.get(result['action'], 0) + 1
    failed = summary.get('failed', 0)
    changed = sorted(name for name, r in results.items() if r['changed'])
    diff = {'before': dict((name, status_before(results[name])) for name in changed),
            'after': dict((name, status_after(results[name])) for name in changed)}
    module.exit_json(changed=bool(changed), contacts=results, summary=summary, failed_contacts=failed, diff=diff,
                     stopped=stop.reason_to_stop())


def open_results(module):
    """A ResultsWriter on results_dir, or None."""
    path = module.params['results_dir']
    if not path:
        return None
    try:
        return ResultsWriter(path)
    except (IOError, OSError) as exc:
        module.fail_json(msg='results_dir: cannot write to %s: %s' % (path, exc))
