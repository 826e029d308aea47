# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared fixtures of the module unit tests."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import responses


@pytest.fixture
def mock():
    """HTTP faked at the requests layer; requests nobody registered fail the test."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps
