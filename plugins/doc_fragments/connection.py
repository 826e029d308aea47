# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Where and how every module of the collection sends its requests (argument spec:
    # module_utils/_options.py connection_argument_spec); who sends them is the fragment credentials.
    DOCUMENTATION = r'''
options:
  region:
    description:
      - Twilio region for data processing, for example V(ie1) or V(au1).
      - With O(edge) the host is C(studio.{edge}.{region}.twilio.com), as in Twilio's SDKs; O(region) defaults to
        V(us1) when only O(edge) is set.
      - If not set, the environment variable E(TWILIO_REGION) is used. Ignored when O(studio_url) is set.
    type: str
  edge:
    description:
      - Twilio edge location, for example V(dublin) or V(sydney). See O(region).
      - If not set, the environment variable E(TWILIO_EDGE) is used. Ignored when O(studio_url) is set.
    type: str
  studio_url:
    description:
      - The whole base URL of the Studio API, for example V(http://127.0.0.1:8765) for the collection's Studio
        emulator or the URL of a proxy. Every request, pagination included, goes to this base.
      - Plain C(http://) is only accepted for loopback addresses (V(127.0.0.1), V(::1), V(localhost)).
      - If not set, the environment variable E(TWILIO_STUDIO_URL) is used; otherwise the host follows O(region)
        and O(edge), by default V(https://studio.twilio.com).
      - The C(requests) library honours E(HTTPS_PROXY) and E(NO_PROXY) for users behind a proxy.
    type: str
  timeout:
    description:
      - Seconds to wait for each HTTP request (connect and read), above 0 and at most 300.
      - A task of the single-contact modules takes at most (O(max_retries) + 1) x (O(timeout) + 60) seconds in
        all (plus C(wait_timeout) and the short settling after a failed create for
        M(telephony.twilio.studio_execution)); when that budget is spent, no further request starts and the task
        fails saying so. M(telephony.twilio.studio_campaign) runs as long as its contacts need.
    type: float
    default: 30
  validate_certs:
    description:
      - Verify the server's TLS certificate. Set E(REQUESTS_CA_BUNDLE) to trust a private CA instead of turning
        this off.
    type: bool
    default: true
  max_retries:
    description:
      - How often to retry a read or a delete that failed with a 5xx status or a connection error. From 0 to 10.
      - A 429 (rate limited - always safe to retry, Twilio did not process the request) does not count against
        O(max_retries) - it is retried for up to 300 seconds from the request's first 429 (within the task's
        budget, see O(timeout)), then the request fails with a message saying so.
      - Retries back off exponentially with jitter and honour C(Retry-After) up to 60 seconds; when Twilio asks
        for a longer wait, the request fails at once with a message saying how long Twilio asked for.
      - A create that fails ambiguously is never blindly retried; see M(telephony.twilio.studio_execution).
    type: int
    default: 5
requirements:
  - requests
'''
