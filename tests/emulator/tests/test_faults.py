# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each fault kind, seeded determinism, start-time faults, the state file and clean shutdown."""

import os
import signal
import time

import pytest
import requests

from conftest import AUTH
from studio_emulator.launcher import EmulatorProcess

CREATE = '/v1/Flows/*/Executions'


def test_429_with_and_without_retry_after(emu):
    emu.control.faults([{'kind': '429', 'method': 'GET', 'path': '/v1/Flows', 'times': 1, 'retry_after': 2},
                        {'kind': '429', 'method': 'GET', 'path': '/v1/Flows', 'times': 1}])
    first, second, third = (emu.get('/v1/Flows') for attempt in range(3))
    assert first.status_code == 429 and first.headers['Retry-After'] == '2' and first.json()['code'] == 20429
    assert second.status_code == 429 and 'Retry-After' not in second.headers
    assert third.status_code == 200


@pytest.mark.parametrize('kind', ['500', '503'])
def test_server_errors(emu, kind):
    emu.control.faults([{'kind': kind, 'method': 'GET', 'path': '/v1/Flows/*', 'times': 1}])
    flow = emu.flows['Customer survey']
    resp = emu.get('/v1/Flows/' + flow)
    assert resp.status_code == int(kind) and resp.json()['status'] == int(kind)
    assert emu.get('/v1/Flows/' + flow).status_code == 200
    assert emu.get('/v1/Flows').status_code == 200  # the pattern does not match the list


def test_latency(emu):
    emu.control.faults([{'kind': 'latency', 'seconds': 0.4, 'path': '/v1/Flows'}])
    started = time.monotonic()
    assert emu.get('/v1/Flows').status_code == 200
    assert time.monotonic() - started >= 0.4
    with pytest.raises(requests.exceptions.ReadTimeout):
        emu.http.get(emu.url + '/v1/Flows', timeout=0.1)


def test_drop_loses_the_request(emu):
    emu.control.faults([{'kind': 'drop', 'method': 'POST', 'path': CREATE, 'times': 1}])
    with pytest.raises(requests.exceptions.ConnectionError):
        emu.create('Appointment reminder', '+15558880001')
    assert emu.control.stats()['executions_created'] == 0
    assert emu.create('Appointment reminder', '+15558880001').status_code == 200
    log = emu.control.requests()
    assert [(r['status'], r['fault']) for r in log if r['method'] == 'POST'] == [(0, 'drop'), (200, None)]


def test_commit_then_fail_takes_effect_but_loses_the_response(emu):
    emu.control.faults([{'kind': 'commit_then_fail', 'method': 'POST', 'path': CREATE, 'times': 1}])
    with pytest.raises(requests.exceptions.ConnectionError):
        emu.create('Appointment reminder', '+15558880002')
    executions = emu.control.executions()
    assert [e['to'] for e in executions] == ['+15558880002']
    assert executions[0]['messages'][0]['to'] == '+15558880002'  # the contact was messaged


def test_read_after_write_lag(emu):
    emu.control.faults([{'kind': 'lag', 'method': 'POST', 'path': CREATE, 'seconds': 0.5}])
    created = emu.create('Appointment reminder', '+15558880003').json()
    url = '/v1/Flows/%s/Executions/%s' % (created['flow_sid'], created['sid'])
    assert emu.get(url).status_code == 200  # the Execution itself is there
    assert emu.get(url + '/Context').status_code == 404
    assert emu.get(url + '/Steps').status_code == 404
    time.sleep(0.55)
    assert emu.get(url + '/Context').status_code == 200
    assert len(emu.get(url + '/Steps').json()['steps']) == 2


def outcomes(emu, seed):
    emu.control.reset()
    emu.control.faults([{'kind': '503', 'method': 'GET', 'path': '/v1/Flows', 'rate': 0.3}], seed=seed)
    return [emu.get('/v1/Flows').status_code for attempt in range(40)]


def test_faults_are_deterministic_with_a_seed(emu):
    first, again, other = outcomes(emu, 7), outcomes(emu, 7), outcomes(emu, 8)
    assert first == again
    assert first != other
    assert 4 <= first.count(503) <= 20


def test_bad_fault_rules_are_refused(emu):
    with pytest.raises(RuntimeError, match='400'):
        emu.control.faults([{'kind': 'explode'}])
    with pytest.raises(RuntimeError, match='400'):
        emu.control.faults([{'kind': '429', 'rate': 2}])


def test_faults_at_start_state_file_and_restart(tmp_path):
    state = tmp_path / 'state.jsonl'
    fault = 'kind=503,method=GET,path=/v1/Flows,times=1'
    with EmulatorProcess('--port', '0', '--state', state, '--fault', fault) as first:
        session = requests.Session()
        session.auth = AUTH
        assert session.get(first.url + '/v1/Flows', timeout=10).status_code == 503
        flows = first.control.flows()
        created = session.post('%s/v1/Flows/%s/Executions' % (first.url, flows['Customer survey']),
                               data={'To': '+15559990001', 'From': '+15550000000'}, timeout=10).json()
        first.kill()  # no clean shutdown: the journal must already hold the Execution
    with EmulatorProcess('--port', '0', '--state', state) as second:
        again = requests.post('%s/v1/Flows/%s/Executions' % (second.url, flows['Customer survey']),
                              data={'To': '+15559990001', 'From': '+15550000000'}, auth=AUTH, timeout=10).json()
        assert again['sid'] == created['sid']  # still active after the restart: handed back
        second.control.reply(flows['Customer survey'], '+15559990001', '5')
        assert second.control.stats()['executions_created'] == 1
        assert second.stop() == 0
    with EmulatorProcess('--port', '0', '--state', state) as third:
        (ex,) = third.control.executions()
        assert ex['status'] == 'ended' and ex['steps'] == 5


def test_sigint_and_sigterm_exit_cleanly():
    for sig in (signal.SIGINT, signal.SIGTERM):
        process = EmulatorProcess('--port', '0')
        assert process.stop(sig) == 0


def test_bad_start_options_fail_clearly(tmp_path):
    bad = tmp_path / 'bad.json'
    bad.write_text('{"definition": {"states": []}}')
    for args in (['--flows', str(bad)], ['--fault', 'kind=nope'], ['--account-sid', 'ACxyz']):
        with pytest.raises(RuntimeError, match='did not start'):
            EmulatorProcess('--port', '0', *args)
    assert os.path.exists(bad)
