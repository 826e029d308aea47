# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Emulator tests talk to a real emulator process over HTTP."""

import pytest
import requests

from studio_emulator import DEFAULT_ACCOUNT_SID, DEFAULT_API_KEY, DEFAULT_API_SECRET, DEFAULT_AUTH_TOKEN
from studio_emulator.launcher import EmulatorProcess

AUTH = (DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN)
KEY_AUTH = (DEFAULT_API_KEY, DEFAULT_API_SECRET)


class Client:
    """A requests session on the emulator plus its controls."""

    def __init__(self, process):
        self.process = process
        self.url = process.url
        self.control = process.control
        self.http = requests.Session()
        self.http.auth = AUTH
        self.flows = {}

    def get(self, path, **kw):
        return self.http.get(self.url + path, timeout=30, **kw)

    def post(self, path, data=None, **kw):
        return self.http.post(self.url + path, data=data, timeout=30, **kw)

    def delete(self, path, **kw):
        return self.http.delete(self.url + path, timeout=30, **kw)

    def create(self, flow, to, from_='+15550000000', parameters=None):
        data = {'To': to, 'From': from_}
        if parameters is not None:
            data['Parameters'] = parameters
        return self.post('/v1/Flows/%s/Executions' % self.flows[flow], data)


@pytest.fixture(scope='session')
def emulator_process():
    with EmulatorProcess('--port', '0', '--rate-limit', '0') as process:
        yield process


@pytest.fixture
def emu(emulator_process):  # pylint: disable=redefined-outer-name
    emulator_process.control.reset()
    client = Client(emulator_process)
    client.flows = emulator_process.control.flows()
    yield client
    client.http.close()
