# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters that turn the hosts of a play into the contacts of a batch (telephony.twilio.studio_campaign)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.telephony.twilio.plugins.module_utils._validators import (
    HOST_VARIABLES,
    check_contact,
    describe,
)

# Variables of the whole run: the batch takes them from the host that runs it (run_host: the
# run-once task's host; group variables or extra vars). A host that sets another value would be
# silently overruled, so it fails instead.
RUN_WIDE = ('studio_campaign', 'studio_since', 'studio_on_active', 'studio_rate', 'studio_workers', 'studio_timeout',
            'studio_max_retries')
# studio_to defaults to the host name; a message about it says so.
HOST_NAME_AS_TO = dict(HOST_VARIABLES, to='studio_to (unset, so the host name)')


def contact_of(host, variables, needs_from=True):
    """(contact, None) for a host whose contact variables are right, else (None, message naming the
    variable) - by the one rule of a contact (check_contact), which studio_campaign applies too."""
    contact = {'name': host, 'to': host}
    contact.update((field, variables[name]) for field, name in HOST_VARIABLES.items() if field != 'name' and name in variables)
    try:
        checked = check_contact(contact, 'Contact %s' % host, needs_from=needs_from,
                                names=HOST_VARIABLES if 'studio_to' in variables else HOST_NAME_AS_TO)
    except ValueError as exc:
        return None, str(exc)
    if checked['from'] is None:
        del checked['from']
    return checked, None


def overruled(host, variables, run):
    """A message when ``host`` sets a run-wide variable to another value than the run's, else None."""
    for name in RUN_WIDE:
        if name in variables and variables[name] != run.get(name):
            return ('Contact %s: %s applies to the whole run (set it for the group or with -e); this host sets it to %s '
                    'while the run uses %s' % (host, name, describe(variables[name]), describe(run.get(name))))
    return None


def studio_contacts(hosts, hostvars, needs_from=True, run_host=None):
    """{'contacts': [...], 'errors': {host: message}}: the contacts (name, flow, to, from, parameters)
    of the hosts whose variables are right, and a one-line message for each other host.

    Run-wide variables are those of ``run_host``, the host that runs the batch (the run-once task's
    inventory_hostname), whose values the batch really uses; without it, the first of ``hosts``."""
    contacts, errors = [], {}
    hosts = list(hosts)
    reference = hostvars[run_host] if run_host is not None else hostvars[hosts[0]] if hosts else {}
    run = dict((name, reference[name]) for name in RUN_WIDE if name in reference)
    for host in hosts:
        variables = hostvars[host]
        contact, error = contact_of(host, variables, needs_from)
        error = error or overruled(host, dict((name, variables[name]) for name in RUN_WIDE if name in variables), run)
        if error:
            errors[host] = error
        else:
            contacts.append(contact)
    return {'contacts': contacts, 'errors': errors}


def studio_failures(batch, errors=None):
    """{host: message} for every contact that failed: the hosts studio_contacts refused (its
    ``errors``; nothing was sent for them), and the contacts the studio_campaign result ``batch``
    marks failed."""
    failures = dict(errors or {})
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
