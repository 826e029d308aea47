# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Emulator throughput: requests a second for fetches and creates with N concurrent clients.

    python tests/emulator/bench.py [--clients 8] [--seconds 5]

Starts its own emulator (rate limit off), runs each phase for a fixed time, prints a markdown
table and stops the emulator. A benchmark, not a test: the figures depend on the machine.
"""

import argparse
import sys
import threading
import time

import requests
from studio_emulator import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN
from studio_emulator.launcher import EmulatorProcess


def phase(url, clients, seconds, make_request):
    counts, errors = [0] * clients, [0] * clients
    stop = time.monotonic() + seconds

    def worker(i):
        session = requests.Session()
        session.auth = (DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN)
        n = 0
        while time.monotonic() < stop:
            resp = make_request(session, url, i, n)
            n += 1
            if resp.status_code == 200:
                counts[i] += 1
            else:
                errors[i] += 1
        session.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    return sum(counts) / elapsed, sum(errors)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--clients', type=int, default=8)
    parser.add_argument('--seconds', type=float, default=5.0)
    args = parser.parse_args()
    with EmulatorProcess('--port', '0', '--rate-limit', '0') as emu:
        flow = emu.control.flows()['Appointment reminder']
        base = '%s/v1/Flows/%s' % (emu.url, flow)
        seed = requests.post(base + '/Executions', data={'To': '+15550009999', 'From': '+15550000000'},
                             auth=(DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN), timeout=10).json()['sid']
        rows = [
            ('fetch Flow', phase(base, args.clients, args.seconds, lambda s, u, i, n: s.get(u, timeout=10))),
            ('fetch Execution', phase('%s/Executions/%s' % (base, seed), args.clients, args.seconds,
                                      lambda s, u, i, n: s.get(u, timeout=10))),
            ('create Execution (reminder flow)', phase(base + '/Executions', args.clients, args.seconds,
                                                       lambda s, u, i, n: s.post(u, timeout=10, data={
                                                           'To': '+1555%03d%05d' % (i, n), 'From': '+15550000000',
                                                           'Parameters': '{"name": "Ann"}'}))),
        ]
    print('| operation (%d clients, %gs each) | requests/s | errors |' % (args.clients, args.seconds))
    print('|---|---:|---:|')
    for name, (rate, errors) in rows:
        print('| %s | %.0f | %d |' % (name, rate, errors))
    return 0


if __name__ == '__main__':
    sys.exit(main())
