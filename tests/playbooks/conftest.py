# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Playbook tests: real ansible-playbook runs of playbooks/ against a real emulator.

Needs the collection where Ansible finds it (make test-playbooks sets ANSIBLE_COLLECTIONS_PATH).
"""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'emulator'))

# pylint: disable=wrong-import-position
from studio_emulator import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN  # noqa: E402
from studio_emulator.control import EmulatorProcess  # noqa: E402

INVENTORY = os.path.join(ROOT, 'playbooks', 'inventory', 'emulator.yml')
BIN = os.path.dirname(sys.executable)
ANSIBLE_PLAYBOOK = os.path.join(BIN, 'ansible-playbook') if os.path.exists(os.path.join(BIN, 'ansible-playbook')) \
    else 'ansible-playbook'
CONTACTS = ['+15551230001', '+15551230002', '+15551230003', 'whatsapp:+15551230004', '+15551230005']


@pytest.fixture(scope='session')
def emulator():
    with EmulatorProcess('--port', '0') as process:
        yield process


@pytest.fixture
def studio(emulator, tmp_path):  # pylint: disable=redefined-outer-name
    emulator.control.reset()
    return Studio(emulator, tmp_path)


class Studio:
    def __init__(self, emulator, tmp_path):  # pylint: disable=redefined-outer-name
        self.emulator = emulator
        self.control = emulator.control
        self.tmp = tmp_path
        self.env = dict(os.environ, TWILIO_STUDIO_URL=emulator.url, TWILIO_ACCOUNT_SID=DEFAULT_ACCOUNT_SID,
                        TWILIO_AUTH_TOKEN=DEFAULT_AUTH_TOKEN, ANSIBLE_CACHE_PLUGIN='jsonfile',
                        ANSIBLE_CACHE_PLUGIN_CONNECTION=str(tmp_path / 'facts'), ANSIBLE_NOCOLOR='1',
                        ANSIBLE_DEPRECATION_WARNINGS='0', PATH=BIN + os.pathsep + os.environ.get('PATH', ''))

    def playbook(self, name, *args, inventory=INVENTORY, check=True, cwd=None):
        path = name if os.path.isabs(name) else os.path.join(ROOT, 'playbooks', name)
        proc = subprocess.run([ANSIBLE_PLAYBOOK, '-i', str(inventory), path] + list(args), env=self.env, cwd=cwd,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600, check=False)
        if check:
            assert proc.returncode == 0, proc.stdout
        return proc

    def end_state(self):
        """What the emulator holds: (contact, status, number of Steps) for each Execution."""
        return sorted((e['to'], e['status'], e['steps']) for e in self.control.executions())
