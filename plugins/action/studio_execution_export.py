# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action of telephony.twilio.studio_execution_export: the action of studio_campaign (the module runs as
Ansible's normal action runs it, with its lifeline - the ansible-playbook process that runs the task), so
that an export whose controller is gone stops instead of running on alone."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.telephony.twilio.plugins.action.studio_campaign import ActionModule  # noqa: F401 pylint: disable=unused-import
