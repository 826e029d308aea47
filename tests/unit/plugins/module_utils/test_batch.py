# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The batch engine: the pacer keeps creates at the rate across threads; the pool keeps order and its bound."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
import time

from ansible_collections.telephony.twilio.plugins.module_utils._batch import Pacer, run_batch


def test_pacer_spaces_slots_by_the_interval_in_order():
    now = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)

    pacer = Pacer(20, clock=lambda: now[0], sleep=sleep)
    for dummy in range(5):
        pacer.wait()
    assert slept == [0.05, 0.1, 0.15000000000000002, 0.2]
    now[0] = 10.0  # idle for a while: no burst credit is kept, the next slot is now
    pacer.wait()
    assert len(slept) == 4


def test_pacer_holds_the_rate_across_threads():
    pacer = Pacer(50)
    stamps = []
    lock = threading.Lock()

    def worker():
        for dummy in range(10):
            pacer.wait()
            with lock:
                stamps.append(time.monotonic())

    threads = [threading.Thread(target=worker) for dummy in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stamps.sort()
    assert len(stamps) == 60
    # 60 events at 50/s take at least 59 intervals; no window of 1 s holds more than 50 (+1 at its edge)
    assert stamps[-1] - stamps[0] >= 59 * 0.02 - 0.02
    for i, start in enumerate(stamps):
        assert sum(1 for s in stamps[i:] if s - start < 1.0) <= 51


def test_run_batch_keeps_order_and_bounds_concurrency():
    running = [0, 0]
    lock = threading.Lock()

    def work(item):
        with lock:
            running[0] += 1
            running[1] = max(running[1], running[0])
        time.sleep(0.01)
        with lock:
            running[0] -= 1
        return item * 2

    assert run_batch(range(40), work, workers=4) == [i * 2 for i in range(40)]
    assert 1 < running[1] <= 4
    assert run_batch([3], work, workers=4) == [6]
    assert run_batch([], work) == []
