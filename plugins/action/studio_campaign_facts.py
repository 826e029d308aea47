# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action of telephony.twilio.studio_campaign_facts (documented in plugins/modules/): reads a batch of
studio_campaign running in the background - a contact's result from the batch's results directory,
as that contact's cacheable facts, waiting for it while the batch runs; or, without a contact, the
batch's own result once it has ended, after which it removes the batch's job file and results
directory. Runs on the controller; sends nothing to Twilio."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import multiprocessing
import os
import shutil
import time

from ansible.plugins.action import ActionBase

from ansible_collections.telephony.twilio.plugins.module_utils._results import execution_facts, read_result
from ansible_collections.telephony.twilio.plugins.modules.studio_campaign_facts import DOCUMENTATION
from ansible_collections.telephony.twilio.plugins.plugin_utils._documented_args import documented_argument_spec

POLL = 0.05
JOB_CHECK = 0.5


def leave_if_controller_gone():
    """End this worker process when the ansible-playbook that forked it is gone (Ctrl-C, an AWX cancel,
    kill -9 of its process group): nobody reads its result any more, and a loop's result (the facts of
    hundreds of contacts) would block it for ever writing to a pipe that other orphaned workers hold
    open. Ansible's workers are multiprocessing forks, so the parent they were forked from is known."""
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:
        os._exit(0)  # pylint: disable=protected-access


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        leave_if_controller_gone()
        result = super(ActionModule, self).run(tmp, task_vars)
        _valid, args = self.validate_argument_spec(argument_spec=documented_argument_spec(DOCUMENTATION))
        if not args['contact']:
            return self._batch_end(result, args)
        if not args['results_dir']:
            result.update(failed=True, msg='results_dir is required with contact')
            return result
        found, batch_failed = self._wait_for(args['results_dir'], args['contact'], args['job'], args['timeout'])
        if found is None and not batch_failed:
            result.update(failed=True, msg='No result for contact %s: %s' % (args['contact'], self._why))
            return result
        failed = found is None or bool(found.get('failed'))
        result['ansible_facts'] = execution_facts() if failed else execution_facts(
            found.get('execution'), found.get('context'), found.get('steps'))
        result['_ansible_facts_cacheable'] = True
        result['changed'] = False
        result['contact_failed'] = failed
        if batch_failed:
            result['batch_failed'] = batch_failed
        return result

    def _batch_end(self, result, args):
        """The batch's result once its job has ended (as async_status gives it); its job file and results
        directory removed in any case."""
        try:
            ended = self._wait_for_job(args['job'], args['timeout']) if args['job'] else None
        finally:
            if args['job']:
                self._remove_job_file(args['job'])
            if args['results_dir']:
                shutil.rmtree(args['results_dir'], ignore_errors=True)
        if ended is None:
            result.update(changed=False, msg='No batch to wait for' if not args['job'] else
                          'The batch did not end: %s' % self._why, failed=bool(args['job']))
            return result
        result.update(ended)
        result['finished'] = True
        return result

    def _wait_for_job(self, job, timeout):
        """The ended job's status (the module's result), or None (self._why says why)."""
        deadline = time.time() + timeout
        while True:
            status = self._job_status(job)
            if status is not None and not (status.get('started') and not status.get('finished')):
                return status
            leave_if_controller_gone()
            if time.time() >= deadline:
                self._why = 'still running after %ss' % timeout
                return None
            time.sleep(JOB_CHECK)

    def _job_file(self, job):
        async_dir = os.path.expanduser(self.get_shell_option('async_dir', default='~/.ansible_async'))
        return os.path.join(async_dir, job)

    def _job_status(self, job):
        """The job file's content, or None while it is not there or half written."""
        try:
            with open(self._job_file(job)) as handle:
                return json.load(handle)
        except (IOError, OSError, ValueError):
            return None

    def _remove_job_file(self, job):
        for path in (self._job_file(job), self._job_file(job) + '.tmp'):
            try:
                os.remove(path)
            except OSError:
                pass

    def _wait_for(self, directory, name, job, timeout):
        """(the contact's result or None, why the whole batch failed or None); self._why says why
        there is no result otherwise."""
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
            leave_if_controller_gone()
            if time.time() >= deadline:
                self._why = 'not in %s after %ss' % (directory, timeout)
                return None, None
            time.sleep(POLL)

    def _job_ended(self, job):
        """None while the batch's async job runs (or without a job), else (whether the batch failed,
        why the contact has no result)."""
        if not job:
            return None
        status = self._job_status(job)
        if status is None:
            return None  # not written yet, or being written
        if status.get('started') and not status.get('finished'):
            return None
        if status.get('failed'):
            return True, 'The batch failed: %s' % status.get('msg', 'no message')
        return False, 'the batch ended without a result for this contact'
