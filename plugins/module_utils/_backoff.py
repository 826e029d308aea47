# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the telephony.twilio collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""Backoff and polling: the one place where the collection decides how long to wait.

The HTTP retry (``_client.StudioRetry``) and every loop that waits for something (re-creating
after an ambiguous failure, settling after a timeout, read-after-write retries, ``wait``) take
their delays from ``delay()`` with the same constants.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import random
import time

# Exponential backoff with jitter: FACTOR * 2**(n-1) + up to JITTER, at most MAX_DELAY.
BACKOFF_FACTOR = 0.25
BACKOFF_JITTER = 0.25
BACKOFF_MAX = 20.0
# Polls (is it there yet? has it ended yet?) look again at least this often.
POLL_MAX = 2.0


def delay(attempt, cap=BACKOFF_MAX):
    """Seconds to wait before retry number ``attempt`` (1 for the first retry); 0 before the first try."""
    if attempt <= 0:
        return 0.0
    value = BACKOFF_FACTOR * (2 ** (attempt - 1)) + random.random() * BACKOFF_JITTER  # nosec - jitter
    return float(max(0.0, min(cap, value)))


def poll(look, seconds, cap=POLL_MAX, clock=time.time, sleep=time.sleep):
    """Call ``look()`` until it returns something other than None, for at most ``seconds``.

    ``look`` runs at least once. Between two calls the wait grows as ``delay()`` does, capped at
    ``cap`` and never past the deadline. Returns what ``look`` returned last (None when the time
    ran out). Exceptions raised by ``look`` propagate at once.
    """
    deadline = clock() + max(0.0, seconds)
    attempt = 0
    while True:
        found = look()
        if found is not None:
            return found
        remaining = deadline - clock()
        if remaining <= 0:
            return None
        attempt += 1
        sleep(min(delay(attempt, cap), remaining))
