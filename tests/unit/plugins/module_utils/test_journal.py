# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The results directory: one whole file per contact, written from threads, each read by its own
contact; and the export's JSON Lines helper."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat
import threading

import pytest

from ansible_collections.telephony.twilio.plugins.module_utils import _journal
from ansible_collections.telephony.twilio.plugins.module_utils._journal import ResultsWriter, read_result, result_file


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
