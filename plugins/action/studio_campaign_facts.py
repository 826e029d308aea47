# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action of telephony.twilio.studio_campaign_facts (documented in plugins/modules/): a contact's
result from a batch's results directory, as that contact's cacheable facts, waiting for it while
the batch runs. Runs on the controller, in the worker of the contact's own host; sends nothing to
Twilio."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import time

from ansible.plugins.action import ActionBase

from ansible_collections.telephony.twilio.plugins.module_utils._journal import read_result

POLL = 0.05
JOB_CHECK = 0.5


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        _valid, args = self.validate_argument_spec(argument_spec={
            'results_dir': {'type': 'path', 'required': True},
            'contact': {'type': 'str', 'required': True},
            'job': {'type': 'str'},
            'timeout': {'type': 'float', 'default': 86400.0},
        })
        found, batch_failed = self._wait_for(args['results_dir'], args['contact'], args['job'], args['timeout'])
        if found is None and not batch_failed:
            result.update(failed=True, msg='No result for contact %s: %s' % (args['contact'], self._why))
            return result
        failed = found is None or bool(found.get('failed'))
        result['ansible_facts'] = {
            'studio_execution': None if failed else found.get('execution'),
            'studio_context': {} if failed else (found.get('context') or {}),
            'studio_steps': [] if failed else (found.get('steps') or []),
        }
        result['_ansible_facts_cacheable'] = True
        result['changed'] = False
        result['contact_failed'] = failed
        if batch_failed:
            result['batch_failed'] = batch_failed
        return result

    def _wait_for(self, directory, name, job, timeout):
        """(the contact's result or None, why the whole batch failed or None); self._why says why
        there is no result otherwise."""
        controller = os.getppid()  # ansible-playbook: when it is gone, nobody waits for this answer
        deadline = time.time() + timeout
        next_check = 0.0
        while True:
            found = read_result(directory, name)
            if found is not None:
                return found, None
            if time.time() >= next_check:
                next_check = time.time() + JOB_CHECK
                ended = self._job_ended(job)
                if ended is not None:
                    found = read_result(directory, name)
                    if found is not None:
                        return found, None
                    if ended[0]:
                        return None, ended[1]
                    self._why = ended[1]
                    return None, None
            if os.getppid() != controller:
                self._why = 'ansible-playbook is gone'
                return None, None
            if time.time() >= deadline:
                self._why = 'not in %s after %ss' % (directory, timeout)
                return None, None
            time.sleep(POLL)

    def _job_ended(self, job):
        """None while the batch's async job runs (or without a job), else (whether the batch failed,
        why the contact has no result)."""
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
            return True, 'The batch failed: %s' % status.get('msg', 'no message')
        return False, 'the batch ended without a result for this contact'
