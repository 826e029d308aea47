# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: studio_flow_template
version_added: 1.0.0
short_description: Render a Flow definition template so that its values cannot change the JSON's shape
description:
  - "Renders a Studio Flow template (C(NAME.json.j2)) as P(ansible.builtin.template#lookup) does, with Jinja's values
    written C([[ value ]]) and comments C([# #]) (Studio's Liquid keeps C({{ }}) and C({% %})), and with one
    difference: a C([[ value ]]) inside a JSON string is rendered JSON-escaped."
  - "A value holding a double quote or a backslash stays part of its string, so a template value cannot add keys,
    end the string early, or put a second C(to) into a widget."
  - A C([[ value ]]) outside any string (a number, or a whole object with C(to_json)) is rendered as it is.
  - "A template that needs Jinja blocks starts with the line
    C(#jinja2: block_start_string:'[%', block_end_string:'%]') and writes them C([% if %] ... [% endif %])."
  - "The template is rendered from a private temporary copy, removed at once; C([% include %]) of other
    templates is not supported."
options:
  _terms:
    description: The templates' paths.
    type: list
    elements: str
    required: true
  template_vars:
    description: Variables added to the play's variables while rendering (as for P(ansible.builtin.template#lookup)).
    type: dict
    default: {}
author:
  - telephony.twilio developers (@telephony-twilio)
'''

EXAMPLES = r'''
- name: Render a Flow template for this inventory
  ansible.builtin.debug:
    msg: "{{ lookup('telephony.twilio.studio_flow_template', 'flows/escalation.json.j2', template_vars={'studio_flow_sids': {}}) }}"
'''

RETURN = r'''
_raw:
  description: The rendered text of each template.
  type: list
  elements: str
'''

import os
import shutil
import tempfile

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.plugins.loader import lookup_loader
from ansible.plugins.lookup import LookupBase

DELIMITERS = dict(variable_start_string='[[', variable_end_string=']]',
                  comment_start_string='[#', comment_end_string='#]')
ESCAPE = 'telephony.twilio.studio_json_text'
QUOTES = ('"', "'")
OPENING = '([{'
CLOSING = ')]}'


def _expression_end(text, start):
    """The index of the ']]' that ends the Jinja expression starting at ``start`` (after '[['), skipping
    string literals and balanced brackets as Jinja's lexer does; -1 when there is none."""
    depth, index, length = 0, start, len(text)
    while index < length:
        char = text[index]
        if char in QUOTES:
            close = index + 1
            while close < length and text[close] != char:
                close += 2 if text[close] == '\\' else 1
            index = close + 1
            continue
        if depth == 0 and text.startswith(']]', index):
            return index
        if char in OPENING:
            depth += 1
        elif char in CLOSING and depth:
            depth -= 1
        index += 1
    return -1


def _escaped(expression):
    """``[[ expression ]]`` JSON-escaped, whitespace control (a leading or trailing '-' or '+') kept."""
    head = expression[0] if expression[:1] in ('-', '+') else ''
    tail = expression[-1] if expression[-1:] in ('-', '+') and len(expression) > 1 else ''
    inner = expression[len(head):len(expression) - len(tail)]
    return '[[%s (%s) | %s %s]]' % (head, inner, ESCAPE, tail)


def escape_values_in_strings(text):
    """``text`` (a Flow template) with every [[ value ]] that sits inside a JSON string piped through the
    JSON-escaping filter. Jinja blocks ([% %]) and comments ([# #]) are copied as they are, and so is a
    first #jinja2: line. Raises ValueError for a [[ without its ]]."""
    out, index, in_string = [], 0, False
    if text.startswith('#jinja2:'):
        index = text.find('\n') + 1 or len(text)
        out.append(text[:index])
    length = len(text)
    while index < length:
        if text.startswith('[[', index):
            end = _expression_end(text, index + 2)
            if end < 0:
                raise ValueError('a [[ at character %d has no ]]' % index)
            expression = text[index + 2:end]
            out.append(_escaped(expression) if in_string and expression.strip() else text[index:end + 2])
            index = end + 2
            continue
        for opening, closing in (('[%', '%]'), ('[#', '#]')):
            if text.startswith(opening, index):
                end = text.find(closing, index + 2)
                end = length if end < 0 else end + 2
                out.append(text[index:end])
                index = end
                break
        else:
            char = text[index]
            if in_string and char == '\\':
                out.append(text[index:index + 2])
                index += 2
                continue
            if char == '"':
                in_string = not in_string
            out.append(char)
            index += 1
    return ''.join(out)


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        template_vars = kwargs.pop('template_vars', None) or {}
        if kwargs:
            raise AnsibleError('studio_flow_template takes only template_vars, not %s' % ', '.join(sorted(kwargs)))
        renderer = lookup_loader.get('ansible.builtin.template', loader=self._loader, templar=self._templar)
        rendered = []
        for term in terms:
            path = self.find_file_in_search_path(variables, 'templates', term)
            if not path:
                raise AnsibleError('studio_flow_template: no template %s' % term)
            with open(to_bytes(path), 'rb') as handle:
                text = to_text(handle.read(), errors='surrogate_or_strict')
            try:
                escaped = escape_values_in_strings(text)
            except ValueError as exc:
                raise AnsibleError('%s: %s' % (path, exc))
            folder = tempfile.mkdtemp(prefix='studio-flow-')  # 0700, private to this user
            try:
                copy = os.path.join(folder, os.path.basename(path))
                with open(to_bytes(copy), 'wb') as handle:
                    handle.write(to_bytes(escaped, errors='surrogate_or_strict'))
                try:
                    rendered.extend(renderer.run([copy], variables, template_vars=template_vars, **DELIMITERS))
                except AnsibleError as exc:
                    raise AnsibleError('%s: %s' % (path, to_text(exc).replace(copy, path)))
            finally:
                shutil.rmtree(folder, ignore_errors=True)
        return rendered
