# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""deploy_flows.yml and export_flows.yml against the emulator's Studio v2."""

import json
import os
import re
import shutil

import pytest
import requests

from conftest import ROOT

FLOWS = os.path.join(ROOT, 'tests', 'playbooks', 'flows')
ENVIRONMENT = ['-e', 'environment_name=dev', '-e', 'functions_base_url=https://dev-1234.twil.io',
               '-e', 'sender_number=+15550001000']


@pytest.fixture
def folder(tmp_path):
    target = tmp_path / 'flows'
    shutil.copytree(FLOWS, target)
    return target


def deploy(studio, folder, *extra, check=True):
    return studio.playbook('deploy_flows.yml', '-e', 'studio_flows_dir=%s' % folder, *(ENVIRONMENT + list(extra)),
                           check=check)


def recap_changed(output):
    return int(re.search(r'localhost\s+: ok=\d+\s+changed=(\d+)', output).group(1))


def writes(studio, since):
    """The requests since ``since`` that change Studio (Validate changes nothing)."""
    return [(r['method'], r['route']) for r in studio.control.requests(since)
            if r['method'] in ('POST', 'DELETE') and r['route'] != '/v2/Flows/Validate']


def v2(studio, path):
    answer = requests.get(studio.url + path, auth=('AC0123456789abcdef0123456789abcdef', 'emulator-auth-token'),
                          timeout=30)
    answer.raise_for_status()
    return answer.json()


def flow_named(studio, name):
    return [f for f in v2(studio, '/v2/Flows?PageSize=1000')['flows'] if f['friendly_name'] == name][0]


def test_deploy_subflows_first_then_rerun_writes_nothing(studio, folder):
    mark = studio.control.last_request()
    first = deploy(studio, folder)
    created = [r for r in studio.control.requests(mark) if (r['method'], r['route']) == ('POST', '/v2/Flows')]
    assert len(created) == 3, first.stdout
    subflow = flow_named(studio, 'Collect address')
    checkout = v2(studio, '/v2/Flows/%s' % flow_named(studio, 'Checkout')['sid'])
    states = dict((s['name'], s) for s in checkout['definition']['states'])
    assert states['address']['properties']['flow_sid'] == subflow['sid']  # the target account's SID
    assert states['lookup_order']['properties']['url'] == 'https://dev-1234.twil.io/lookup-order'
    # Liquid is left to Studio; Jinja blocks ran
    assert states['confirm']['properties']['body'] == ('{% if flow.data.vip %}Thank you, valued customer'
                                                       '{% else %}Thank you{% endif %} (dev)')
    assert states['lookup_order']['properties']['parameters'][0]['value'] == '{{contact.channel.address}}'
    assert flow_named(studio, 'survey')['revision'] == 1  # a bare definition is named after its file

    mark = studio.control.last_request()
    again = deploy(studio, folder)
    assert recap_changed(again.stdout) == 0 and writes(studio, mark) == []
    requests_sent = studio.control.requests(mark)
    assert len(requests_sent) <= 3 * 3  # at most 3 per unchanged Flow (here: one listing + a fetch each)
    assert re.search(r'3 Flows in account AC0123456789abcdef0123456789abcdef from \S+: written 0', again.stdout)


def test_reformatted_files_are_no_change_and_one_property_is_one_revision(studio, folder):
    deploy(studio, folder)
    survey = json.loads((folder / 'survey.json').read_text())
    reordered = dict(reversed(list(survey.items())))
    (folder / 'survey.json').write_text(json.dumps(reordered, indent=8))
    mark = studio.control.last_request()
    assert recap_changed(deploy(studio, folder).stdout) == 0 and writes(studio, mark) == []

    survey['states'][2]['properties']['body'] = 'Many thanks!'
    (folder / 'survey.json').write_text(json.dumps(survey))
    mark = studio.control.last_request()
    run = deploy(studio, folder, '--diff')
    sid = flow_named(studio, 'survey')['sid']
    assert writes(studio, mark) == [('POST', '/v2/Flows/<sid>')]
    assert flow_named(studio, 'survey')['revision'] == 2
    assert 'changed: thanks' in run.stdout and '+        "body": "Many thanks!"' in run.stdout
    assert [r['revision'] for r in v2(studio, '/v2/Flows/%s/Revisions' % sid)['revisions']] == [2, 1]


@pytest.mark.parametrize('breakage, says', [
    (lambda f: (f / 'survey.json').write_text('{"states": [ '), 'survey.json: not JSON'),
    (lambda f: (f / 'survey.json').write_text(json.dumps(dict(json.loads((f / 'survey.json').read_text()),
                                                              initial_state='Start'))),
     '#/initial_state'),
    (lambda f: (f / 'bad.json.j2').write_text('{"friendly_name": "Bad", "definition": {"states": [{"name": "a", '
                                              '"type": "x", "properties": {"body": "{% if a %}b{% endif %}"}}]}}'),
     "bad.json.j2 has Liquid tags"),
], ids=['not-json', 'invalid', 'liquid-tags-in-template'])
def test_a_bad_file_stops_the_run_before_any_write(breakage, says, studio, folder):
    breakage(folder)
    mark = studio.control.last_request()
    run = deploy(studio, folder, check=False)
    assert run.returncode != 0 and says in run.stdout, run.stdout
    assert writes(studio, mark) == []


def test_a_missing_template_variable_stops_the_run_before_any_write(studio, folder):
    mark = studio.control.last_request()
    run = studio.playbook('deploy_flows.yml', '-e', 'studio_flows_dir=%s' % folder, '-e', 'environment_name=dev',
                          '-e', 'sender_number=+15550001000', check=False)
    assert run.returncode != 0 and 'functions_base_url' in run.stdout
    assert writes(studio, mark) == []


def test_check_mode_writes_nothing(studio, folder):
    mark = studio.control.last_request()
    run = deploy(studio, folder, '--check')
    assert run.returncode == 0 and writes(studio, mark) == []


def test_export_is_canonical_idempotent_deployable_and_reports_drift(studio, folder, tmp_path):
    deploy(studio, folder)
    out = tmp_path / 'export'
    first = studio.playbook('export_flows.yml', '-e', 'studio_export_dir=%s' % out)
    files = sorted(p.name for p in out.iterdir())
    assert {'checkout.json', 'collect-address.json', 'survey.json', 'customer-survey.json'} <= set(files)
    text = (out / 'checkout.json').read_text()
    assert text == json.dumps(json.loads(text), sort_keys=True, indent=2, ensure_ascii=False) + '\n'
    assert recap_changed(first.stdout) >= 1
    assert recap_changed(studio.playbook('export_flows.yml', '-e', 'studio_export_dir=%s' % out).stdout) == 0

    # The exported folder deploys back as no change
    mark = studio.control.last_request()
    assert recap_changed(deploy(studio, out).stdout) == 0 and writes(studio, mark) == []

    # A change published elsewhere (no marker in its commit message) is drift
    sid = flow_named(studio, 'Checkout')['sid']
    requests.post(studio.url + '/v2/Flows/' + sid, data={'Status': 'published', 'CommitMessage': 'console edit'},
                  auth=('AC0123456789abcdef0123456789abcdef', 'emulator-auth-token'), timeout=30).raise_for_status()
    run = studio.playbook('export_flows.yml', '-e', 'studio_export_dir=%s' % out)
    assert re.search(r"drift: Checkout \(%s\) revision 2 was not written by telephony.twilio "
                     r"\(commit message: 'console edit'\)" % sid, run.stdout)
    assert 'drift: Collect address' not in run.stdout
