# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The results directory: one whole file per contact, written from threads, each read by its own
contact; the facts and the last widget made of a contact's result (the export's JSON Lines reader:
test_files.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat
import threading

import pytest

from ansible_collections.telephony.twilio.plugins.module_utils._results import (
    ResultsWriter,
    execution_facts,
    last_widget,
    read_result,
    result_file,
)


def test_each_contact_reads_its_own_result_once_it_is_written(tmp_path):
    writer = ResultsWriter(str(tmp_path))
    assert read_result(str(tmp_path), 'a') is None  # not written yet
    writer.write('a', {'changed': True})
    writer.write('../b c', {'x': 1})
    assert read_result(str(tmp_path), 'a') == {'changed': True}
    assert read_result(str(tmp_path), '../b c') == {'x': 1}
    # names are digests: an inventory host name never becomes a path
    assert sorted(os.listdir(str(tmp_path))) == sorted(os.path.basename(result_file(str(tmp_path), n))
                                                       for n in ('a', '../b c'))
    assert stat.S_IMODE(os.stat(result_file(str(tmp_path), 'a')).st_mode) == 0o600


def test_a_file_that_holds_another_contact_is_refused(tmp_path):
    writer = ResultsWriter(str(tmp_path))
    writer.write('a', {'n': 1})
    os.rename(result_file(str(tmp_path), 'a'), result_file(str(tmp_path), 'b'))
    with pytest.raises(ValueError, match="holds the result of 'a', not of 'b'"):
        read_result(str(tmp_path), 'b')


def test_results_from_many_threads_are_whole_and_removed_at_the_end(tmp_path):
    directory = tmp_path / 'results'
    directory.mkdir()
    writer = ResultsWriter(str(directory))
    big = {'context': {'text': 'x' * 5000}}

    def write(start):
        for i in range(start, start + 50):
            writer.write('c%d' % i, dict(big, n=i))

    threads = [threading.Thread(target=write, args=(n * 50,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(read_result(str(directory), 'c%d' % i)['n'] == i for i in range(400))
    assert not [name for name in os.listdir(str(directory)) if name.endswith('.part')]
    writer.remove()
    assert not directory.exists()


def test_the_facts_of_a_result_are_three_with_empty_values_for_what_is_not_there():
    """studio_execution facts=true and studio_campaign_facts set the same three facts."""
    execution = {'sid': 'FN' + 'a' * 32, 'status': 'active'}
    context = {'flow': {'data': {'name': 'Ann'}}}
    steps = [{'transitioned_from': 'Trigger', 'transitioned_to': 'ask'}]
    empty = {'studio_execution': None, 'studio_context': {}, 'studio_steps': []}
    assert execution_facts() == empty  # a failed contact, or state=absent
    assert execution_facts(None, None, None) == empty
    assert execution_facts(execution) == {'studio_execution': execution, 'studio_context': {}, 'studio_steps': []}
    assert execution_facts(execution, context, steps) == {'studio_execution': execution, 'studio_context': context,
                                                          'studio_steps': steps}


def test_the_last_widget_is_the_one_entered_or_the_one_that_ended_the_flow():
    assert last_widget([]) is None and last_widget(None) is None
    assert last_widget([{'transitioned_from': 'Trigger', 'transitioned_to': 'ask'}]) == 'ask'
    assert last_widget([{'transitioned_from': 'Trigger', 'transitioned_to': 'ask'},
                        {'transitioned_from': 'ask', 'transitioned_to': 'Ended'}]) == 'ask'
