# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which [[ values ]] of a Flow template get JSON-escaped: those inside JSON strings, and only those."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.telephony.twilio.plugins.lookup.studio_flow_template import escape_values_in_strings

ESC = ' | telephony.twilio.studio_json_text '


@pytest.mark.parametrize('text, expected', [
    ('{"body": "[[ greeting ]]"}', '{"body": "[[ ( greeting )' + ESC + ']]"}'),
    ('{"n": [[ count ]], "b": "x [[ a | default("q") ]] y"}',
     '{"n": [[ count ]], "b": "x [[ ( a | default("q") )' + ESC + ']] y"}'),
    ('{"s": "[[ studio_flow_sids[\'Collect address\'] ]]"}',
     '{"s": "[[ ( studio_flow_sids[\'Collect address\'] )' + ESC + ']]"}'),
    ('{"b": "a \\" [[ v ]]"}', '{"b": "a \\" [[ ( v )' + ESC + ']]"}'),
    ('{"b": "[%- if x %]"[[ v ]]"[% endif %]"}', '{"b": "[%- if x %]"[[ v ]]"[% endif %]"}'),
    ('[# "a comment" #]{"b": "[[- v -]]"}', '[# "a comment" #]{"b": "[[- ( v )' + ESC + '-]]"}'),
    ('{"b": "[[ d[\'k\'][0] ]]"}', '{"b": "[[ ( d[\'k\'][0] )' + ESC + ']]"}'),
    ('{"b": "{{ liquid }} [[ v ]]"}', '{"b": "{{ liquid }} [[ ( v )' + ESC + ']]"}'),
], ids=['in-string', 'outside-kept', 'subflow-sid', 'after-escaped-quote', 'jinja-block-kept', 'comment-and-trim',
        'nested-brackets', 'liquid-left-alone'])
def test_values_in_strings_are_escaped(text, expected):
    assert escape_values_in_strings(text) == expected


def test_the_jinja2_header_line_is_kept_and_an_unclosed_value_refused():
    header = "#jinja2: block_start_string:'[%', block_end_string:'%]'\n"
    assert escape_values_in_strings(header + '{"a": "[[ v ]]"}') == header + '{"a": "[[ ( v )' + ESC + ']]"}'
    with pytest.raises(ValueError, match='has no ]]'):
        escape_values_in_strings('{"a": "[[ v "}')
