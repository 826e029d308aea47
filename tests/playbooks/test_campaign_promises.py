# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a campaign promises where people run it: each contact's own facts with Ansible's default
fact cache (on the newest and the oldest ansible-core), one clear failure before any contact when
credentials, the Flow or the target group are wrong, and output that does not repeat itself."""

import os
import re
import time

import pytest

from conftest import ROOT

OWN_FACTS = os.path.join(ROOT, 'tests', 'playbooks', 'own_facts.yml')
VENV_MIN = os.path.join(ROOT, '.venv-min', 'bin', 'ansible-playbook')


def contacts(path, count, flow='Customer survey', extra=''):
    hosts = ''.join('    "+1555300%04d": {studio_parameters: {name: N%d}}\n' % (i, i) for i in range(count))
    path.write_text('studio_contacts:\n  vars:\n    studio_flow: %s\n    studio_from: "+15005550006"\n  hosts:\n%s%s'
                    % (flow, hosts, extra))
    return path


def default_cache(studio, **more):
    """Ansible's default fact cache (memory; the runner's jsonfile undone)."""
    env = dict(studio.env, ANSIBLE_CACHE_PLUGIN='memory', ANSIBLE_CACHE_PLUGIN_CONNECTION='')
    env.update(more)
    return env


@pytest.mark.parametrize('core, cache, chunk', [
    ('newest', 'memory', 500), ('oldest', 'memory', 500), ('newest', 'jsonfile', 500), ('newest', 'memory', 5)])
def test_every_contact_has_its_own_facts(studio, tmp_path, core, cache, chunk):
    if core == 'oldest' and not os.path.exists(VENV_MIN):
        pytest.skip('make venv-min first (ansible-core 2.16)')
    inv = contacts(tmp_path / 'contacts.yml', 12, extra='    bad-one: {studio_to: "not a number"}\n')
    env = default_cache(studio) if cache == 'memory' else dict(studio.env)
    command = VENV_MIN if core == 'oldest' else None
    if command:
        env = dict(env, PATH=os.path.dirname(VENV_MIN) + os.pathsep + env['PATH'])
    # chunk 5: the facts are set by three includes of the loop (5, 5 and 2 contacts)
    out = studio.playbook(OWN_FACTS, '-e', 'studio_campaign=own-%s-%s-%d' % (core, cache, chunk),
                          '-e', 'studio_facts_chunk=%d' % chunk, inventory=inv, check=False, env=env, command=command)
    # the bad contact fails as a host; every other contact's assertion held; the wrapper play ran
    assert out.returncode == 2, out.stdout
    assert studio.failures(out.stdout).keys() == {'bad-one'}, out.stdout
    assert 'wrapper play ran after 13 contacts' in out.stdout
    recap = dict(re.findall(r'^(\S+)\s+: ok=(\d+)', out.stdout, re.M))
    assert all(int(recap['+1555300%04d' % i]) >= 1 for i in range(12)), recap  # own_facts.yml's check, per contact
    assert studio.control.stats()['executions_created'] == 12


def test_a_missing_or_empty_target_group_fails_naming_it(studio, tmp_path):
    inv = tmp_path / 'other.yml'
    inv.write_text('customers:\n  hosts:\n    "+15553000001": {}\nstudio_contacts:\n  hosts: {}\n')
    for extra, words in ((['-e', 'studio_target=clients'], 'the group clients is not in the inventory'),
                         ([], 'the group studio_contacts is empty')):
        out = studio.playbook('run_flow.yml', *extra, inventory=inv, check=False)
        assert out.returncode != 0, out.stdout
        assert 'studio_target: %s' % words in out.stdout
    assert studio.control.requests() == [] or not [r for r in studio.control.requests() if r['method'] == 'POST']


def test_no_credentials_fail_fast_and_once(studio, tmp_path):
    inv = contacts(tmp_path / 'contacts.yml', 200)
    env = default_cache(studio)
    env.update(TWILIO_ACCOUNT_SID='', TWILIO_AUTH_TOKEN='')  # unset (as AWX leaves unfilled fields)
    started = time.time()
    out = studio.playbook('run_flow.yml', inventory=inv, check=False, env=env)
    took = time.time() - started
    assert out.returncode != 0
    assert 1 <= out.stdout.count('No Twilio credentials') <= 3, out.stdout
    assert took <= 15, took
    assert not [r for r in studio.control.requests() if r['method'] == 'POST']


def test_a_mistyped_flow_is_one_message_listing_its_contacts(studio, tmp_path):
    inv = contacts(tmp_path / 'contacts.yml', 50, flow='Custmer survey')
    out = studio.playbook('run_flow.yml', inventory=inv, check=False, env=default_cache(studio))
    assert out.returncode != 0
    # one message (ansible-core 2.19+ shows a failed task's message twice: its error line and its result)
    assert 1 <= out.stdout.count('no Flow is named') <= 2, out.stdout
    assert out.stdout.count('fatal: ') == 1
    assert 'Custmer survey' in out.stdout and '+15553000000, +15553000001' in out.stdout and 'and 40 more' in out.stdout
    assert len(out.stdout.splitlines()) < 60
    assert studio.control.stats()['executions_created'] == 0


def test_a_misspelt_report_time_zone_fails_before_anything_is_sent(studio, tmp_path):
    inv = contacts(tmp_path / 'contacts.yml', 3)
    out = studio.playbook('run_flow.yml', '-e', 'studio_report_path=%s' % (tmp_path / 'r.html'),
                          '-e', 'studio_report_timezone=Europe/Pariss', inventory=inv, check=False)
    assert out.returncode != 0, out.stdout
    assert 'studio_report_timezone must be an IANA time zone name' in out.stdout
    assert studio.control.stats()['executions_created'] == 0
    assert not (tmp_path / 'r.html').exists()


def test_a_clean_campaign_is_quiet_and_failures_are_grouped_by_cause(studio, tmp_path):
    count = 200
    inv = contacts(tmp_path / 'contacts.yml', count,
                   extra=''.join('    "bad-%d": {studio_to: "12345"}\n' % i for i in range(5)))
    out = studio.playbook('run_flow.yml', inventory=inv, check=False, env=default_cache(studio))
    lines = [line for line in out.stdout.splitlines() if line.strip()]
    # no line per contact in the summary: counts, who was triggered (one line), one line per cause
    assert not [line for line in lines if re.match(r'^\s+"\+1555300\d{4}: ', line)]
    causes = [line for line in lines if 'FAILED ' in line and '(5 contacts: bad-0, bad-1' in line]
    assert len(causes) == 1, out.stdout
    # what is left per contact: the line of its facts (see "Output" in the README); up to 12 lines per failed
    # contact (ansible-core 2.21 shows a failed task's origin and code around it, then its result; and its
    # line in the recap)
    assert len(lines) - 12 * 5 <= 1.2 * count, out.stdout
    recap = re.findall(r'^(\S+)\s+: ok=', out.stdout, re.M)
    assert sorted(set(recap) - {'localhost', '+15553000000'}) == ['bad-%d' % i for i in range(5)], recap
