# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How fast the studio_events source answers Twilio: signed deliveries of 10 CloudEvents each,
posted by 8 concurrent clients, with a rulebook queue that takes every event (the baseline) and
with one that takes none (a blocked rulebook). Prints answer times (p50, p99, max) and their ratio.

    .venv/bin/python tests/bench/eda_source.py [--deliveries 400]
"""

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import socket
import statistics
import sys
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / 'extensions' / 'eda' / 'plugins' / 'event_source'))
import studio_events  # noqa: E402  pylint: disable=import-error,wrong-import-position

TOKEN = 'bench-token'


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def delivery(url, n):
    events = [{'specversion': '1.0', 'type': 'com.twilio.studio.flow.execution.ended', 'id': 'EV%d-%d' % (n, i),
               'source': '/v1/Flows/FW/Executions/FN', 'time': '2026-11-30T10:00:00.000Z',
               'data': {'execution_sid': 'FN%032d' % n, 'status': 'ended', 'ended_reason': 'FLOW_END'}}
              for i in range(10)]
    raw = json.dumps(events).encode()
    target = '%s?bodySHA256=%s' % (url, hashlib.sha256(raw).hexdigest())
    signature = base64.b64encode(hmac.new(TOKEN.encode(), target.encode(), hashlib.sha1).digest()).decode()
    return target, raw, {'X-Twilio-Signature': signature, 'Content-Type': 'application/json'}


async def run(deliveries, blocked):
    queue = asyncio.Queue(maxsize=1 if blocked else 0)
    port = free_port()
    url = 'http://127.0.0.1:%d/hook' % port
    task = asyncio.create_task(studio_events.main(queue, {'host': '127.0.0.1', 'port': port, 'url': url,
                                                          'auth_token': TOKEN, 'backlog': deliveries * 10}))
    await asyncio.sleep(0.3)
    times = []
    work = [delivery(url, n) for n in range(deliveries)]

    async def client(session, mine):
        for target, raw, headers in mine:
            started = time.perf_counter()
            async with session.post(target, data=raw, headers=headers) as resp:
                assert resp.status == 200, resp.status
            times.append(time.perf_counter() - started)

    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(client(session, work[i::8]) for i in range(8)))
    if not blocked:
        assert queue.qsize() == deliveries * 10
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    times.sort()
    return {'p50': statistics.median(times), 'p99': times[int(len(times) * 0.99) - 1], 'max': times[-1]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--deliveries', type=int, default=400)
    args = parser.parse_args()
    base = asyncio.run(run(args.deliveries, blocked=False))
    slow = asyncio.run(run(args.deliveries, blocked=True))
    print('deliveries of 10 events: %d, 8 clients' % args.deliveries)
    for name, result in (('queue taken (baseline)', base), ('queue blocked', slow)):
        print('%-24s p50 %.1f ms  p99 %.1f ms  max %.1f ms'
              % (name, result['p50'] * 1000, result['p99'] * 1000, result['max'] * 1000))
    print('blocked / baseline p99: %.2fx (Twilio gives up after 5,000 ms)' % (slow['p99'] / base['p99']))


if __name__ == '__main__':
    main()
