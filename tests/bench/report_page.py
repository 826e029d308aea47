#!/usr/bin/env python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark of the report page: its size and the time headless Chromium takes to render it, for a
200-contact and a 5,000-contact campaign; and the memory of making it from a JSON Lines export,
which must not grow with the number of lines.

    ANSIBLE_COLLECTIONS_PATH=<collections root> .venv/bin/python tests/bench/report_page.py [--chromium PATH]

Render time: wall time of ``chromium --headless --screenshot`` (load, layout, paint) of the page,
median of 3, and the same for a one-line page in the same run (the browser's own start-up): the
figure is the difference, and the ratio of the two. Memory: peak RSS (getrusage of a child process)
of ``studio_report_from`` over exports of 2,000 and 20,000 lines of the same 500 contacts (Executions
with their Step Contexts, about 9 KB a line), and of 5,000 lines of 5,000 contacts.
Results: tests/bench/REPORT.md.
"""

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
START = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.timezone.utc)
ANSWERS = ['5', '4', '4', '5', '3', 'five', '2', '1', 'STOP', '4', 'great', '5']


def collections_root():
    for root in os.environ.get('ANSIBLE_COLLECTIONS_PATH', '').split(os.pathsep):
        if os.path.isdir(os.path.join(root, 'ansible_collections', 'telephony', 'twilio')):
            return root
    sys.exit('report_page.py: set ANSIBLE_COLLECTIONS_PATH to a directory holding ansible_collections/telephony/twilio')


def at(seconds):
    return (START + datetime.timedelta(seconds=seconds)).strftime('%Y-%m-%dT%H:%M:%SZ')


def execution(n, repeat=0):
    """One export line: contact n's Execution (a survey: asked, maybe answered, thanked)."""
    number = '+1555%07d' % n
    start = n % 600 + repeat * 3600
    answer = ANSWERS[n % len(ANSWERS)] if n % 4 else None
    steps = [{'name': 'incomingRequest', 'transitioned_from': 'Trigger', 'transitioned_to': 'ask_rating',
              'date_created': at(start)}]
    context = {'flow': {'flow_sid': 'FW' + 'f' * 32, 'channel': {'address': '+15005550006'},
                        'data': {'ansible_campaign': 'bench', 'name': 'Contact %d' % n}}, 'widgets': {}}
    if answer:
        reply = start + 60 + n % 3000
        context['widgets']['ask_rating'] = {'inbound': {'Body': answer}}
        steps += [{'name': 'incomingMessage', 'transitioned_from': 'ask_rating', 'transitioned_to': 'thank_you',
                   'date_created': at(reply)},
                  {'name': 'sent', 'transitioned_from': 'thank_you', 'transitioned_to': 'Ended',
                   'date_created': at(reply + 1)}]
    for step in steps:
        step['context'] = {'widgets': {'ask_rating': {'outbound': {'Body': 'How was it? ' + 'x' * 2500}}}}
    sid = 'FN%032x' % (n * 1000 + repeat)
    return {'sid': sid, 'execution': {'sid': sid, 'status': 'ended' if answer else 'active',
                                      'contact_channel_address': number, 'date_created': at(start),
                                      'date_updated': at(start + 5000), 'account_sid': 'AC' + 'a' * 32,
                                      'flow_sid': 'FW' + 'f' * 32},
            'context': context, 'steps': steps}


def write_export(path, contacts, lines):
    with open(path, 'w') as handle:
        for line in range(lines):
            handle.write(json.dumps(execution(line % contacts, line // contacts)) + '\n')
    return os.path.getsize(path)


CHILD = '''
import sys, resource
from ansible_collections.telephony.twilio.plugins.filter.studio_report import studio_report_from
page = studio_report_from(sys.argv[1], "html", now="2026-11-30T12:00:00Z")
open(sys.argv[2], "w").write(page)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
'''


def page_from_export(path, out):
    """(peak RSS in MiB, seconds) of making the page from ``path`` in a process of its own."""
    env = dict(os.environ, PYTHONPATH=collections_root())
    started = time.time()
    done = subprocess.run([sys.executable, '-c', CHILD, path, out], env=env, stdout=subprocess.PIPE, text=True,
                          check=True)
    return int(done.stdout.strip()) / 1024.0, time.time() - started


def render_seconds(chromium, page, profile):
    """Median wall time of three headless screenshots of ``page``."""
    times = []
    for dummy in range(3):
        shot = os.path.join(profile, 'shot.png')
        started = time.time()
        subprocess.run([chromium, '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars',
                        '--no-first-run', '--disable-background-networking', '--disable-component-update',
                        '--user-data-dir=%s' % os.path.join(profile, 'chromium'), '--window-size=1200,2400',
                        '--screenshot=%s' % shot, 'file://' + page], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True, timeout=300)
        times.append(time.time() - started)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--chromium', default=shutil.which('chromium') or shutil.which('chromium-browser'))
    parser.add_argument('--out', default=os.path.join(HERE, 'REPORT.md'))
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix='report-bench-')
    try:
        memory = []
        for contacts, lines in ((500, 2000), (500, 20000), (5000, 5000)):
            export = os.path.join(work, 'export-%d-%d.jsonl' % (contacts, lines))
            size = write_export(export, contacts, lines)
            peak, seconds = page_from_export(export, os.path.join(work, 'page-%d.html' % contacts))
            os.unlink(export)
            memory.append((contacts, lines, size, peak, seconds))
            print('export of %d lines (%d contacts, %d bytes): peak RSS %.1f MiB, %.1f s'
                  % (lines, contacts, size, peak, seconds))
        renders = []
        if args.chromium:
            blank = os.path.join(work, 'blank.html')
            with open(blank, 'w') as handle:
                handle.write('<!DOCTYPE html><html><body><p>blank</p></body></html>')
            baseline = render_seconds(args.chromium, blank, work)
            for contacts in (200, 5000):
                export = os.path.join(work, 'export-%d.jsonl' % contacts)
                write_export(export, contacts, contacts)
                page = os.path.join(work, 'page-render-%d.html' % contacts)
                page_from_export(export, page)
                seconds = render_seconds(args.chromium, page, work)
                renders.append((contacts, os.path.getsize(page), seconds, baseline))
                print('page of %d contacts: %d bytes, rendered in %.2f s (blank page %.2f s)'
                      % (contacts, os.path.getsize(page), seconds, baseline))
        write_results(args.out, memory, renders)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def write_results(path, memory, renders):
    lines = ['# The report page: size, render time, memory', '',
             'Measured by `tests/bench/report_page.py` (%s, 2 shared cores). Synthetic survey Executions '
             '(a question, three quarters answered, Step Contexts of about 2.5 KB each).'
             % datetime.date.today().isoformat(), '',
             '## The page from a JSON Lines export (`report.yml`, `studio_report_from`)', '',
             '| contacts | lines | file (MiB) | peak RSS (MiB) | seconds |', '|---|---|---|---|---|']
    lines += ['| %d | %d | %.1f | %.1f | %.1f |' % (c, n, size / 1048576.0, peak, s) for c, n, size, peak, s in memory]
    lines += ['', 'Peak RSS ratio 20,000 lines / 2,000 lines of the same 500 contacts: **%.2f** (1.00 = flat; the '
              'file grew 10x). Memory grows with contacts (one row each), not with lines.'
              % (memory[1][3] / memory[0][3]), '']
    if renders:
        lines += ['## Rendering in headless Chromium', '',
                  '| contacts | page (KiB) | render (s) | blank page (s) | render minus blank (s) | ratio to blank |',
                  '|---|---|---|---|---|---|']
        lines += ['| %d | %d | %.2f | %.2f | %.2f | %.2f |' % (c, size / 1024, s, b, s - b, s / b)
                  for c, size, s, b in renders]
        lines += ['', 'The contact table comes in pages of 500 rows, collapsed but the first (`<details>`, '
                  '`content-visibility: auto`); the attention lists show 100 contacts each.', '']
    with open(path, 'w') as handle:
        handle.write('\n'.join(lines))


if __name__ == '__main__':
    main()
