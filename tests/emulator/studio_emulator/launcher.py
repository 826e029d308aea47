# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start, drive and stop an emulator from tests, benchmarks and scripts (the client side of the test
controls, whose server side is the Blueprint in controls.py).

``python -m studio_emulator.launcher [emulator options] -- COMMAND ...`` starts an emulator,
runs COMMAND with ``STUDIO_EMULATOR_URL`` (and ``TWILIO_STUDIO_URL``) set to its base URL, stops
the emulator and exits with COMMAND's status: no caller can leave it running.
"""

import base64
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

from . import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN


class EmulatorProcess:
    """An emulator child process; use as a context manager."""

    def __init__(self, *args, python=None, stderr=None):
        self.args = [str(a) for a in args]
        self.proc = subprocess.Popen(  # pylint: disable=consider-using-with
            [python or sys.executable, '-m', 'studio_emulator'] + self.args, stdout=subprocess.PIPE,
            stderr=stderr or subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith('READY '):
            self.proc.kill()
            raise RuntimeError('studio-emulator did not start: %r (exit %s)' % (line, self.proc.wait()))
        self.url = line.split(' ', 1)[1].strip()
        self.control = Control(self.url)

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        return self.proc.returncode

    def kill(self):
        return self.stop(signal.SIGKILL)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class Control:
    """The test-only controls under /__emulator__/ (standard library only)."""

    def __init__(self, url):
        self.url = url.rstrip('/')

    def call(self, method, path, data=None):
        body = json.dumps(data).encode() if data is not None else None
        req = urllib.request.Request(self.url + '/__emulator__/' + path, data=body, method=method,
                                     headers={'Content-Type': 'application/json'})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:  # nosec - loopback test control
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            raise RuntimeError('%s %s: %s %s' % (method, path, exc.code, raw.decode(errors='replace'))) from exc
        return json.loads(raw) if raw else None

    def reset(self):
        return self.call('POST', 'reset')

    def faults(self, faults, seed=0):
        return self.call('PUT', 'faults', {'faults': faults, 'seed': seed})

    def limits(self, **limits):
        return self.call('PUT', 'limits', limits)

    def requests(self, since=0):
        return self.call('GET', 'requests?since=%d' % since)['requests']

    def last_request(self):
        return self.call('GET', 'requests?since=999999999999')['last']

    def counts(self):
        return self.call('GET', 'counts')

    def stats(self):
        return self.call('GET', 'stats')

    def executions(self):
        return self.call('GET', 'executions')['executions']

    def reply(self, flow, to, body):
        return self.call('POST', 'reply', {'flow': flow, 'to': to, 'body': body})

    def advance(self, seconds):
        return self.call('POST', 'clock', {'advance': seconds})

    def add_flow(self, document):
        return self.call('POST', 'flows', document)

    def flows(self):
        req = urllib.request.Request(self.url + '/v1/Flows?PageSize=1000')
        token = ('%s:%s' % (DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN)).encode()
        req.add_header('Authorization', 'Basic ' + base64.b64encode(token).decode())
        with urllib.request.urlopen(req, timeout=30) as resp:  # nosec - loopback test control
            return {f['friendly_name']: f['sid'] for f in json.loads(resp.read())['flows']}


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if '--' not in argv:
        print('usage: python -m studio_emulator.launcher [emulator options] -- COMMAND ...', file=sys.stderr)
        return 2
    cut = argv.index('--')
    options, command = argv[:cut], argv[cut + 1:]
    if '--port' not in options:
        options += ['--port', '0']
    with EmulatorProcess(*options, stderr=sys.stderr) as emulator:
        env = dict(os.environ, STUDIO_EMULATOR_URL=emulator.url, TWILIO_STUDIO_URL=emulator.url)
        started = time.time()
        status = subprocess.call(command, env=env)
        print('studio-emulator: %s finished with %d after %.1fs' % (command[0], status, time.time() - started),
              file=sys.stderr)
    return status


if __name__ == '__main__':
    sys.exit(main())
