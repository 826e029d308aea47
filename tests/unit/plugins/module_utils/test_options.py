# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One home per shared option: each argument-spec chunk of module_utils/_options.py and the doc fragment
of the same name declare the same options, with the same type, default, choices and requiredness; an
option read from the environment names its variables in its documentation, and a secret (no_log) says that
it is never shown."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import yaml

from ansible_collections.telephony.twilio.plugins.doc_fragments import connection, credentials, executions
from ansible_collections.telephony.twilio.plugins.module_utils import _options

# (argument-spec chunk, the doc fragment that documents it)
CHUNKS = [
    (_options.credentials_argument_spec, credentials.ModuleDocFragment.DOCUMENTATION),
    (_options.connection_argument_spec, connection.ModuleDocFragment.DOCUMENTATION),
    (_options.executions_argument_spec, executions.ModuleDocFragment.DOCUMENTATION),
]
# What a spec entry and its documentation must agree on, with the defaults both assume.
AGREED = {'type': 'str', 'default': None, 'choices': None, 'elements': None, 'required': False}


@pytest.mark.parametrize('chunk, documentation', CHUNKS, ids=[chunk.__name__ for chunk, _doc in CHUNKS])
def test_chunk_and_its_doc_fragment_declare_the_same_options(chunk, documentation):
    spec = chunk()
    documented = yaml.safe_load(documentation)['options']
    assert sorted(spec) == sorted(documented)
    for name, entry in spec.items():
        for key, default in AGREED.items():
            assert entry.get(key, default) == documented[name].get(key, default), (name, key)
        text = ' '.join(documented[name]['description'])
        fallback = entry.get('fallback')
        if fallback:
            assert all('E(%s)' % variable in text for variable in fallback[1]), name
        # A secret is no_log, and its documentation says so; nothing else claims it.
        assert bool(entry.get('no_log')) == ('Never logged or shown' in text), name


@pytest.mark.parametrize('chunk', [chunk for chunk, _doc in CHUNKS])
def test_each_call_returns_a_new_spec(chunk):
    first = chunk()
    name = sorted(first)[0]
    first[name]['required'] = not first[name].get('required', False)
    assert chunk()[name].get('required', False) != first[name]['required']
