# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Contender (s) of make bench: what an expert writes without Ansible.

Twilio's Python SDK in a thread pool: for every contact of the inventory, create the Execution
(creates paced at --rate per second, a 429 retried with backoff, honouring Retry-After), read its
Execution Context, list its Steps and read each Step Context - the same requests as run_flow.yml.
The SDK is pointed at the emulator by an HTTP client that swaps Twilio's host for --url.

    python sdk_baseline.py --url http://127.0.0.1:PORT --inventory contacts.json
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client


class LocalStudio(TwilioHttpClient):
    """Sends the SDK's requests to the emulator instead of studio.twilio.com."""

    def __init__(self, base, **kwargs):
        super().__init__(**kwargs)
        self.base = base.rstrip('/')

    def request(self, method, url, *args, **kwargs):  # pylint: disable=arguments-differ
        return super().request(method, url.replace('https://studio.twilio.com', self.base), *args, **kwargs)


class Pace:
    def __init__(self, rate):
        self.interval, self.next, self.lock = 1.0 / rate, 0.0, threading.Lock()

    def wait(self):
        with self.lock:
            now = time.monotonic()
            slot = max(now, self.next)
            self.next = slot + self.interval
        time.sleep(max(0.0, slot - now))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--url', required=True)
    parser.add_argument('--inventory', required=True, help='the JSON inventory bench.py writes')
    parser.add_argument('--rate', type=float, default=20.0)
    parser.add_argument('--workers', type=int, default=32)
    args = parser.parse_args()
    with open(args.inventory) as handle:
        group = json.load(handle)['studio_contacts']
    flow, sender = group['vars']['studio_flow'], group['vars']['studio_from']
    client = Client(os.environ['TWILIO_ACCOUNT_SID'], os.environ['TWILIO_AUTH_TOKEN'],
                    http_client=LocalStudio(args.url, pool_connections=True, timeout=30))
    pace = Pace(args.rate)
    executions = client.studio.v1.flows(flow).executions

    def one(item):
        to, host = item
        for attempt in range(6):
            pace.wait()
            try:
                execution = executions.create(to=to, from_=sender, parameters=host.get('studio_parameters', {}))
                break
            except TwilioRestException as exc:
                if exc.status != 429 or attempt == 5:
                    raise
                time.sleep(0.25 * 2 ** attempt)
        context = executions(execution.sid).execution_context().fetch().context
        steps = executions(execution.sid).steps.list(page_size=1000)
        step_contexts = [step.step_context().fetch().context for step in reversed(steps)]
        return {'sid': execution.sid, 'context': context, 'steps': len(step_contexts)}

    started = time.perf_counter()
    failed = 0
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        futures = [pool.submit(one, item) for item in group['hosts'].items()]
        for future in futures:
            try:
                future.result()
            except Exception:  # pylint: disable=broad-except
                failed += 1
    print(json.dumps({'contacts': len(futures), 'failed': failed, 'seconds': time.perf_counter() - started}))
    return 1 if failed else 0


if __name__ == '__main__':
    raise SystemExit(main())
