# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the telephony.twilio collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""The one way this collection writes files that hold personal data (reports, exports).

- Created 0600 unless the caller widens it; the mode of a file that is already there is never
  widened (the new mode is the one asked for, narrowed by the file's own).
- Never written through a symbolic link. A whole file (a report) is written to a temporary file in
  its own directory, then renamed over the path: the rename replaces a link, it never follows
  it, and a reader never sees half a file. A file that grows (an export) is opened with
  O_NOFOLLOW: a link at its path is refused.
- A path that is not a regular file (a directory, a FIFO, a device, a socket) is refused, and
  nothing opens it, so nothing blocks on it.
- One writer per appended file: an exclusive flock on the file itself, re-checked after the lock
  so that a file replaced meanwhile (a repair renames a copy over it) is locked again.
- An appended JSON Lines file is read back by ``read_lines``, lines of at most ``MAX_LINE`` bytes:
  only its last line can be torn (by a crash or a kill), and ``replace_with_prefix`` cuts it off.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import fcntl
import json
import os
import stat
import tempfile
import time

DEFAULT_MODE = 0o600
LOCK_POLL = 0.1
COPY_CHUNK = 1024 * 1024

_KINDS = (
    (stat.S_ISDIR, 'a directory'),
    (stat.S_ISFIFO, 'a FIFO (named pipe)'),
    (stat.S_ISCHR, 'a character device'),
    (stat.S_ISBLK, 'a block device'),
    (stat.S_ISSOCK, 'a socket'),
)


class Busy(OSError):
    """Another process holds the file's lock (``holders``: their process IDs, when known)."""

    def __init__(self, message, holders=()):
        super(Busy, self).__init__(message)
        self.holders = list(holders)


def parse_mode(value, option='mode'):
    """The permission bits ``value`` names: an octal string (V('0640'), V('640')) or an int.

    The owner must keep read and write; nothing beyond 0777 (no setuid, setgid or sticky bit)."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, int):
        mode = value
    else:
        text = str(value).strip() if value is not None else ''
        mode = int(text, 8) if text and len(text) <= 4 and all(c in '01234567' for c in text) else None
    if mode is None or not 0 <= mode <= 0o777 or mode & 0o600 != 0o600:
        raise ValueError("%s must be an octal file mode as a quoted string, from '0600' to '0777' (the owner "
                         "reads and writes), got %s" % (option, value))
    return mode


def kind(mode):
    """What a file of st_mode ``mode`` is, in words, when it is not a regular file or a link."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return None


def check_target(path, option='path', links=True):
    """The absolute form of ``path`` after the checks that open nothing and send nothing.

    Its directory must exist and be a directory; the path must be missing, a regular file, or (with
    ``links``) a symbolic link, which the writer replaces without following. Raises ValueError
    naming ``option``."""
    path = os.path.abspath(os.path.expanduser(path))
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        raise ValueError('%s: %s cannot be written: its directory %s does not exist; %s must name a file in an '
                         'existing directory' % (option, path, folder, option))
    try:
        found = os.lstat(path)
    except OSError as exc:
        if exc.errno in (errno.ENOENT,):
            return path
        raise ValueError('%s: %s cannot be checked: %s' % (option, path, exc.strerror))
    if stat.S_ISLNK(found.st_mode) and not links:
        raise ValueError('%s: %s is a symbolic link; this file is never written through a link: give the path of '
                         'the file itself' % (option, path))
    what = kind(found.st_mode)
    if what:
        raise ValueError('%s: %s is %s, not a regular file; %s must name a file' % (option, path, what, option))
    return path


def check_writable(path, option='path', links=True):
    """check_target, then proof that a file can be created in the directory: a temporary file is
    created there and removed (this catches a read-only file system and /proc, where permission
    bits say yes). Returns the absolute path; raises ValueError naming ``option``."""
    path = check_target(path, option, links)
    folder = os.path.dirname(path)
    try:
        handle, probe = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path)[:64], suffix='.probe', dir=folder)
    except OSError as exc:
        raise ValueError('%s: %s cannot be written: no file can be created in %s (%s)'
                         % (option, path, folder, exc.strerror or exc))
    os.close(handle)
    os.unlink(probe)
    return path


def _final_mode(path, mode):
    """``mode``, narrowed by the mode of the regular file already at ``path`` (never widened); the
    owner keeps reading and writing."""
    try:
        found = os.lstat(path)
    except OSError:
        return mode
    return (mode & stat.S_IMODE(found.st_mode)) | 0o600 if stat.S_ISREG(found.st_mode) else mode


def _same_content(path, data, mode):
    """Whether the regular file at ``path`` is ours and already holds ``data`` with mode ``mode``."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        found = os.fstat(fd)
        if (not stat.S_ISREG(found.st_mode) or found.st_uid != os.geteuid() or found.st_size != len(data)
                or stat.S_IMODE(found.st_mode) != mode):
            return False
        with os.fdopen(os.dup(fd), 'rb') as handle:
            return handle.read(len(data) + 1) == data
    finally:
        os.close(fd)


def _temporary(path, mode):
    """(fd, name) of a new file beside ``path`` with ``mode`` (mkstemp: O_EXCL, never a link)."""
    fd, name = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path)[:64], suffix='.tmp',
                                dir=os.path.dirname(path))
    try:
        os.fchmod(fd, mode)
    except OSError:
        os.close(fd)
        os.unlink(name)
        raise
    return fd, name


def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _sync_directory(folder):
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_file(path, data, mode=DEFAULT_MODE, option='path', check_mode=False):
    """Write ``data`` (bytes or text, UTF-8) as the whole file ``path``, safely (see the module's doc).

    Returns {'path', 'changed', 'mode'} (mode as an octal string). Raises ValueError for a path that
    cannot be written (naming ``option``), OSError for a failure while writing; a failed write
    leaves the old file."""
    path = check_target(path, option)
    if not isinstance(data, bytes):
        data = data.encode('utf-8')
    final = _final_mode(path, mode)
    result = {'path': path, 'mode': '%04o' % final, 'changed': not _same_content(path, data, final)}
    if not result['changed'] or check_mode:
        return result
    fd, name = _temporary(path, final)
    try:
        write_all(fd, data)
        os.fsync(fd)
        os.close(fd)
        fd = None
        os.rename(name, path)
    except BaseException:
        if fd is not None:
            os.close(fd)
        os.unlink(name)
        raise
    _sync_directory(os.path.dirname(path))
    return result


def open_regular(path, write=False, mode=DEFAULT_MODE):
    """An fd of the regular file ``path`` (created with ``mode`` when ``write``), or None when it is
    missing and not to be created. Never follows a link at the path, never blocks on a FIFO or a
    device: it is checked before it is opened, and the open file is checked again. Raises
    ValueError for a path that is not a regular file of the user running this, with one name."""
    check_target(path, links=False)
    flags = os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, 'O_CLOEXEC', 0)
    flags |= (os.O_RDWR | os.O_CREAT | os.O_APPEND) if write else os.O_RDONLY
    try:
        fd = os.open(path, flags, mode)
    except OSError as exc:
        if exc.errno == errno.ENOENT and not write:
            return None
        if exc.errno == errno.ELOOP:
            raise ValueError('%s is a symbolic link; this file is never written through a link: give the path of '
                             'the file itself' % path)
        raise
    try:
        found = os.fstat(fd)
        if not stat.S_ISREG(found.st_mode):
            raise ValueError('%s is %s, not a regular file' % (path, kind(found.st_mode) or 'not a regular file'))
        if write and found.st_uid != os.geteuid():
            raise ValueError('%s belongs to another user (uid %d), not to the user writing it (uid %d); give a file '
                             'of your own' % (path, found.st_uid, os.geteuid()))
        if write and found.st_nlink > 1:
            raise ValueError('%s has %d hard links: writing it would change a file of other names; give a file with '
                             'one name' % (path, found.st_nlink))
        # Back to blocking I/O: the file is regular, O_NONBLOCK only guarded the open.
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
    except BaseException:
        os.close(fd)
        raise
    return fd


def lock_holders(fd):
    """Process IDs holding an flock on the file of ``fd`` (from /proc/locks; [] where unknown)."""
    inode = os.fstat(fd).st_ino
    holders = []
    try:
        with open('/proc/locks') as handle:
            for line in handle:
                fields = line.split()
                # "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF"; waiters are "1: -> FLOCK ...".
                if len(fields) >= 6 and fields[1] == 'FLOCK' and int(fields[5].rsplit(':', 1)[1]) == inode:
                    holders.append(int(fields[4]))
    except (OSError, ValueError, IndexError):
        pass
    return holders


def _same_file(fd, path):
    try:
        found = os.lstat(path)
    except OSError:
        return False
    held = os.fstat(fd)
    return (found.st_dev, found.st_ino) == (held.st_dev, held.st_ino)


def open_locked(path, wait=10.0, mode=DEFAULT_MODE, write=True, clock=time.monotonic, sleep=time.sleep):
    """open_regular(path, write) holding an flock on it: exclusive for the one writer of the file,
    shared for a reader (None when the file is missing), which then never reads a line being written.

    Waits ``wait`` seconds at most for another writer to finish, then raises Busy naming it. The
    lock is the file's own: it goes with the process (a killed writer leaves no stale lock), and
    it is taken again if the file was replaced while waiting."""
    deadline = clock() + wait
    while True:
        fd = open_regular(path, write=write, mode=mode)
        if fd is None:
            return None
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if write else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                os.close(fd)
                raise
            holders = lock_holders(fd)
            os.close(fd)
            if clock() >= deadline:
                raise Busy('%s is being written by another export (%s); waited %g s for it to finish. Run again when '
                           'it has ended, or stop it' % (
                               path, 'process %s' % ', '.join(str(pid) for pid in holders) if holders
                               else 'its process could not be named', wait), holders)
            sleep(LOCK_POLL)
            continue
        if _same_file(fd, path):
            return fd
        os.close(fd)


def replace_with_prefix(fd, path, length):
    """Replace the locked file ``path`` (open as ``fd``) by a copy of its first ``length`` bytes,
    never in place: the copy is written beside it, locked, then renamed over it. The copy keeps the
    file's mode (never widened). Returns the copy's fd (locked, appending); closes ``fd``."""
    found = os.fstat(fd)
    copy, name = _temporary(path, stat.S_IMODE(found.st_mode))
    try:
        fcntl.flock(copy, fcntl.LOCK_EX | fcntl.LOCK_NB)
        left, offset = length, 0
        while left:
            chunk = os.pread(fd, min(COPY_CHUNK, left), offset)
            if not chunk:
                raise OSError(errno.EIO, 'the file %s shrank while it was copied' % path)
            write_all(copy, chunk)
            offset += len(chunk)
            left -= len(chunk)
        os.fsync(copy)
        fcntl.fcntl(copy, fcntl.F_SETFL, fcntl.fcntl(copy, fcntl.F_GETFL) | os.O_APPEND)
        os.rename(name, path)
    except BaseException:
        os.close(copy)
        os.unlink(name)
        raise
    _sync_directory(os.path.dirname(path))
    os.close(fd)
    return copy


# -- reading back a JSON Lines file this collection appends to (an export) ----------------------
# The longest line an export reads back (and writes): 64 MiB. A line is one Execution with its
# Context and Steps; the bound keeps a file that is not an export (or /dev/zero) from filling memory.
MAX_LINE = 64 * 1024 * 1024


def read_lines(handle, key, is_ours, max_line=MAX_LINE):
    """What a JSON Lines file this collection appends to holds: (values of ``key``, bytes of whole
    lines, bytes after them).

    ``handle`` is the file opened for binary reading at its start. Lines are appended whole and
    flushed one at a time, so only the last one can be cut short (by a crash or a kill): it is
    counted as bytes after the whole lines, for the caller to cut off - but only when whole lines
    before it prove that this collection wrote the file. Raises ValueError, naming the line, for a
    line that ``is_ours`` (given the decoded JSON) rejects, a line longer than ``max_line``, and a
    last line without a newline in a file that has no whole line (a JSON file, or another tool's)."""
    values, whole, number = set(), 0, 0
    while True:
        raw = handle.readline(max_line + 1)
        if not raw:
            return values, whole, 0
        number += 1
        if len(raw) > max_line:
            raise ValueError('line %d is longer than %d bytes: this is not a file this collection wrote; choose '
                             'another file' % (number, max_line))
        if not raw.endswith(b'\n'):
            if not values:
                raise ValueError('its last line has no final newline and no line before it is one this collection '
                                 'wrote (a JSON file, or another tool\'s), so it is not repaired; choose another file')
            return values, whole, len(raw)
        try:
            entry = json.loads(raw.decode('utf-8'))
            if not is_ours(entry):
                raise ValueError(number)
        except (ValueError, RecursionError):
            raise ValueError('line %d is not a line this collection wrote (JSON with "%s"); choose another file'
                             % (number, key))
        values.add(entry[key])
        whole += len(raw)
