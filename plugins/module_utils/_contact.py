# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the telephony.twilio collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""The per-contact protocol: create an Execution, recognise our own, adopt it after an ambiguous
failure, skip contacts a campaign already reached, gather Context and Steps.

Used by ``studio_execution`` (one contact) and by the batch engine (many). Every function returns
what it found (``Outcome``, ``Triggered``); nothing is left on an object for later.

How ``changed`` is decided: the create answer carries ``date_created`` with whole seconds. When it
is clearly older than the request by Twilio's clock (the ``Date`` header), the contact's Execution
already existed. Otherwise the Execution Context is read and ``flow.data.ansible_task_nonce`` is
compared with the nonce this run sent.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import time
from collections import namedtuple

from ansible_collections.telephony.twilio.plugins.module_utils._backoff import delay, poll
from ansible_collections.telephony.twilio.plugins.module_utils._client import StudioError
from ansible_collections.telephony.twilio.plugins.module_utils._executions import (
    STEP_CONTEXT_WORKERS,
    executions_path,
)
from ansible_collections.telephony.twilio.plugins.module_utils._validators import (
    CAMPAIGN_KEY,
    NONCE_KEY,
    parse_twilio_date,
)

# A create answer whose date_created is this many seconds older than the request cannot be ours.
CLEARLY_OLDER = 2.0
# After a timed-out create, look for its Execution at least this long before creating again.
SETTLE_MIN = 5.0

# What one create (with its duplicate-safe retries) found: the Execution, whether this run created
# it, and the Context/Steps read while deciding (None when not read).
Triggered = namedtuple('Triggered', ['execution', 'created', 'context', 'steps'])

# What ensuring one contact's state did. ``action`` says how, for people and reports:
#   created         this run created the Execution
#   active          the contact already had an active Execution (on_active=keep)
#   restarted       the active Execution was ended and a new one created (on_active=restart)
#   campaign        an Execution carrying this campaign key already exists (nothing sent)
#   would create / would restart / would end / would delete      check mode
#   ended / deleted / not active / none / latest                 the other states
Outcome = namedtuple('Outcome', ['execution', 'changed', 'before', 'action', 'context', 'steps'])


class ContactError(Exception):
    """A contact cannot be handled as asked (its message names it); ``execution`` if one is involved."""

    def __init__(self, message, execution=None):
        super(ContactError, self).__init__(message)
        self.execution = execution


class DuplicateRisk(StudioError):
    """A create failed ambiguously and the lookup for what it may have started failed too."""


def flow_data(context):
    return ((context or {}).get('flow') or {}).get('data') or {}


def sender_of(context):
    """The From of an Execution: v1 Executions have no from field; the Context has flow.channel.address."""
    return (((context or {}).get('flow') or {}).get('channel') or {}).get('address')


class Protocol:
    """The per-contact protocol on one Flow, with the settings shared by every contact of a run.

    ``nonce`` identifies this run's creates; ``campaign`` (optional) is stored in ``flow.data`` so
    that a later run skips contacts already reached; ``workers`` is the Step Context concurrency
    within one contact (1 on the batch path, where the concurrency is across contacts).
    """

    def __init__(self, executions, nonce, max_retries=5, timeout=30, campaign=None, campaign_since=None,
                 on_active='keep', include=(), workers=STEP_CONTEXT_WORKERS, check_mode=False, pace=None):
        self.executions = executions
        self.client = executions.client
        self.nonce = nonce
        self.max_retries = max_retries
        self.timeout = timeout
        self.campaign = campaign
        self.campaign_since = campaign_since
        self.on_active = on_active
        self.include = list(include)
        self.workers = workers
        self.check_mode = check_mode
        # Called before every create (and re-create): the batch engine's pacer.
        self.pace = pace or (lambda: None)

    # -- creating and recognising ---------------------------------------------------------
    def create_data(self, to, sender, parameters):
        data = dict(parameters or {})
        data[NONCE_KEY] = self.nonce
        if self.campaign:
            data[CAMPAIGN_KEY] = self.campaign
        return {'To': to, 'From': sender, 'Parameters': json.dumps(data, sort_keys=True, allow_nan=False)}

    def recognise(self, execution, sent_at, read_steps=False):
        """Triggered for a create answer: did this run create ``execution``? ``sent_at`` is
        Twilio's time when the POST left. With ``read_steps``, the Steps are read with the Context."""
        created = parse_twilio_date(execution.get('date_created'))
        if created is not None and (sent_at - created).total_seconds() >= CLEARLY_OLDER:
            return Triggered(execution, False, None, None)
        if read_steps:
            gathered = self.executions.gather(execution['sid'], ['context', 'steps'], workers=self.workers)
            context, steps = gathered['context'], gathered['steps']
        else:
            context, steps = self.executions.context(execution['sid']), None
        return Triggered(execution, flow_data(context).get(NONCE_KEY) == self.nonce, context, steps)

    def find_ours(self, to, since):
        """(execution, context) of this run's Execution for ``to`` created since ``since``, or None."""
        for candidate in self.executions.created_since(to, since):
            context = self.executions.context(candidate['sid'])
            if flow_data(context).get(NONCE_KEY) == self.nonce:
                return candidate, context
        return None

    def settle(self, to, since, error):
        """After an ambiguous failure: this run's Execution, looked for at once and, after a
        timeout (the request may still be in flight), for up to ``timeout`` seconds (at least
        SETTLE_MIN). Raises DuplicateRisk when the lookup itself fails."""
        seconds = max(self.timeout, SETTLE_MIN) if error.timed_out else 0
        try:
            return poll(lambda: self.find_ours(to, since), seconds)
        except StudioError as exc:
            raise DuplicateRisk('A create failed ambiguously (%s) and looking for the Execution it may have started '
                                'failed too (%s); not creating again, to avoid a second run' % (error, exc),
                                status=exc.status, code=exc.code, more_info=exc.more_info)

    def trigger(self, to, sender, parameters, read_steps=False):
        """POST the create, duplicate-safe; returns Triggered.

        A 429 is retried by the HTTP layer. After an ambiguous failure (timeout, reset, 5xx) this
        run's Execution is looked for and adopted (created=True); only when there is none is the
        create sent again, after a backoff.
        """
        data = self.create_data(to, sender, parameters)
        path = executions_path(self.executions.flow_sid)
        attempts = self.max_retries + 1
        margin = 2.0 if self.client.clock_offset is not None else 300.0
        since = self.client.server_now() - datetime.timedelta(seconds=margin)
        for attempt in range(attempts):
            self.pace()
            sent_local = time.time()
            try:
                execution = self.client.post(path, data)
            except StudioError as exc:
                if not exc.ambiguous:
                    raise
                found = self.settle(to, since, exc)
                if found is not None:
                    return Triggered(found[0], True, found[1], None)
                if attempt + 1 == attempts:
                    raise
                time.sleep(delay(attempt + 1))
                continue
            sent_at = self.client.server_now() - datetime.timedelta(seconds=time.time() - sent_local)
            return self.recognise(execution, sent_at, read_steps)
        raise AssertionError('unreachable')  # pragma: no cover

    # -- campaigns --------------------------------------------------------------------------
    def campaign_execution(self, history):
        """(execution, context) of the contact's Execution carrying this run's campaign key, among
        ``history`` (the contact's Executions, newest first) created since ``campaign_since``, or None."""
        for execution in history or []:
            created = parse_twilio_date(execution.get('date_created'))
            if self.campaign_since is not None and created is not None and created < self.campaign_since:
                break
            context = self.executions.context(execution['sid'])
            if flow_data(context).get(CAMPAIGN_KEY) == self.campaign:
                return execution, context
        return None

    def active_execution(self, to, history, sender=None, verify=False):
        """The contact's active Execution among ``history``, or None.

        Studio runs one active Execution per To/From pair, so a contact may have several, one per
        sender. With several, the one whose Context says it was sent from ``sender`` (and without
        ``sender``, a ContactError naming them). With one, it is taken as it is, unless ``verify``
        (check mode predicting a create) asks to check its sender too.
        """
        actives = [e for e in history or [] if e.get('status') == 'active']
        if not actives:
            return None
        if len(actives) == 1 and (sender is None or not verify):
            return actives[0]
        if sender is None:
            raise ContactError('Contact %s has %d active Executions of this Flow (%s), one per sender: give from to '
                               'choose one' % (to, len(actives), ', '.join(e['sid'] for e in actives)))
        for execution in actives:
            if sender_of(self.executions.context(execution['sid'])) == sender:
                return execution
        return None

    # -- states -------------------------------------------------------------------------------
    def present(self, to, sender, parameters, history=None, gather=True):
        """Ensure the contact has an Execution of the Flow; returns Outcome.

        ``history``: the contact's Executions in the lookup window (newest first, from
        ``Executions.by_contact``); it must be given with a campaign or in check mode. With
        ``gather``, what ``include`` asks for is read as well.
        """
        if self.campaign:
            found = self.campaign_execution(history)
            if found is not None:
                return self.finish(found[0], False, found[0], 'campaign', found[1], None, gather)
        if self.check_mode:
            existing = self.active_execution(to, history, sender, verify=True)
            if existing is None:
                return Outcome(None, True, None, 'would create', None, None)
            if self.on_active == 'restart':
                return Outcome(None, True, existing, 'would restart', None, None)
            self.refuse_active(to, existing)
            return self.finish(existing, False, existing, 'active', None, None, gather)
        read_steps = gather and self.on_active == 'keep' and 'steps' in self.include
        triggered = self.trigger(to, sender, parameters, read_steps)
        if triggered.created:
            return self.finish(triggered.execution, True, None, 'created', triggered.context, triggered.steps, gather)
        existing = triggered.execution
        self.refuse_active(to, existing)
        if self.on_active != 'restart':
            return self.finish(existing, False, existing, 'active', triggered.context, triggered.steps, gather)
        self.end(existing)
        again = self.trigger(to, sender, parameters)
        if not again.created:
            raise ContactError('on_active=restart: ended Execution %s of %s, but creating a new one returned %s, which '
                               'this run did not create' % (existing['sid'], to, again.execution['sid']),
                               execution=again.execution)
        return self.finish(again.execution, True, existing, 'restarted', again.context, None, gather)

    def refuse_active(self, to, execution):
        if self.on_active == 'fail':
            raise ContactError('Contact %s already has an active Execution %s of this Flow (created %s) and '
                               'on_active=fail' % (to, execution['sid'], execution.get('date_created')),
                               execution=execution)

    def finish(self, execution, changed, before, action, context, steps, gather):
        """The Outcome, with what ``include`` asks for read now (reusing what was read already)."""
        if not gather or not self.include:
            return Outcome(execution, changed, before, action, None, None)
        if steps is not None and 'steps' in self.include:
            gathered = {'steps': steps}
            if 'context' in self.include:
                gathered['context'] = context
        else:
            gathered = self.executions.gather(execution['sid'], self.include, context=context, workers=self.workers)
        return Outcome(execution, changed, before, action, gathered.get('context'), gathered.get('steps'))

    def end(self, execution):
        return self.client.post(executions_path(self.executions.flow_sid, execution['sid']), {'Status': 'ended'})

    def ended(self, execution, gather=True):
        """End ``execution`` (the contact's, or None) if it is active; returns Outcome."""
        if execution is None:
            return Outcome(None, False, None, 'none', None, None)
        before = dict(execution)
        if execution.get('status') != 'active':
            return self.finish(execution, False, before, 'not active', None, None, gather)
        if self.check_mode:
            return self.finish(dict(execution, status='ended'), True, before, 'would end', None, None, gather)
        return self.finish(self.end(execution), True, before, 'ended', None, None, gather)

    def absent(self, execution):
        """Delete ``execution`` (the contact's, or None) if it exists; returns Outcome."""
        if execution is None:
            return Outcome(None, False, None, 'none', None, None)
        if self.check_mode:
            return Outcome(execution, True, execution, 'would delete', None, None)
        try:
            self.client.delete(executions_path(self.executions.flow_sid, execution['sid']))
        except StudioError as exc:
            if exc.status != 404:
                raise
            return Outcome(execution, False, execution, 'none', None, None)
        return Outcome(execution, True, execution, 'deleted', None, None)

    def wait_ended(self, execution, seconds):
        """``execution`` once it is no longer active (polled), or None when ``seconds`` pass first."""
        if execution.get('status') != 'active':
            return execution

        def look():
            current = self.executions.fetch(execution['sid']) or dict(execution, status='deleted')
            return current if current.get('status') != 'active' else None

        return poll(look, seconds)

    def latest(self, history, gather=True):
        """The contact's latest Execution (``history`` newest first) with what ``include`` asks for."""
        if not history:
            return Outcome(None, False, None, 'none', None, None)
        return self.finish(history[0], False, history[0], 'latest', None, None, gather)


def lookup_since(state, check_mode, campaign_since, active_since):
    """Where the contact's Executions must be listed from for ``state`` (naive UTC), or None when
    no listing is needed: the campaign window, the 30 days in which an active Execution can have
    started (check mode, ended, absent), or ``campaign_since`` for the latest Execution."""
    if state == 'gathered':
        return campaign_since or active_since
    if state in ('ended', 'absent'):
        return active_since
    if check_mode:
        return min(active_since, campaign_since) if campaign_since else active_since
    return campaign_since
