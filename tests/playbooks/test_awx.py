# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWX/AAP readiness: ansible-runner with an AWX-style private data dir, and the execution environment."""

import json
import os
import posixpath
import re
import shlex
import shutil
import subprocess
import sys
import tarfile

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


def _readme_ee_steps():
    """The shell commands of README's execution environment block (the one that runs ansible-builder build)."""
    with open(os.path.join(ROOT, 'README.md')) as handle:
        blocks = re.findall(r'^( *)```bash\n(.*?)^ *```', handle.read(), re.S | re.M)
    (steps,) = [body for indent, body in blocks if 'ansible-builder build -f docs/awx/execution-environment.yml' in body]
    return [line.strip() for line in steps.splitlines() if line.strip() and not line.strip().startswith('#')]


def _containerfile(context):
    """The generated Containerfile (Dockerfile when ansible-builder picks docker as the runtime)."""
    (path,) = [context / name for name in ('Containerfile', 'Dockerfile') if (context / name).exists()]
    return path.read_text()


def _stage(containerfile, name):
    """The instructions of one build stage (FROM ... AS name), continuation lines joined."""
    text = re.sub(r'\\\n\s*', ' ', containerfile)
    instructions, current = [], None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith('FROM '):
            current = line.split()[-1]
        elif line and not line.startswith('#') and current == name:
            instructions.append(line)
    return instructions


def _replay_collection_install(context, root, env):
    """Replay the galaxy stage's COPY, WORKDIR and collection install under the directory root.

    The stage starts in the base image's work directory, /runner for ansible-builder's images (the EE
    base images set it); what COPY puts there is not where a later WORKDIR runs the install.
    Returns the collections path the install wrote to.
    """
    workdir, collections = '/runner', None
    for instruction in _stage(_containerfile(context), 'galaxy'):
        keyword, args = (instruction.split(None, 1) + [''])[:2]
        if keyword == 'WORKDIR':
            workdir = posixpath.join(workdir, args.strip())
        elif keyword == 'COPY' and not args.startswith('--'):
            src, dest = shlex.split(args)
            target = root / posixpath.join(workdir, dest).lstrip('/')
            if (context / src).is_dir():
                shutil.copytree(context / src, target, dirs_exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(context / src, target)
        elif keyword == 'RUN' and 'ansible-galaxy collection install' in args:
            words = [word for word in shlex.split(args) if not word.startswith('$')]
            run_env = dict(env, **dict(word.split('=', 1) for word in words if re.match(r'\w+=', word)))
            words = [word for word in words if not re.match(r'\w+=', word)]
            index = words.index('--collections-path') + 1
            collections = root / words[index].lstrip('/')
            words[index] = str(collections)
            cwd = root / workdir.lstrip('/')
            cwd.mkdir(parents=True, exist_ok=True)
            done = subprocess.run([os.path.join(BIN, words[0])] + words[1:], cwd=str(cwd), env=run_env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
            assert done.returncode == 0, (instruction, workdir, done.stdout)
    assert collections is not None, 'the galaxy stage installs no collections'
    return collections


def test_the_readme_execution_environment_steps_build_an_image_with_the_collection(tmp_path):
    """README's EE steps in a copy of the checkout (create for build: no container runtime here), then the
    generated Containerfile's collection install and the builder's introspection replayed from the context."""
    checkout = tmp_path / 'checkout'
    shutil.copytree(ROOT, checkout, ignore=shutil.ignore_patterns(
        '.git', '.venv*', 'output', '__pycache__', '*.tar.gz', 'build', 'context', 'demo-output'))
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get('PATH', ''), HOME=str(tmp_path))
    env.pop('ANSIBLE_COLLECTIONS_PATH', None)
    steps = _readme_ee_steps()
    assert steps[-1].startswith('ansible-builder build ')
    for step in steps:
        step = re.sub(r'^ansible-builder build (.*?) -t \S+$', r'ansible-builder create \1', step)
        done = subprocess.run(step, shell=True, cwd=str(checkout), env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, check=False)
        assert done.returncode == 0, (step, done.stdout)
        # ansible-builder only warns about a missing additional_build_files source.
        assert 'WARNING' not in done.stdout, (step, done.stdout)

    context = checkout / 'context'
    containerfile = _containerfile(context)
    base = re.search(r'^ARG EE_BASE_IMAGE="?([^"\n]+)', containerfile, re.M).group(1)
    assert re.search(r':[0-9][\w.-]*$|@sha256:[0-9a-f]{64}$', base) and not base.endswith(':latest'), base
    collections = _replay_collection_install(context, tmp_path / 'image', env)
    with open(os.path.join(ROOT, 'galaxy.yml')) as handle:
        version = yaml.safe_load(handle)['version']
    manifest = collections / 'ansible_collections' / 'telephony' / 'twilio' / 'MANIFEST.json'
    assert json.loads(manifest.read_text())['collection_info']['version'] == version
    # The builder stage: introspection of the installed collections plus the definition's own list.
    wanted = tmp_path / 'requirements.txt'
    subprocess.run([sys.executable, str(context / '_build' / 'scripts' / 'introspect.py'), 'introspect', str(collections),
                    '--user-pip', str(context / '_build' / 'requirements.txt'), '--write-pip', str(wanted)],
                   check=True, stdout=subprocess.DEVNULL, env=env)
    assert re.search(r'^requests\b.*# (?=.*telephony\.twilio)', wanted.read_text(), re.M), wanted.read_text()


def test_the_built_tarball_leaves_development_files_out(tmp_path):
    """build_ignore: a checkout with virtualenvs, test and build output, CI and lint files builds a tarball
    of the collection alone (what Galaxy's importer and ansible-lint see)."""
    checkout = tmp_path / 'checkout'
    shutil.copytree(ROOT, checkout, ignore=shutil.ignore_patterns('.git', '.venv*', 'output', '__pycache__', '*.tar.gz'))
    for name in ('.venv/lib/site.py', '.venv-2.18/bin/python', 'tests/output/junit.xml', 'demo-output/report.html',
                 'build/telephony-twilio-0.0.1.tar.gz', 'context/Containerfile', 'docs/awx/telephony-twilio.tar.gz',
                 'plugins/modules/__pycache__/x.pyc', 'tests/emulator/studio_emulator.egg-info/PKG-INFO', '.ci/run'):
        (checkout / name).parent.mkdir(parents=True, exist_ok=True)
        (checkout / name).write_text('x')
    subprocess.run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'build', '--output-path', str(tmp_path), str(checkout)],
                   check=True, stdout=subprocess.DEVNULL)
    (tarball,) = tmp_path.glob('telephony-twilio-*.tar.gz')
    with tarfile.open(tarball) as archive:
        names = set(archive.getnames())
    development = [name for name in names if re.match(
        r'(\.venv|\.ci|\.ansible-lint|\.git|Makefile|build/|context/|demo-output|tests/(output|playbooks|reliability|bench)/'
        r'|changelogs/fragments/)', name) or re.search(r'__pycache__|\.egg-info|\.tar\.gz$', name)]
    assert not development, development
    for wanted in ('README.md', 'LICENSE', 'CODE_OF_CONDUCT.md', 'CONTRIBUTING.md', 'meta/runtime.yml',
                   'meta/execution-environment.yml', 'meta/ee-requirements.txt', 'changelogs/changelog.yaml',
                   'docs/awx/execution-environment.yml', 'plugins/modules/studio_execution.py',
                   'tests/emulator/pyproject.toml', 'tests/unit', 'tests/integration/targets'):
        assert wanted in names, wanted


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
    documented = set()
    for fragment in ('credentials.py', 'connection.py'):
        with open(os.path.join(ROOT, 'plugins', 'doc_fragments', fragment)) as handle:
            documented.update(re.findall(r'TWILIO_[A-Z_]+', handle.read()))
    documented -= {'TWILIO_STUDIO_URL'}
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
    modules = sorted(name[:-len('.py')] for name in os.listdir(os.path.join(ROOT, 'plugins', 'modules'))
                     if name.endswith('.py'))
    assert len(modules) >= 11
    # What each doc fragment a module extends must bring into its ansible-doc page.
    brought = {
        'telephony.twilio.credentials': ('auth_token', 'TWILIO_AUTH_TOKEN', 'api_secret'),
        'telephony.twilio.connection': ('studio_url', 'TWILIO_STUDIO_URL', 'max_retries', 'validate_certs'),
        'telephony.twilio.executions': ('on_active', 'ansible_campaign', 'parameters'),
        'telephony.twilio.attributes': ('action_group',),
    }
    for module in modules:
        with open(os.path.join(ROOT, 'plugins', 'modules', module + '.py')) as handle:
            extends = re.findall(r'^  - (telephony\.twilio\.\w+)$', handle.read(), re.M)
        text = subprocess.run([os.path.join(BIN, 'ansible-doc'), 'telephony.twilio.' + module], env=env, check=True,
                              stdout=subprocess.PIPE, text=True, cwd=str(tmp_path)).stdout
        parts = ('OPTIONS', 'ATTRIBUTES', 'EXAMPLES', 'RETURN VALUES') + sum(
            (brought[fragment] for fragment in extends if fragment in brought), ())
        for part in parts:
            assert part in text, (module, part)
