# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action of telephony.twilio.studio_campaign: runs the module as Ansible's normal action does (also
with async), and gives it its lifeline - the ansible-playbook process that runs the task. Ansible's
worker processes are forks of ansible-playbook's main process, so here (in the worker) that is our
parent. The module stops starting contacts once that process is gone (Ctrl-C, an AWX cancel, a
kill), also when it runs in the background."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

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
        wrap_async = self._task.async_val
        result = merge_hash(result, self._execute_module(module_args=args, task_vars=task_vars,
                                                         wrap_async=wrap_async))
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result
