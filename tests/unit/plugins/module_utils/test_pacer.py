# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pacer: creates 1/rate apart across threads; a 429 slows it down to its share of what the account
accepted, quiet time speeds it back up to the rate it was given; Retry-After holds every create. Timed with a fake clock, and K pacers
sharing a fake account-wide limiter (20 a second over a 10 s sliding window) like K AWX slices."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import threading
import time

import pytest

from ansible_collections.telephony.twilio.plugins.module_utils import _pacer
from ansible_collections.telephony.twilio.plugins.module_utils._pacer import Pacer


class FakeClock:
    """A clock that moves only when someone sleeps (or the test moves it)."""

    def __init__(self):
        self.now = 0.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        assert seconds > 0
        self.slept.append(seconds)
        self.now += seconds


def pacer_on(clock, rate=20.0):
    return Pacer(rate, clock=clock, sleep=clock.sleep)


def test_slots_are_one_interval_apart_and_an_idle_time_gives_no_burst():
    clock = FakeClock()
    pacer = pacer_on(clock)
    stamps = []
    for dummy in range(5):
        pacer.wait()
        stamps.append(clock.now)
    assert stamps == pytest.approx([0.0, 0.05, 0.1, 0.15, 0.2])
    clock.now = 10.0  # idle: the next create goes now, the one after it an interval later
    pacer.wait()
    pacer.wait()
    assert clock.now == pytest.approx(10.05)


def test_a_sleep_that_overshoots_does_not_slow_the_rate_down():
    clock = FakeClock()
    pacer = Pacer(20, clock=clock, sleep=lambda s: setattr(clock, 'now', clock.now + s + 0.01))
    for dummy in range(101):
        pacer.wait()
    # 100 intervals of 50 ms, each slept 10 ms too long: the grid keeps the rate (not 100 x 60 ms)
    assert clock.now == pytest.approx(5.0, abs=0.02)


def send(pacer, clock, count):
    for dummy in range(count):
        pacer.wait()


def test_a_window_used_up_by_other_batches_brings_the_rate_down_to_this_batchs_share():
    """Four batches at 20/s each fill the account's 200 a window in 2.5 s: this one got 50 through, then every
    create is refused until the window moves on. It slows down once a second (not at each 429), towards
    DECREASE x its share of the window - 50 in 10 s, 5/s, the 20/K that nobody told it - and not to the floor."""
    clock = FakeClock()
    pacer = pacer_on(clock)
    send(pacer, clock, 50)
    pacer.throttled()
    assert pacer.rate() == pytest.approx(_pacer.DECREASE * 49 / 2.45)  # its share so far: 20/s, a dip
    clock.now += 0.5
    pacer.throttled()  # a 429 of a create sent before the decrease: no news
    assert pacer.throttles == 2 and pacer.decreases == 1
    for dummy in range(7):
        clock.now += 1.0
        pacer.throttled()
    assert pacer.decreases == 8
    assert clock.now == pytest.approx(9.95)
    assert pacer.rate() == pytest.approx(_pacer.DECREASE * (50 - 9) / 9.95)
    assert 3.0 < pacer.rate() < 4.0


def test_a_stray_429_at_the_full_rate_is_a_dip_not_a_collapse():
    """A batch alone at 20/s meets a stray 429 (requests arriving unevenly), early or late: it dips, and is
    back in seconds."""
    for count in (60, 400):  # 3 s, 20 s at 20/s
        clock = FakeClock()
        pacer = pacer_on(clock)
        send(pacer, clock, count)
        pacer.throttled()
        assert pacer.rate() == pytest.approx(_pacer.DECREASE * 20.0, rel=0.03)
        back = clock.now + _pacer.QUIET + (20.0 - pacer.rate()) / _pacer.INCREASE
        assert pacer.rate(back) == 20.0 and back - clock.now < 4.0


def test_with_nothing_accepted_the_rate_falls_to_the_floor():
    """A 429 storm (another application uses up the account): nothing gets through, the batch crawls at the floor."""
    clock = FakeClock()
    pacer = pacer_on(clock)
    for dummy in range(20):
        pacer.wait()
        pacer.throttled()
    assert pacer.rate() == _pacer.MIN_RATE


def test_without_429_the_rate_grows_back_to_the_ceiling_and_no_further():
    clock = FakeClock()
    pacer = pacer_on(clock)
    send(pacer, clock, 100)  # 5 s at 20/s
    clock.now += 5.0  # idle for 5 s: 100 in the last 10 s
    pacer.throttled()
    low, at = pacer.rate(), clock.now
    assert low == pytest.approx(_pacer.DECREASE * 99 / 9.95)
    assert pacer.rate(at + 0.9) == low  # no growth during the quiet time
    assert pacer.rate(at + 2.0) == pytest.approx(low + _pacer.INCREASE)
    assert pacer.rate(at + 4.0) == pytest.approx(low + 3 * _pacer.INCREASE)
    assert pacer.rate(at + 60.0) == 20.0


def test_the_pacer_never_goes_above_a_low_rate_given_by_the_user():
    clock = FakeClock()
    pacer = pacer_on(clock, rate=0.2)
    pacer.throttled()
    assert pacer.rate() == 0.2  # the floor is not above the ceiling
    clock.now = 100.0
    assert pacer.rate() == 0.2


def test_the_gate_is_asked_as_each_slot_comes_and_can_keep_the_create_from_going():
    clock = FakeClock()
    asked = []

    def gate():
        asked.append(clock())
        if len(asked) == 3:
            raise RuntimeError('stopped')

    pacer = Pacer(20.0, clock=clock, sleep=clock.sleep, gate=gate)
    pacer.wait()
    pacer.wait()
    with pytest.raises(RuntimeError):
        pacer.wait()
    assert asked == pytest.approx([0.0, 0.05, 0.10])  # when each slot came, not before


def test_retry_after_holds_every_create_of_the_batch():
    clock = FakeClock()
    pacer = pacer_on(clock)
    pacer.wait()
    pacer.throttled(retry_after=3.0)
    pacer.wait()
    assert clock.now == pytest.approx(3.0)
    pacer.throttled(retry_after=1.0)  # a shorter hold does not shorten the longer one
    assert pacer.hold_until == pytest.approx(4.0)


def test_a_waiting_create_goes_as_soon_as_the_rate_has_grown_back():
    """At the floor a slot is 2 s after the last one; the rate that grows meanwhile lets it go earlier."""
    clock = FakeClock()
    pacer = pacer_on(clock)
    for dummy in range(10):
        pacer.throttled()
        clock.now += 1.0
    clock.now -= 1.0
    assert pacer.rate() == _pacer.MIN_RATE
    pacer.wait()
    started = clock.now
    pacer.wait()
    # the quiet time ends 1 s after the last decrease; by 1.5 s the rate is 1.5/s (0.67 s interval)
    assert clock.now - started < 1.0 / _pacer.MIN_RATE - 0.25
    assert all(nap <= _pacer.NAP for nap in clock.slept)


def waits_in_threads(pacer, threads=6, each=10):
    """When each of ``each`` waits of ``threads`` threads on ``pacer`` returned (real clock), sorted."""
    stamps = []
    lock = threading.Lock()

    def worker():
        for dummy in range(each):
            pacer.wait()
            with lock:
                stamps.append(time.monotonic())

    workers = [threading.Thread(target=worker) for dummy in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return sorted(stamps)


def test_pacer_holds_the_rate_across_threads():
    stamps = waits_in_threads(Pacer(50))
    assert len(stamps) == 60
    # 60 events at 50/s take at least 59 intervals; no window of 1 s holds more than 50 (+1 at its edge)
    assert stamps[-1] - stamps[0] >= 59 * 0.02 - 0.02
    for i, start in enumerate(stamps):
        assert sum(1 for s in stamps[i:] if s - start < 1.0) <= 51


def test_threads_that_wake_late_do_not_slow_the_rate_down():
    """On a busy machine a sleeping thread wakes late; the others' slots must not wait for it (a pacer that
    hands the next slot from thread to thread would go at 1/(interval + lateness): 20/s instead of 50/s)."""
    started = time.monotonic()
    stamps = waits_in_threads(Pacer(50, sleep=lambda seconds: time.sleep(seconds + 0.03)))
    assert len(stamps) == 60
    assert max(stamps) - started < 2.0  # 59 intervals of 20 ms and the lateness: ~1.2 s, not 3 s


class Account:
    """Studio's limit on a fake clock: at most 20 x 10 accepted creates in any 10 s (sliding window)."""

    def __init__(self, rate=20, window=10.0):
        self.capacity = rate * window
        self.window = window
        self.accepted = collections.deque()

    def create(self, now):
        while self.accepted and now - self.accepted[0] >= self.window - 1e-9:
            self.accepted.popleft()
        if len(self.accepted) >= self.capacity:
            return False
        self.accepted.append(now)
        return True


def share_one_account(batches, starts=None, tick=0.01):
    """K batches of creates (sizes ``batches``), each with its own pacer at the default rate, started
    at ``starts``; a 429'd create is sent again at its batch's next slot. Returns ([(start, end)], 429s)."""
    clock = FakeClock()
    account = Account()
    starts = starts or [0.0] * len(batches)
    pacers = [pacer_on(clock) for dummy in batches]
    left = list(batches)
    spans = [None] * len(batches)
    throttled = 0
    step = 0
    while any(left) and step < 100000:
        clock.now = step * tick
        for k, pacer in enumerate(pacers):
            if left[k] and clock.now >= starts[k] and pacer.take() == 0.0:
                if account.create(clock.now):
                    left[k] -= 1
                    if not left[k]:
                        spans[k] = (starts[k], clock.now)
                else:
                    throttled += 1
                    pacer.throttled()
        step += 1
    return spans, throttled


def test_four_slices_at_once_share_the_account_at_its_rate():
    spans, throttled = share_one_account([300] * 4)
    total = max(end for dummy, end in spans)
    # 1,200 creates at 20/s need 60 s less the window's first 200 (a 10 s window lets them through at once)
    assert total <= 1.1 * 1200 / 20.0
    assert throttled < 1200  # adapting: not a 429 for every create
    # shared fairly: the first slice to end is not done much before the last one
    assert min(end for dummy, end in spans) >= 0.6 * total


def test_eight_slices_at_once_share_the_account_at_its_rate():
    spans, dummy = share_one_account([250] * 8)
    assert max(end for dummy, end in spans) <= 1.1 * 2000 / 20.0


def test_slices_one_after_another_each_run_at_the_full_rate():
    spans, throttled = share_one_account([300, 300, 300], starts=[0.0, 40.0, 80.0])
    for start, end in spans:
        assert end - start <= 1.1 * 300 / 20.0
    assert throttled == 0


def test_without_adaptation_the_same_slices_need_far_more_requests():
    """The feedback is what keeps the 429s down: pacers that ignore them send many more."""
    adaptive = share_one_account([300] * 4)[1]
    original = Pacer.throttled
    try:
        Pacer.throttled = lambda self, retry_after=None: None
        fixed = share_one_account([300] * 4)[1]
    finally:
        Pacer.throttled = original
    assert fixed > 3 * adaptive
