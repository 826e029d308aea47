#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: event_streams_sink
short_description: Manage Twilio Event Streams sinks (where Twilio delivers events, such as Studio's)
version_added: 1.0.0
description:
  - Creates, updates and deletes an Event Streams sink through Twilio's Events API v1 (events.twilio.com), usually
    a webhook sink whose C(destination) is the URL of the C(telephony.twilio.studio_events) event source of a
    rulebook.
  - A sink is named by its O(description) (or chosen by O(sid)). Twilio can change only a sink's description;
    a different O(sink_type) or O(sink_configuration) means a new sink, which the module makes only with
    O(recreate=true) (the old one is deleted first, which Twilio refuses while a subscription uses it).
  - O(test) asks Twilio to send the sink a test event; O(test_id) validates the sink with the C(test_id) of the
    test event it received (needed for Kinesis sinks before a subscription may use them).
options:
  description:
    description:
      - The sink's description, which names it. At most 255 characters; no personal data (Twilio's advice).
      - With O(sid), the description the sink gets.
    type: str
    required: true
  sid:
    description:
      - The SID of the sink (C(DG) followed by 32 hexadecimal digits), when descriptions are not unique or to
        change the description of a known sink. The sink must exist.
    type: str
  state:
    description:
      - V(present) makes the sink exist as described; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  sink_type:
    description:
      - The kind of sink.
    type: str
    choices: [webhook, kinesis, segment]
    default: webhook
  sink_configuration:
    description:
      - What Twilio needs to reach the sink. For a webhook sink C(destination) (the absolute URL Twilio posts to,
        the C(destination) that the C(studio_events) source's C(url) must equal), C(method)
        (C(POST), the default, or C(GET)) and C(batch_events) (several events in one array; default false).
      - For Kinesis C(arn), C(role_arn), C(external_id); for Segment C(write_key), as Twilio documents them.
      - Required to create a sink.
    type: dict
  recreate:
    description:
      - When the existing sink's type or configuration differs from the wanted one, delete it and create it anew
        (a new SID; subscriptions must be made again). Without it the module fails and changes nothing.
    type: bool
    default: false
  test:
    description:
      - Ask Twilio to send the sink a test event (C(com.twilio.eventstreams.test-event) with a C(test_id)). The
        task reports changed; nothing is sent in check mode.
    type: bool
    default: false
  test_id:
    description:
      - Validate the sink with the C(test_id) its receiver got in the test event. Nothing is sent when the sink
        is already C(active).
    type: str
extends_documentation_fragment:
  - telephony.twilio.credentials
  - telephony.twilio.connection
attributes:
  check_mode:
    description: Predicts the change without sending any change to Twilio.
    support: full
  diff_mode:
    description: Shows the sink's description, type and configuration before and after.
    support: full
  action_group:
    description: Use C(group/telephony.twilio.events) or C(group/telephony.twilio.studio) in C(module_defaults).
    support: full
    membership:
      - telephony.twilio.events
      - telephony.twilio.studio
notes:
  - The Events API's host is events.twilio.com (with O(region)/O(edge), C(events.EDGE.REGION.twilio.com)); O(studio_url)
    points both the Studio and the Events modules at one test server, such as the collection's emulator.
  - Requests for an unchanged sink, one (the list of sinks).
seealso:
  - module: telephony.twilio.event_streams_subscription
  - name: Event Streams Sink resource
    description: Twilio's reference of the Sink resource.
    link: https://www.twilio.com/docs/events/api/sink-resource
  - name: React to Studio events
    description: The collection's guide to Studio events in Event-Driven Ansible.
    link: https://github.com/telephony-twilio/telephony.twilio/blob/main/docs/docsite/rst/guide_events.rst
author:
  - telephony.twilio developers (@telephony-twilio)
'''

EXAMPLES = r'''
- name: A webhook sink for the studio_events source of a rulebook
  telephony.twilio.event_streams_sink:
    description: EDA studio events
    sink_configuration:
      destination: https://eda.example.com/twilio/studio
      method: POST
      batch_events: false
  register: sink

- name: Rename it
  telephony.twilio.event_streams_sink:
    sid: "{{ sink.sink.sid }}"
    description: EDA studio events (production)

- name: Send it a test event
  telephony.twilio.event_streams_sink:
    description: EDA studio events (production)
    test: true

- name: Move the sink to a new URL (a new sink; subscribe it again afterwards)
  telephony.twilio.event_streams_sink:
    description: EDA studio events (production)
    sink_configuration:
      destination: https://eda2.example.com/twilio/studio
    recreate: true

- name: Delete it
  telephony.twilio.event_streams_sink:
    description: EDA studio events (production)
    state: absent
'''

RETURN = r'''
sink:
  description: The sink after the task, as Twilio returns it; as found in check mode; null when it does not exist.
  returned: always
  type: dict
  contains:
    sid:
      description: The sink SID.
      type: str
      sample: DG0123456789abcdef0123456789abcdef
    description:
      description: The sink's description.
      type: str
    sink_type:
      description: C(webhook), C(kinesis) or C(segment).
      type: str
    sink_configuration:
      description: The sink's configuration.
      type: dict
      sample: {"destination": "https://eda.example.com/twilio/studio", "method": "POST", "batch_events": false}
    status:
      description: C(initialized), C(validating), C(active) or C(failed).
      type: str
      sample: active
changes:
  description: What changed or would change (C(created), C(deleted), C(description), C(recreated), C(tested), C(validated)).
  returned: always
  type: list
  elements: str
  sample: ["description"]
test_result:
  description: Twilio's answer to the test request.
  returned: when O(test) was sent
  type: str
  sample: submitted
'''

from ansible_collections.telephony.twilio.plugins.module_utils._client import StudioError
from ansible_collections.telephony.twilio.plugins.module_utils._events import (
    EventStreams, NotUnique, check_description, find_one, is_events_sid, same_configuration, sink_configuration)
from ansible_collections.telephony.twilio.plugins.module_utils._module import StudioModule, task_budget
from ansible_collections.telephony.twilio.plugins.module_utils._validators import shown


def check_options(params):
    """Malformed or contradictory options, before any request; returns the wanted configuration."""
    check_description(params['description'])
    if params['sid'] is not None and not is_events_sid(params['sid'], 'DG'):
        raise ValueError('sid must be a Sink SID: DG followed by 32 hexadecimal digits, got %s' % shown(params['sid']))
    if params['test_id'] is not None and not params['test_id'].strip():
        raise ValueError('test_id must be the test_id of the test event the sink received')
    if params['state'] == 'absent':
        given = [n for n in ('sink_configuration', 'test_id') if params[n] is not None] + (
            ['test'] if params['test'] else [])
        if given:
            raise ValueError('state=absent deletes the sink and takes none of: %s' % ', '.join(given))
        return None
    if params['sink_configuration'] is None:
        return None
    return sink_configuration(params['sink_type'], params['sink_configuration'])


def shape(sink):
    """What --diff shows of a sink."""
    if sink is None:
        return {}
    return {'description': sink.get('description'), 'sink_type': sink.get('sink_type'),
            'sink_configuration': sink.get('sink_configuration')}


class Failure(Exception):
    def __init__(self, message, **result):
        super(Failure, self).__init__(message)
        self.result = result


def present(module, api, current, config):
    """Make the sink as wanted; returns (sink after, changes, test result)."""
    params, check = module.params, module.check_mode
    changes = []
    want_type = params['sink_type']
    if current is not None and config is not None and (
            current.get('sink_type') != want_type or not same_configuration(current.get('sink_configuration'), config)):
        if not params['recreate']:
            raise Failure('Sink %s has sink_type %s and sink_configuration %s; Twilio cannot change them. Set '
                          'recreate=true to delete it and create a new sink (its subscriptions must be made again)'
                          % (current['sid'], current.get('sink_type'), shown(current.get('sink_configuration'))),
                          sink=current)
        changes.append('recreated')
        if not check:
            api.delete_sink(current['sid'])
        current = None
    if current is None:
        if params['sid'] is not None and 'recreated' not in changes:
            raise Failure('sid: there is no Sink %s in this account' % params['sid'])
        if config is None:
            raise Failure('sink_configuration is required to create the sink %s' % shown(params['description']))
        if 'recreated' not in changes:
            changes.append('created')
        sink = None if check else api.create_sink(params['description'], want_type, config)
    else:
        sink = current
        if current.get('description') != params['description']:
            changes.append('description')
            if not check:
                sink = api.update_sink(current['sid'], params['description'])
    test_result = None
    if params['test']:
        changes.append('tested')
        if not check and sink is not None:
            test_result = (api.test_sink(sink['sid']) or {}).get('result')
    if params['test_id'] is not None and (sink is None or sink.get('status') != 'active'):
        changes.append('validated')
        if not check and sink is not None:
            api.validate_sink(sink['sid'], params['test_id'])
            sink = api.sink(sink['sid'])
    return sink, changes, test_result


def run_module():
    module = StudioModule(
        argument_spec=dict(
            description=dict(type='str', required=True),
            sid=dict(type='str'),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            sink_type=dict(type='str', choices=['webhook', 'kinesis', 'segment'], default='webhook'),
            sink_configuration=dict(type='dict'),
            recreate=dict(type='bool', default=False),
            test=dict(type='bool', default=False),
            test_id=dict(type='str', no_log=False),
        ),
        supports_check_mode=True,
        product='events',
    )
    module.budget = task_budget(module.params)
    config = module.valid_or_fail(check_options, module.params)
    api = EventStreams(module.client)
    params = module.params
    try:
        current = find_one(api.sinks(), params['sid'], params['description'], 'Sink')
        if params['state'] == 'absent':
            if current is not None and not module.check_mode:
                api.delete_sink(current['sid'])
            result = dict(changed=current is not None, sink=current if module.check_mode else None,
                          changes=['deleted'] if current else [])
            if current is not None:
                result['diff'] = dict(before=shape(current), after={})
        else:
            sink, changes, test_result = present(module, api, current, config)
            result = dict(changed=bool(changes), sink=current if module.check_mode else sink, changes=changes)
            if test_result is not None:
                result['test_result'] = test_result
            if changes:
                after = shape(sink) if sink is not None else dict(
                    description=params['description'], sink_type=params['sink_type'], sink_configuration=config)
                if module.check_mode and current is not None and 'recreated' not in changes:
                    after = dict(shape(current), description=params['description'])
                result['diff'] = dict(before=shape(current), after=after)
    except NotUnique as exc:
        module.fail_json(msg=str(exc), matching_sids=exc.sids)
    except Failure as exc:
        module.fail_json(msg=str(exc), **exc.result)
    except StudioError as exc:
        module.fail_api(exc, 'Event Streams refused or failed')
    module.exit_json(**result)


def main():
    run_module()


if __name__ == '__main__':
    main()
