# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hosts to contacts: right variables become contacts; wrong ones an error, a one-line message naming the variable;
failures are those errors and the contacts the batch marks failed."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.telephony.twilio.plugins.filter.studio_contacts import studio_contacts, studio_failures

GROUP = {'studio_flow': 'Customer survey', 'studio_from': '+15005550006', 'studio_to': '+15551230009'}


def hostvars(**hosts):
    return dict((host, dict(GROUP, **variables)) for host, variables in hosts.items())


def test_hosts_become_contacts_with_the_host_name_as_default_address():
    group = dict(GROUP)
    del group['studio_to']
    found = dict((host, dict(group, **variables)) for host, variables in {
        '+15551230001': {'studio_parameters': {'name': 'Ann'}},
        'di': {'studio_to': 'whatsapp:+15551230004'}}.items())
    assert studio_contacts(['+15551230001', 'di'], found) == {'contacts': [
        {'name': '+15551230001', 'flow': 'Customer survey', 'to': '+15551230001', 'from': '+15005550006',
         'parameters': {'name': 'Ann'}},
        {'name': 'di', 'flow': 'Customer survey', 'to': 'whatsapp:+15551230004', 'from': '+15005550006',
         'parameters': {}},
    ], 'errors': {}}


def test_a_wrong_host_is_left_out_with_one_line_naming_its_variable():
    """The rule itself (every field, every form) is tested once, in test_contact_rule.py."""
    found = hostvars(good={}, bad={'studio_to': 15550000107}, keyed={'studio_parameters': {'ansible_campaign': 'x'}})
    result = studio_contacts(['good', 'bad', 'keyed'], found)
    assert [c['name'] for c in result['contacts']] == ['good']
    assert result['errors'] == {
        'bad': 'Contact bad: studio_to must be a string such as "+14155550100" (quote numbers in YAML), got int '
               '15550000107',
        'keyed': 'Contact keyed: studio_parameters must not contain ansible_campaign: the collection adds this key '
                 'itself to recognise its own Executions'}


@pytest.mark.parametrize('host', ['+1 555', 'dave smith', 'di-whatsapp'])
def test_a_host_name_that_is_not_an_address_is_named_as_such(host):
    group = dict(GROUP)
    del group['studio_to']
    message = studio_contacts([host], {host: group})['errors'][host]
    assert message.startswith('Contact %s: studio_to (unset, so the host name) must be an E.164 phone number' % host)


def test_companions_need_no_sender():
    found = {'h': {'studio_flow': 'Customer survey', 'studio_to': '+15551230009'}}
    assert studio_contacts(['h'], found, False) == {'contacts': [
        {'name': 'h', 'flow': 'Customer survey', 'to': '+15551230009', 'parameters': {}}], 'errors': {}}
    assert list(studio_contacts(['h'], found, True)['errors']) == ['h']


def test_failures_are_the_errors_and_the_contacts_the_batch_marks_failed():
    batch = {'contacts': {'a': {'failed': True, 'msg': 'Triggering the Execution failed: boom'},
                          'b': {'failed': False},
                          'c': {'failed': True, 'msg': 'contact c: to must be ...'}}}
    errors = {'d': 'Contact d: studio_from must be set to the sender, got nothing (unset)'}
    assert studio_failures(batch, errors) == {'a': 'Contact a: Triggering the Execution failed: boom',
                                              'c': 'contact c: to must be ...', 'd': errors['d']}
    assert studio_failures(None, errors) == errors and studio_failures(batch)['a'].startswith('Contact a:')
    assert errors == {'d': 'Contact d: studio_from must be set to the sender, got nothing (unset)'}  # not changed


def test_a_host_that_overrules_a_run_wide_variable_fails_alone():
    found = {'first': dict(GROUP, studio_campaign='may'), 'same': dict(GROUP, studio_campaign='may'),
             'other': dict(GROUP, studio_campaign='june', studio_timeout=-1)}
    result = studio_contacts(['first', 'same', 'other'], found)
    assert [c['name'] for c in result['contacts']] == ['first', 'same']
    assert result['errors'] == {'other': "Contact other: studio_campaign applies to the whole run (set it for the "
                                         "group or with -e); this host sets it to str 'june' while the run uses str "
                                         "'may'"}


def test_run_wide_values_are_those_of_the_host_that_runs_the_batch_whatever_the_order():
    """The reference is run_host, whatever the order of the hosts."""
    found = {
        'runner': {'studio_flow': 'Survey', 'studio_to': '+15551230001', 'studio_from': '+15550000000'},
        'odd': {'studio_flow': 'Survey', 'studio_to': '+15551230002', 'studio_from': '+15550000000',
                'studio_on_active': 'sometimes'},
    }
    for hosts in (['odd', 'runner'], ['runner', 'odd']):
        result = studio_contacts(hosts, found, True, 'runner')
        assert [c['name'] for c in result['contacts']] == ['runner'] and list(result['errors']) == ['odd']
    # without run_host the first host is the reference: the flaw this guards against
    assert studio_contacts(['odd', 'runner'], found)['errors'] == {}  # 'odd' slips through


def test_failure_causes_group_contacts_refused_for_the_same_reason():
    from ansible_collections.telephony.twilio.plugins.filter.studio_contacts import studio_failure_causes
    failures = dict(('c%02d' % i, 'Contact c%02d: Not started: ansible-playbook is gone' % i) for i in range(12))
    failures['odd'] = 'Contact odd: studio_from must be set to the sender, got nothing (unset)'
    failures['raw'] = 'Studio said no'
    lines = studio_failure_causes(failures)
    assert lines == [
        'FAILED Not started: ansible-playbook is gone (12 contacts: c00, c01, c02, c03, c04, c05, c06, c07, c08, c09 '
        'and 2 more)',
        'FAILED Studio said no (1 contact: raw)',
        'FAILED studio_from must be set to the sender, got nothing (unset) (1 contact: odd)',
    ]
    assert studio_failure_causes({}) == [] and studio_failure_causes(None) == []
