# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reliability and security tests: real ansible-playbook runs against a real emulator.

Needs the collection where Ansible finds it (make reliability sets ANSIBLE_COLLECTIONS_PATH). The
emulator runs with distinctive credentials so that a leak of them is easy to find.
"""

import json
import os
import re
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'emulator'))

# pylint: disable=wrong-import-position
from studio_emulator import DEFAULT_ACCOUNT_SID, DEFAULT_API_KEY  # noqa: E402
from studio_emulator.control import EmulatorProcess  # noqa: E402

BIN = os.path.dirname(sys.executable)
ANSIBLE_PLAYBOOK = os.path.join(BIN, 'ansible-playbook')
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


class Studio:
    def __init__(self, url, control, tmp_path):
        self.url = url
        self.control = control
        self.tmp = tmp_path
        self.env = dict(os.environ, TWILIO_STUDIO_URL=url, TWILIO_ACCOUNT_SID=DEFAULT_ACCOUNT_SID,
                        TWILIO_AUTH_TOKEN=TOKEN, ANSIBLE_CACHE_PLUGIN='jsonfile',
                        ANSIBLE_CACHE_PLUGIN_CONNECTION=str(tmp_path / 'facts'), ANSIBLE_NOCOLOR='1',
                        ANSIBLE_DEPRECATION_WARNINGS='0', ANSIBLE_RETRY_FILES_ENABLED='0',
                        PATH=BIN + os.pathsep + os.environ.get('PATH', ''))
        for name in ('TWILIO_API_KEY', 'TWILIO_API_SECRET', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'):
            self.env.pop(name, None)

    def playbook(self, path, *args, inventory='localhost,', check=True, env=None):
        proc = subprocess.run([ANSIBLE_PLAYBOOK, '-i', str(inventory), path] + list(args),
                              env=dict(self.env, **(env or {})), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, timeout=900, check=False)
        if check:
            assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc

    @staticmethod
    def failures(output):
        """{host: msg} from the default callback's ``fatal:`` lines."""
        return failures(output)


def failures(output):
    """{host: msg} from the default callback's ``fatal: [host]: FAILED! => {...}`` (one line or, at -v
    and more, several)."""
    failed, decoder = {}, json.JSONDecoder()
    for match in re.finditer(r'^fatal: \[([^\]]+)\]: FAILED! => ', output, re.M):
        try:
            result = decoder.raw_decode(output, match.end())[0]
        except ValueError:
            result = {'msg': output[match.end():match.end() + 300]}
        failed[match.group(1)] = result.get('msg', '') if isinstance(result, dict) else str(result)
    return failed


__all__ = ['DEFAULT_ACCOUNT_SID', 'DEFAULT_API_KEY', 'HERE', 'ROOT', 'SECRET', 'TOKEN']
