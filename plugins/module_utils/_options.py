# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the telephony.twilio collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""Argument-spec chunks shared by several modules. Each is documented by the doc fragment of the same
name (plugins/doc_fragments/); a module merges the chunk into its spec and adds only its own options.
Each function returns a new dict, so that a module may change what it got."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def executions_argument_spec():
    """The options of the modules that trigger a Flow for contacts and gather their Executions
    (studio_execution, studio_campaign) - doc fragment ``executions``. ``flow`` is not required here:
    studio_campaign's contacts may name their own; studio_execution makes it required."""
    return {
        'flow': dict(type='str'),
        'from': dict(type='str'),
        'parameters': dict(type='raw'),
        'on_active': dict(type='str', default='keep', choices=['keep', 'restart', 'fail']),
        'include': dict(type='list', elements='str', default=[], choices=['context', 'steps']),
        'campaign': dict(type='str'),
        'since': dict(type='str'),
    }
