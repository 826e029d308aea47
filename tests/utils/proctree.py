# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A process and its descendants, read from /proc (Linux): for measuring (bench) and killing (chaos)
a whole ansible-playbook process tree."""

import os


def children_by_parent():
    """{parent pid: [child pids]} of every process now."""
    children = {}
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open('/proc/%s/stat' % entry) as handle:
                    parent = int(handle.read().rsplit(')', 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    return children


def tree(pid, visit=None):
    """``pid`` and its descendants. ``visit(pid)`` runs on each before its children are looked up
    (chaos stops each process there, so that none can start a child while the tree is walked)."""
    snapshot = None if visit else children_by_parent()
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        if visit:
            visit(current)
        found.append(current)
        todo.extend((snapshot if snapshot is not None else children_by_parent()).get(current, []))
    return found
