# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the telephony.twilio collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""The pacer of a batch's creates: at most ``rate`` a second, slower while Studio answers 429.

Studio's limit (20 REST-triggered Executions a second, averaged over 10 s) belongs to the account,
not to the process: K batches on one account (K slices of an AWX job, on any node) share it, and
none of them knows K. So a 429 is taken as feedback. The pacer starts at the rate it is given (the
ceiling). A 429 of a create brings it down to DECREASE times this batch's share of the account -
the creates the account accepted from it over the last 10 s - at most once a second (the 429s of
creates sent before the decrease say nothing new), never up and never below a floor; each second
without a decrease adds a little, back up to the ceiling (additive increase, multiplicative
decrease, as TCP shares a link; the decrease is taken from the share rather than from the rate so
that a burst past a 10-second window does not halve the rate again and again while the window is
full). A ``Retry-After`` sent with a 429 holds every create of the batch for that long.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import threading
import time

# Studio starts at most 20 REST-triggered Executions per second per account.
DEFAULT_RATE = 20.0
# Studio averages its limit over 10 seconds: what the account accepted from this batch over that
# window is the batch's share of it ...
WINDOW = 10.0
# ... and a 429 brings the rate down to DECREASE times that share (never up, never below MIN_RATE) ...
DECREASE = 0.8
# ... at most once per QUIET seconds; the rate grows again QUIET seconds after the last decrease,
QUIET = 1.0
# ... by INCREASE creates per second every second, up to the ceiling (from 0.5/s back to 20/s in about
# 11 s; from 10/s in 6 s).
INCREASE = 2.0
# The slowest a batch goes on its own (K batches together at least K times this).
MIN_RATE = 0.5
# A slot is reserved at most this long before it (so that a rate lowered by a 429 holds back the creates
# of all but this short time ahead, and threads waking late do not slow the others down) ...
HORIZON = 0.5
# ... and a thread waiting to reserve looks again at least this often, so that a rate raised meanwhile
# takes effect without waiting out an interval computed at a slower rate.
NAP = 0.25


class Pacer:
    """Lets creates go one at a time, ``1/rate()`` seconds apart, across threads.

    ``wait()`` returns when the caller may send its create (``take()`` is the step that does not
    sleep, for slots due now). ``throttled(retry_after)`` tells the pacer that a create got 429 (``retry_after``: the
    seconds Twilio asked for, or None). ``gate``, when given, is called as each create's slot comes, also for a
    create sent again after a 429, and may raise to keep it from going (a batch that was stopped). ``rate()`` is the current rate; ``throttles`` and
    ``decreases`` count what it has seen. The clock and sleep are injectable (unit tests use a fake
    clock).
    """

    def __init__(self, rate=DEFAULT_RATE, clock=time.monotonic, sleep=time.sleep, gate=None):
        self.ceiling = float(rate)
        self.gate = gate
        self.floor = min(self.ceiling, MIN_RATE)
        self.clock = clock
        self.sleep = sleep
        self.lock = threading.Lock()  # guards the state below
        self.turn = threading.Lock()  # the thread waiting for the next slot; the others queue behind it
        self.base = self.ceiling  # the rate right after the last decrease
        self.decreased_at = None
        self.first = None  # the first create's slot
        self.last = None  # the last create's slot
        self.hold_until = None  # Retry-After: no create before then
        self.throttles = 0
        self.decreases = 0
        self.sent = collections.deque()  # when the creates of the last WINDOW seconds were let go
        self.refused = collections.deque()  # when 429s came in the last WINDOW seconds

    def rate(self, now=None):
        """Creates per second allowed at ``now`` (default: the clock's now)."""
        if self.decreased_at is None:
            return self.ceiling
        now = self.clock() if now is None else now
        grown = max(0.0, now - self.decreased_at - QUIET) * INCREASE
        return min(self.ceiling, self.base + grown)

    def reserve(self, horizon):
        """Reserve the next slot if it is at most ``horizon`` seconds away: (its time, 0.0), else
        (None, seconds until it will be)."""
        with self.lock:
            now = self.clock()
            # The next slot is 1/rate() after the last one, at the rate of now (so that a rate grown
            # back meanwhile counts): on that grid when the caller is late by less than an interval,
            # from now after an idle time (no burst to catch up), and not in a hold.
            interval = 1.0 / self.rate(now)
            slot = now if self.last is None else self.last + interval
            if slot < now - interval:
                slot = now
            if self.hold_until is not None and self.hold_until > slot:
                slot = self.hold_until
            if slot - now > horizon:
                return None, slot - now - horizon
            self.last = slot
            if self.first is None:
                self.first = slot
            self.sent.append(slot)
            self._forget(now)
            return slot, 0.0

    def take(self):
        """Take the slot that is due now: 0.0 when taken, else the seconds until it is due."""
        return self.reserve(0.0)[1]

    def wait(self):
        """Sleep until the next create may go.

        One thread at a time reserves (the others queue behind it), as soon as its slot is at most
        HORIZON away; it then sleeps until its slot outside the queue, so that threads waking late
        (a busy machine) do not delay the slots of the others. A Retry-After that came while it
        slept sends it back to the queue.
        """
        while True:
            with self.turn:
                while True:
                    slot, early = self.reserve(HORIZON)
                    if slot is not None:
                        break
                    self.sleep(min(early, NAP))
            while True:
                left = slot - self.clock()
                if left <= 0:
                    break
                self.sleep(left)
            with self.lock:
                held = self.hold_until is not None and self.hold_until > slot
            if not held:
                if self.gate is not None:
                    self.gate()
                return

    def _forget(self, now):
        """Drop the creates and 429s older than WINDOW."""
        for stamps in (self.sent, self.refused):
            while stamps and now - stamps[0] > WINDOW:
                stamps.popleft()

    def share(self, now=None):
        """Creates a second the account accepted from this batch over the last WINDOW seconds (over the
        time since its first create when that is shorter, but at least QUIET)."""
        now = self.clock() if now is None else now
        self._forget(now)
        sending = min(WINDOW, max(QUIET, now - self.first)) if self.first is not None else WINDOW
        return max(0, len(self.sent) - len(self.refused)) / sending

    def throttled(self, retry_after=None):
        """A create got 429: slow down (once per QUIET seconds), and hold all creates for ``retry_after`` s."""
        with self.lock:
            now = self.clock()
            self.throttles += 1
            self.refused.append(now)
            if self.decreased_at is None or now - self.decreased_at >= QUIET:
                self.base = min(self.rate(now), max(self.floor, self.share(now) * DECREASE))
                self.decreased_at = now
                self.decreases += 1
            if retry_after:
                self.hold_until = max(self.hold_until or now, now + retry_after)
