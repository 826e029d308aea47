# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters that turn the hosts of a play into the contacts of a batch (telephony.twilio.studio_campaign)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.telephony.twilio.plugins.module_utils._validators import (
    check_address,
    check_flow,
    parse_parameters,
)

# The playbooks' contact variables and the contact field each one fills.
VARIABLES = (('studio_flow', 'flow'), ('studio_to', 'to'), ('studio_from', 'from'), ('studio_parameters', 'parameters'))


def contact_of(host, variables, needs_from=True):
    """(contact, None) for a host whose contact variables are right, else (None, message naming the variable)."""
    flow = variables.get('studio_flow')
    to = variables.get('studio_to', host)
    sender = variables.get('studio_from')
    parameters = variables.get('studio_parameters', {})
    try:
        if not isinstance(flow, str) or not flow.strip():
            raise ValueError('studio_flow must be set to a Flow SID or the friendly name of a Flow, got %s'
                             % describe(flow))
        check_flow(flow, 'studio_flow')
        if not isinstance(to, str):
            raise ValueError('studio_to must be a string such as "+14155550100" (quote numbers in YAML), got %s'
                             % describe(to))
        check_address(to, 'studio_to' if 'studio_to' in variables else 'studio_to (unset, so the host name)')
        if needs_from or sender is not None:
            if not isinstance(sender, str) or not sender:
                raise ValueError('studio_from must be set to the sender, an E.164 number such as "+14155550199" or a '
                                 'Messaging Service SID, got %s' % describe(sender))
            check_address(sender, 'studio_from')
        parameters = parse_parameters(parameters, 'studio_parameters')
    except ValueError as exc:
        return None, 'Contact %s: %s' % (host, exc)
    contact = {'name': host, 'flow': flow, 'to': to, 'parameters': parameters}
    if sender is not None:
        contact['from'] = sender
    return contact, None


def describe(value):
    """``int 15550000107``: the plain type (not Ansible's tagged subclasses) and the value, cut at 80 characters."""
    if value is None:
        return 'nothing (unset)'
    kind = next((t for t in (bool, int, float, str, dict, list) if isinstance(value, t)), type(value))
    plain = kind(value) if kind in (bool, int, float, str) else value
    text = repr(plain)
    return '%s %s' % (kind.__name__, text if len(text) <= 80 else text[:77] + '...')


def _split(hosts, hostvars, needs_from):
    contacts, errors = [], {}
    for host in hosts:
        variables = hostvars[host]
        found = dict((name, variables[name]) for name, _field in VARIABLES if name in variables)
        contact, error = contact_of(host, found, needs_from)
        if error:
            errors[host] = error
        else:
            contacts.append(contact)
    return contacts, errors


def studio_contacts(hosts, hostvars, needs_from=True):
    """The contacts (name, flow, to, from, parameters) of the hosts whose variables are right."""
    return _split(hosts, hostvars, needs_from)[0]


def studio_failures(batch, hosts, hostvars, needs_from=True):
    """{host: message} for every contact that failed: wrong variables (never sent), and the contacts
    the studio_campaign result ``batch`` marks failed."""
    failures = _split(hosts, hostvars, needs_from)[1]
    for name, result in ((batch or {}).get('contacts') or {}).items():
        if result.get('failed'):
            failures[name] = 'Contact %s: %s' % (name, result.get('msg')) if not str(
                result.get('msg', '')).startswith('contact ') else result.get('msg')
    return failures


class FilterModule(object):
    def filters(self):
        return {'studio_contacts': studio_contacts, 'studio_failures': studio_failures}
