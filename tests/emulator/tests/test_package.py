# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""10. The emulator is an installed package (no PYTHONPATH), its app made of one Blueprint per API."""

import os
import subprocess
import sys
from importlib import metadata

import studio_emulator
from studio_emulator import DEFAULT_ACCOUNT_SID, DEFAULT_API_KEY, DEFAULT_API_SECRET, DEFAULT_AUTH_TOKEN
from studio_emulator.app import create_app
from studio_emulator.faults import Faults
from studio_emulator.store import Store

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_it_is_installed_with_its_command_and_its_example_flows():
    assert metadata.version('studio-emulator')
    assert os.path.dirname(studio_emulator.__file__) == os.path.join(HERE, 'studio_emulator')  # editable
    command = os.path.join(os.path.dirname(sys.executable), 'studio-emulator')
    help_text = subprocess.run([command, '--help'], stdout=subprocess.PIPE, text=True, check=True,
                               env={k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}).stdout
    assert '--rate-window' in help_text
    flows = os.listdir(os.path.join(os.path.dirname(studio_emulator.__file__), 'flows'))
    assert 'survey.json' in flows


def test_the_app_is_one_blueprint_per_api_and_the_controls():
    store = Store(DEFAULT_ACCOUNT_SID)
    app = create_app(store, {(DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN), (DEFAULT_API_KEY, DEFAULT_API_SECRET)},
                     Faults([], 0))
    assert set(app.blueprints) == {'v1', 'v2', 'controls', 'events', 'event_controls'}
    prefixes = {rule.endpoint.split('.')[0]: rule.rule.split('/')[1] for rule in app.url_map.iter_rules()
                if '.' in rule.endpoint}
    assert prefixes == {'v1': 'v1', 'v2': 'v2', 'controls': '__emulator__', 'events': 'v1',
                        'event_controls': '__emulator__'}
    client = app.test_client()
    assert client.get('/__emulator__/health').status_code == 200
    assert client.get('/v2/Flows').status_code == 401  # the pipeline (auth) covers every Blueprint
    assert client.get('/v1/Sinks').status_code == 401
