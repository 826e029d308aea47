# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the collection writes is safe to write: reports and exports are 0600, never written through a
link planted where they go, never a FIFO or a device; the export touches only files it wrote, one
export per file. Each playbook runs from a working directory other than the collection."""

import csv
import json
import os
import signal
import stat
import subprocess
import time

import pytest
import requests
from studio_emulator import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN

from studio_runner import ANSIBLE_PLAYBOOK, ROOT

FLOW = 'Order update'
MISPLACED = 'root:x:0:0:root:/root:/bin/bash\n'


@pytest.fixture
def work(tmp_path):
    path = tmp_path / 'work'
    path.mkdir()
    return path


def mode_of(path):
    return stat.S_IMODE(os.lstat(str(path)).st_mode)


def fingerprint(path):
    """What writing a file changes (not its access time: the test itself reads it)."""
    found = os.lstat(str(path))
    return found.st_ino, found.st_mode, found.st_uid, found.st_size, found.st_mtime_ns


def root_only_file(path):
    path.write_text(MISPLACED)
    os.chmod(str(path), 0o600)
    return fingerprint(path)


def create_executions(studio, count):
    flow_sid = studio.control.flows()[FLOW]
    http = requests.Session()
    http.auth = (DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN)
    for n in range(count):
        answer = http.post('%s/v1/Flows/%s/Executions' % (studio.url, flow_sid), timeout=30,
                           data={'To': '+1555%07d' % n, 'From': '+15550000000',
                                 'Parameters': json.dumps({'name': 'Contact %d' % n, 'order': str(n)})})
        answer.raise_for_status()
    return flow_sid


def export(studio, path, *args, check=True, cwd=None, flow=FLOW):
    return studio.playbook('export_executions.yml', '-e', 'studio_flow=%s' % json.dumps(flow), '-e',
                           'studio_export_path=%s' % path, *args, check=check, cwd=cwd)


def sids(path):
    with open(str(path)) as handle:
        return [json.loads(line)['sid'] for line in handle]


# -- the report ----------------------------------------------------------------------------------
def test_a_report_path_planted_as_a_link_to_a_root_only_file_leaves_that_file_alone(studio, work, tmp_path):
    victim = tmp_path / 'shadow'
    before = root_only_file(victim)
    os.symlink(str(victim), str(work / 'report.csv'))
    out = studio.playbook('run_flow.yml', '-e', 'studio_report_path=report.csv', cwd=str(work))
    assert victim.read_text() == MISPLACED and fingerprint(victim) == before
    report = work / 'report.csv'
    assert not os.path.islink(str(report)) and mode_of(report) == 0o600
    assert next(csv.reader(report.open(newline='')))[:3] == ['contact', 'to', 'execution_sid']
    assert 'Report written to %s (mode 0600)' % report in out.stdout


def test_reports_are_0600_a_mode_may_widen_a_new_one_never_an_old_one(studio, work):
    dry = studio.playbook('run_flow.yml', '--check', '-e', 'studio_report_path=new.json', cwd=str(work))
    assert 'Report not written (check mode): %s' % (work / 'new.json') in dry.stdout and os.listdir(str(work)) == []
    studio.playbook('run_flow.yml', '-e', 'studio_report_path=new.json', '-e', 'studio_report_mode=0640',
                    cwd=str(work))
    assert mode_of(work / 'new.json') == 0o640
    old = work / 'old.html'
    old.write_text('old')
    os.chmod(str(old), 0o600)
    studio.playbook('run_flow.yml', '-e', 'studio_report_path=old.html', '-e', 'studio_report_mode=0644',
                    cwd=str(work))
    assert mode_of(old) == 0o600 and '<html' in old.read_text()
    mark = studio.control.last_request()
    bad = studio.playbook('run_flow.yml', '-e', 'studio_report_path=x.csv', '-e', 'studio_report_mode=u+rw',
                          cwd=str(work), check=False)
    assert bad.returncode != 0 and 'studio_report_mode must be an octal file mode' in bad.stdout
    assert studio.control.requests(mark) == []


@pytest.mark.parametrize('where, says', [
    ('/proc/report.csv', 'studio_report_path: /proc/report.csv cannot be written: no file can be created in /proc'),
    ('fifo.csv', 'fifo.csv is a FIFO (named pipe), not a regular file'),
    ('folder.csv', 'folder.csv is a directory, not a regular file'),
])
def test_a_report_that_cannot_be_written_fails_before_anything_is_sent(studio, work, where, says):
    os.mkfifo(str(work / 'fifo.csv'))
    os.mkdir(str(work / 'folder.csv'))
    mark = studio.control.last_request()
    started = time.monotonic()
    out = studio.playbook('run_flow.yml', '-e', 'studio_report_path=%s' % where, cwd=str(work), check=False)
    assert out.returncode != 0 and says in out.stdout, out.stdout
    assert studio.control.requests(mark) == []  # nothing sent: no Flow lookup, no Execution
    assert studio.control.executions() == [] and time.monotonic() - started < 120


# -- the export: paths it refuses before anything is sent ------------------------------------------
@pytest.mark.parametrize('plant, says', [
    (os.mkfifo, 'is a FIFO (named pipe), not a regular file'),
    (lambda p: os.symlink('/dev/zero', p), 'is a symbolic link'),
    (os.mkdir, 'is a directory, not a regular file'),
])
def test_the_export_refuses_a_path_that_is_not_a_regular_file_at_once(studio, work, plant, says):
    path = work / 'planted.jsonl'
    plant(str(path))
    mark = studio.control.last_request()
    started = time.monotonic()
    out = export(studio, 'planted.jsonl', check=False, cwd=str(work))
    assert out.returncode != 0 and 'path: %s %s' % (path, says) in out.stdout, out.stdout
    assert time.monotonic() - started < 60 and studio.control.requests(mark) == []


# -- the export: files it did not write --------------------------------------------------------------
@pytest.mark.parametrize('name, content, flow, says', [
    # one line, not the export's, and a misspelt Flow: the Flow fails first, the file is not touched
    ('notes.jsonl', '{"sid": "FN0123456789abcdef0123456789abcdef", "note": "keep me"}', 'Order updte',
     'no Flow is named'),
    ('settings.jsonl', '{\n  "keep": true,\n  "sid": "FN0123456789abcdef0123456789abcdef"\n}', FLOW,
     'line 1 is not a line this collection wrote'),
    ('config.jsonl', '{"sid": "FN0123456789abcdef0123456789abcdef", "keep": true}', FLOW,
     'its last line has no final newline'),
    ('tool.jsonl', '{"sid": "FN1", "v": 1}\n{"sid": "FN2", "v": 2}\n{"sid": "FN3", "v"', FLOW,
     'line 1 is not a line this collection wrote'),
])
def test_a_file_the_export_did_not_write_is_refused_and_left_as_it_is(studio, work, name, content, flow, says):
    create_executions(studio, 2)
    path = work / name
    path.write_text(content)
    before = fingerprint(path)
    out = export(studio, name, check=False, cwd=str(work), flow=flow)
    assert out.returncode != 0 and says in out.stdout, out.stdout
    assert path.read_text() == content and fingerprint(path) == before
    assert sorted(os.listdir(str(work))) == [name]


def test_wrong_credentials_fail_before_the_export_file_is_made(studio, work):
    out = studio.playbook('export_executions.yml', '-e', 'studio_flow="%s"' % FLOW, '-e', 'studio_export_path=new.jsonl',
                          cwd=str(work), check=False, env={'TWILIO_AUTH_TOKEN': 'f' * 32})
    assert out.returncode != 0 and '401' in out.stdout, out.stdout
    assert os.listdir(str(work)) == []


def test_an_export_is_0600_and_a_torn_line_is_repaired_by_copy_and_rename(studio, work):
    create_executions(studio, 4)
    export(studio, 'out.jsonl', cwd=str(work))
    path = work / 'out.jsonl'
    assert mode_of(path) == 0o600 and len(sids(path)) == 4
    whole = path.read_bytes()
    path.write_bytes(whole[:-40])  # the last line cut short, as a kill leaves it
    os.chmod(str(path), 0o640)
    inode = os.stat(str(path)).st_ino
    out = export(studio, 'out.jsonl', cwd=str(work))
    assert 'a line cut short by an earlier run was rewritten' in out.stdout
    assert os.stat(str(path)).st_ino != inode and mode_of(path) == 0o640  # a new file, the old mode
    assert sorted(sids(path)) == sorted(json.loads(line)['sid'] for line in whole.splitlines())
    assert sorted(os.listdir(str(work))) == ['out.jsonl']


# -- one writer per file -------------------------------------------------------------------------------
def start_export(studio, path, cwd, *args):
    return subprocess.Popen(  # pylint: disable=consider-using-with
        [ANSIBLE_PLAYBOOK, '-i', 'localhost,', os.path.join(ROOT, 'playbooks', 'export_executions.yml'),
         '-e', 'studio_flow="%s"' % FLOW, '-e', 'studio_export_path=%s' % path] + list(args),
        env=studio.env, cwd=str(cwd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def holder_of(path, timeout=60):
    """The process that holds the export's lock (taken once the Flow is checked)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(str(path)):
            inode = os.stat(str(path)).st_ino
            with open('/proc/locks') as handle:
                for line in handle:
                    fields = line.split()
                    if fields[1] == 'FLOCK' and int(fields[5].rsplit(':', 1)[1]) == inode:
                        return int(fields[4])
        time.sleep(0.05)
    raise AssertionError('no export holds %s' % path)


def slow_reads(studio, seconds):
    """Every Context read takes ``seconds``: an export of N Executions takes N * seconds / 4 at least
    (long enough for a second ansible-playbook to start while the first writes, on a loaded machine)."""
    studio.control.faults([{'kind': 'latency', 'seconds': seconds, 'method': 'GET',
                            'path': '/v1/Flows/*/Executions/*/Context'}])


def test_a_second_export_of_one_file_fails_naming_the_first_or_waits_for_it(studio, work):
    create_executions(studio, 32)
    slow_reads(studio, 1.5)
    path = work / 'both.jsonl'
    first = start_export(studio, 'both.jsonl', work)
    holder = holder_of(path)
    refused = export(studio, 'both.jsonl', '-e', 'studio_export_lock_timeout=0', check=False, cwd=str(work))
    assert refused.returncode != 0, refused.stdout + first.communicate()[0]
    assert 'is being written by another export (process %d)' % holder in refused.stdout, refused.stdout
    waited = export(studio, 'both.jsonl', '-e', 'studio_export_lock_timeout=60', cwd=str(work))
    assert first.wait(120) == 0
    assert '0 Executions written' in waited.stdout and '32 already there' in waited.stdout
    assert len(sids(path)) == 32 and len(set(sids(path))) == 32


def running(pid):
    """Whether process ``pid`` runs (a zombie, ended but not yet reaped, does not)."""
    try:
        with open('/proc/%d/stat' % pid) as handle:
            return handle.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except (IOError, OSError):
        return False


def test_an_export_whose_controller_is_killed_stops_and_a_rerun_completes(studio, work):
    create_executions(studio, 32)
    slow_reads(studio, 1.5)
    path = work / 'orphan.jsonl'
    first = start_export(studio, 'orphan.jsonl', work)
    orphan = holder_of(path)
    first.send_signal(signal.SIGKILL)  # the controller only: its module is left without it
    killed = time.monotonic()
    first.wait(30)
    try:
        while running(orphan) and time.monotonic() - killed < 20:
            time.sleep(0.05)
        stopped_after = time.monotonic() - killed
        assert not running(orphan), 'the export ran on for 20 s without its controller'
        # No Execution starts more than 2.5 s after the kill; the reads in flight (1.5 s each here) end.
        assert stopped_after < 2.5 + 1.5, stopped_after
        rerun = export(studio, 'orphan.jsonl', '-e', 'studio_export_lock_timeout=120', cwd=str(work))
        assert 'Executions written' in rerun.stdout
        assert len(sids(path)) == 32 and len(set(sids(path))) == 32  # every Execution once
    finally:
        if running(orphan):
            os.kill(orphan, signal.SIGKILL)
