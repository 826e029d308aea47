# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWX/AAP readiness: ansible-runner with an AWX-style private data dir, and the execution environment."""

import os
import re
import shutil
import subprocess

import ansible_runner
import yaml

from conftest import BIN, INVENTORY, ROOT


def test_ansible_runner_job_stores_each_hosts_facts(studio):
    private = studio.tmp / 'job'
    shutil.copytree(os.path.join(ROOT, 'playbooks'), private / 'project', ignore=shutil.ignore_patterns('inventory'))
    (private / 'inventory').mkdir()
    shutil.copy(INVENTORY, private / 'inventory' / 'hosts.yml')
    (private / 'env').mkdir()
    # As AWX injects a custom credential: env vars, unfilled fields as empty strings.
    envvars = {name: studio.env[name] for name in ('TWILIO_STUDIO_URL', 'TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN')}
    envvars.update(TWILIO_API_KEY='', TWILIO_API_SECRET='', TWILIO_REGION='', TWILIO_EDGE='',
                   ANSIBLE_COLLECTIONS_PATH=os.environ['ANSIBLE_COLLECTIONS_PATH'],
                   PATH=BIN + os.pathsep + os.environ.get('PATH', ''))
    (private / 'env' / 'envvars').write_text(yaml.safe_dump(envvars))
    result = ansible_runner.run(private_data_dir=str(private), playbook='run_flow.yml', quiet=True,
                                fact_cache_type='jsonfile')
    assert result.status == 'successful', result.stdout.read()
    cache = private / 'artifacts' / result.config.ident / 'fact_cache'
    stored = {name: (cache / name).read_text() for name in os.listdir(cache)}
    hosts = ['+15551230001', '+15551230002', '+15551230003', 'di-whatsapp', '+15551230005']
    for host in hosts:
        (text,) = [v for k, v in stored.items() if k.endswith(host)]
        for fact in ('studio_execution', 'studio_context', 'studio_steps'):
            assert fact in text
    assert studio.control.stats()['executions_created'] == 5
    assert 'emulator-auth-token' not in result.stdout.read()


def test_execution_environment_needs_only_requests(tmp_path):
    builder = os.path.join(BIN, 'ansible-builder')
    collections = tmp_path / 'collections' / 'ansible_collections' / 'telephony'
    collections.mkdir(parents=True)
    shutil.copytree(ROOT, collections / 'twilio', ignore=shutil.ignore_patterns('.git', '.venv*', 'tests'))
    out = subprocess.run([builder, 'introspect', str(tmp_path / 'collections')], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, check=True).stdout
    assert 'requests' in out and 'telephony.twilio' in out


def test_the_shipped_execution_environment_definition_is_accepted_as_is(tmp_path):
    """docs/awx/execution-environment.yml (version 3) with the built tarball beside it, as its header says."""
    shutil.copy(os.path.join(ROOT, 'docs', 'awx', 'execution-environment.yml'), tmp_path)
    subprocess.run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'build', '--output-path', str(tmp_path), ROOT],
                   check=True, stdout=subprocess.DEVNULL)
    os.rename(next(tmp_path.glob('telephony-twilio-*.tar.gz')), tmp_path / 'telephony-twilio.tar.gz')
    subprocess.run([os.path.join(BIN, 'ansible-builder'), 'create', '-f', str(tmp_path / 'execution-environment.yml'),
                    '-c', str(tmp_path / 'context')], check=True, stdout=subprocess.DEVNULL, cwd=str(tmp_path))
    (containerfile,) = [tmp_path / 'context' / name for name in ('Containerfile', 'Dockerfile')
                        if (tmp_path / 'context' / name).exists()]
    text = containerfile.read_text()
    assert 'quay.io/ansible/awx-ee:latest' in text and 'telephony-twilio.tar.gz' in text
    assert (tmp_path / 'context' / '_build' / 'collections' / 'telephony-twilio.tar.gz').exists()
    assert 'telephony-twilio.tar.gz' in (tmp_path / 'context' / '_build' / 'requirements.yml').read_text()
    assert 'requests' in (tmp_path / 'context' / '_build' / 'requirements.txt').read_text()


def test_awx_project_and_credential_type_files_fit_the_collection():
    with open(os.path.join(ROOT, 'playbooks', 'collections', 'requirements.yml')) as handle:
        wanted = yaml.safe_load(handle)['collections']
    with open(os.path.join(ROOT, 'galaxy.yml')) as handle:
        version = yaml.safe_load(handle)['version']
    assert wanted[0]['name'] == 'telephony.twilio' and wanted[0]['version'] == '>=%s' % version
    with open(os.path.join(ROOT, 'docs', 'awx', 'credential_type_inputs.yml')) as handle:
        inputs = {field['id']: field for field in yaml.safe_load(handle)['fields']}
    with open(os.path.join(ROOT, 'docs', 'awx', 'credential_type_injectors.yml')) as handle:
        env = yaml.safe_load(handle)['env']
    with open(os.path.join(ROOT, 'plugins', 'doc_fragments', 'auth.py')) as handle:
        documented = set(re.findall(r'TWILIO_[A-Z_]+', handle.read())) - {'TWILIO_STUDIO_URL'}
    assert set(env) == documented
    for name, template in env.items():
        field = re.fullmatch(r'\{\{ (\w+) \}\}', template).group(1)
        assert field in inputs and inputs[field].get('secret', False) == name.endswith(('TOKEN', 'SECRET'))
    with open(os.path.join(ROOT, 'README.md')) as handle:
        readme = handle.read()
    assert all('%s: "%s"' % (name, template) in readme for name, template in env.items())


def test_built_collection_installs_and_documents_every_module(tmp_path):
    subprocess.run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'build', '--output-path', str(tmp_path), ROOT],
                   check=True, stdout=subprocess.DEVNULL)
    (tarball,) = tmp_path.glob('telephony-twilio-*.tar.gz')
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(tmp_path / 'coll'))
    subprocess.run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'install', '--force', '-p',
                    str(tmp_path / 'coll'), str(tarball)], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, cwd=str(tmp_path), env=env)
    for module in ('studio_flow_info', 'studio_execution', 'studio_execution_info', 'studio_step_info',
                   'studio_campaign', 'studio_campaign_facts'):
        text = subprocess.run([os.path.join(BIN, 'ansible-doc'), 'telephony.twilio.' + module], env=env, check=True,
                              stdout=subprocess.PIPE, text=True, cwd=str(tmp_path)).stdout
        parts = ('OPTIONS', 'ATTRIBUTES', 'EXAMPLES', 'RETURN VALUES') + (
            () if module == 'studio_campaign_facts' else ('auth_token', 'TWILIO_AUTH_TOKEN', 'action_group'))
        for part in parts:
            assert part in text, (module, part)
