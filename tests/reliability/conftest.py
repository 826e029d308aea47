# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reliability and security tests: real ansible-playbook runs against a real emulator.

Needs the collection where Ansible finds it (make reliability sets ANSIBLE_COLLECTIONS_PATH). The
emulator runs with distinctive credentials so that a leak of them is easy to find.
"""

import os

import pytest
from studio_emulator import DEFAULT_ACCOUNT_SID, DEFAULT_API_KEY
from studio_emulator.launcher import EmulatorProcess

import studio_runner  # tests/utils, on the path by pytest.ini (pythonpath)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

ANSIBLE_PLAYBOOK = studio_runner.ANSIBLE_PLAYBOOK
# Distinctive secrets: nothing else in any output can contain them by chance.
TOKEN = 'tok7Q-unique-auth-token-3f9c1e'
SECRET = 'sec4Z-unique-api-secret-8b2d7a'


@pytest.fixture(scope='session')
def emulator():
    with EmulatorProcess('--port', '0', '--auth-token', TOKEN, '--api-secret', SECRET) as process:
        yield process


@pytest.fixture
def studio(emulator, tmp_path):  # pylint: disable=redefined-outer-name
    emulator.control.reset()
    return Studio(emulator.url, emulator.control, tmp_path)


def Studio(url, control, tmp_path):  # pylint: disable=invalid-name
    """The shared runner with this suite's distinctive token, stderr kept apart."""
    return studio_runner.Studio(url, control, tmp_path, TOKEN, merge_stderr=False)


__all__ = ['DEFAULT_ACCOUNT_SID', 'DEFAULT_API_KEY', 'HERE', 'ROOT', 'SECRET', 'TOKEN']
