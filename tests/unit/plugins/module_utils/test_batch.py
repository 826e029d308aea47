# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The batch engine: the pool keeps order and its bound (the pacer: test_pacer.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
import time

from ansible_collections.telephony.twilio.plugins.module_utils._batch import run_batch


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
