# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Command line: start the emulator, print ``READY http://HOST:PORT``, stop on SIGINT/SIGTERM."""

import argparse
import os
import signal
import sys
import threading

from . import DEFAULT_ACCOUNT_SID, DEFAULT_API_KEY, DEFAULT_API_SECRET, DEFAULT_AUTH_TOKEN
from .app import create_app
from .engine import SID_PATTERNS, FlowError
from .faults import FaultError, Faults
from .server import bound_server
from .store import Store

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_FLOWS = os.path.join(HERE, 'flows')


def parser():
    p = argparse.ArgumentParser(prog='studio-emulator', description=__doc__)
    p.add_argument('--host', default='127.0.0.1', help='address to listen on (default 127.0.0.1)')
    p.add_argument('--port', type=int, default=0, help='port, 0 for a free one (default 0)')
    p.add_argument('--flows', action='append', default=None, metavar='PATH',
                   help='flow-definition JSON file or folder (repeatable; default: the shipped examples)')
    p.add_argument('--account-sid', default=DEFAULT_ACCOUNT_SID)
    p.add_argument('--auth-token', default=DEFAULT_AUTH_TOKEN)
    p.add_argument('--api-key', default=DEFAULT_API_KEY)
    p.add_argument('--api-secret', default=DEFAULT_API_SECRET)
    p.add_argument('--state', metavar='FILE', help='keep state in FILE; a restart resumes where it stopped')
    p.add_argument('--seed', type=int, default=0, help='seed of the fault draws (default 0)')
    p.add_argument('--fault', action='append', default=[], metavar='SPEC',
                   help='a fault rule, e.g. kind=429,method=POST,path=/v1/Flows/*/Executions,rate=0.1,retry_after=1')
    p.add_argument('--rate-limit', type=float, default=20.0,
                   help='REST-triggered Executions a second per account (default 20; 0 = no limit)')
    p.add_argument('--rate-window', type=float, default=10.0,
                   help='seconds over which --rate-limit is averaged (default 10, as Twilio; 1 for stress tests)')
    p.add_argument('--retry-after', type=float, default=None, metavar='SECONDS',
                   help='send Retry-After with the rate limiter\'s 429s (default: none; Twilio does not promise it)')
    p.add_argument('--execution-lifetime', type=float, default=30 * 86400,
                   help='seconds after which an active Execution ends (default 30 days)')
    p.add_argument('--max-steps', type=int, default=1000, help='Steps after which an Execution ends (default 1000)')
    p.add_argument('--tls-cert', help='serve HTTPS with this certificate (PEM)')
    p.add_argument('--tls-key', help='private key of --tls-cert (PEM)')
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    if not SID_PATTERNS['AC'].match(args.account_sid) or not SID_PATTERNS['SK'].match(args.api_key):
        print('studio-emulator: --account-sid must be AC + 32 hex digits and --api-key SK + 32 hex digits',
              file=sys.stderr)
        return 2
    try:
        store = Store(args.account_sid, args.flows or [DEFAULT_FLOWS], args.state, args.rate_limit,
                      args.rate_window, args.execution_lifetime, args.max_steps, retry_after=args.retry_after)
        faults = Faults(args.fault, args.seed)
    except (FlowError, FaultError, OSError, ValueError) as exc:
        print('studio-emulator: %s' % exc, file=sys.stderr)
        return 2
    credentials = {(args.account_sid, args.auth_token), (args.api_key, args.api_secret)}
    app = create_app(store, credentials, faults)
    tls = (args.tls_cert, args.tls_key) if args.tls_cert else None
    try:
        server = bound_server(args.host, args.port, app, tls)
    except (OSError, ValueError) as exc:
        print('studio-emulator: cannot listen on %s:%s: %s' % (args.host, args.port, exc), file=sys.stderr)
        return 2

    def stop(signum, frame):  # pylint: disable=unused-argument
        threading.Thread(target=server.stop, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheme = 'https' if tls else 'http'
    host = args.host if ':' not in args.host else '[%s]' % args.host
    print('studio-emulator: flows: %s' % ', '.join('%s (%s)' % (f['friendly_name'], f['sid']) for f in store.list_flows()),
          file=sys.stderr)
    shown_token = args.auth_token if args.auth_token == DEFAULT_AUTH_TOKEN else '(given)'
    shown_secret = args.api_secret if args.api_secret == DEFAULT_API_SECRET else '(given)'
    print('studio-emulator: credentials: account %s / token %s, API key %s / secret %s'
          % (args.account_sid, shown_token, args.api_key, shown_secret), file=sys.stderr)
    print('READY %s://%s:%d' % (scheme, host, server.bind_addr[1]), flush=True)
    try:
        server.serve()
    finally:
        server.stop()
        store.close()
    return 0
