# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTML report of a campaign, rendered by a real browser (headless Chromium, Debian's package):
the page shows its totals, funnel, answers and table, and asks the network for nothing."""

import json
import os
import shutil
import subprocess

import pytest

from conftest import CONTACTS

CHROMIUM = os.environ.get('CHROMIUM') or shutil.which('chromium') or shutil.which('chromium-browser')
# Keep Chromium's own background traffic out of the net log: only the page's requests are left.
QUIET = ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync',
         '--disable-default-apps', '--disable-extensions', '--metrics-recording-only', '--no-pings']


def chromium(tmp_path, *args):
    profile = tmp_path / 'chromium-profile'
    return subprocess.run([CHROMIUM] + QUIET + ['--user-data-dir=%s' % profile] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120, check=True)


def page_requests(netlog):
    """Every URL the page asked the network stack for. The browser's own background requests
    (update checks, clock) have no origin as initiator; a page's requests have the page's."""
    with open(netlog) as handle:
        text = handle.read().rstrip().rstrip(',')
    if not text.endswith('}'):  # Chromium may leave the events list open
        text += ']}'
    log = json.loads(text)
    start_job = log['constants']['logEventTypes']['URL_REQUEST_START_JOB']
    return sorted(set(e['params'].get('url', '') for e in log.get('events', [])
                      if e.get('type') == start_job and isinstance(e.get('params'), dict)
                      and e['params'].get('url') and e['params'].get('initiator') != 'not an origin'))


def render(tmp_path, page, *args):
    """Render ``page`` in headless Chromium with no name resolving anywhere; return the page's requests."""
    netlog = tmp_path / ('netlog-%s.json' % page.stem)
    chromium(tmp_path, '--host-resolver-rules=MAP * ~NOTFOUND', '--log-net-log=%s' % netlog, *(list(args) + [page.as_uri()]))
    return page_requests(netlog)


@pytest.mark.skipif(CHROMIUM is None, reason='headless Chromium is not installed (Debian: apt-get install chromium)')
def test_the_request_check_sees_what_a_page_loads(tmp_path):
    """The check below can fail: a page that loads an image from the network is caught."""
    page = tmp_path / 'leaky.html'
    page.write_text('<!DOCTYPE html><html><body><img src="http://203.0.113.9/pixel.png" alt=""></body></html>')
    assert render(tmp_path, page, '--screenshot=%s' % (tmp_path / 'leaky.png')) == ['http://203.0.113.9/pixel.png']


@pytest.mark.skipif(CHROMIUM is None, reason='headless Chromium is not installed (Debian: apt-get install chromium)')
def test_the_report_page_renders_offline_with_funnel_totals_answers_and_table(studio, tmp_path):
    studio.playbook('run_flow.yml', '-e', 'studio_campaign=report-page')
    for contact, answer in zip(CONTACTS[:3], ('5', '4', 'great')):
        studio.control.reply('Customer survey', contact, answer)
    page = tmp_path / 'report.html'
    studio.playbook('gather_facts.yml', '-e', 'studio_report_path=%s' % page)

    screenshot = tmp_path / 'report.png'
    requested = render(tmp_path, page, '--window-size=1200,2600', '--screenshot=%s' % screenshot)
    dom = chromium(tmp_path, '--dump-dom', page.as_uri()).stdout

    assert screenshot.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n' and screenshot.stat().st_size > 20000
    shutil.copy(screenshot, os.environ.get('STUDIO_REPORT_SCREENSHOT', str(tmp_path / 'kept.png')))
    assert [u for u in requested if not u.startswith(('file:', 'data:'))] == []
    for section in ('id="totals"', 'id="funnel"', 'id="outcomes"', 'id="answers"', 'id="contacts"'):
        assert section in dom
    assert 'id="total-contacts">5<' in dom
    funnel = dom[dom.index('id="funnel"'):dom.index('id="outcomes"')]
    assert 'Trigger: 5 contacts; ask_rating: 5 contacts' in funnel
    answers = dom[dom.index('id="answers"'):dom.index('id="contacts"')]
    assert 'ask_rating' in answers and 'great: 1 replies' in answers
    assert all(contact in dom for contact in ('+15551230001', 'di-whatsapp', '+15551230005'))
