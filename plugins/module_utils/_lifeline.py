# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the telephony.twilio collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""A lifeline: whether the process that started a long job (a batch, an export) is still there.

Anything long that a run starts (an ``async`` task, a module that works for minutes) must stop
when the ``ansible-playbook`` that started it is gone - interrupted (Ctrl-C, an AWX cancel) or
killed. Ansible's worker processes are forks of ``ansible-playbook``'s main process, so an action
plugin (or a filter) running in a worker finds the controller as ``os.getppid()``; it hands it to
the module as text::

    lifeline = Lifeline.of_process(os.getppid())   # in the worker
    args['lifeline'] = str(lifeline)                # "12345:987654" - pid and start time

and the module checks it between units of work::

    lifeline = Lifeline.parse(module.params['lifeline'])
    if not lifeline.alive():
        stop()

The start time (from /proc, in clock ticks since boot) guards against the pid being reused by
another process after the controller ended. Where /proc is missing (not Linux), only the pid is
checked. ``alive()`` keeps no state, so that any thread may call it at any time.

A process that is stopping can take a while to exit: ansible-playbook spends about a second
cleaning up after Ctrl-C. So the lifeline also remembers which of SIGINT and SIGTERM the process
catches (/proc/PID/status, SigCgt); one that no longer catches one of them has received it and is
on its way out (ansible-core 2.19 and later reset their handlers of both signals the moment one
arrives) - the job stops at once instead of a second later.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os


STOP_SIGNALS = (2, 15)  # SIGINT, SIGTERM (the same numbers on every platform with /proc)


def caught_stop_signals(pid):
    """Which of SIGINT and SIGTERM process ``pid`` catches, as a text of signal numbers such as ``2+15``
    (empty when none), or None without /proc."""
    try:
        with open('/proc/%d/status' % pid) as handle:
            for line in handle:
                if line.startswith('SigCgt:'):
                    mask = int(line.split()[1], 16)
                    return '+'.join(str(s) for s in STOP_SIGNALS if mask & (1 << (s - 1)))
    except (IOError, OSError, ValueError, IndexError):
        return None
    return None


def process_start(pid):
    """The start time of process ``pid`` (clock ticks since boot, as text) from /proc, or None when
    there is no /proc or no such process."""
    try:
        with open('/proc/%d/stat' % pid) as handle:
            text = handle.read()
    except (IOError, OSError):
        return None
    # The command name (field 2) is in parentheses and may hold spaces and parentheses itself.
    fields = text.rsplit(')', 1)[-1].split()
    return fields[19] if len(fields) > 19 else None


class Lifeline:
    """Process ``pid``, started at ``started`` (as process_start gives it, or None)."""

    def __init__(self, pid, started=None, caught=None):
        self.pid = int(pid)
        self.started = started or None
        # The stop signals (of STOP_SIGNALS) the process caught when the lifeline was taken, e.g. '2+15'.
        self.caught = caught or None

    @classmethod
    def of_process(cls, pid):
        """The lifeline of the running process ``pid``."""
        return cls(pid, process_start(pid), caught_stop_signals(pid))

    @classmethod
    def parse(cls, text):
        """A Lifeline from its text form ``PID``, ``PID:START`` or ``PID:START:SIGNALS``; ValueError otherwise."""
        parts = str(text).split(':')
        pid, started = parts[0], parts[1] if len(parts) > 1 else None
        caught = parts[2] if len(parts) > 2 else None
        if (not pid.isdigit() or int(pid) < 2 or len(parts) > 3 or (started is not None and not started.isdigit())
                or (caught and not all(s.isdigit() for s in caught.split('+')))):
            raise ValueError('lifeline must be PID, PID:START or PID:START:SIGNALS (digits), as the action plugin sets '
                             'it; got %r' % (text,))
        return cls(int(pid), started, caught)

    def __str__(self):
        if not self.started:
            return '%d' % self.pid
        return '%d:%s%s' % (self.pid, self.started, ':' + self.caught if self.caught else '')

    def alive(self):
        """True while the process runs: same pid and, where /proc tells it, same start time."""
        if self.started is not None and os.path.isdir('/proc/self'):
            found = process_start(self.pid)
            if found != self.started or _zombie(self.pid):
                return False
            if self.caught:
                now = set((caught_stop_signals(self.pid) or '').split('+'))
                return all(signum in now for signum in self.caught.split('+'))
            return True
        try:
            os.kill(self.pid, 0)
        except OSError as exc:
            return exc.errno == errno.EPERM  # there, but another user's
        return True


def _zombie(pid):
    """A process that has ended but whose parent has not collected it yet counts as gone."""
    try:
        with open('/proc/%d/stat' % pid) as handle:
            return handle.read().rsplit(')', 1)[-1].split()[0] in ('Z', 'X')
    except (IOError, OSError, IndexError):
        return True
