# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Attributes every module shares: membership of the action group.
    DOCUMENTATION = r'''
options: {}
attributes:
  action_group:
    description: Use C(group/telephony.twilio.studio) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - telephony.twilio.studio
'''

    # For modules that only read.
    INFO = r'''
options: {}
attributes:
  check_mode:
    description: This module only reads; it runs unchanged in check mode.
    support: full
  diff_mode:
    description: This module changes nothing, so it has no diff.
    support: N/A
'''

    # For modules that change state.
    ACTIONS = r'''
options: {}
attributes:
  check_mode:
    description: Can run in check mode and predicts the change without sending any change to Twilio.
    support: full
  diff_mode:
    description: Shows the Execution status before and after.
    support: full
'''
