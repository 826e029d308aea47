# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action of telephony.twilio.studio_campaign: runs the module as Ansible's normal action does (also
with async), and gives it its lifeline - the ansible-playbook process that runs the task. Ansible's
worker processes are forks of ansible-playbook's main process, so here (in the worker) that is our
parent. The module stops starting contacts once that process is gone (Ctrl-C, an AWX cancel, a
kill), also when it runs in the background.

A batch started in the background (``async``) is first checked in the foreground (the module's
``preflight``: credentials, account, every Flow), so that a wrong credential or Flow fails the task
that starts it, once; without ``results_dir`` it gets a private directory for its results, returned
as ``results_dir`` (``studio_campaign_facts`` reads it and removes it)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import tempfile

from ansible.plugins.action import ActionBase
from ansible.utils.vars import merge_hash

from ansible_collections.telephony.twilio.plugins.module_utils._lifeline import Lifeline


class ActionModule(ActionBase):
    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        args = dict(self._task.args)
        if args.get('lifeline') is None:
            args['lifeline'] = str(Lifeline.of_process(os.getppid()))
        in_background = bool(self._task.async_val) and not args.get('preflight')
        if in_background:
            checked = self._execute_module(module_args=dict(args, preflight=True), task_vars=task_vars,
                                           wrap_async=False)
            if checked.get('failed'):
                self._remove_tmp_path(self._connection._shell.tmpdir)
                return merge_hash(result, checked)
        made_dir = None
        if in_background and not args.get('results_dir'):
            made_dir = args['results_dir'] = tempfile.mkdtemp(prefix='studio-campaign-')  # 0700, this user's
        try:
            result = merge_hash(result, self._execute_module(module_args=args, task_vars=task_vars,
                                                             wrap_async=self._task.async_val))
        except BaseException:
            if made_dir:
                shutil.rmtree(made_dir, ignore_errors=True)
            raise
        if made_dir:
            if result.get('failed'):
                shutil.rmtree(made_dir, ignore_errors=True)
            else:
                result['results_dir'] = made_dir
        if not self._task.async_val:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result
