# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The actions whose module file only documents them validate their arguments against that documentation:
the spec read from it, and a bad argument failing the task with a message naming the option, before the
action does anything."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from unittest.mock import MagicMock

import pytest

from ansible.errors import AnsibleActionFail
from ansible.plugins.loader import action_loader

from ansible_collections.telephony.twilio.plugins.action import studio_campaign_facts, studio_report_file
from ansible_collections.telephony.twilio.plugins.module_utils._files import DEFAULT_MODE
from ansible_collections.telephony.twilio.plugins.plugin_utils._documented_args import documented_argument_spec

SUBOPTIONS = r'''
module: example
options:
  name:
    description: A name.
    required: true
    aliases: [id]
  secret:
    description: Never shown.
    type: str
    no_log: true
  items:
    description: A list of dicts.
    type: list
    elements: dict
    default: []
    suboptions:
      kind:
        description: Its kind.
        choices: [a, b]
        default: a
'''


def test_the_spec_is_what_the_documentation_says_and_nothing_for_readers():
    assert documented_argument_spec(SUBOPTIONS) == {
        'name': {'required': True, 'aliases': ['id']},
        'secret': {'type': 'str', 'no_log': True},
        'items': {'type': 'list', 'elements': 'dict', 'default': [],
                  'options': {'kind': {'choices': ['a', 'b'], 'default': 'a'}}},
    }


def test_each_call_returns_a_new_spec():
    documented_argument_spec(SUBOPTIONS)['items']['options']['kind']['default'] = 'b'
    assert documented_argument_spec(SUBOPTIONS)['items']['options']['kind']['default'] == 'a'


def test_the_stubs_document_the_specs_their_actions_used_to_write_by_hand():
    assert documented_argument_spec(studio_campaign_facts.DOCUMENTATION) == {
        'results_dir': {'type': 'path'}, 'contact': {'type': 'str'}, 'job': {'type': 'str'},
        'timeout': {'type': 'float', 'default': 86400}}
    assert documented_argument_spec(studio_report_file.DOCUMENTATION) == {
        'path': {'type': 'path', 'required': True}, 'content': {'type': 'str'},
        'mode': {'type': 'raw', 'default': '%04o' % DEFAULT_MODE}, 'check_writable': {'type': 'bool', 'default': False},
        'label': {'type': 'str', 'default': 'path'}}


def run_action(plugin, args):
    """The action's result for a task with ``args``, the action loaded as Ansible loads it."""
    task = MagicMock(args=args, async_val=0, check_mode=False)
    action = action_loader.get('telephony.twilio.' + plugin.__name__.rsplit('.', 1)[-1], task, MagicMock(),
                               MagicMock(), loader=None, templar=None, shared_loader_obj=None)
    assert isinstance(action, plugin.ActionModule)
    return action.run(task_vars={})


@pytest.mark.parametrize('plugin, args, named', [
    (studio_campaign_facts, {'contact': 'ann', 'results_dir': '/nowhere', 'timeout': 'soon'}, 'timeout'),
    (studio_campaign_facts, {'contact': 'ann', 'result_dir': '/nowhere'}, 'result_dir'),
    (studio_report_file, {'content': 'x'}, 'path'),
    (studio_report_file, {'path': '/nowhere/report.csv', 'check_writable': 'perhaps'}, 'check_writable'),
    (studio_report_file, {'path': '/nowhere/report.csv', 'content': 'x', 'owner': 'root'}, 'owner'),
])
def test_a_bad_argument_fails_naming_the_option_before_anything_is_done(plugin, args, named, tmp_path):
    with pytest.raises(AnsibleActionFail) as info:
        run_action(plugin, args)
    assert named in str(info.value)


def test_the_documented_defaults_reach_the_action(tmp_path):
    report = tmp_path / 'report.csv'
    result = run_action(studio_report_file, {'path': str(report), 'content': 'a,b\n'})
    assert not result.get('failed'), result
    assert report.read_text() == 'a,b\n'
    assert report.stat().st_mode & 0o777 == DEFAULT_MODE
