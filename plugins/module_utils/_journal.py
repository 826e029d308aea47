# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the telephony.twilio collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""The results of a batch, one file per contact: ``studio_campaign`` writes each contact's result
(``{"name": ..., "result": {...}}``) as soon as it is known, and each contact's host reads its own
file with the ``studio_campaign_facts`` action while the batch still runs. One file per contact, so
that a contact's facts are read from a file that is certainly its own, in O(1) whatever the size of
the batch; each file is written whole (a temporary file renamed), so a reader never sees half of it.
Also the JSON Lines helper of the export (``whole_lines``)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import shutil


def result_file(directory, name):
    """The file of contact ``name`` in the results directory (its name is a digest: host names are
    the inventory's, not file names)."""
    return os.path.join(directory, hashlib.sha256(name.encode('utf-8')).hexdigest()[:40] + '.json')


class ResultsWriter:
    """Writes each contact's result to its own file in ``directory`` (0600), from any thread."""

    def __init__(self, directory):
        self.directory = directory
        if not os.path.isdir(directory):
            raise OSError('%s is not a directory' % directory)

    def write(self, name, result):
        path = result_file(self.directory, name)
        text = json.dumps({'name': name, 'result': result}, sort_keys=True, allow_nan=False)
        temporary = path + '.part'
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, 'O_NOFOLLOW', 0), 0o600)
        with os.fdopen(handle, 'w') as stream:
            stream.write(text)
        os.replace(temporary, path)

    def remove(self):
        """Remove the directory and every result in it (the run that wanted them is gone)."""
        shutil.rmtree(self.directory, ignore_errors=True)


def read_result(directory, name):
    """Contact ``name``'s result from the results directory, or None while it is not written."""
    try:
        with open(result_file(directory, name)) as handle:
            entry = json.load(handle)
    except (IOError, OSError):
        return None
    if entry.get('name') != name:
        raise ValueError('%s holds the result of %r, not of %r' % (result_file(directory, name), entry.get('name'),
                                                                   name))
    return entry['result']


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
