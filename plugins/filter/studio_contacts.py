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
    type_name,
)

# The playbooks' contact variables and the contact field each one fills.
VARIABLES = (('studio_flow', 'flow'), ('studio_to', 'to'), ('studio_from', 'from'), ('studio_parameters', 'parameters'))
# Variables of the whole run: the batch takes them from the host that runs it (run_host: the
# run-once task's host; group variables or extra vars). A host that sets another value would be
# silently overruled, so it fails instead.
RUN_WIDE = ('studio_campaign', 'studio_since', 'studio_on_active', 'studio_rate', 'studio_workers', 'studio_timeout',
            'studio_max_retries')


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
    kind = type_name(value)
    plain = {'bool': bool, 'int': int, 'float': float, 'str': str}.get(kind, lambda v: v)(value)
    text = repr(plain)
    return '%s %s' % (kind, text if len(text) <= 80 else text[:77] + '...')


def overruled(host, variables, run):
    """A message when ``host`` sets a run-wide variable to another value than the run's, else None."""
    for name in RUN_WIDE:
        if name in variables and variables[name] != run.get(name):
            return ('Contact %s: %s applies to the whole run (set it for the group or with -e); this host sets it to %s '
                    'while the run uses %s' % (host, name, describe(variables[name]), describe(run.get(name))))
    return None


def _split(hosts, hostvars, needs_from, run_host=None):
    """(contacts, {host: error}). Run-wide variables are those of ``run_host``, the host that runs
    the batch (the run-once task's inventory_hostname), whose values the batch really uses; without
    it, the first of ``hosts``."""
    contacts, errors = [], {}
    hosts = list(hosts)
    reference = hostvars[run_host] if run_host is not None else hostvars[hosts[0]] if hosts else {}
    run = dict((name, reference[name]) for name in RUN_WIDE if name in reference)
    for host in hosts:
        variables = hostvars[host]
        found = dict((name, variables[name]) for name, _field in VARIABLES if name in variables)
        contact, error = contact_of(host, found, needs_from)
        error = error or overruled(host, dict((name, variables[name]) for name in RUN_WIDE if name in variables), run)
        if error:
            errors[host] = error
        else:
            contacts.append(contact)
    return contacts, errors


def studio_contacts(hosts, hostvars, needs_from=True, run_host=None):
    """The contacts (name, flow, to, from, parameters) of the hosts whose variables are right."""
    return _split(hosts, hostvars, needs_from, run_host)[0]


def studio_failures(batch, hosts, hostvars, needs_from=True, run_host=None):
    """{host: message} for every contact that failed: wrong variables (never sent), and the contacts
    the studio_campaign result ``batch`` marks failed."""
    failures = _split(hosts, hostvars, needs_from, run_host)[1]
    for name, result in ((batch or {}).get('contacts') or {}).items():
        if result.get('failed'):
            failures[name] = 'Contact %s: %s' % (name, result.get('msg')) if not str(
                result.get('msg', '')).startswith('contact ') else result.get('msg')
    return failures


def studio_failure_causes(failures, shown_at_most=10):
    """The failures ({host: message}) grouped by cause, most contacts first: one line per cause,
    ``<cause> (N contacts: a, b, ...)``. A message's leading ``Contact <host>: `` is left out of
    the cause, so that contacts refused for the same reason share one line."""
    causes = {}
    for host, message in (failures or {}).items():
        text = str(message)
        prefix = 'Contact %s: ' % host
        cause = text[len(prefix):] if text.startswith(prefix) else text
        causes.setdefault(cause, []).append(str(host))
    lines = []
    for cause, hosts in sorted(causes.items(), key=lambda item: (-len(item[1]), item[0])):
        hosts.sort()
        more = len(hosts) - shown_at_most
        named = ', '.join(hosts[:shown_at_most]) + (' and %d more' % more if more > 0 else '')
        lines.append('FAILED %s (%d contact%s: %s)' % (cause, len(hosts), '' if len(hosts) == 1 else 's', named))
    return lines


class FilterModule(object):
    def filters(self):
        return {'studio_contacts': studio_contacts, 'studio_failures': studio_failures,
                'studio_failure_causes': studio_failure_causes}
