# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action of telephony.twilio.studio_report_file (documented in plugins/modules/): write a report
on the controller with the collection's one safe writer (module_utils/_files.py), or prove that it
can be written before a campaign sends anything. Sends nothing to Twilio."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase

from ansible_collections.telephony.twilio.plugins.module_utils._files import check_writable, parse_mode, write_file
from ansible_collections.telephony.twilio.plugins.modules.studio_report_file import DOCUMENTATION
from ansible_collections.telephony.twilio.plugins.plugin_utils._documented_args import documented_argument_spec


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        _valid, args = self.validate_argument_spec(argument_spec=documented_argument_spec(DOCUMENTATION))
        label = args['label']
        try:
            # studio_report_path -> studio_report_mode: messages name the variables the user set.
            mode = parse_mode(args['mode'], label[:-len('path')] + 'mode' if label.endswith('_path') else 'mode')
            if args['check_writable']:
                # Relative to the directory ansible-playbook started in: this runs in its process.
                result.update(path=check_writable(args['path'], label), changed=False)
                return result
            if args['content'] is None:
                raise ValueError('content is required (the text of the report), unless check_writable is true')
            result.update(write_file(args['path'], args['content'], mode, label, check_mode=self._task.check_mode))
        except (ValueError, OSError) as exc:
            result.update(failed=True, msg=str(exc) if isinstance(exc, ValueError)
                          else '%s: %s cannot be written: %s' % (label, args['path'], exc.strerror or exc))
        return result
