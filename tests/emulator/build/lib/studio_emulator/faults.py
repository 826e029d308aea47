# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault injection: deterministic (seeded) per rule, matched on method and path pattern.

A rule is a dict (or ``key=value,...`` on the command line):

``kind``
    ``429`` (``retry_after`` seconds, optional), ``500``, ``503``, ``latency`` (``seconds``),
    ``drop`` (the connection is closed before the request is processed), ``commit_then_fail``
    (the request takes effect, then the connection is closed: the response is lost), ``lag``
    (a new Execution's Context and Steps answer 404 for ``seconds`` after its create).
``method``
    ``GET``, ``POST``, ``DELETE`` or ``*`` (default).
``path``
    a glob over the request path (``*`` matches within one segment, ``**`` across segments);
    default ``/v1/**``.
``rate``
    probability in [0, 1] (default 1); draws come from ``random.Random(seed + rule index)``.
``times``
    fire at most this many times (default: no limit).
"""

import fnmatch
import random
import re
import threading

KINDS = ('429', '500', '503', 'latency', 'drop', 'commit_then_fail', 'lag')
TERMINAL = ('429', '500', '503', 'drop')


class FaultError(ValueError):
    """A fault rule that cannot be used."""


def _glob(pattern):
    parts = []
    for chunk in re.split(r'(\*\*|\*)', pattern):
        if chunk == '**':
            parts.append('.*')
        elif chunk == '*':
            parts.append('[^/]*')
        else:
            parts.append(re.escape(chunk))
    return re.compile('^' + ''.join(parts) + '$')


def parse_rule(text):
    """``kind=429,method=POST,path=/v1/Flows/*/Executions,rate=0.5,retry_after=1``."""
    rule = {}
    for item in text.split(','):
        if not item.strip():
            continue
        key, sep, value = item.partition('=')
        if not sep:
            raise FaultError('fault %r: expected key=value pairs separated by commas' % text)
        rule[key.strip()] = value.strip()
    return rule


class Rule:
    def __init__(self, spec, seed, index):
        if isinstance(spec, str):
            spec = parse_rule(spec)
        if not isinstance(spec, dict):
            raise FaultError('a fault must be an object or key=value text')
        self.spec = dict(spec)
        self.kind = str(spec.get('kind', ''))
        if self.kind not in KINDS:
            raise FaultError('fault kind must be one of %s, not %r' % (', '.join(KINDS), self.kind))
        self.method = str(spec.get('method', '*')).upper()
        self.path = str(spec.get('path', '/v1/**'))
        self.pattern = _glob(self.path) if '*' in self.path else None
        try:
            self.rate = float(spec.get('rate', 1.0))
            self.times = int(spec['times']) if spec.get('times') not in (None, '') else None
            self.seconds = float(spec.get('seconds', 1.0))
            self.retry_after = spec.get('retry_after')
            if self.retry_after not in (None, ''):
                self.retry_after = str(int(float(self.retry_after)))
            else:
                self.retry_after = None
        except (TypeError, ValueError) as exc:
            raise FaultError('fault %r: %s' % (spec, exc)) from exc
        if not 0.0 <= self.rate <= 1.0:
            raise FaultError('fault rate must be between 0 and 1')
        self.random = random.Random(int(seed) + index)
        self.fired = 0

    def matches(self, method, path):
        if self.method not in ('*', method):
            return False
        if self.pattern is not None:
            return bool(self.pattern.match(path))
        return fnmatch.fnmatchcase(path, self.path)

    def draw(self):
        if self.times is not None and self.fired >= self.times:
            return False
        if self.rate < 1.0 and self.random.random() >= self.rate:
            return False
        self.fired += 1
        return True

    def describe(self):
        return dict(self.spec, fired=self.fired)


class Faults:
    """The active rules; thread-safe, replaced as a whole at run time."""

    def __init__(self, specs=(), seed=0):
        self.lock = threading.Lock()
        self.seed = int(seed)
        self.rules = []
        self.set(specs, seed)

    def set(self, specs, seed=None):
        seed = self.seed if seed is None else int(seed)
        rules = [Rule(spec, seed, i) for i, spec in enumerate(specs)]
        with self.lock:
            self.seed = seed
            self.rules = rules

    def pick(self, method, path):
        """The faults that fire for this request: latency/lag/commit rules plus at most one
        terminal fault (429/5xx/drop), in rule order."""
        fired = []
        with self.lock:
            terminal = False
            for rule in self.rules:
                if not rule.matches(method, path):
                    continue
                if rule.kind in TERMINAL or rule.kind == 'commit_then_fail':
                    if terminal:
                        continue
                    if rule.draw():
                        terminal = True
                        fired.append(rule)
                elif rule.draw():
                    fired.append(rule)
        return fired

    def describe(self):
        with self.lock:
            return {'seed': self.seed, 'faults': [r.describe() for r in self.rules]}
