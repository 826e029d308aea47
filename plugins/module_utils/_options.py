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

import os

from ansible.module_utils.basic import AnsibleFallbackNotFound


def env_fallback_nonempty(*names):
    """Like ansible's env_fallback, but an empty variable counts as unset.

    AWX injects unfilled credential fields as empty strings; they must not win over, or clash
    with, the credentials that are filled.
    """
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    raise AnsibleFallbackNotFound


def credentials_argument_spec():
    """Who sends the requests, as every module takes it - doc fragment ``credentials``."""
    return {
        'account_sid': dict(type='str', fallback=(env_fallback_nonempty, ['TWILIO_ACCOUNT_SID'])),
        'auth_token': dict(type='str', no_log=True, fallback=(env_fallback_nonempty, ['TWILIO_AUTH_TOKEN'])),
        'api_key': dict(type='str', no_log=False, fallback=(env_fallback_nonempty, ['TWILIO_API_KEY'])),
        'api_secret': dict(type='str', no_log=True, fallback=(env_fallback_nonempty, ['TWILIO_API_SECRET'])),
    }


def connection_argument_spec():
    """Where and how the requests go, as every module takes it - doc fragment ``connection``. The bounds
    of timeout and max_retries are checked by _module.check_limits."""
    return {
        'region': dict(type='str', fallback=(env_fallback_nonempty, ['TWILIO_REGION'])),
        'edge': dict(type='str', fallback=(env_fallback_nonempty, ['TWILIO_EDGE'])),
        'studio_url': dict(type='str', fallback=(env_fallback_nonempty, ['TWILIO_STUDIO_URL'])),
        'timeout': dict(type='float', default=30),
        'validate_certs': dict(type='bool', default=True),
        'max_retries': dict(type='int', default=5),
    }


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
