# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hosts to contacts: right variables become contacts; wrong ones a one-line message naming the variable."""

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
    assert studio_contacts(['+15551230001', 'di'], found) == [
        {'name': '+15551230001', 'flow': 'Customer survey', 'to': '+15551230001', 'from': '+15005550006',
         'parameters': {'name': 'Ann'}},
        {'name': 'di', 'flow': 'Customer survey', 'to': 'whatsapp:+15551230004', 'from': '+15005550006',
         'parameters': {}},
    ]


@pytest.mark.parametrize('variables, expected', [
    ({'studio_to': 15550000107}, 'Contact h: studio_to must be a string such as "+14155550100" (quote numbers in '
                                 'YAML), got int 15550000107'),
    ({'studio_to': '+1 555 0107'}, 'Contact h: studio_to must be an E.164 phone number'),
    ({'studio_flow': None}, 'Contact h: studio_flow must be set to a Flow SID or the friendly name of a Flow, '
                            'got nothing (unset)'),
    ({'studio_flow': 'FW123'}, 'Contact h: studio_flow must be a Flow SID'),
    ({'studio_from': ''}, "Contact h: studio_from must be set to the sender"),
    ({'studio_parameters': 'not a dict'}, 'Contact h: studio_parameters must be a dict or a string holding a JSON'),
    ({'studio_parameters': {'x': float('inf')}}, 'Contact h: studio_parameters.x must be a finite number (JSON has '
                                                 'no NaN or Infinity), got inf'),
    ({'studio_parameters': {'a': [1, {'b': object()}]}}, 'Contact h: studio_parameters.a[1].b must be a JSON value'),
    ({'studio_parameters': '{"x": NaN}'}, 'Contact h: studio_parameters must be a dict or a string holding a JSON '
                                          'object; the string is not JSON: NaN is not JSON'),
])
def test_each_wrong_variable_is_named_with_its_value(variables, expected):
    found = {'h': dict(GROUP, **variables)}
    assert studio_contacts(['h'], found) == []
    message = studio_failures(None, ['h'], found)['h']
    assert message.startswith(expected) and '\n' not in message


@pytest.mark.parametrize('host', ['+1 555', 'dave smith', 'di-whatsapp'])
def test_a_host_name_that_is_not_an_address_is_named_as_such(host):
    group = dict(GROUP)
    del group['studio_to']
    message = studio_failures(None, [host], {host: group})[host]
    assert message.startswith('Contact %s: studio_to (unset, so the host name) must be an E.164 phone number' % host)


def test_companions_need_no_sender_and_long_values_are_cut():
    found = {'h': {'studio_flow': 'Customer survey', 'studio_to': '+15551230009'},
             'long': dict(GROUP, studio_to=['x' * 500])}
    assert [c['name'] for c in studio_contacts(['h'], found, False)] == ['h']
    message = studio_failures(None, ['long'], found)['long']
    assert len(message) < 200 and message.endswith('...')


def test_failures_add_the_contacts_the_batch_marks_failed():
    batch = {'contacts': {'a': {'failed': True, 'msg': 'Triggering the Execution failed: boom'},
                          'b': {'failed': False},
                          'c': {'failed': True, 'msg': 'contact c: to must be ...'}}}
    assert studio_failures(batch, [], {}) == {'a': 'Contact a: Triggering the Execution failed: boom',
                                              'c': 'contact c: to must be ...'}


def test_a_host_that_overrules_a_run_wide_variable_fails_alone():
    found = {'first': dict(GROUP, studio_campaign='may'), 'same': dict(GROUP, studio_campaign='may'),
             'other': dict(GROUP, studio_campaign='june', studio_timeout=-1)}
    assert [c['name'] for c in studio_contacts(['first', 'same', 'other'], found)] == ['first', 'same']
    message = studio_failures(None, ['first', 'same', 'other'], found)['other']
    assert message == ("Contact other: studio_campaign applies to the whole run (set it for the group or with -e); "
                       "this host sets it to str 'june' while the run uses str 'may'")


def test_run_wide_values_are_those_of_the_host_that_runs_the_batch_whatever_the_order():
    """The playbooks pass the hosts left out of the batch in any order; the reference is run_host."""
    found = {
        'runner': {'studio_flow': 'Survey', 'studio_to': '+15551230001', 'studio_from': '+15550000000'},
        'odd': {'studio_flow': 'Survey', 'studio_to': '+15551230002', 'studio_from': '+15550000000',
                'studio_on_active': 'sometimes'},
    }
    for hosts in (['odd', 'runner'], ['runner', 'odd']):
        assert [c['name'] for c in studio_contacts(hosts, found, True, 'runner')] == ['runner']
        assert list(studio_failures(None, hosts, found, True, 'runner')) == ['odd']
    # without run_host the first host is the reference: the flaw this guards against
    assert list(studio_failures(None, ['odd', 'runner'], found)) == []  # 'odd' slips through


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
