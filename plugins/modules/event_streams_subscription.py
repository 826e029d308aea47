#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: event_streams_subscription
short_description: Manage Twilio Event Streams subscriptions (which events, such as Studio's, go to a sink)
version_added: 1.0.0
description:
  - Creates, updates and deletes an Event Streams subscription through Twilio's Events API v1 (events.twilio.com),
    that is the event types, each with its schema version, that Twilio delivers to a sink.
  - A subscription is named by its O(description) (or chosen by O(sid)). Its description and its types are changed
    in place (types added, removed or moved to another schema version one by one); another O(sink) means a new
    subscription (the old one is deleted), since Twilio cannot move a subscription.
options:
  description:
    description:
      - The subscription's description, which names it. At most 255 characters; no personal data.
      - With O(sid), the description the subscription gets.
    type: str
    required: true
  sid:
    description:
      - The SID of the subscription (C(DF) followed by 32 hexadecimal digits). The subscription must exist.
    type: str
  state:
    description:
      - V(present) makes the subscription exist as described; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  sink:
    description:
      - The sink the events go to - its SID (C(DG) followed by 32 hexadecimal digits) or its description, which
        must name exactly one sink. Twilio wants the sink C(active).
      - Required with O(state=present).
    type: str
  types:
    description:
      - The event types, each a name (its latest schema version, or the version it has) or a mapping with C(type)
        and C(schema_version). Compared as a set with the subscription's.
      - Defaults to Studio's three types, C(com.twilio.studio.flow.execution.started),
        C(com.twilio.studio.flow.execution.ended) and C(com.twilio.studio.flow.step.ended).
    type: list
    elements: raw
extends_documentation_fragment:
  - telephony.twilio.credentials
  - telephony.twilio.connection
attributes:
  check_mode:
    description: Predicts the change without sending any change to Twilio.
    support: full
  diff_mode:
    description: Shows the description, sink and types (with schema versions) before and after.
    support: full
  action_group:
    description: Use C(group/telephony.twilio.events) or C(group/telephony.twilio.studio) in C(module_defaults).
    support: full
    membership:
      - telephony.twilio.events
      - telephony.twilio.studio
notes:
  - The Events API's host is events.twilio.com; O(studio_url) points both the Studio and the Events modules at one
    test server, such as the collection's emulator.
  - Requests for an unchanged subscription, two (the list of subscriptions, its subscribed events), plus the list of
    sinks when O(sink) is a description.
seealso:
  - module: telephony.twilio.event_streams_sink
  - name: Event Streams Subscription resource
    description: Twilio's reference of the Subscription resource and its subscribed events.
    link: https://www.twilio.com/docs/events/api/subscription-resource
  - name: React to Studio events
    description: The collection's guide to Studio events in Event-Driven Ansible.
    link: https://github.com/telephony-twilio/telephony.twilio/blob/main/docs/docsite/rst/guide_events.rst
author:
  - telephony.twilio developers (@telephony-twilio)
'''

EXAMPLES = r'''
- name: Studio's events to the EDA sink (the three Studio types, latest schema versions)
  telephony.twilio.event_streams_subscription:
    description: Studio to EDA
    sink: EDA studio events

- name: Only ended Executions, at schema version 2
  telephony.twilio.event_streams_subscription:
    description: Studio to EDA
    sink: EDA studio events
    types:
      - type: com.twilio.studio.flow.execution.ended
        schema_version: 2

- name: Everything for the sink in one place, with shared credentials
  module_defaults:
    group/telephony.twilio.events:
      account_sid: "{{ twilio_account_sid }}"
      auth_token: "{{ twilio_auth_token }}"
  block:
    - name: The sink
      telephony.twilio.event_streams_sink:
        description: EDA studio events
        sink_configuration:
          destination: https://eda.example.com/twilio/studio
      register: sink

    - name: The subscription
      telephony.twilio.event_streams_subscription:
        description: Studio to EDA
        sink: "{{ sink.sink.sid }}"

- name: Stop the events
  telephony.twilio.event_streams_subscription:
    description: Studio to EDA
    state: absent
'''

RETURN = r'''
subscription:
  description: The subscription after the task, as Twilio returns it; as found in check mode; null when it does not
    exist.
  returned: always
  type: dict
  contains:
    sid:
      description: The subscription SID.
      type: str
      sample: DF0123456789abcdef0123456789abcdef
    description:
      description: The subscription's description.
      type: str
    sink_sid:
      description: The SID of its sink.
      type: str
      sample: DG0123456789abcdef0123456789abcdef
types:
  description: The subscribed event types and their schema versions after the task (predicted in check mode).
  returned: when state is present
  type: dict
  sample: {"com.twilio.studio.flow.execution.ended": 2}
changes:
  description: "What changed or would change (C(created), C(deleted), C(description), C(sink), C(+TYPE), C(-TYPE),
    C(TYPE: schema_version A -> B))"
  returned: always
  type: list
  elements: str
  sample: ["+com.twilio.studio.flow.step.ended"]
'''

from ansible_collections.telephony.twilio.plugins.module_utils._client import StudioError
from ansible_collections.telephony.twilio.plugins.module_utils._events import (
    STUDIO_TYPES, EventStreams, NotUnique, check_description, find_one, is_events_sid, parse_types)
from ansible_collections.telephony.twilio.plugins.module_utils._module import StudioModule, task_budget
from ansible_collections.telephony.twilio.plugins.module_utils._validators import shown


def check_options(params):
    """Malformed or contradictory options, before any request; returns the wanted {type: version}."""
    check_description(params['description'])
    if params['sid'] is not None and not is_events_sid(params['sid'], 'DF'):
        raise ValueError('sid must be a Subscription SID: DF followed by 32 hexadecimal digits, got %s'
                         % shown(params['sid']))
    if params['state'] == 'absent':
        given = [n for n in ('sink', 'types') if params[n] is not None]
        if given:
            raise ValueError('state=absent deletes the subscription and takes none of: %s' % ', '.join(given))
        return None
    if params['sink'] is None:
        raise ValueError('sink (the SID or the description of the sink the events go to) is required with '
                         'state=present')
    if params['sink'].startswith('DG') and len(params['sink']) == 34 and not is_events_sid(params['sink'], 'DG'):
        raise ValueError('sink looks like a Sink SID but is not one (DG followed by 32 hexadecimal digits): %s'
                         % shown(params['sink']))
    check_description(params['sink'], 'sink')
    return parse_types(params['types'] if params['types'] is not None else list(STUDIO_TYPES))


def type_changes(have, want):
    """(added {type: version}, removed [type], moved {type: version}, change texts) from ``have`` to ``want``;
    a wanted version of None accepts the one there is."""
    added = dict((k, v) for k, v in want.items() if k not in have)
    removed = sorted(k for k in have if k not in want)
    moved = dict((k, v) for k, v in want.items() if k in have and v is not None and have[k] != v)
    texts = (['+%s' % k for k in sorted(added)] + ['-%s' % k for k in removed]
             + ['%s: schema_version %s -> %s' % (k, have[k], v) for k, v in sorted(moved.items())])
    return added, removed, moved, texts


class Failure(Exception):
    pass


def sink_sid(api, sink):
    if is_events_sid(sink, 'DG'):
        return sink
    found = find_one(api.sinks(), None, sink, 'Sink')
    if found is None:
        raise Failure('sink: no Sink has the description %s; give its SID (DG...) or its exact description' % shown(sink))
    return found['sid']


def present(module, api, current, want):
    """Make the subscription as wanted; returns (subscription after, {type: version} after, changes, before,
    sink SID)."""
    params, check = module.params, module.check_mode
    target = sink_sid(api, params['sink'])
    have = api.subscribed(current['sid']) if current is not None else {}
    before = describe(current, have)
    changes = []
    if current is not None and current.get('sink_sid') != target:
        changes.append('sink')
        if not check:
            api.delete_subscription(current['sid'])
        # A type named without a version keeps the version it had.
        want = dict((k, have.get(k) if v is None else v) for k, v in want.items())
        current, have = None, {}
    if current is None:
        if params['sid'] is not None and 'sink' not in changes:
            raise Failure('sid: there is no Subscription %s in this account' % params['sid'])
        if 'sink' not in changes:
            changes.append('created')
        if check:
            return None, dict(want), changes, before, target
        made = api.create_subscription(params['description'], target, want)
        return made, api.subscribed(made['sid']), changes, before, target
    added, removed, moved, texts = type_changes(have, want)
    changes.extend(texts)
    after = current
    if current.get('description') != params['description']:
        changes.append('description')
        if not check:
            after = api.update_subscription(current['sid'], params['description'])
    types = dict((k, v) for k, v in have.items() if k not in removed)
    types.update(added)
    types.update(moved)
    if not check:
        # Add before removing: Twilio keeps at least one type on a subscription.
        for kind, version in sorted(added.items()):
            types[kind] = api.subscribe(current['sid'], kind, version).get('schema_version', version)
        for kind, version in sorted(moved.items()):
            api.set_version(current['sid'], kind, version)
        for kind in removed:
            api.unsubscribe(current['sid'], kind)
    return after, types, changes, before, target


def describe(subscription, types):
    if subscription is None:
        return {}
    return {'description': subscription.get('description'), 'sink_sid': subscription.get('sink_sid'),
            'types': dict(types)}


def run_module():
    module = StudioModule(
        argument_spec=dict(
            description=dict(type='str', required=True),
            sid=dict(type='str'),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            sink=dict(type='str'),
            types=dict(type='list', elements='raw'),
        ),
        supports_check_mode=True,
        product='events',
    )
    module.budget = task_budget(module.params)
    want = module.valid_or_fail(check_options, module.params)
    api = EventStreams(module.client)
    params = module.params
    try:
        current = find_one(api.subscriptions(), params['sid'], params['description'], 'Subscription')
        if params['state'] == 'absent':
            if current is not None and not module.check_mode:
                api.delete_subscription(current['sid'])
            result = dict(changed=current is not None, subscription=current if module.check_mode else None,
                          changes=['deleted'] if current else [])
            if current is not None:
                result['diff'] = dict(before=describe(current, {}), after={})
        else:
            after, types, changes, before, target = present(module, api, current, want)
            result = dict(changed=bool(changes), subscription=current if module.check_mode else after,
                          types=types, changes=changes)
            if changes:
                result['diff'] = dict(before=before, after={
                    'description': params['description'], 'sink_sid': target, 'types': types})
    except NotUnique as exc:
        module.fail_json(msg=str(exc), matching_sids=exc.sids)
    except Failure as exc:
        module.fail_json(msg=str(exc))
    except StudioError as exc:
        module.fail_api(exc, 'Event Streams refused or failed')
    module.exit_json(**result)


def main():
    run_module()


if __name__ == '__main__':
    main()
