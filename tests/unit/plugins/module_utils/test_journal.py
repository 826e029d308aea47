# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The results file: written line by line from threads, read while it grows, half lines wait."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading

import pytest

from ansible_collections.telephony.twilio.plugins.module_utils import _journal
from ansible_collections.telephony.twilio.plugins.module_utils._journal import ResultsReader, ResultsWriter


def test_reader_sees_each_whole_line_once_while_the_file_grows(tmp_path):
    path = str(tmp_path / 'results.jsonl')
    reader = ResultsReader(path)
    assert reader.new_results() == {}  # not written yet
    writer = ResultsWriter(path)
    writer.write('a', {'changed': True})
    assert reader.new_results() == {'a': {'changed': True}}
    assert reader.new_results() == {}
    with open(path, 'a') as handle:  # a line being written: not read until it ends
        handle.write('{"name": "b", "result": {"x": ')
    assert reader.new_results() == {}
    with open(path, 'a') as handle:
        handle.write('1}}\n')
    assert reader.new_results() == {'b': {'x': 1}}
    writer.close()


def test_lines_from_many_threads_never_mix(tmp_path):
    path = str(tmp_path / 'results.jsonl')
    writer = ResultsWriter(path)
    big = {'context': {'text': 'x' * 5000}}

    def write(start):
        for i in range(start, start + 50):
            writer.write('c%d' % i, dict(big, n=i))

    threads = [threading.Thread(target=write, args=(n * 50,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    writer.close()
    found = ResultsReader(path).new_results()
    assert len(found) == 400 and all(found['c%d' % i]['n'] == i for i in range(400))


def test_whole_lines_cuts_only_a_torn_last_line(tmp_path):
    path = tmp_path / 'export.jsonl'
    path.write_text('{"sid": "FN1"}\n{"sid": "FN2"}\n{"sid": "FN3", "execu')
    assert _journal.whole_lines(str(path), 'sid', repair=False) == ({'FN1', 'FN2'}, 21)
    assert path.read_text().endswith('"execu')  # not repaired when asked not to
    assert _journal.whole_lines(str(path), 'sid') == ({'FN1', 'FN2'}, 21)
    assert path.read_text() == '{"sid": "FN1"}\n{"sid": "FN2"}\n'
    assert _journal.whole_lines(str(path), 'sid') == ({'FN1', 'FN2'}, 0)


def test_whole_lines_refuses_a_file_it_did_not_write(tmp_path):
    path = tmp_path / 'other.jsonl'
    path.write_text('{"sid": "FN1"}\nnot json\n{"sid": "FN3"}\n')
    with pytest.raises(ValueError, match='line 2 is not a line this collection wrote'):
        _journal.whole_lines(str(path), 'sid')
    assert _journal.whole_lines(str(tmp_path / 'missing.jsonl'), 'sid') == (set(), 0)
