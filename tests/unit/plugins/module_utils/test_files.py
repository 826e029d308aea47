# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one safe writer: 0600, modes never widened, never through a link, never a FIFO or device,
one writer per appended file, repairs by copy and rename; an appended JSON Lines file read back."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat
import threading
import time

import pytest

from ansible_collections.telephony.twilio.plugins.module_utils import _files


def mode_of(path):
    return stat.S_IMODE(os.lstat(str(path)).st_mode)


@pytest.fixture
def wide_umask():
    old = os.umask(0)
    yield
    os.umask(old)


def test_a_new_file_is_0600_whatever_the_umask(tmp_path, wide_umask):  # pylint: disable=unused-argument
    path = tmp_path / 'report.csv'
    result = _files.write_file(str(path), 'a,b\n')
    assert result == {'path': str(path), 'mode': '0600', 'changed': True}
    assert path.read_text() == 'a,b\n' and mode_of(path) == 0o600
    assert _files.write_file(str(tmp_path / 'wide.csv'), 'x', 0o640)['mode'] == '0640'
    assert mode_of(tmp_path / 'wide.csv') == 0o640
    assert sorted(os.listdir(str(tmp_path))) == ['report.csv', 'wide.csv']  # no temporary file left


def test_an_existing_files_mode_is_never_widened(tmp_path):
    path = tmp_path / 'report.json'
    path.write_text('old')
    os.chmod(str(path), 0o600)
    assert _files.write_file(str(path), 'new', 0o644)['mode'] == '0600'
    assert mode_of(path) == 0o600 and path.read_text() == 'new'
    os.chmod(str(path), 0o644)  # a report written before 0600: narrowed to what is asked
    _files.write_file(str(path), 'newer')
    assert mode_of(path) == 0o600
    os.chmod(str(path), 0o040)  # the owner always keeps reading and writing
    _files.write_file(str(path), 'newest', 0o640)
    assert mode_of(path) == 0o640


def test_a_link_at_the_path_is_replaced_never_followed(tmp_path):
    victim = tmp_path / 'shadow'
    victim.write_text('root:secret\n')
    os.chmod(str(victim), 0o600)
    before = os.stat(str(victim))
    link = tmp_path / 'report.html'
    os.symlink(str(victim), str(link))
    _files.write_file(str(link), '<html>report</html>', 0o644)
    assert victim.read_text() == 'root:secret\n' and mode_of(victim) == 0o600
    assert os.stat(str(victim)).st_mtime == before.st_mtime
    assert not os.path.islink(str(link)) and link.read_text() == '<html>report</html>' and mode_of(link) == 0o644
    # a dangling link too: the file is made at the path, not where the link points
    os.symlink(str(tmp_path / 'elsewhere'), str(tmp_path / 'dangling.csv'))
    _files.write_file(str(tmp_path / 'dangling.csv'), 'x')
    assert not (tmp_path / 'elsewhere').exists()


@pytest.mark.parametrize('make, what', [
    (os.mkfifo, r'a FIFO \(named pipe\)'),
    (os.mkdir, 'a directory'),
])
def test_a_path_that_is_not_a_regular_file_is_refused_at_once(tmp_path, make, what):
    path = str(tmp_path / 'report.csv')
    make(path)
    started = time.monotonic()
    with pytest.raises(ValueError, match='%s is %s, not a regular file' % (path, what)):
        _files.write_file(path, 'x')
    with pytest.raises(ValueError, match='is %s' % what):
        _files.check_writable(path)
    with pytest.raises(ValueError, match='is %s' % what):
        _files.open_locked(path, wait=0)
    assert time.monotonic() - started < 2


def test_a_device_is_refused_without_being_opened():
    with pytest.raises(ValueError, match='/dev/null is a character device'):
        _files.write_file('/dev/null', 'x')
    with pytest.raises(ValueError, match='/dev/zero is a character device'):
        _files.open_regular('/dev/zero')


def test_unchanged_content_is_not_written_again(tmp_path):
    path = tmp_path / 'r.json'
    _files.write_file(str(path), '{}')
    inode = os.stat(str(path)).st_ino
    assert _files.write_file(str(path), '{}')['changed'] is False
    assert os.stat(str(path)).st_ino == inode
    assert _files.write_file(str(path), '{"a": 1}', check_mode=True)['changed'] is True
    assert path.read_text() == '{}'  # check mode writes nothing
    if os.geteuid() == 0:  # the same text in another user's file is replaced by a file of ours
        os.chown(str(path), 65534, 65534)
        assert _files.write_file(str(path), '{}')['changed'] is True and os.stat(str(path)).st_uid == 0


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / 'r.csv'
    path.write_text('old')

    def broken(src, dst):
        raise OSError(28, 'No space left on device')

    monkeypatch.setattr(os, 'rename', broken)
    with pytest.raises(OSError, match='No space'):
        _files.write_file(str(path), 'new')
    assert path.read_text() == 'old' and os.listdir(str(tmp_path)) == ['r.csv']


def test_check_writable_proves_a_file_can_be_created(tmp_path):
    assert _files.check_writable(str(tmp_path / 'r.csv')) == str(tmp_path / 'r.csv')
    assert os.listdir(str(tmp_path)) == []  # the probe is gone
    with pytest.raises(ValueError, match=r'path: /proc/r.csv cannot be written: no file can be created in /proc'):
        _files.check_writable('/proc/r.csv')
    with pytest.raises(ValueError, match='cannot be written: its directory %s does not exist' % (tmp_path / 'no')):
        _files.check_writable(str(tmp_path / 'no' / 'r.csv'))


def test_a_relative_path_is_relative_to_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(str(tmp_path))
    assert _files.write_file('out.csv', 'x')['path'] == str(tmp_path / 'out.csv')


@pytest.mark.parametrize('value, mode', [('0600', 0o600), ('640', 0o640), (0o644, 0o644), ('0777', 0o777)])
def test_parse_mode(value, mode):
    assert _files.parse_mode(value, 'studio_report_mode') == mode


@pytest.mark.parametrize('value', ['0400', '0066', 'u+rw', '', None, '99', '01777', 0o4755, True, '0o600'])
def test_parse_mode_refuses_what_is_not_an_owner_writable_mode(value):
    with pytest.raises(ValueError, match="studio_report_mode must be an octal file mode as a quoted string"):
        _files.parse_mode(value, 'studio_report_mode')


def test_open_regular_refuses_a_link_even_to_a_regular_file(tmp_path):
    target = tmp_path / 'real.jsonl'
    target.write_text('')
    os.symlink(str(target), str(tmp_path / 'link.jsonl'))
    with pytest.raises(ValueError, match='link.jsonl is a symbolic link'):
        _files.open_regular(str(tmp_path / 'link.jsonl'), write=True)
    os.symlink('/dev/zero', str(tmp_path / 'zero.jsonl'))
    with pytest.raises(ValueError, match='zero.jsonl is a symbolic link'):
        _files.open_regular(str(tmp_path / 'zero.jsonl'))
    assert _files.open_regular(str(tmp_path / 'missing.jsonl')) is None


def test_open_regular_refuses_a_file_with_other_names(tmp_path):
    victim = tmp_path / 'victim'
    victim.write_text('')
    os.link(str(victim), str(tmp_path / 'export.jsonl'))
    with pytest.raises(ValueError, match='export.jsonl has 2 hard links'):
        _files.open_regular(str(tmp_path / 'export.jsonl'), write=True)


def test_open_regular_creates_0600_and_refuses_another_users_file(tmp_path, wide_umask):  # pylint: disable=unused-argument
    fd = _files.open_regular(str(tmp_path / 'new.jsonl'), write=True)
    os.close(fd)
    assert mode_of(tmp_path / 'new.jsonl') == 0o600
    if os.geteuid() != 0:
        pytest.skip('giving a file to another user needs root')
    other = tmp_path / 'other.jsonl'
    other.write_text('')
    os.chown(str(other), 65534, 65534)
    with pytest.raises(ValueError, match='belongs to another user'):
        _files.open_regular(str(other), write=True)


def test_one_writer_per_file_the_second_fails_naming_the_first(tmp_path):
    path = str(tmp_path / 'export.jsonl')
    first = _files.open_locked(path)
    started = time.monotonic()
    with pytest.raises(_files.Busy, match=r'export.jsonl is being written by another export \(process %d\); waited 0.3 s'
                       % os.getpid()) as caught:
        _files.open_locked(path, wait=0.3)
    assert 0.3 <= time.monotonic() - started < 2 and caught.value.holders == [os.getpid()]
    with pytest.raises(_files.Busy):  # a reader (check mode) does not read a file being written
        _files.open_locked(path, wait=0, write=False)
    os.close(first)
    os.close(_files.open_locked(path, wait=0))  # free again once the first is gone
    readers = [_files.open_locked(path, wait=0, write=False) for dummy in range(2)]  # readers share
    with pytest.raises(_files.Busy):
        _files.open_locked(path, wait=0)
    for reader in readers:
        os.close(reader)
    assert _files.open_locked(str(path) + '.missing', write=False) is None


def test_a_waiting_writer_follows_a_repair_to_the_new_file(tmp_path):
    path = str(tmp_path / 'export.jsonl')
    with open(path, 'w') as handle:
        handle.write('{"sid": "FN1"}\n{"sid": "FN2", "to')
    os.chmod(path, 0o640)
    first = _files.open_locked(path)
    got = {}
    waiter = threading.Thread(target=lambda: got.update(fd=_files.open_locked(path, wait=10)))
    waiter.start()
    time.sleep(0.3)
    old_inode = os.fstat(first).st_ino
    first = _files.replace_with_prefix(first, path, 15)
    assert os.fstat(first).st_ino != old_inode and os.fstat(first).st_ino == os.lstat(path).st_ino
    os.write(first, b'{"sid": "FN2"}\n')  # appends to the copy
    time.sleep(0.3)
    assert waiter.is_alive()  # the copy is locked from before the rename: the waiter still waits
    os.close(first)
    waiter.join(10)
    assert os.fstat(got['fd']).st_ino == os.lstat(path).st_ino  # it locked the file now at the path
    os.close(got['fd'])
    with open(path) as handle:
        assert handle.read() == '{"sid": "FN1"}\n{"sid": "FN2"}\n'
    assert mode_of(path) == 0o640 and sorted(os.listdir(str(tmp_path))) == ['export.jsonl']


def has_sid(entry):
    return isinstance(entry, dict) and 'sid' in entry


def read(path, max_line=_files.MAX_LINE):
    with open(str(path), 'rb') as handle:
        return _files.read_lines(handle, 'sid', has_sid, max_line)


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
            _files.read_lines(handle, 'sid', has_sid, 4096)
