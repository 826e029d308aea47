# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the telephony.twilio collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""Values picked out of an Execution Context by a path such as ``widgets.ask.inbound.Body`` or
``flow.data.list[0]`` (report fields): the batch and the report read them the same way. No HTTP."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

PATH_STEP = re.compile(r'([^.\[\]]+)|\[(-?[0-9]+)\]')
PATH = re.compile(r'[^.\[\]]+(\[-?[0-9]+\])*(\.[^.\[\]]+(\[-?[0-9]+\])*)*')


def dig(data, path):
    """The value at ``path`` (``a.b[0].c``) in ``data``, or None where it leads nowhere."""
    for key, index in PATH_STEP.findall(path or ''):
        if key:
            data = data.get(key) if isinstance(data, dict) else None
        else:
            position = int(index)
            data = data[position] if isinstance(data, list) and -len(data) <= position < len(data) else None
        if data is None:
            return None
    return data
