# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the telephony.twilio collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""Executions, Contexts and Steps: lookups and gathering shared by the Execution modules."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.telephony.twilio.plugins.module_utils._backoff import poll
from ansible_collections.telephony.twilio.plugins.module_utils._batch import run_batch
from ansible_collections.telephony.twilio.plugins.module_utils._client import StudioError
from ansible_collections.telephony.twilio.plugins.module_utils._validators import twilio_format

# Studio ends active Executions after 30 days: every active one was created within this window.
ACTIVE_WINDOW = datetime.timedelta(days=30, hours=1)
STEP_CONTEXT_WORKERS = 4
# Right after a create, Twilio may answer 404 for the new Execution's Context and Steps for a
# moment (read-after-write lag): such reads are retried for this long before a 404 is believed.
FRESH_READ_SECONDS = 10.0


def executions_path(flow_sid, execution_sid=None):
    path = '/v1/Flows/%s/Executions' % flow_sid
    return path + '/' + execution_sid if execution_sid else path


class Executions:
    """Reads and lookups of one Flow's Executions through a StudioClient."""

    def __init__(self, client, flow_sid, fresh_seconds=FRESH_READ_SECONDS):
        self.client = client
        self.flow_sid = flow_sid
        self.fresh_seconds = fresh_seconds

    # -- single reads ---------------------------------------------------------------------
    def fetch(self, execution_sid):
        """The Execution, or None when Twilio says 404."""
        try:
            return self.client.get(executions_path(self.flow_sid, execution_sid))
        except StudioError as exc:
            if exc.status == 404:
                return None
            raise

    def read_fresh(self, execution_sid, path, params=None):
        """GET a Context or Steps resource of an Execution.

        A 404 right after a create may be read-after-write lag: on the first 404 the Execution
        itself is fetched; if it exists, the read is polled for a bounded time before the 404 is
        believed; if it does not, the 404 stands at once.
        """
        try:
            return self.client.get(path, params=params)
        except StudioError as exc:
            if exc.status != 404 or self.fetch(execution_sid) is None:
                raise
            first_404 = exc

        def look():
            try:
                return self.client.get(path, params=params)
            except StudioError as exc:
                if exc.status != 404:
                    raise
                return None

        found = poll(look, self.fresh_seconds)
        if found is None:
            raise first_404
        return found

    def context(self, execution_sid):
        """The Execution Context (the ``context`` object of the Context resource)."""
        body = self.read_fresh(execution_sid, executions_path(self.flow_sid, execution_sid) + '/Context')
        return body.get('context')

    def steps(self, execution_sid, with_context=True, workers=STEP_CONTEXT_WORKERS):
        """The Steps in chronological order (Twilio lists them newest first), each with its Step
        Context in ``context`` when ``with_context``; Step Contexts are fetched ``workers`` at a time."""
        path = executions_path(self.flow_sid, execution_sid) + '/Steps'
        steps = list(self.client.paginate(path, 'steps', page_size=1000,
                                          first_page=lambda p, params: self.read_fresh(execution_sid, p, params)))
        steps.reverse()
        if with_context and steps:
            contexts = run_batch(
                steps, lambda step: self.read_fresh(execution_sid, '%s/%s/Context' % (path, step['sid'])), workers)
            for step, body in zip(steps, contexts):
                step['context'] = body.get('context')
        return steps

    def step(self, execution_sid, step_sid, with_context=True):
        path = '%s/Steps/%s' % (executions_path(self.flow_sid, execution_sid), step_sid)
        step = self.read_fresh(execution_sid, path)
        if with_context:
            step['context'] = self.read_fresh(execution_sid, path + '/Context').get('context')
        return step

    def gather(self, execution_sid, include, context=None, workers=STEP_CONTEXT_WORKERS):
        """What ``include`` asks for: {'context': ..., 'steps': [...]}.

        A ``context`` already read is reused. With ``workers`` > 1 and both wanted, the Execution
        Context is read while the Steps are listed, so that the whole gathering costs the round
        trips of the Steps; with 1 (the batch path, concurrent across contacts) all is sequential.
        """
        result = {}
        want_context = 'context' in include
        if want_context and context is not None:
            result['context'] = context
            want_context = False
        if 'steps' in include:
            if want_context and workers > 1:
                with ThreadPoolExecutor(max_workers=1) as pool:
                    pending = pool.submit(self.context, execution_sid)
                    result['steps'] = self.steps(execution_sid, workers=workers)
                    result['context'] = pending.result()
                return result
            result['steps'] = self.steps(execution_sid, workers=workers)
        if want_context:
            result['context'] = self.context(execution_sid)
        return result

    # -- lists and lookups ----------------------------------------------------------------
    def list(self, date_from=None, date_to=None, limit=None, page_size=1000, budget=None):
        """The Flow's Executions, newest first, created from ``date_from`` (inclusive) to ``date_to``
        (exclusive; naive UTC datetimes, both optional)."""
        params = {}
        if date_from:
            params['DateCreatedFrom'] = twilio_format(date_from)
        if date_to:
            params['DateCreatedTo'] = twilio_format(date_to)
        return self.client.paginate(executions_path(self.flow_sid), 'executions', params=params,
                                    page_size=page_size, limit=limit, budget=budget)

    def created_since(self, to, since):
        """Executions of contact ``to`` created at or after ``since`` (a naive UTC datetime)."""
        return [e for e in self.list(date_from=since) if e.get('contact_channel_address') == to]

    def by_contact(self, since, until=None, budget=None):
        """One listing of the Flow's Executions created from ``since`` (inclusive) to ``until``
        (exclusive; naive UTC datetimes, ``until`` optional), 1,000 a page, indexed by contact:
        {contact_channel_address: [executions, newest first]}.

        Every batch lookup (check mode, ended/absent by contact, latest per contact, campaign
        resume) reads this index: the cost is ceil(E / 1000) requests for E Executions in the
        window, whatever the number of contacts. ``budget``: seconds the listing may take at most.
        """
        index = {}
        for execution in self.list(date_from=since, date_to=until, budget=budget):
            index.setdefault(execution.get('contact_channel_address'), []).append(execution)
        return index

    def active_window_start(self):
        """The earliest date_created an active Execution can have (Studio ends them after 30 days)."""
        return self.client.server_now() - ACTIVE_WINDOW
