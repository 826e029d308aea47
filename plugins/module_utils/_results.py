# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the telephony.twilio collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""A contact's result, and the results of a batch, one file per contact: ``studio_campaign`` writes
each contact's result (``{"name": ..., "result": {...}}``) as soon as it is known, and each contact's
host reads its own file with the ``studio_campaign_facts`` action while the batch still runs. One file
per contact, so that a contact's facts are read from a file that is certainly its own, in O(1) whatever
the size of the batch; each file is written whole (a temporary file renamed), so a reader never sees
half of it.

Also what a result says in place of its Steps (``last_widget``), and the host facts made of a result
(``execution_facts``, one home for studio_execution facts=true and studio_campaign_facts). No HTTP:
the report filter and the facts action import this module."""

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


def execution_facts(execution=None, context=None, steps=None):
    """The host facts of one contact's Execution - studio_execution, studio_context, studio_steps - as
    ``studio_execution facts=true`` and ``studio_campaign_facts`` set them: None, {} and [] for what is
    not there (no Execution, or what include did not gather)."""
    return {'studio_execution': execution, 'studio_context': context or {}, 'studio_steps': steps or []}


def last_widget(steps):
    """The widget a contact is at (or ended on), from its Steps in chronological order; None without Steps."""
    if not steps:
        return None
    last = steps[-1]
    return last.get('transitioned_from') if last.get('transitioned_to') == 'Ended' else last.get('transitioned_to')
