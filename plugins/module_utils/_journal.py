# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the telephony.twilio collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""The results file of a batch: one JSON object per line, {"name": ..., "result": {...}}, written
by ``studio_campaign`` as each contact is done and read, while the batch still runs, by the
``studio_campaign_facts`` action."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import threading


class ResultsWriter:
    """Appends one line per contact, whole lines only, from any thread."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.handle = open(path, 'a')

    def write(self, name, result):
        line = json.dumps({'name': name, 'result': result}, sort_keys=True, allow_nan=False) + '\n'
        with self.lock:
            self.handle.write(line)
            self.handle.flush()

    def close(self):
        self.handle.close()


class ResultsReader:
    """Reads the lines appended since the last call; a line not yet ended by a newline waits."""

    def __init__(self, path):
        self.path = path
        self.offset = 0
        self.partial = ''

    def new_results(self):
        """{name: result} of the whole lines written since the last call."""
        if not os.path.exists(self.path):
            return {}
        with open(self.path) as handle:
            handle.seek(self.offset)
            text = handle.read()
            self.offset = handle.tell()
        lines = (self.partial + text).split('\n')
        self.partial = lines.pop()
        found = {}
        for line in lines:
            if line.strip():
                entry = json.loads(line)
                found[entry['name']] = entry['result']
        return found


# The longest line an export reads back (and writes): 64 MiB. A line is one Execution with its
# Context and Steps; the bound keeps a file that is not an export (or /dev/zero) from filling memory.
MAX_LINE = 64 * 1024 * 1024


def read_lines(handle, key, is_ours, max_line=MAX_LINE):
    """What a JSON Lines file this collection appends to holds: (values of ``key``, bytes of whole
    lines, bytes after them).

    ``handle`` is the file opened for binary reading at its start. Lines are appended whole and
    flushed one at a time, so only the last one can be cut short (by a crash or a kill): it is
    counted as bytes after the whole lines, for the caller to cut off - but only when whole lines
    before it prove that this collection wrote the file. Raises ValueError, naming the line, for a
    line that ``is_ours`` (given the decoded JSON) rejects, a line longer than ``max_line``, and a
    last line without a newline in a file that has no whole line (a JSON file, or another tool's)."""
    values, whole, number = set(), 0, 0
    while True:
        raw = handle.readline(max_line + 1)
        if not raw:
            return values, whole, 0
        number += 1
        if len(raw) > max_line:
            raise ValueError('line %d is longer than %d bytes: this is not a file this collection wrote; choose '
                             'another file' % (number, max_line))
        if not raw.endswith(b'\n'):
            if not values:
                raise ValueError('its last line has no final newline and no line before it is one this collection '
                                 'wrote (a JSON file, or another tool\'s), so it is not repaired; choose another file')
            return values, whole, len(raw)
        try:
            entry = json.loads(raw.decode('utf-8'))
            if not is_ours(entry):
                raise ValueError(number)
        except (ValueError, RecursionError):
            raise ValueError('line %d is not a line this collection wrote (JSON with "%s"); choose another file'
                             % (number, key))
        values.add(entry[key])
        whole += len(raw)
