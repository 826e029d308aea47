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


def has_sid(entry):
    return isinstance(entry, dict) and 'sid' in entry


def read(path, max_line=_journal.MAX_LINE):
    with open(str(path), 'rb') as handle:
        return _journal.read_lines(handle, 'sid', has_sid, max_line)


def test_read_lines_counts_a_torn_last_line_after_whole_lines(tmp_path):
    path = tmp_path / 'export.jsonl'
    path.write_text('{"sid": "FN1"}\n{"sid": "FN2"}\n{"sid": "FN3", "execu')
    assert read(path) == ({'FN1', 'FN2'}, 30, 21)
    assert path.read_text().endswith('"execu')  # reading never changes the file
    path.write_text('{"sid": "FN1"}\n{"sid": "FN2"}\n')
    assert read(path) == ({'FN1', 'FN2'}, 30, 0)
    path.write_text('')
    assert read(path) == (set(), 0, 0)


def test_read_lines_refuses_a_file_it_did_not_write(tmp_path):
    path = tmp_path / 'other.jsonl'
    path.write_text('{"sid": "FN1"}\nnot json\n{"sid": "FN3"}\n')
    with pytest.raises(ValueError, match='line 2 is not a line this collection wrote'):
        read(path)
    path.write_text('{"sid": "FN1"}\n{"id": 2}\n')  # JSON, but not this format
    with pytest.raises(ValueError, match='line 2 is not a line'):
        read(path)
    path.write_bytes(b'{"sid": "FN1"}\n\xff\xfe\n')  # not UTF-8
    with pytest.raises(ValueError, match='line 2 is not a line'):
        read(path)
    path.write_text('[' * 100000 + '\n')  # deeper than the JSON decoder goes
    with pytest.raises(ValueError, match='line 1 is not a line'):
        read(path)


@pytest.mark.parametrize('text', ['{"sid": "FN1"}', '{"other": "tool"}\n{"sid": "FN1"', '{"a": 1}\n{"b": 2'])
def test_a_last_line_without_newline_is_repaired_only_after_lines_that_prove_the_file(tmp_path, text):
    path = tmp_path / 'x.json'
    path.write_text(text)
    with pytest.raises(ValueError, match='line'):
        read(path)


def test_read_lines_reads_no_more_than_its_bound(tmp_path):
    path = tmp_path / 'long.jsonl'
    path.write_text('{"sid": "FN1"}\n' + 'x' * 5000)
    with pytest.raises(ValueError, match='line 2 is longer than 1000 bytes'):
        read(path, max_line=1000)
    # /dev/zero has no newline and no end: the bound stops the read
    with open('/dev/zero', 'rb') as handle:
        with pytest.raises(ValueError, match='line 1 is longer than 4096 bytes'):
            _journal.read_lines(handle, 'sid', has_sid, 4096)
