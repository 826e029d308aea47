# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""State of the emulator: flows, executions, limits, the clock and the state file.

Everything mutable lives in one :class:`Store` guarded by one lock. With ``--state FILE`` every
change is appended to a journal (one JSON object a line, flushed before the HTTP response is
sent), so a killed emulator restarts where it stopped; the journal is compacted at start.
"""

import collections
import copy
import datetime
import hashlib
import json
import os
import secrets
import threading
import time

from . import engine
from .engine import FlowError


def new_sid(prefix):
    return prefix + secrets.token_hex(16)


def stable_sid(prefix, text):
    return prefix + hashlib.md5(text.encode('utf-8')).hexdigest()  # nosec - an identifier, not security


def iso(ts):
    if ts is None:
        return None
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


class Clock:
    """Wall clock with an adjustable offset, so tests can travel forward in time."""

    def __init__(self):
        self.offset = 0.0

    def now(self):
        return time.time() + self.offset


class RateLimiter:
    """Sliding window: at most ``rate * window`` accepted creates in any ``window`` seconds.

    Studio allows 20 REST-triggered Executions a second per account, averaged over 10 seconds (the
    default window): bursts pass as long as the 10-second average stays at ``rate``. ``window=1``
    is a stricter reading for stress tests (the 21st create within one second gets 429).
    Twilio does not promise a Retry-After header on 429; it is sent only when ``retry_after`` is set.
    """

    def __init__(self, rate=20.0, window=10.0, retry_after=None):
        self.retry_after = None
        self.configure(rate, window, retry_after)

    def configure(self, rate, window=None, retry_after=None):
        self.rate = float(rate)
        self.window = float(window if window is not None else getattr(self, 'window', 10.0))
        if self.window <= 0:
            raise ValueError('the rate window must be positive')
        if retry_after is not None:
            self.retry_after = float(retry_after) or None
        self.accepted = collections.deque()

    def take(self):
        if self.rate <= 0:
            return True
        now = time.monotonic()
        while self.accepted and now - self.accepted[0] >= self.window:
            self.accepted.popleft()
        if len(self.accepted) >= self.rate * self.window:
            return False
        self.accepted.append(now)
        return True


def load_flow_file(path, account_sid=''):
    """Read one Studio flow-definition file.

    The file holds either a Flow resource of Studio v2 (``friendly_name``, ``status``,
    ``definition``, optional ``sid``) or a bare ``definition`` (``states``, ``initial_state``).
    """
    with open(path, 'r', encoding='utf-8') as handle:
        try:
            data = json.load(handle)
        except ValueError as exc:
            raise FlowError('%s: not JSON: %s' % (path, exc)) from exc
    return flow_from_document(data, os.path.splitext(os.path.basename(path))[0], account_sid)


def flow_from_document(data, default_name='flow', account_sid=''):
    if not isinstance(data, dict):
        raise FlowError('a flow document must be a JSON object')
    definition = data.get('definition', data if 'states' in data else None)
    if not isinstance(definition, dict):
        raise FlowError('a flow document needs a "definition" object (or "states" at its top)')
    engine.check_definition(definition)
    name = data.get('friendly_name') or definition.get('description') or default_name
    status = data.get('status', 'published')
    if status not in ('draft', 'published'):
        raise FlowError('flow status must be draft or published, not %r' % (status,))
    sid = data.get('sid') or stable_sid('FW', '%s/%s' % (account_sid, name))  # one account's Flows are its own
    if not engine.SID_PATTERNS['FW'].match(sid):
        raise FlowError('flow sid %r does not match FW + 32 hex digits' % (sid,))
    return {'sid': sid, 'friendly_name': name, 'status': status, 'version': int(data.get('version', 1)),
            'definition': definition, 'commit_message': data.get('commit_message'),
            'test_users': list(data.get('test_users') or [])}


def with_revisions(flow, now):
    """A flow with its revision history: a flow loaded from a file (or an older state file) has one."""
    if flow.get('revisions'):
        return flow
    revision = {'revision': flow.get('version', 1), 'friendly_name': flow['friendly_name'],
                'status': flow['status'], 'definition': flow['definition'],
                'commit_message': flow.get('commit_message'), 'valid': True, 'errors': [],
                'warnings': engine.definition_warnings(flow['definition']), 'created': flow.get('created', now)}
    return dict(flow, revisions=[revision], test_users=flow.get('test_users') or [],
                definition=flow['definition'] if flow['status'] == 'published' else None)


class NotRunnable(Exception):
    """The Flow has no revision this contact may run (never published, not a test user)."""


class Store:
    """All state of one emulator, guarded by ``self.lock``."""

    def __init__(self, account_sid, flow_paths=(), state_file=None, rate=20.0, window=10.0,
                 lifetime=30 * 86400, max_steps=1000, max_repeats=10, retry_after=None):
        self.lock = threading.RLock()
        self.clock = Clock()
        self._initial_limits = (rate, window, lifetime, max_steps, max_repeats)
        self._initial_retry_after = retry_after
        self.account_sid = account_sid
        self.flow_paths = list(flow_paths)
        self.limiter = RateLimiter(rate, window, retry_after)
        self._set_limits(*self._initial_limits[2:])
        self.state_file = state_file
        self._journal = None
        # Called with (execution, changes) after every change of an Execution (events.py: Event Streams).
        self.listeners = []
        self._reset_memory()
        self._seed_flows()
        if state_file:
            self._replay(state_file)

    # -- state lifecycle -------------------------------------------------------------------
    def _set_limits(self, lifetime, max_steps, max_repeats):
        self.lifetime = float(lifetime)
        self.max_steps = int(max_steps)
        self.max_repeats = int(max_repeats)

    def _reset_memory(self):
        self.flows = {}
        self.executions = {}
        self.active = {}          # (flow_sid, To, From) -> execution sid
        self.seq = 0
        self.created = []         # every Execution ever created: (flow_sid, address, sid)
        self.announced = {}       # execution sid -> (Steps, status) the listeners were told of

    def _seed_flows(self):
        now = self.clock.now()
        for path in self.flow_paths:
            files = [path]
            if os.path.isdir(path):
                files = sorted(os.path.join(path, f) for f in os.listdir(path) if f.endswith('.json'))
            for name in files:
                self.add_flow(load_flow_file(name, self.account_sid), journal=False, now=now)

    def add_flow(self, flow, journal=True, now=None):
        with self.lock:
            now = self.clock.now() if now is None else now
            flow = with_revisions(dict(flow, created=flow.get('created', now), updated=flow.get('updated')), now)
            self.flows[flow['sid']] = flow
            if journal:
                self._write({'op': 'put_flow', 'data': flow})
            return flow

    def reset(self):
        with self.lock:
            self._reset_memory()
            self.clock.offset = 0.0
            self.limiter.configure(*self._initial_limits[:2])
            self.limiter.retry_after = self._initial_retry_after
            self._set_limits(*self._initial_limits[2:])
            self._seed_flows()
            self._write({'op': 'reset'})

    # -- journal ---------------------------------------------------------------------------
    def _replay(self, path):
        if os.path.exists(path):
            with open(path, 'r', encoding='utf-8') as handle:
                for line in handle:
                    line = line.strip()
                    if not line:
                        continue
                    try:
                        entry = json.loads(line)
                    except ValueError:
                        break  # a torn last line from a kill: everything before it stands
                    self._apply(entry)
        tmp = path + '.tmp'
        with open(tmp, 'w', encoding='utf-8') as handle:
            handle.write(json.dumps({'op': 'clock', 'offset': self.clock.offset}) + '\n')
            for flow in self.flows.values():
                handle.write(json.dumps({'op': 'put_flow', 'data': flow}) + '\n')
            for flow_sid, address, sid in self.created:
                handle.write(json.dumps({'op': 'created', 'flow': flow_sid, 'to': address, 'sid': sid}) + '\n')
            for ex in sorted(self.executions.values(), key=lambda e: e['seq']):
                handle.write(json.dumps({'op': 'put', 'data': ex}) + '\n')
        os.replace(tmp, path)
        self._journal = open(path, 'a', encoding='utf-8')  # pylint: disable=consider-using-with

    def _apply(self, entry):
        op = entry.get('op')
        if op == 'reset':
            self._reset_memory()
            self._seed_flows()
        elif op == 'clock':
            self.clock.offset = entry.get('offset', 0.0)
        elif op == 'put_flow':
            self.flows[entry['data']['sid']] = with_revisions(entry['data'], self.clock.now())
        elif op == 'del_flow':
            self.flows.pop(entry['sid'], None)
        elif op == 'created':
            self.created.append((entry['flow'], entry['to'], entry['sid']))
        elif op == 'put':
            ex = entry['data']
            self.executions[ex['sid']] = ex
            self.seq = max(self.seq, ex['seq'])
            self._index(ex)
        elif op == 'del':
            ex = self.executions.pop(entry['sid'], None)
            if ex:
                self._unindex(ex)

    def _write(self, entry):
        if self._journal is not None:
            self._journal.write(json.dumps(entry) + '\n')
            self._journal.flush()

    def save_clock(self):
        self._write({'op': 'clock', 'offset': self.clock.offset})

    def close(self):
        with self.lock:
            if self._journal is not None:
                self._journal.close()
                self._journal = None

    # -- indexes ---------------------------------------------------------------------------
    # One active Execution per To/From pair and Flow, as Studio documents it.
    def _index(self, ex):
        key = (ex['flow_sid'], ex['to'], ex['from'])
        if ex['status'] == 'active':
            self.active[key] = ex['sid']
        elif self.active.get(key) == ex['sid']:
            del self.active[key]

    def _unindex(self, ex):
        key = (ex['flow_sid'], ex['to'], ex['from'])
        if self.active.get(key) == ex['sid']:
            del self.active[key]

    def _save(self, ex):
        self._index(ex)
        self._write({'op': 'put', 'data': ex})
        self._announce(ex)

    def _announce(self, ex):
        """Tell the listeners what happened to ``ex`` since they last heard of it: whether it
        started, the Steps that ended, whether it ended."""
        if not self.listeners:
            return
        steps, status = self.announced.get(ex['sid'], (0, None))
        changes = {'started': status is None, 'steps': ex['steps'][steps:],
                   'ended': ex['status'] == 'ended' and status != 'ended'}
        self.announced[ex['sid']] = (len(ex['steps']), ex['status'])
        for listener in self.listeners:
            listener(ex, changes)

    # -- flows -----------------------------------------------------------------------------
    def list_flows(self):
        with self.lock:
            return sorted(self.flows.values(), key=lambda f: (f['created'], f['sid']), reverse=True)

    def get_flow(self, sid):
        with self.lock:
            return self.flows.get(sid)

    def delete_flow(self, sid):
        with self.lock:
            if self.flows.pop(sid, None) is None:
                return False
            for ex in [e for e in self.executions.values() if e['flow_sid'] == sid]:
                self._unindex(ex)
                del self.executions[ex['sid']]
            self._write({'op': 'del_flow', 'sid': sid})
            return True

    # -- flows as code (v2): revisions, publishing, test users ---------------------------
    def create_flow(self, name, status, definition, commit_message=None):
        """A new Flow with revision 1 (v2 create)."""
        with self.lock:
            now = self.clock.now()
            flow = {'sid': new_sid('FW'), 'friendly_name': name, 'status': status, 'version': 0, 'definition': None,
                    'created': now, 'updated': None, 'revisions': [], 'test_users': []}
            return self._new_revision(flow, name, status, definition, commit_message, now)

    def update_flow(self, flow, status, name=None, definition=None, commit_message=None):
        """A new revision of ``flow`` (v2 update): what is not given stays as in the latest revision."""
        with self.lock:
            latest = flow['revisions'][-1]
            return self._new_revision(dict(flow), name or latest['friendly_name'], status,
                                      latest['definition'] if definition is None else definition,
                                      commit_message, self.clock.now())

    def _new_revision(self, flow, name, status, definition, commit_message, now):
        errors = engine.definition_errors(definition)
        revision = {'revision': len(flow['revisions']) + 1, 'friendly_name': name, 'status': status,
                    'definition': definition, 'commit_message': commit_message, 'valid': not errors,
                    'errors': errors, 'warnings': [] if errors else engine.definition_warnings(definition),
                    'created': now}
        flow['revisions'] = flow['revisions'] + [revision]
        flow.update(friendly_name=name, status=status, version=revision['revision'],
                    updated=now if revision['revision'] > 1 else None)
        if status == 'published':
            flow['definition'] = definition
        self.flows[flow['sid']] = flow
        self._write({'op': 'put_flow', 'data': flow})
        return flow

    @staticmethod
    def flow_revision(flow, which):
        """Revision ``which`` of a flow: its number, 'LatestPublished' or 'LatestRevision'; None if none."""
        revisions = flow['revisions']
        if which == 'LatestRevision':
            return revisions[-1]
        if which == 'LatestPublished':
            return next((r for r in reversed(revisions) if r['status'] == 'published'), None)
        if str(which).isdigit() and 1 <= int(which) <= len(revisions):
            return revisions[int(which) - 1]
        return None

    def runnable_revision(self, flow, to):
        """What an Execution for ``to`` runs: the latest published revision; a test user runs the
        latest revision (a draft); a Flow never published runs nothing for anyone else."""
        latest = flow['revisions'][-1]
        if latest['status'] == 'draft' and to in flow.get('test_users', ()):
            return latest
        return self.flow_revision(flow, 'LatestPublished')

    def definition_of(self, ex):
        """The definition an Execution runs: that of the revision it started on."""
        flow = self.flows.get(ex['flow_sid'])
        if flow is None:
            return None
        revision = self.flow_revision(flow, ex.get('revision', 'LatestPublished'))
        return revision['definition'] if revision else None

    def set_test_users(self, flow, users):
        with self.lock:
            flow['test_users'] = list(users)
            self._write({'op': 'put_flow', 'data': flow})
            return flow

    # -- executions ------------------------------------------------------------------------
    def _tick(self, ex, now):
        """Apply what time did to an Execution: reply timeouts and the lifetime limit."""
        if ex['status'] != 'active':
            return
        changed = False
        if now - ex['created'] >= self.lifetime:
            engine.end(ex, now, 'EXPIRED')
            changed = True
        else:
            waiting = ex.get('waiting')
            while waiting and now >= waiting['deadline'] and ex['status'] == 'active':
                engine.resume(self, ex, self.definition_of(ex), 'timeout', now)
                waiting = ex.get('waiting')
                changed = True
        if changed:
            self._save(ex)

    def get_execution(self, flow_sid, sid):
        with self.lock:
            ex = self.executions.get(sid)
            if ex is None or ex['flow_sid'] != flow_sid:
                return None
            self._tick(ex, self.clock.now())
            return ex

    def list_executions(self, flow_sid, date_from=None, date_to=None):
        with self.lock:
            now = self.clock.now()
            result = []
            for ex in self.executions.values():
                if ex['flow_sid'] != flow_sid:
                    continue
                if date_from is not None and ex['created'] < date_from:
                    continue
                if date_to is not None and ex['created'] >= date_to:
                    continue
                self._tick(ex, now)
                result.append(ex)
            result.sort(key=lambda e: e['seq'], reverse=True)
            return result

    def create_execution(self, flow, to, from_, parameters, lag=0.0):
        """Create and run an Execution; returns (execution, created).

        As Studio v1 does, a To/From pair with an active Execution of this Flow gets that
        Execution back and nothing starts.
        """
        with self.lock:
            now = self.clock.now()
            revision = self.runnable_revision(flow, to)
            if revision is None:
                raise NotRunnable(flow['sid'])
            existing = self.active.get((flow['sid'], to, from_))
            if existing:
                ex = self.executions[existing]
                self._tick(ex, now)
                if ex['status'] == 'active':
                    return ex, False
            self.seq += 1
            ex = {
                'sid': new_sid('FN'), 'flow_sid': flow['sid'], 'account_sid': self.account_sid,
                'contact_sid': stable_sid('FC', to), 'to': to, 'from': from_, 'status': 'active',
                'created': now, 'updated': None, 'seq': self.seq, 'steps': [], 'messages': [],
                'waiting': None, 'last_widget': None, 'repeats': 0, 'revision': revision['revision'],
                'visible_at': time.time() + lag if lag else 0.0,
                'context': engine.initial_context(flow, to, from_, parameters),
            }
            self.executions[ex['sid']] = ex
            self.created.append((flow['sid'], to, ex['sid']))
            self._write({'op': 'created', 'flow': flow['sid'], 'to': to, 'sid': ex['sid']})
            engine.start(self, ex, revision['definition'], now)
            self._save(ex)
            return ex, True

    def end_execution(self, ex):
        with self.lock:
            if ex['status'] == 'active':
                now = self.clock.now()
                engine.end(ex, now, 'ENDED_BY_API')
                self._save(ex)
            return ex

    def delete_execution(self, ex):
        with self.lock:
            if self.executions.pop(ex['sid'], None) is not None:
                self._unindex(ex)
                self._write({'op': 'del', 'sid': ex['sid']})

    def inject_reply(self, ex, body, from_=None):
        """Deliver an inbound message to an Execution waiting for a reply."""
        with self.lock:
            now = self.clock.now()
            self._tick(ex, now)
            if ex['status'] != 'active' or not ex.get('waiting'):
                return False
            widget = ex['waiting']['widget']
            ex['context']['widgets'].setdefault(widget, {})['inbound'] = {
                'Body': body, 'From': from_ or ex['to'], 'To': ex['from'],
                'MessageSid': new_sid('SM'), 'AccountSid': self.account_sid,
            }
            engine.resume(self, ex, self.definition_of(ex), 'incomingMessage', now)
            self._save(ex)
            return True

    def active_for(self, flow_sid, to, from_=None):
        """The SID of the active Execution of ``to`` (and ``from_``, when given) on the Flow, or None."""
        with self.lock:
            for (flow, address, sender), sid in self.active.items():
                if flow == flow_sid and address == to and from_ in (None, sender):
                    return sid
        return None

    def visible(self, ex):
        """False while read-after-write lag hides a new Execution's Context and Steps."""
        return time.time() >= ex.get('visible_at', 0.0)

    def snapshot(self, ex):
        with self.lock:
            return copy.deepcopy(ex)

    def stats(self):
        with self.lock:
            per_contact = {}
            for flow_sid, address, _sid in self.created:
                key = '%s %s' % (flow_sid, address)
                per_contact[key] = per_contact.get(key, 0) + 1
            return {
                'executions_created': len(self.created),
                'executions_present': len(self.executions),
                'active': len(self.active),
                'created_per_contact': per_contact,
                'duplicates': sum(n - 1 for n in per_contact.values() if n > 1),
            }
