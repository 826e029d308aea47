# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the telephony.twilio collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""The module base class: credentials and connection options in every spec, one client per run, one Flow lookup per run."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.telephony.twilio.plugins.module_utils._client import (
    REQUESTS_IMPORT_ERROR,
    RETRY_AFTER_MAX,
    ConfigError,
    StudioClient,
    StudioError,
    base_url,
)
from ansible_collections.telephony.twilio.plugins.module_utils._flows import FlowFinder, FlowNotResolved
from ansible_collections.telephony.twilio.plugins.module_utils._options import (
    connection_argument_spec,
    credentials_argument_spec,
)
from ansible_collections.telephony.twilio.plugins.module_utils._validators import check_secret, check_sid


def studio_argument_spec():
    """The options every module takes: doc fragments ``credentials`` and ``connection``."""
    spec = credentials_argument_spec()
    spec.update(connection_argument_spec())
    return spec


# Documented caps (doc fragment connection): beyond them a task could wait for hours.
MAX_TIMEOUT = 300.0
MAX_RETRIES = 10


def check_limits(params):
    """timeout and max_retries within their documented bounds (NaN and infinity are outside)."""
    timeout, retries = params['timeout'], params['max_retries']
    if not 0 < timeout <= MAX_TIMEOUT:  # False for NaN too
        raise ValueError('timeout must be a number of seconds above 0 and at most %g, got %s' % (MAX_TIMEOUT, timeout))
    if not 0 <= retries <= MAX_RETRIES:
        raise ValueError('max_retries must be a whole number from 0 to %d, got %s' % (MAX_RETRIES, retries))


def task_budget(params, extra=0.0):
    """Seconds a task may take at most: every request of it, with all its retries, and ``extra``
    (such as wait_timeout). Documented in the doc fragment connection."""
    return (params['max_retries'] + 1) * (params['timeout'] + RETRY_AFTER_MAX) + extra


CREDENTIALS_HELP = ('set api_key and api_secret (env TWILIO_API_KEY, TWILIO_API_SECRET) or account_sid and '
                    'auth_token (env TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)')


def choose_credentials(params):
    """(user, password) for Basic auth: API key + secret first, else Account SID + Auth Token."""
    api_key, api_secret = params.get('api_key'), params.get('api_secret')
    account_sid, auth_token = params.get('account_sid'), params.get('auth_token')
    # Never echo what was given: a secret pasted into the wrong option would show.
    check_sid(account_sid, 'AC', 'account_sid', credential=True)
    check_sid(api_key, 'SK', 'api_key', credential=True)
    check_secret(auth_token, 'auth_token')
    check_secret(api_secret, 'api_secret')
    # An API key is preferred: half of it is a mistake even when an Account SID/token pair is set.
    if api_key and not api_secret:
        raise ValueError('api_key is set but api_secret is not: %s' % CREDENTIALS_HELP)
    if api_secret and not api_key:
        raise ValueError('api_secret is set but api_key is not: %s' % CREDENTIALS_HELP)
    if api_key and api_secret:
        return api_key, api_secret
    if account_sid and auth_token:
        return account_sid, auth_token
    if account_sid:
        raise ValueError('account_sid is set but auth_token is not: %s' % CREDENTIALS_HELP)
    if auth_token:
        raise ValueError('auth_token is set but account_sid is not: %s' % CREDENTIALS_HELP)
    raise ValueError('No Twilio credentials: %s' % CREDENTIALS_HELP)


class StudioModule(AnsibleModule):
    """AnsibleModule with the shared argspec merged in and a Studio client built on demand."""

    def __init__(self, argument_spec=None, connections=8, product='studio', **kwargs):
        spec = studio_argument_spec()
        spec.update(argument_spec or {})
        super(StudioModule, self).__init__(argument_spec=spec, **kwargs)
        if REQUESTS_IMPORT_ERROR:
            self.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
        self._client = None
        self._connections = connections
        self._product = product  # the Twilio API host: studio, or events (Event Streams)
        # Set before the client is first used: the batch's Pacer, told of 429s and pacing retried POSTs too.
        self.pacer = None
        # Seconds the whole task may take (task_budget); None for the batch, which runs for N/rate s.
        self.budget = None
        self._flow_finder = None

    def valid_or_fail(self, function, *args):
        """What the validator ``function(*args)`` returns; its ValueError (or ConfigError) fails the module
        with the validator's message instead, before anything is sent."""
        try:
            return function(*args)
        except (ValueError, ConfigError) as exc:
            self.fail_json(msg=str(exc))

    @property
    def client(self):
        if self._client is None:
            params = self.params
            user, password = self.valid_or_fail(choose_credentials, params)
            url = self.valid_or_fail(base_url, params['studio_url'], params['region'], params['edge'], self._product)
            self.valid_or_fail(check_limits, params)
            self._client = StudioClient(user, password, url, timeout=params['timeout'],
                                        validate_certs=params['validate_certs'], max_retries=params['max_retries'],
                                        connections=self._connections, pacer=self.pacer, budget=self.budget)
        return self._client

    def fail_api(self, error, msg=None, **result):
        """fail_json for a StudioError, with Twilio's code and status in the result."""
        result.update(error.to_result())
        self.fail_json(msg='%s%s' % (msg + ': ' if msg else '', error), **result)

    @property
    def flow_finder(self):
        """The run's lookup of Flows on the Studio REST API v1 (the Flows are listed once per run, for a name)."""
        if self._flow_finder is None:
            self._flow_finder = FlowFinder(self.client)
        return self._flow_finder

    def flow_sid(self, flow):
        """The SID of ``flow`` (a SID, or a friendly name matching exactly one Flow); fails the module otherwise."""
        try:
            return self.flow_finder.sid(flow)
        except FlowNotResolved as exc:
            self.fail_json(msg=str(exc), **exc.result)
        except StudioError as exc:
            self.fail_api(exc, 'Listing Flows failed')
