#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: studio_report_file
short_description: Write a report safely on the controller, or prove before a campaign that it can be written
version_added: 1.0.0
description:
  - Writes O(content) as the file O(path) on the controller, the way every file of this collection that holds
    personal data is written.
  - A new file is created with O(mode), by default C(0600) (only its owner reads it). The mode of a file already at
    O(path) is never widened - the file gets O(mode) narrowed by its old mode (its owner always reads and writes
    it).
  - Never written through a symbolic link. The report is written to a temporary file in the same directory, which
    is then renamed over O(path). The rename replaces a link at O(path) and never follows it, so a link planted
    there by someone else changes nothing but the link itself, and a reader never sees half a report. A link you
    made there is replaced by the report too - give the path of the file you want written.
  - A path that is a directory, a FIFO, a device or a socket is refused.
  - With O(check_writable=true), writes nothing and proves that O(path) can be written - a temporary file is
    created in its directory and removed again, which catches a read-only file system or C(/proc), where the
    permission bits say yes. The collection's playbooks do this before a campaign sends anything.
  - Runs on the controller as an action; it sends nothing to Twilio. A relative O(path) is relative to the
    directory C(ansible-playbook) was started in.
options:
  path:
    description: The file to write. Its directory must exist.
    type: path
    required: true
  content:
    description:
      - The text of the report, written as UTF-8. Required unless O(check_writable=true).
    type: str
  mode:
    description:
      - Permissions of a new file, as a quoted octal string from V('0600') to V('0777'); the owner always reads and
        writes. An existing file's mode is never widened.
    type: raw
    default: '0600'
  check_writable:
    description:
      - Write nothing; fail unless O(path) could be written (its directory exists and a file can be created in it,
        and O(path) is not a directory or another file that is not a regular file).
    type: bool
    default: false
  label:
    description:
      - The name messages give O(path) - the playbooks give the variable's, V(studio_report_path). When it ends in
        C(_path), messages name O(mode) with C(_mode) in its place (V(studio_report_mode)).
    type: str
    default: path
attributes:
  check_mode:
    description: Says whether the file would change, and writes nothing. O(check_writable=true) creates and removes
      its temporary file in check mode too.
    support: full
  diff_mode:
    description: A report holds personal data; no diff is shown.
    support: none
  action:
    description: Runs on the controller.
    support: full
seealso:
  - module: telephony.twilio.studio_execution_export
author:
  - telephony.twilio developers (@telephony-twilio)
'''

EXAMPLES = r'''
- name: Before anything is sent, prove that the report can be written
  telephony.twilio.studio_report_file:
    path: "{{ studio_report_path }}"
    check_writable: true

- name: Write the report, readable by the group too
  telephony.twilio.studio_report_file:
    path: "{{ studio_report_path }}"
    content: "{{ studio_batch | telephony.twilio.studio_report(studio_failures, 'csv') }}"
    mode: '0640'
'''

RETURN = r'''
path:
  description: The absolute path of the file.
  returned: always
  type: str
  sample: /home/ops/reports/survey.csv
mode:
  description: The mode the file has (or would have in check mode), in octal.
  returned: when the file is written
  type: str
  sample: '0600'
'''
