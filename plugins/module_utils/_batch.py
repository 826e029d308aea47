# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the telephony.twilio collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""The batch engine: many contacts through the per-contact protocol, concurrently, with creates
paced at Studio's rate. It knows nothing of HTTP; it runs ``work(contact)`` for each contact and
returns one result per contact, in order.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
import time

from concurrent.futures import ThreadPoolExecutor

# Studio starts at most 20 REST-triggered Executions per second per account.
DEFAULT_RATE = 20.0
# Contacts in flight at once. At 20 creates/s a contact that takes about a second (the create,
# its Context, its Steps and their Step Contexts at ~100 ms each) keeps ~20 workers busy; 32
# leaves headroom for slower answers. Each worker has one request in flight at a time, so the
# batch stays far below Twilio's 100 concurrent requests per account.
DEFAULT_WORKERS = 32
MAX_WORKERS = 100


class Pacer:
    """Spaces events (creates) at most ``rate`` per second, across threads.

    ``wait()`` reserves the next free slot and sleeps until it: slots are 1/rate apart, so any
    window of one second holds at most ``rate`` of them, however many threads ask.
    """

    def __init__(self, rate, clock=time.monotonic, sleep=time.sleep):
        self.interval = 1.0 / rate
        self.clock = clock
        self.sleep = sleep
        self.lock = threading.Lock()
        self.next_slot = None

    def wait(self):
        with self.lock:
            now = self.clock()
            slot = now if self.next_slot is None or self.next_slot < now else self.next_slot
            self.next_slot = slot + self.interval
        if slot > now:
            self.sleep(slot - now)


def run_batch(items, work, workers=DEFAULT_WORKERS):
    """``[work(item) for item in items]``, ``workers`` at a time, in the order of ``items``.

    A contact's ``work`` turns its own failures into its result; an exception that escapes
    ``work`` (a read that must not fail silently) is raised here.
    """
    items = list(items)
    if workers <= 1 or len(items) <= 1:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        return list(pool.map(work, items))
