# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Playbook tests: real ansible-playbook runs of playbooks/ against a real emulator.

Needs the collection where Ansible finds it (make test-playbooks sets ANSIBLE_COLLECTIONS_PATH).
"""

import os

import pytest
from studio_emulator import DEFAULT_AUTH_TOKEN
from studio_emulator.launcher import EmulatorProcess

# tests/utils is on the path (pytest.ini: pythonpath). BIN is imported by test_awx from here.
from studio_runner import BIN, Studio  # noqa: F401  pylint: disable=unused-import

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

INVENTORY = os.path.join(ROOT, 'playbooks', 'inventory', 'emulator.yml')
CONTACTS = ['+15551230001', '+15551230002', '+15551230003', 'whatsapp:+15551230004', '+15551230005']


@pytest.fixture(scope='session')
def emulator():
    with EmulatorProcess('--port', '0') as process:
        yield process


@pytest.fixture
def studio(emulator, tmp_path):  # pylint: disable=redefined-outer-name
    emulator.control.reset()
    return Studio(emulator.url, emulator.control, tmp_path, DEFAULT_AUTH_TOKEN, inventory=INVENTORY)
