# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the telephony.twilio collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""Twilio Event Streams (Events API v1, events.twilio.com): Sinks and Subscriptions as the
modules event_streams_sink and event_streams_subscription compare and write them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from urllib.parse import quote, urlsplit

from ansible_collections.telephony.twilio.plugins.module_utils._validators import shown

SINK_TYPES = ('webhook', 'kinesis', 'segment')
STUDIO_TYPES = ('com.twilio.studio.flow.execution.started', 'com.twilio.studio.flow.execution.ended',
                'com.twilio.studio.flow.step.ended')
_SID = {'DG': re.compile(r'^DG[0-9a-fA-F]{32}$'), 'DF': re.compile(r'^DF[0-9a-fA-F]{32}$')}
_TYPE = re.compile(r'^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$')
DESCRIPTION_MAX = 255


def is_events_sid(value, prefix):
    return isinstance(value, str) and bool(_SID[prefix].match(value))


def check_description(value, option='description'):
    if not isinstance(value, str) or not value.strip():
        raise ValueError('%s must be a non-empty text (it names the resource in Twilio), got %s' % (option, shown(value)))
    if len(value) > DESCRIPTION_MAX:
        raise ValueError('%s must be at most %d characters, got %d' % (option, DESCRIPTION_MAX, len(value)))
    return value


def webhook_configuration(config):
    """A webhook sink's configuration in the form Twilio keeps: destination, method (upper case),
    batch_events (default false). Raises ValueError naming the bad key."""
    if not isinstance(config, dict):
        raise ValueError('sink_configuration must be a mapping such as {destination: https://eda.example.com/twilio, '
                         'method: POST, batch_events: false}, got %s' % shown(config))
    unknown = sorted(set(config) - set(['destination', 'method', 'batch_events']))
    if unknown:
        raise ValueError('sink_configuration of a webhook sink takes destination, method and batch_events, not %s'
                         % ', '.join(unknown))
    destination = config.get('destination')
    parts = urlsplit(destination) if isinstance(destination, str) else None
    if parts is None or parts.scheme not in ('http', 'https') or not parts.hostname or parts.fragment:
        raise ValueError('sink_configuration.destination must be the absolute http(s) URL Twilio posts to, such as '
                         'https://eda.example.com/twilio/studio, got %s' % shown(destination))
    method = config.get('method', 'POST')
    if not isinstance(method, str) or method.upper() not in ('POST', 'GET'):
        raise ValueError('sink_configuration.method must be POST or GET, got %s' % shown(method))
    batch = config.get('batch_events', False)
    if not isinstance(batch, bool):
        raise ValueError('sink_configuration.batch_events must be true or false, got %s' % shown(batch))
    return {'destination': destination, 'method': method.upper(), 'batch_events': batch}


def sink_configuration(sink_type, config):
    """The configuration to send and compare: checked for webhook sinks, as given for the others."""
    if sink_type == 'webhook':
        return webhook_configuration(config)
    if not isinstance(config, dict) or not config:
        raise ValueError('sink_configuration must be a mapping (for a %s sink, as Twilio documents it)' % sink_type)
    return dict(config)


def same_configuration(have, want):
    """Whether a sink's configuration (as Twilio returns it) is the wanted one: every wanted key equal;
    a webhook's method compared without case and a missing batch_events taken as false."""
    have = dict(have or {})
    if isinstance(have.get('method'), str):
        have['method'] = have['method'].upper()
    if 'batch_events' in want:
        have.setdefault('batch_events', False)
    return all(have.get(key) == value for key, value in want.items())


def parse_types(types):
    """``types`` (names, or mappings with type and schema_version) -> {type: version or None}."""
    if not isinstance(types, list) or not types:
        raise ValueError('types must be a non-empty list of event types such as '
                         'com.twilio.studio.flow.execution.ended, or of {type, schema_version}')
    wanted = {}
    for n, item in enumerate(types):
        version = None
        if isinstance(item, dict):
            unknown = sorted(set(item) - set(['type', 'schema_version']))
            if unknown:
                raise ValueError('types[%d] takes type and schema_version, not %s' % (n, ', '.join(unknown)))
            kind, version = item.get('type'), schema_version(item.get('schema_version'), 'types[%d].schema_version' % n)
        else:
            kind = item
        if not isinstance(kind, str) or not _TYPE.match(kind):
            raise ValueError('types[%d] must be an event type such as com.twilio.studio.flow.execution.ended, got %s'
                             % (n, shown(kind)))
        if kind in wanted:
            raise ValueError('types: %s is given twice' % kind)
        wanted[kind] = version
    return wanted


def schema_version(value, option):
    """A schema version: None (the latest), or a whole number from 1 (digits in a string too)."""
    if value is None:
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError('%s must be a whole number from 1, got %s' % (option, shown(value)))
    return value


def type_path(kind):
    return quote(kind, safe='')


class EventStreams:
    """Reads and writes of the Events API through the collection's client (one per module run)."""

    def __init__(self, client):
        self.client = client

    # -- sinks ------------------------------------------------------------------------------
    def sinks(self):
        return list(self.client.paginate('/v1/Sinks', 'sinks', page_size=1000))

    def sink(self, sid):
        return self.client.get('/v1/Sinks/%s' % sid)

    def create_sink(self, description, sink_type, config):
        return self.client.post('/v1/Sinks', {'Description': description, 'SinkType': sink_type,
                                              'SinkConfiguration': json.dumps(config, sort_keys=True)})

    def update_sink(self, sid, description):
        return self.client.post('/v1/Sinks/%s' % sid, {'Description': description})

    def delete_sink(self, sid):
        self.client.delete('/v1/Sinks/%s' % sid)

    def test_sink(self, sid):
        return self.client.post('/v1/Sinks/%s/Test' % sid, {})

    def validate_sink(self, sid, test_id):
        return self.client.post('/v1/Sinks/%s/Validate' % sid, {'TestId': test_id})

    # -- subscriptions ------------------------------------------------------------------------
    def subscriptions(self):
        return list(self.client.paginate('/v1/Subscriptions', 'subscriptions', page_size=1000))

    def subscription(self, sid):
        return self.client.get('/v1/Subscriptions/%s' % sid)

    def subscribed(self, sid):
        """{type: schema version} of a Subscription."""
        return dict((e['type'], e.get('schema_version')) for e in self.client.paginate(
            '/v1/Subscriptions/%s/SubscribedEvents' % sid, 'types', page_size=1000))

    def create_subscription(self, description, sink_sid, types):
        data = {'Description': description, 'SinkSid': sink_sid,
                'Types': [json.dumps(dict([('type', k)] + ([('schema_version', v)] if v else [])))
                          for k, v in sorted(types.items())]}
        return self.client.post('/v1/Subscriptions', data)

    def update_subscription(self, sid, description):
        return self.client.post('/v1/Subscriptions/%s' % sid, {'Description': description})

    def delete_subscription(self, sid):
        self.client.delete('/v1/Subscriptions/%s' % sid)

    def subscribe(self, sid, kind, version):
        data = {'Type': kind}
        if version:
            data['SchemaVersion'] = version
        return self.client.post('/v1/Subscriptions/%s/SubscribedEvents' % sid, data)

    def set_version(self, sid, kind, version):
        return self.client.post('/v1/Subscriptions/%s/SubscribedEvents/%s' % (sid, type_path(kind)),
                                {'SchemaVersion': version})

    def unsubscribe(self, sid, kind):
        self.client.delete('/v1/Subscriptions/%s/SubscribedEvents/%s' % (sid, type_path(kind)))


class NotUnique(ValueError):
    """Several resources have the description that names the wanted one."""

    def __init__(self, message, sids):
        super(NotUnique, self).__init__(message)
        self.sids = sids


def find_one(items, sid, description, what):
    """The resource with ``sid`` (when given) else the only one with ``description``; None when none."""
    if sid:
        return next((i for i in items if i.get('sid') == sid), None)
    matches = [i for i in items if i.get('description') == description]
    if len(matches) > 1:
        sids = sorted(i['sid'] for i in matches)
        raise NotUnique('%d %ss have the description %s (%s); give sid to choose one'
                        % (len(matches), what, shown(description), ', '.join(sids)), sids)
    return matches[0] if matches else None
