# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one bounded pool (run_batch): it keeps order and its bound, runs one worker in the calling thread,
and lets a failure escape (the pacer: test_pacer.py)."""

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


def test_one_worker_runs_in_the_calling_thread_and_a_failure_escapes():
    """The batch path of Executions.steps (workers=1, concurrent across contacts) adds no thread."""
    caller = threading.current_thread()
    seen = []
    assert run_batch('abc', lambda item: seen.append(threading.current_thread()) or item.upper(), workers=1) == [
        'A', 'B', 'C']
    assert seen == [caller] * 3

    def work(item):
        if item == 3:
            raise KeyError(item)
        return item

    for workers in (1, 4):
        try:
            run_batch(range(6), work, workers=workers)
        except KeyError as exc:
            assert exc.args == (3,)
        else:
            raise AssertionError('the failure of one item must escape run_batch')
