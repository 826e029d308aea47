# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action of telephony.twilio.studio_campaign_facts (documented in plugins/modules/): a contact's
result from a batch's results file, as that contact's cacheable facts, waiting for it while the
batch runs. Runs on the controller; sends nothing to Twilio."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import time

from ansible.plugins.action import ActionBase

from ansible_collections.telephony.twilio.plugins.module_utils._journal import ResultsReader

# One reader per results file and worker process: a loop over the contacts reads the file once,
# line by line as the batch appends, instead of once per contact.
_READERS = {}
_RESULTS = {}
POLL = 0.05
JOB_CHECK = 1.0


_LAST_BEAT = {}


def beat(path):
    """Touch the batch's heartbeat file (at most twice a second): we are still waiting for it."""
    now = time.time()
    if path and now - _LAST_BEAT.get(path, 0) >= 0.5:
        _LAST_BEAT[path] = now
        with open(path, 'a'):
            os.utime(path, None)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        _valid, args = self.validate_argument_spec(argument_spec={
            'results_path': {'type': 'path', 'required': True},
            'contact': {'type': 'str', 'required': True},
            'job': {'type': 'str'},
            'timeout': {'type': 'float', 'default': 86400.0},
            'heartbeat_path': {'type': 'path'},
        })
        path, name = args['results_path'], args['contact']
        self._heartbeat = args['heartbeat_path']
        found = self._wait_for(path, name, args['job'], args['timeout'])
        if isinstance(found, str):
            result.update(failed=True, msg=found)
            return result
        failed = bool(found.get('failed'))
        result['ansible_facts'] = {
            'studio_execution': None if failed else found.get('execution'),
            'studio_context': {} if failed else (found.get('context') or {}),
            'studio_steps': [] if failed else (found.get('steps') or []),
        }
        result['_ansible_facts_cacheable'] = True
        result['changed'] = False
        result['contact_failed'] = failed
        return result

    def _wait_for(self, path, name, job, timeout):
        """The contact's result, or a message saying why there is none."""
        reader = _READERS.get(path)
        if reader is None:
            reader = _READERS[path] = ResultsReader(path)
            _RESULTS[path] = {}
        results = _RESULTS[path]
        deadline = time.time() + timeout
        next_check = time.time() + JOB_CHECK
        while True:
            beat(self._heartbeat)
            results.update(reader.new_results())
            if name in results:
                return results.pop(name)
            if time.time() >= next_check:
                next_check = time.time() + JOB_CHECK
                ended = self._job_ended(job)
                if ended is not None:
                    results.update(reader.new_results())
                    if name in results:
                        return results.pop(name)
                    return ended
            if time.time() >= deadline:
                return 'No result for contact %s in %s after %ss' % (name, path, timeout)
            time.sleep(POLL)

    def _job_ended(self, job):
        """None while the batch's async job runs (or without a job), else why the contact has no result."""
        if not job:
            return None
        async_dir = os.path.expanduser(self.get_shell_option('async_dir', default='~/.ansible_async'))
        try:
            with open(os.path.join(async_dir, job)) as handle:
                status = json.load(handle)
        except (IOError, OSError, ValueError):
            return None  # not written yet, or being written
        if status.get('started') and not status.get('finished'):
            return None
        if status.get('failed'):
            return 'The batch failed: %s' % status.get('msg', 'see the studio_campaign task')
        return 'The batch ended without a result for this contact'
