# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the telephony.twilio collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""The argument spec of an action whose module file only documents it (a stub), read from the stub's
DOCUMENTATION, as ansible.utils' ``validate`` action validates its arguments against its documentation:
the options are written once, where ansible-doc shows them, and the action validates the task's
arguments with ``ActionBase.validate_argument_spec`` (ansible-core's ArgumentSpecValidator), which
fails the task naming the option."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import functools

import yaml

from ansible.plugins.loader import fragment_loader
from ansible.utils.plugin_docs import add_fragments

# The keys of an option's documentation that are also keys of its argument spec
# (``suboptions`` becomes ``options``); description, version_added and the like are for readers.
SPEC_KEYS = ('type', 'elements', 'default', 'choices', 'required', 'aliases', 'no_log')


def documented_argument_spec(documentation, filename='DOCUMENTATION'):
    """The argument spec that ``documentation`` (a module's DOCUMENTATION text) describes, with the
    options of the doc fragments it extends. A new dict on each call; the text is parsed once."""
    return copy.deepcopy(_parsed_spec(documentation, filename))


@functools.lru_cache(maxsize=None)
def _parsed_spec(documentation, filename):
    doc = yaml.safe_load(documentation)
    if doc.get('extends_documentation_fragment'):
        add_fragments(doc, filename, fragment_loader=fragment_loader, is_module=True)
    return _spec(doc.get('options') or {})


def _spec(options):
    spec = {}
    for name, option in options.items():
        entry = dict((key, option[key]) for key in SPEC_KEYS if key in option)
        if option.get('suboptions'):
            entry['options'] = _spec(option['suboptions'])
        spec[name] = entry
    return spec
