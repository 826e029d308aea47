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


# -- issue 23: flows as code cannot deploy the wrong thing --------------------------------------
OTHER_ACCOUNT = 'ACfedcba9876543210fedcba9876543210'


@pytest.fixture
def workdir(tmp_path):
    """A working directory of one's own (not the collection), holding the flows folder as ./flows."""
    work = tmp_path / 'work'
    shutil.copytree(FLOWS, work / 'flows')
    return work


def run_in(studio, workdir, playbook, *args, check=True, env=None):
    return studio.playbook(playbook, *args, cwd=str(workdir), check=check, env=env)


def test_relative_paths_are_the_working_directory_and_printed_absolute(studio, workdir, tmp_path):
    home = tmp_path / 'home'
    home.mkdir()
    deployed = run_in(studio, workdir, 'deploy_flows.yml', '-e', 'studio_flows_dir=flows/', *ENVIRONMENT)
    assert 'Deploying the Flows of %s' % (workdir / 'flows') in deployed.stdout
    assert flow_named(studio, 'Checkout')['revision'] == 1

    exported = run_in(studio, workdir, 'export_flows.yml', '-e', 'studio_export_dir=exported/')
    assert (workdir / 'exported' / 'checkout.json').is_file()
    assert 'exported to %s' % (workdir / 'exported') in exported.stdout
    assert not os.path.exists(os.path.join(ROOT, 'playbooks', 'exported'))

    # ~ is the user's home; the check and the writes look at the same place
    run_in(studio, workdir, 'export_flows.yml', '-e', 'studio_export_dir=~/flows-copy', env={'HOME': str(home)})
    assert (home / 'flows-copy' / 'survey.json').is_file()

    # the folder checked is the folder read: a stale ./flows elsewhere cannot be deployed by mistake
    other = tmp_path / 'elsewhere'
    other.mkdir()
    missing = run_in(studio, other, 'deploy_flows.yml', '-e', 'studio_flows_dir=flows/', *ENVIRONMENT, check=False)
    assert missing.returncode != 0 and 'studio_flows_dir: %s is not a folder' % (other / 'flows') in missing.stdout

    executions = run_in(studio, workdir, 'export_executions.yml',
                        '-e', '{"studio_flow": "Customer survey", "studio_export_path": "runs.jsonl"}')
    assert (workdir / 'runs.jsonl').is_file()
    assert 'written to %s' % (workdir / 'runs.jsonl') in executions.stdout


def test_draft_on_the_command_line_never_publishes(studio, workdir):
    run_in(studio, workdir, 'deploy_flows.yml', '-e', 'studio_flows_dir=flows/', *ENVIRONMENT)
    run_in(studio, workdir, 'export_flows.yml', '-e', 'studio_export_dir=exported/')
    exported = workdir / 'exported' / 'collect-address.json'
    document = json.loads(exported.read_text())
    assert document['status'] == 'published'
    document['definition']['states'][1]['properties']['body'] = 'Where should we deliver?'
    exported.write_text(json.dumps(document))

    run = run_in(studio, workdir, 'deploy_flows.yml', '-e', 'studio_flows_dir=exported/',
                 '-e', 'studio_flows_status=draft')
    sid = flow_named(studio, 'Collect address')['sid']
    latest, live = (v2(studio, '/v2/Flows/%s/Revisions/%s' % (sid, which))
                    for which in ('LatestRevision', 'LatestPublished'))
    assert latest['status'] == 'draft' and latest['revision'] == 2
    assert live['revision'] == 1  # live traffic still runs what it ran
    assert 'written 1 (Collect address revision 2 (draft))' in run.stdout

    # without the variable, the file's status counts
    run = run_in(studio, workdir, 'deploy_flows.yml', '-e', 'studio_flows_dir=exported/')
    assert 'written 1 (Collect address revision 3 (published))' in run.stdout


def test_export_leaves_templates_alone_and_reports_their_drift(studio, workdir):
    run_in(studio, workdir, 'deploy_flows.yml', '-e', 'studio_flows_dir=flows/', *ENVIRONMENT)
    exported = run_in(studio, workdir, 'export_flows.yml', '-e', 'studio_export_dir=flows/', *ENVIRONMENT)
    assert not (workdir / 'flows' / 'checkout.json').exists()
    assert 'kept as templates, not exported: checkout.json.j2' in exported.stdout
    assert 'differs from its template' not in exported.stdout
    # the folder still deploys: one file per Flow
    assert recap_changed(run_in(studio, workdir, 'deploy_flows.yml', '-e', 'studio_flows_dir=flows/',
                                *ENVIRONMENT).stdout) == 0

    # a console edit of the templated Flow
    sid = flow_named(studio, 'Checkout')['sid']
    definition = v2(studio, '/v2/Flows/%s' % sid)['definition']
    definition['states'][3]['properties']['body'] = 'Thanks (edited in the console)'
    requests.post(studio.url + '/v2/Flows/' + sid, data={'Status': 'published', 'CommitMessage': 'console edit',
                                                         'Definition': json.dumps(definition)},
                  auth=('AC0123456789abcdef0123456789abcdef', 'emulator-auth-token'), timeout=30).raise_for_status()
    drift = run_in(studio, workdir, 'export_flows.yml', '-e', 'studio_export_dir=flows/', *ENVIRONMENT)
    assert re.search(r'drift: Checkout \(%s\) revision 2 differs from its template \S*checkout.json.j2 as rendered '
                     r'for this inventory \(confirm: properties.body\): edit the template' % sid, drift.stdout)
    assert not (workdir / 'flows' / 'checkout.json').exists()


def test_check_mode_says_what_would_be_written_where(studio, workdir):
    run = run_in(studio, workdir, 'deploy_flows.yml', '-e', 'studio_flows_dir=flows/', *ENVIRONMENT,
                 '--check', '--diff')
    assert 'would write 3 (Collect address revision 1 (published), Checkout revision 1 (published), ' \
           'survey revision 1 (published))' in run.stdout
    assert 'in account AC0123456789abcdef0123456789abcdef' in run.stdout
    assert "stands in for Flow 'Collect address', created by this run" in run.stdout
    assert 'revision new' not in run.stdout

    run_in(studio, workdir, 'deploy_flows.yml', '-e', 'studio_flows_dir=flows/', *ENVIRONMENT)
    survey = json.loads((workdir / 'flows' / 'survey.json').read_text())
    survey['states'][2]['properties']['body'] = 'Many thanks!'
    (workdir / 'flows' / 'survey.json').write_text(json.dumps(survey))
    mark = studio.control.last_request()
    run = run_in(studio, workdir, 'deploy_flows.yml', '-e', 'studio_flows_dir=flows/', *ENVIRONMENT,
                 '--check', '--diff', '-e', 'studio_flows_status=draft')
    assert 'would write 1 (survey revision 2 (draft))' in run.stdout and writes(studio, mark) == []
    assert re.search(r'survey revision 2 \(draft\) in account AC0123456789abcdef0123456789abcdef; changed: thanks',
                     run.stdout)
    assert 'stands in' not in run.stdout  # every SID is real now


def test_studio_account_sid_refuses_credentials_of_another_account(studio, workdir):
    inventory = workdir / 'prod.yml'
    inventory.write_text('all:\n  hosts:\n    localhost:\n  vars:\n    studio_account_sid: %s\n' % OTHER_ACCOUNT)
    mark = studio.control.last_request()
    run = studio.playbook('deploy_flows.yml', '-e', 'studio_flows_dir=flows/', *ENVIRONMENT,
                          inventory=str(inventory), cwd=str(workdir), check=False)
    assert run.returncode != 0 and writes(studio, mark) == []
    assert ('These credentials reach account AC0123456789abcdef0123456789abcdef, but this inventory is for '
            'account %s (studio_account_sid): nothing was written' % OTHER_ACCOUNT) in run.stdout
    run = studio.playbook('export_flows.yml', '-e', 'studio_export_dir=out/', inventory=str(inventory),
                          cwd=str(workdir), check=False)
    assert run.returncode != 0 and not (workdir / 'out').exists()

    inventory.write_text('all:\n  hosts:\n    localhost:\n  vars:\n    studio_account_sid: '
                         'AC0123456789abcdef0123456789abcdef\n')
    studio.playbook('deploy_flows.yml', '-e', 'studio_flows_dir=flows/', *ENVIRONMENT, inventory=str(inventory),
                    cwd=str(workdir))
    assert flow_named(studio, 'Checkout')['revision'] == 1


def test_a_template_value_cannot_change_the_json_shape(studio, workdir):
    (workdir / 'flows' / 'notify.json.j2').write_text(
        '{"friendly_name": "Notify", "definition": {"initial_state": "Trigger", "states": [\n'
        '  {"name": "Trigger", "type": "trigger", "properties": {}, '
        '"transitions": [{"event": "incomingRequest", "next": "tell"}]},\n'
        '  {"name": "tell", "type": "send-message", "properties": {"to": "{{contact.channel.address}}", '
        '"body": "[[ greeting ]] \\\\o/"}, "transitions": [{"event": "sent"}, {"event": "failed"}]}]}}\n')
    greeting = 'Hi", "to": "+19999999999'
    run_in(studio, workdir, 'deploy_flows.yml', '-e', 'studio_flows_dir=flows/', *ENVIRONMENT,
           '-e', json.dumps({'greeting': greeting}))
    tell = v2(studio, '/v2/Flows/%s' % flow_named(studio, 'Notify')['sid'])['definition']['states'][1]
    assert tell['properties'] == {'to': '{{contact.channel.address}}', 'body': greeting + ' \\o/'}


@pytest.mark.parametrize('text, says', [
    ('{"initial_state": "Trigger", "states": [], "states": [{"name": "Trigger", "type": "trigger"}]}',
     "survey.json repeats the key 'states' at #/states"),
    ('{"initial_state": "Trigger", "states": [{"name": "Trigger", "type": "trigger", "transitions": []}, '
     '{"name": "a", "type": "send-message", "properties": {"body": "one", "body": "two"}}]}',
     "survey.json repeats the key 'body' at #/states/1/properties/body"),
    ('{"initial_state": "Trigger", "states": [{"name": "Trigger", "type": "trigger", "properties": {"x": NaN}}]}',
     'NaN is not JSON'),
    ('{"initial_state": "Trigger", "states": [{"name": "Trigger", "type": "trigger", "properties": {"x": -Infinity}}]}',
     '-Infinity is not JSON'),
], ids=['repeated-states', 'repeated-property', 'nan', 'infinity'])
def test_a_file_json_would_misread_is_refused_before_any_write(text, says, studio, workdir):
    (workdir / 'flows' / 'survey.json').write_text(text)
    mark = studio.control.last_request()
    run = run_in(studio, workdir, 'deploy_flows.yml', '-e', 'studio_flows_dir=flows/', *ENVIRONMENT, check=False)
    assert run.returncode != 0 and says in run.stdout, run.stdout
    assert writes(studio, mark) == []


def test_a_validation_error_names_file_widget_and_transition_once(studio, workdir):
    (workdir / 'flows' / 'order-update.json').write_text(json.dumps({
        'initial_state': 'Trigger', 'states': [
            {'name': 'Trigger', 'type': 'trigger', 'properties': {},
             'transitions': [{'event': 'incomingRequest', 'next': 'greet'}]},
            {'name': 'greet', 'type': 'send-message', 'properties': {'body': 'Your order ' + 'x' * 3000},
             'transitions': [{'event': 'sent', 'next': 'lookup_order_typo'}, {'event': 'failed'}]}]}))
    mark = studio.control.last_request()
    run = run_in(studio, workdir, 'deploy_flows.yml', '-e', 'studio_flows_dir=flows/', *ENVIRONMENT, check=False)
    assert run.returncode != 0 and writes(studio, mark) == []
    line = "order-update.json: widget 'greet', transition 'sent' \u2192 unknown widget 'lookup_order_typo'"
    assert run.stdout.count(line) == 1, run.stdout
    assert run.stdout.count("unknown widget 'lookup_order_typo'") == 1
    assert 'x' * 3000 not in run.stdout and 'ansible_loop_var' not in run.stdout


def test_a_flow_holding_nan_in_the_account_stops_the_export_with_its_name(studio, workdir):
    answer = requests.post(studio.url + '/__emulator__/flows', timeout=30, headers={'Content-Type': 'application/json'},
                           data='{"friendly_name": "Odd", "definition": {"initial_state": "Trigger", "states": ['
                                '{"name": "Trigger", "type": "trigger", "properties": {"offset": {"x": NaN}}}]}}')
    assert answer.status_code in (200, 201), answer.text
    run = run_in(studio, workdir, 'export_flows.yml', '-e', 'studio_export_dir=out/', check=False)
    assert run.returncode != 0
    assert 'holds NaN or Infinity at #/states/0/properties/offset/x' in run.stdout, run.stdout


DOCS = [os.path.join(ROOT, 'README.md'), os.path.join(ROOT, 'docs', 'docsite', 'rst', 'guide_flows_as_code.rst')]


def test_documented_commands_survive_copy_and_paste():
    """Every -e key=value in the README and the guide holds no space (Ansible would cut it there)."""
    import shlex
    found = 0
    for path in DOCS:
        with open(path, encoding='utf-8') as handle:
            text = handle.read().replace('\\\n', ' ')
        for line in text.splitlines():
            command = line.strip().lstrip('$ ')
            if not command.startswith('ansible-playbook '):
                continue
            words = shlex.split(command, comments=True)
            for flag, value in zip(words, words[1:]):
                if flag in ('-e', '--extra-vars') and not value.startswith(('{', '@')):
                    found += 1
                    assert ' ' not in value.split('=', 1)[1], '%s: %s' % (os.path.basename(path), line)
                elif flag in ('-e', '--extra-vars') and value.startswith('{'):
                    json.loads(value)
    assert found > 0
    for path in DOCS:
        with open(path, encoding='utf-8') as handle:
            quoted = re.findall(r'-e\s+\w+=["\']', handle.read())
        assert quoted == [], '%s: a quoted -e key=value holds spaces; use the JSON form' % path


@pytest.fixture
def core_216(monkeypatch):
    """ansible-playbook of ansible-core 2.16 (make venv-min), for the cases 2.16 used to get wrong."""
    import studio_runner
    path = os.path.join(ROOT, '.venv-min', 'bin', 'ansible-playbook')
    if not os.path.exists(path):
        pytest.skip('no .venv-min (make venv-min)')
    import subprocess
    version = subprocess.run([path, '--version'], stdout=subprocess.PIPE, text=True, check=True).stdout
    assert 'core 2.16' in version
    monkeypatch.setattr(studio_runner, 'ANSIBLE_PLAYBOOK', path)
    return path


def test_on_ansible_core_2_16_nan_is_refused_and_values_are_escaped(core_216, studio, workdir):
    (workdir / 'flows' / 'notify.json.j2').write_text(
        '{"friendly_name": "Notify", "definition": {"initial_state": "Trigger", "states": [\n'
        '  {"name": "Trigger", "type": "trigger", "properties": {}, '
        '"transitions": [{"event": "incomingRequest", "next": "tell"}]},\n'
        '  {"name": "tell", "type": "send-message", "properties": {"body": "[[ greeting ]]"}, '
        '"transitions": [{"event": "sent"}, {"event": "failed"}]}]}}\n')
    greeting = 'Hi", "to": "+19999999999'
    run = run_in(studio, workdir, 'deploy_flows.yml', '-e', 'studio_flows_dir=flows/', *ENVIRONMENT,
                 '-e', json.dumps({'greeting': greeting}))
    tell = v2(studio, '/v2/Flows/%s' % flow_named(studio, 'Notify')['sid'])['definition']['states'][1]
    assert tell['properties'] == {'body': greeting}

    (workdir / 'flows' / 'notify.json.j2').unlink()
    for text, says in (
            ('{"initial_state": "Trigger", "states": [{"name": "Trigger", "type": "trigger", "properties": {"x": NaN}}]}',
             'NaN is not JSON'),
            ('{"initial_state": "Trigger", "states": [], "states": [{"name": "Trigger", "type": "trigger"}]}',
             "survey.json repeats the key 'states' at #/states")):
        (workdir / 'flows' / 'survey.json').write_text(text)
        mark = studio.control.last_request()
        run = run_in(studio, workdir, 'deploy_flows.yml', '-e', 'studio_flows_dir=flows/', *ENVIRONMENT, check=False)
        assert run.returncode != 0 and says in run.stdout and 'string indices' not in run.stdout, run.stdout
        assert writes(studio, mark) == []


def test_export_renders_a_template_whose_subflow_the_account_lacks(studio, workdir):
    (workdir / 'flows' / 'collect-address.json').unlink()
    run = run_in(studio, workdir, 'export_flows.yml', '-e', 'studio_export_dir=flows/', *ENVIRONMENT)
    assert 'kept as templates, not exported: checkout.json.j2' in run.stdout
    assert not (workdir / 'flows' / 'checkout.json').exists() and (workdir / 'flows' / 'customer-survey.json').exists()
