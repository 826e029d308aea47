# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one runner of real ansible-playbook processes against an emulator, for tests/playbooks and
tests/reliability: an environment with the emulator's URL and credentials and a jsonfile fact
cache, and ``playbook()``."""

import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
ANSIBLE_PLAYBOOK = os.path.join(BIN, 'ansible-playbook') if os.path.exists(os.path.join(BIN, 'ansible-playbook')) \
    else 'ansible-playbook'
ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef'


class Studio:
    """ansible-playbook runs against the emulator at ``url`` (``control``: its test controls, or None).

    ``inventory`` is the default inventory; a playbook name without a directory is one of
    ``playbooks/``. With ``merge_stderr``, stderr is part of ``stdout`` (what a person sees);
    without it, the two stay apart (the secrets tests search both).
    """

    def __init__(self, url, control, tmp_path, token, inventory='localhost,', merge_stderr=True):
        self.url = url
        self.control = control
        self.tmp = tmp_path
        self.inventory = inventory
        self.merge_stderr = merge_stderr
        self.env = dict(os.environ, TWILIO_STUDIO_URL=url, TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_AUTH_TOKEN=token,
                        ANSIBLE_CACHE_PLUGIN='jsonfile', ANSIBLE_CACHE_PLUGIN_CONNECTION=str(tmp_path / 'facts'),
                        ANSIBLE_NOCOLOR='1', ANSIBLE_DEPRECATION_WARNINGS='0', ANSIBLE_RETRY_FILES_ENABLED='0',
                        PATH=BIN + os.pathsep + os.environ.get('PATH', ''))
        for name in ('TWILIO_API_KEY', 'TWILIO_API_SECRET', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'):
            self.env.pop(name, None)

    def playbook(self, name, *args, inventory=None, check=True, cwd=None, env=None, command=None):
        """Run ``name``; ``command``: another ansible-playbook (such as the oldest ansible-core's)."""
        path = name if os.path.dirname(name) else os.path.join(ROOT, 'playbooks', name)
        proc = subprocess.run([command or ANSIBLE_PLAYBOOK, '-i', str(inventory or self.inventory), path] + list(args),
                              env=dict(self.env, **(env or {})), cwd=cwd, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT if self.merge_stderr else subprocess.PIPE, text=True,
                              timeout=900, check=False)
        if check:
            assert proc.returncode == 0, proc.stdout + (proc.stderr or '')
        return proc

    def end_state(self):
        """What the emulator holds: (contact, status, number of Steps) for each Execution."""
        return sorted((e['to'], e['status'], e['steps']) for e in self.control.executions())

    @staticmethod
    def failures(output):
        return failures(output)


def failures(output):
    """{host: msg} from the default callback's ``fatal: [host]: FAILED! => {...}`` (one line or, at -v
    and more, several)."""
    failed, decoder = {}, json.JSONDecoder()
    for match in re.finditer(r'^fatal: \[([^\]]+)\]: FAILED! => ', output, re.M):
        try:
            result = decoder.raw_decode(output, match.end())[0]
        except ValueError:
            result = {'msg': output[match.end():match.end() + 300]}
        failed[match.group(1)] = result.get('msg', '') if isinstance(result, dict) else str(result)
    return failed
