#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: studio_execution_export
short_description: Export a Flow's Executions with their Context and Steps as JSON Lines, before Studio forgets them
version_added: 1.0.0
description:
  - Studio keeps Execution and Step data for 30 days. This module writes every Execution of a Flow created in a
    date window to a JSON Lines file on the machine the module runs on, one Execution per line, with its Execution
    Context, its Steps in chronological order and each Step's Context.
  - Streamed with constant memory - the listing is read a page (1,000 Executions) at a time and each Execution is
    written, flushed, as soon as it is read - so it suits exports of any size.
  - Resumable. Executions already in the file are skipped, so a rerun after an interruption (or the next run of a
    schedule, with overlapping windows) adds only what is missing; a last line cut short by a crash is removed and
    written again. Lines are never duplicated.
  - It touches only its own files. The Flow and the credentials are checked (one request) before the file is
    opened. A new file is created with mode C(0600); an existing file keeps its mode. A path that is a symbolic
    link, a directory, a FIFO, a device or a socket, a file of another user or a file with other names (hard
    links) is refused without being read.
    Every line already in the file must be a line this module wrote (at most 64 MiB), else the file is refused
    and left as it is - a JSON file or another tool's JSON Lines is never "repaired". A torn last line is cut only
    when whole lines before it prove the file is an export, and never in place - the whole lines are copied to a
    new file beside it, which is renamed over the path.
  - One writer per file. An export holds an exclusive lock (C(flock)) on its file while it writes; a second export
    of the same file waits O(lock_timeout) seconds for it, then fails naming the process that holds it. The lock
    goes with the process, so a killed export leaves none behind.
  - Cost, linear - one listing request per 1,000 Executions, then 2 + S requests per Execution exported (its
    Context, its Steps, and the Context of each of its S Steps).
  - Meant to run on a schedule (an AWX schedule of C(playbooks/export_executions.yml)) more often than every 30 days.
options:
  flow:
    description:
      - A Flow SID (C(FW) followed by 32 hexadecimal digits) or the exact friendly name of one Flow.
    type: str
    required: true
  path:
    description:
      - The JSON Lines file to write (created with mode C(0600) when missing, appended to otherwise). Its directory
        must exist. Give an absolute path - with a local connection, Ansible runs modules in the playbook's
        directory, so a relative path is relative to that. C(playbooks/export_executions.yml) makes its
        C(studio_export_path) absolute from the directory C(ansible-playbook) was started in.
      - "Each line is C({\"sid\": ..., \"execution\": {...}, \"context\": {...}, \"steps\": [...]}), the Execution as the
        v1 API returns it, its Context, and its Steps oldest first, each with its C(context)."
    type: path
    required: true
  date_created_from:
    description:
      - The oldest Execution to export (inclusive), an ISO 8601 date-time or date in UTC.
      - Defaults to 30 days before now, as long as Studio keeps Executions.
    type: str
  date_created_to:
    description:
      - The end of the window (exclusive), an ISO 8601 date-time or date in UTC. Defaults to no end.
    type: str
  step_context:
    description:
      - Export each Step's Context too (one request per Step). Without it, an Execution costs 2 requests.
    type: bool
    default: true
  workers:
    description:
      - Executions read at the same time. Lines are written in the order of the listing (newest first) whatever
        the number.
    type: int
    default: 4
  lock_timeout:
    description:
      - Seconds to wait for another export of the same O(path) to finish (from 0 to 3600). Then the task fails,
        naming the process that holds the file, and writes nothing.
    type: float
    default: 10
  lifeline:
    description:
      - The process whose end stops the export, as C(PID) or C(PID:START) (its start time in clock ticks, from
        C(/proc)). The collection's action plugin sets it to the C(ansible-playbook) process that runs the task; there
        is no need to give it.
      - Before each Execution the export checks it. Once that process is gone (interrupted with Ctrl-C, cancelled in
        AWX, killed), no further Execution is read; the lines already whole stay in the file, and a rerun resumes.
      - An empty string turns the check off.
    type: str
extends_documentation_fragment:
  - telephony.twilio.credentials
  - telephony.twilio.connection
  - telephony.twilio.attributes
attributes:
  check_mode:
    description: Lists the window and says how many Executions would be written (and how many bytes of a torn last line
      would be cut), without reading them or writing the file. It waits for an export of the same file that is
      writing it, as a second export does.
    support: full
  diff_mode:
    description: The file only grows; the result counts the lines added.
    support: none
seealso:
  - module: telephony.twilio.studio_execution_info
  - name: Studio Execution resource (v1)
    description: Twilio's reference of Executions, Execution Context, Steps and Step Context.
    link: https://www.twilio.com/docs/studio/rest-api/execution
author:
  - telephony.twilio developers (@telephony-twilio)
'''

EXAMPLES = r'''
- name: Keep the last 30 days of a Flow's Executions (rerun it weekly; it adds only what is new)
  telephony.twilio.studio_execution_export:
    flow: Customer survey
    path: /var/lib/studio/customer-survey.jsonl

- name: One month, without Step Contexts
  telephony.twilio.studio_execution_export:
    flow: FW0123456789abcdef0123456789abcdef
    path: exports/2026-11.jsonl
    date_created_from: "2026-11-01"
    date_created_to: "2026-12-01"
    step_context: false
  register: export

- name: Read it back, one Execution per line
  ansible.builtin.debug:
    msg: "{{ (lookup('ansible.builtin.file', 'exports/2026-11.jsonl').splitlines() | first | from_json).execution.status }}"
'''

RETURN = r'''
path:
  description: The file written.
  returned: always
  type: str
  sample: /var/lib/studio/customer-survey.jsonl
exported:
  description: Executions written by this run (in check mode, that would be written).
  returned: always
  type: int
  sample: 120
already_exported:
  description: Executions of the window already in the file (not read again).
  returned: always
  type: int
  sample: 880
listed:
  description: Executions in the window.
  returned: always
  type: int
  sample: 1000
repaired_bytes:
  description: Bytes of a torn last line (left by an interrupted run) cut from the file before appending (in check
    mode, that would be cut).
  returned: always
  type: int
  sample: 0
lock_holders:
  description: Process IDs of the export that holds the file, when the task failed because it did (empty where they
    cannot be read, outside Linux).
  returned: when another export holds the file
  type: list
  elements: int
  sample: [4242]
date_created_from:
  description: The start of the window that was exported (UTC).
  returned: always
  type: str
  sample: '2026-10-28T09:00:00Z'
'''

import datetime
import itertools
import json
import os

from ansible_collections.telephony.twilio.plugins.module_utils import _files
from ansible_collections.telephony.twilio.plugins.module_utils._batch import run_batch
from ansible_collections.telephony.twilio.plugins.module_utils._lifeline import Lifeline
from ansible_collections.telephony.twilio.plugins.module_utils._client import StudioError
from ansible_collections.telephony.twilio.plugins.module_utils._executions import Executions
from ansible_collections.telephony.twilio.plugins.module_utils._flows import FlowNotResolved
from ansible_collections.telephony.twilio.plugins.module_utils._module import StudioModule
from ansible_collections.telephony.twilio.plugins.module_utils._validators import (
    check_flow, check_range, is_sid, parse_datetime, shown, twilio_format)

# Studio keeps Executions for 30 days: the default window.
RETENTION = datetime.timedelta(days=30)
MAX_WORKERS = 32
MAX_LOCK_TIMEOUT = 3600
# The keys of a line of the file: what proves that this collection wrote it.
LINE_KEYS = frozenset(('sid', 'execution', 'context', 'steps'))


def check_options(params):
    """(date_from, date_to, absolute path) after the checks that need no request and open nothing."""
    check_flow(params['flow'])
    date_from = parse_datetime(params['date_created_from'], 'date_created_from')
    date_to = parse_datetime(params['date_created_to'], 'date_created_to')
    check_range(date_from, date_to, 'date_created_from', 'date_created_to')
    if not 1 <= params['workers'] <= MAX_WORKERS:
        raise ValueError('workers must be a whole number from 1 to %d, got %s' % (MAX_WORKERS, params['workers']))
    if not 0 <= params['lock_timeout'] <= MAX_LOCK_TIMEOUT:  # False for NaN too
        raise ValueError('lock_timeout must be a number of seconds from 0 to %d, got %s'
                         % (MAX_LOCK_TIMEOUT, params['lock_timeout']))
    return date_from, date_to, _files.check_target(params['path'], 'path', links=False)


def is_export_line(entry):
    """Whether ``entry`` (a decoded line) is a line this module writes."""
    return (isinstance(entry, dict) and set(entry) == LINE_KEYS and is_sid(entry['sid'], 'FN')
            and isinstance(entry['execution'], dict) and entry['execution'].get('sid') == entry['sid']
            and isinstance(entry['steps'], list))


def exported_sids(fd):
    """(SIDs in the file, bytes of its whole lines, bytes of a torn last line). Raises ValueError."""
    if fd is None:
        return set(), 0, 0
    os.lseek(fd, 0, os.SEEK_SET)
    with os.fdopen(os.dup(fd), 'rb') as handle:
        return _files.read_lines(handle, 'sid', is_export_line)


def chunks(items, size):
    """``items`` (an iterator) in lists of ``size``: only one chunk is held at a time."""
    iterator = iter(items)
    while True:
        chunk = list(itertools.islice(iterator, size))
        if not chunk:
            return
        yield chunk


class ControllerGone(Exception):
    """The ansible-playbook that started the export is gone or stopping: no further Execution is read."""


def export_line(executions, execution, step_context, lifeline=None):
    """One Execution as a line of the file (bytes), with its Context and Steps.

    Called once per Execution, before its reads: an export whose controller is gone (its lifeline)
    starts no further Execution; the reads in flight end, and what was whole is kept."""
    if lifeline is not None and not lifeline.alive():
        raise ControllerGone('ansible-playbook (process %d), which started this export, is gone or stopping '
                             '(interrupted, cancelled or killed); a rerun resumes' % lifeline.pid)
    context = executions.context(execution['sid'])
    steps = executions.steps(execution['sid'], with_context=step_context, workers=1)
    line = json.dumps({'sid': execution['sid'], 'execution': execution, 'context': context, 'steps': steps},
                      sort_keys=True, allow_nan=False).encode('utf-8') + b'\n'
    if len(line) > _files.MAX_LINE:
        raise ValueError('Execution %s makes a line of %d bytes, more than the %d bytes a line of the file may hold'
                         % (execution['sid'], len(line), _files.MAX_LINE))
    return line


def check_flow_exists(module, flow):
    """The Flow's SID, once the Flow and the credentials are proven by a request (a listing of the
    Flows for a friendly name, a read of the Flow for a SID): before the file is opened."""
    try:
        return module.flow_finder.find(flow)['sid']
    except FlowNotResolved as exc:
        module.fail_json(msg='%s (nothing was written)' % exc, **exc.result)
    except StudioError as exc:
        module.fail_api(exc, 'flow: the Flow %s cannot be read (nothing was written)' % shown(flow))


def open_file(module, path):
    """The export file, locked: created (0600) when missing, or in check mode open for reading only
    (None when missing)."""
    try:
        return _files.open_locked(path, wait=module.params['lock_timeout'], write=not module.check_mode)
    except _files.Busy as exc:
        module.fail_json(msg='path: %s' % exc, path=path, lock_holders=exc.holders)
    except (ValueError, OSError) as exc:
        module.fail_json(msg='path: %s' % exc, path=path)


def run_module():
    module = StudioModule(
        argument_spec=dict(
            flow=dict(type='str', required=True),
            path=dict(type='path', required=True),
            date_created_from=dict(type='str'),
            date_created_to=dict(type='str'),
            step_context=dict(type='bool', default=True),
            workers=dict(type='int', default=4),
            lock_timeout=dict(type='float', default=10.0),
            lifeline=dict(type='str'),
        ),
        supports_check_mode=True,
    )
    params = module.params
    date_from, date_to, path = module.valid_or_fail(check_options, params)
    lifeline = module.valid_or_fail(Lifeline.parse, params['lifeline']) if params['lifeline'] else None
    executions = Executions(module.client, check_flow_exists(module, params['flow']))
    if date_from is None:
        date_from = executions.client.server_now() - RETENTION
    result = dict(path=path, exported=0, already_exported=0, listed=0, repaired_bytes=0,
                  date_created_from=twilio_format(date_from))
    fd = open_file(module, path)
    try:
        try:
            have, whole, torn = exported_sids(fd)
        except ValueError as exc:
            module.fail_json(msg='path: %s: %s' % (path, exc), **result)
        result['repaired_bytes'] = torn
        if torn and not module.check_mode:
            fd = _files.replace_with_prefix(fd, path, whole)
        listing = executions.list(date_from=date_from, date_to=date_to)
        for chunk in chunks(listing, params['workers'] * 4):
            result['listed'] += len(chunk)
            todo = [e for e in chunk if e['sid'] not in have]
            result['already_exported'] += len(chunk) - len(todo)
            if module.check_mode:
                result['exported'] += len(todo)
                continue
            lines = run_batch(todo, lambda e: export_line(executions, e, params['step_context'], lifeline),
                              params['workers'])
            for execution, line in zip(todo, lines):
                _files.write_all(fd, line)
                have.add(execution['sid'])
                result['exported'] += 1
    except StudioError as exc:
        module.fail_api(exc, 'Exporting Executions failed after %d written (a rerun resumes)' % result['exported'],
                        **result)
    except ControllerGone as exc:
        module.fail_json(msg='Stopped after %d Executions written: %s' % (result['exported'], exc), **result)
    except (OSError, ValueError) as exc:
        module.fail_json(msg='Writing %s failed after %d Executions (a rerun resumes): %s'
                             % (path, result['exported'], exc), **result)
    finally:
        if fd is not None:
            os.close(fd)
    module.exit_json(changed=bool(result['exported'] or result['repaired_bytes']), **result)


def main():
    run_module()


if __name__ == '__main__':
    main()
