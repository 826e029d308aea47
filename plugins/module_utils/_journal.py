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


def whole_lines(path, key, repair=True):
    """The values of ``key`` in every line of a JSON Lines file, after cutting off a torn last line.

    Lines are appended whole and flushed one at a time, so only the last one can be cut short (by a
    crash or a kill); with ``repair`` it is removed (its item is then written again). Returns
    (values, bytes of the torn line). A bad line before the last means the file is not what this
    collection wrote: ValueError."""
    values = set()
    if not os.path.exists(path):
        return values, 0
    good_end = 0
    with open(path, 'rb') as handle:
        for number, raw in enumerate(handle, 1):
            try:
                if not raw.endswith(b'\n'):
                    raise ValueError('torn')
                entry = json.loads(raw.decode('utf-8'))
                values.add(entry[key])
            except (ValueError, KeyError, TypeError):
                rest = handle.read()
                if rest.strip():
                    raise ValueError('%s: line %d is not a line this collection wrote (JSON with "%s"); '
                                     'choose another file' % (path, number, key))
                break
            good_end += len(raw)
        size = handle.seek(0, os.SEEK_END)
    if repair and size > good_end:
        with open(path, 'r+b') as handle:
            handle.truncate(good_end)
    return values, size - good_end
