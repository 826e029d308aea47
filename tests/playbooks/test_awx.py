# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWX/AAP readiness: ansible-runner with an AWX-style private data dir, and the execution environment."""

import os
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
    definition = tmp_path / 'execution-environment.yml'
    definition.write_text(yaml.safe_dump({
        'version': 3,
        'images': {'base_image': {'name': 'quay.io/ansible/awx-ee:latest'}},
        'dependencies': {'galaxy': {'collections': [{'name': str(tmp_path / 'telephony-twilio.tar.gz'),
                                                     'type': 'file'}]},
                         'python': ['requests>=2.25']},
    }))
    subprocess.run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'build', '--output-path', str(tmp_path), ROOT],
                   check=True, stdout=subprocess.DEVNULL)
    os.rename(next(tmp_path.glob('telephony-twilio-*.tar.gz')), tmp_path / 'telephony-twilio.tar.gz')
    subprocess.run([builder, 'create', '-f', str(definition), '-c', str(tmp_path / 'context')], check=True,
                   stdout=subprocess.DEVNULL, cwd=str(tmp_path))
    built = [name for name in ('Containerfile', 'Dockerfile') if (tmp_path / 'context' / name).exists()]
    assert built, os.listdir(tmp_path / 'context')
    assert 'telephony-twilio.tar.gz' in (tmp_path / 'context' / '_build' / 'requirements.yml').read_text() or \
        any('telephony' in name for name in os.listdir(tmp_path / 'context' / '_build'))


def test_built_collection_installs_and_documents_every_module(tmp_path):
    subprocess.run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'build', '--output-path', str(tmp_path), ROOT],
                   check=True, stdout=subprocess.DEVNULL)
    (tarball,) = tmp_path.glob('telephony-twilio-*.tar.gz')
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(tmp_path / 'coll'))
    subprocess.run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'install', '--force', '-p',
                    str(tmp_path / 'coll'), str(tarball)], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, cwd=str(tmp_path), env=env)
    for module in ('studio_flow_info', 'studio_execution', 'studio_execution_info', 'studio_step_info'):
        text = subprocess.run([os.path.join(BIN, 'ansible-doc'), 'telephony.twilio.' + module], env=env, check=True,
                              stdout=subprocess.PIPE, text=True, cwd=str(tmp_path)).stdout
        for part in ('OPTIONS', 'auth_token', 'TWILIO_AUTH_TOKEN', 'ATTRIBUTES', 'action_group', 'EXAMPLES',
                     'RETURN VALUES'):
            assert part in text, (module, part)
