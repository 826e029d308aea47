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
import time

try:
    from concurrent.futures import ThreadPoolExecutor
except ImportError:  # pragma: no cover - Python 2
    ThreadPoolExecutor = None

from ansible_collections.telephony.twilio.plugins.module_utils._client import StudioError

# Studio ends active Executions after 30 days: every active one was created within this window.
ACTIVE_WINDOW = datetime.timedelta(days=30, hours=1)
STEP_CONTEXT_WORKERS = 4
# Right after a create, Twilio may answer 404 for the new Execution's Context and Steps for a
# moment (read-after-write lag): such reads are retried for this long before a 404 is believed.
FRESH_READ_SECONDS = 10.0


def executions_path(flow_sid, execution_sid=None):
    path = '/v1/Flows/%s/Executions' % flow_sid
    return path + '/' + execution_sid if execution_sid else path


def twilio_time(moment):
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')


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
        itself is fetched; if it exists, the read is retried for a bounded time before the 404 is
        believed; if it does not, the 404 stands at once.
        """
        deadline = None
        delay = 0.1
        while True:
            try:
                return self.client.get(path, params=params)
            except StudioError as exc:
                if exc.status != 404:
                    raise
                if deadline is None:
                    if self.fetch(execution_sid) is None:
                        raise
                    deadline = time.time() + self.fresh_seconds
                if time.time() + delay > deadline:
                    raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)

    def context(self, execution_sid):
        """The Execution Context (the ``context`` object of the Context resource)."""
        body = self.read_fresh(execution_sid, executions_path(self.flow_sid, execution_sid) + '/Context')
        return body.get('context')

    def steps(self, execution_sid, with_context=True):
        """The Steps in chronological order (Twilio lists them newest first), each with its Step
        Context in ``context`` when ``with_context``; Step Contexts are fetched concurrently."""
        path = executions_path(self.flow_sid, execution_sid) + '/Steps'
        steps = list(self.client.paginate(path, 'steps', page_size=1000,
                                          first_page=lambda p, params: self.read_fresh(execution_sid, p, params)))
        steps.reverse()
        if with_context and steps:
            contexts = self._map(lambda step: self.read_fresh(execution_sid, '%s/%s/Context' % (path, step['sid'])),
                                 steps)
            for step, body in zip(steps, contexts):
                step['context'] = body.get('context')
        return steps

    def step(self, execution_sid, step_sid, with_context=True):
        path = '%s/Steps/%s' % (executions_path(self.flow_sid, execution_sid), step_sid)
        step = self.read_fresh(execution_sid, path)
        if with_context:
            step['context'] = self.read_fresh(execution_sid, path + '/Context').get('context')
        return step

    @staticmethod
    def _map(function, items):
        if ThreadPoolExecutor is None or len(items) == 1:
            return [function(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(STEP_CONTEXT_WORKERS, len(items))) as pool:
            return list(pool.map(function, items))

    def gather(self, execution_sid, include, context=None):
        """What ``include`` asks for: {'context': ..., 'steps': [...]}.

        A ``context`` already read is reused. When both are needed, the Execution Context is read
        while the Steps are listed, so that the whole gathering costs the round trips of the Steps.
        """
        result = {}
        want_context = 'context' in include
        if want_context and context is not None:
            result['context'] = context
            want_context = False
        if 'steps' in include:
            if want_context and ThreadPoolExecutor is not None:
                with ThreadPoolExecutor(max_workers=1) as pool:
                    pending = pool.submit(self.context, execution_sid)
                    result['steps'] = self.steps(execution_sid)
                    result['context'] = pending.result()
                return result
            result['steps'] = self.steps(execution_sid)
        if want_context:
            result['context'] = self.context(execution_sid)
        return result

    # -- lists and lookups ----------------------------------------------------------------
    def list(self, date_from=None, date_to=None, limit=None, page_size=1000):
        params = {}
        if date_from:
            params['DateCreatedFrom'] = date_from
        if date_to:
            params['DateCreatedTo'] = date_to
        return self.client.paginate(executions_path(self.flow_sid), 'executions', params=params,
                                    page_size=page_size, limit=limit)

    def created_since(self, to, since):
        """Executions of contact ``to`` created at or after ``since`` (a naive UTC datetime)."""
        return [e for e in self.list(date_from=twilio_time(since)) if e.get('contact_channel_address') == to]

    def active_for(self, to):
        """The contact's active Execution of this Flow, or None.

        v1 has no status or contact filter: list the Executions of the last 30 days (Studio ends
        active ones after 30 days) and keep the active one whose contact_channel_address is ``to``.
        """
        since = self.client.server_now() - ACTIVE_WINDOW
        for execution in self.list(date_from=twilio_time(since)):
            if execution.get('status') == 'active' and execution.get('contact_channel_address') == to:
                return execution
        return None
