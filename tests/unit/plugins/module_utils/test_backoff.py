# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one backoff/poll helper: delays, deadlines, and the HTTP retry using the same delays."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.telephony.twilio.plugins.module_utils import _backoff
from ansible_collections.telephony.twilio.plugins.module_utils._client import make_retry


class FakeTime:
    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def test_delay_grows_exponentially_with_bounded_jitter_and_a_cap():
    assert _backoff.delay(0) == 0.0
    for attempt in range(1, 12):
        base = min(_backoff.BACKOFF_FACTOR * 2 ** (attempt - 1), _backoff.BACKOFF_MAX)
        value = _backoff.delay(attempt)
        assert base <= value <= min(base + _backoff.BACKOFF_JITTER, _backoff.BACKOFF_MAX)
    assert _backoff.delay(30, cap=2.0) == 2.0


def test_poll_returns_the_first_answer_and_sleeps_between_looks():
    answers = [None, None, 'found', 'later']
    fake = FakeTime()
    assert _backoff.poll(lambda: answers.pop(0), 10, clock=fake.clock, sleep=fake.sleep) == 'found'
    assert len(fake.sleeps) == 2 and fake.sleeps[0] < fake.sleeps[1] <= _backoff.POLL_MAX


def test_poll_stops_at_the_deadline_and_never_sleeps_past_it():
    fake = FakeTime()
    looks = []
    assert _backoff.poll(lambda: looks.append(1), 5, clock=fake.clock, sleep=fake.sleep) is None
    assert fake.now == pytest.approx(1005.0)
    assert all(s <= _backoff.POLL_MAX for s in fake.sleeps) and len(looks) >= 3


def test_poll_with_no_time_looks_once():
    fake = FakeTime()
    looks = []
    assert _backoff.poll(lambda: looks.append(1), 0, clock=fake.clock, sleep=fake.sleep) is None
    assert looks == [1] and fake.sleeps == []


def test_poll_lets_errors_through():
    def look():
        raise ValueError('boom')
    with pytest.raises(ValueError):
        _backoff.poll(look, 10)


def test_http_retry_uses_the_same_delays():
    retry = make_retry(5)
    assert retry.get_backoff_time() == 0
    retry = retry.increment(method='GET', url='/x')
    assert _backoff.BACKOFF_FACTOR <= retry.get_backoff_time() <= _backoff.BACKOFF_FACTOR + _backoff.BACKOFF_JITTER
    retry = retry.increment(method='GET', url='/x').increment(method='GET', url='/x')
    assert 4 * _backoff.BACKOFF_FACTOR <= retry.get_backoff_time() <= 4 * _backoff.BACKOFF_FACTOR + _backoff.BACKOFF_JITTER
