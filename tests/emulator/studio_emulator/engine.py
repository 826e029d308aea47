# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The flow engine: walks a Studio flow definition the way Studio runs an Execution.

A Step is a transition: leaving widget ``transitioned_from`` on event ``name`` for widget
``transitioned_to`` (``Ended`` when the transition has no ``next``). Its Step Context is the
Execution Context as it stood after that widget ran. Widgets that wait for a reply leave the
Execution active until :func:`resume` is called with ``incomingMessage`` or ``timeout``.
"""

import copy
import datetime
import functools
import json
import re
import secrets

from liquid import Environment
from liquid.exceptions import LiquidError

SID_PATTERNS = {prefix: re.compile(r'^%s[0-9a-fA-F]{32}$' % prefix) for prefix in ('AC', 'FW', 'FN', 'FT', 'FC', 'SK', 'SM')}

TRIGGER_EVENT = 'incomingRequest'
# Studio's widget library: the 28 widget types of Twilio's Flow definition schema
# (https://schemas.twilio.com/studio/draft/2019-09/flow-definition, listed on
# https://www.twilio.com/docs/studio/rest-api/v2/schemas), each with the transition events its
# documentation names (the widget-library pages). Validate refuses any other type; a transition on
# an event the table does not list is only a warning (Studio adds events over time).
WIDGETS = {
    'trigger': ('incomingMessage', 'incomingCall', 'incomingConversationMessage', 'incomingRequest',
                'incomingParent'),
    'send-message': ('sent', 'failed'),
    'send-and-wait-for-reply': ('incomingMessage', 'timeout', 'deliveryFailure'),
    'split-based-on': ('match', 'noMatch'),
    'set-variables': ('next',),
    'make-http-request': ('success', 'failed'),
    'run-function': ('success', 'fail'),
    'run-function-v2': ('success', 'fail'),
    'say-play': ('audioComplete',),
    'gather-input-on-call': ('keypress', 'speech', 'timeout'),
    'connect-call-to': ('callCompleted', 'hangup'),
    'make-outgoing-call-v1': ('answered', 'answeredByMachine', 'busy', 'noAnswer', 'failed', 'hangup'),
    'make-outgoing-call-v2': ('answered', 'busy', 'noAnswer', 'failed'),
    'record-voicemail': ('recordingComplete', 'noAudio', 'hangup'),
    'record-call': ('success', 'failed'),
    'enqueue-call': ('callComplete', 'failedToEnqueue', 'callFailure'),
    'send-to-flex': ('callComplete', 'failedToEnqueue', 'callFailure', 'composerStarted'),
    'run-subflow': ('completed', 'failed'),
    'fork-stream': ('next',),
    'capture-payments': ('success', 'maxFailedAttempts', 'providerError', 'payInterrupted', 'hangup',
                         'validationError'),
    'add-twiml-redirect': ('return', 'timeout', 'fail'),
    'connect-virtual-agent': ('completed', 'hangup'),
    'connect-virtual-agent-v2': ('completed', 'live-agent-handoff', 'hangup', 'failed', 'paused', 'timeout'),
    'create-task': ('success', 'failed'),
    'update-sync-object': ('success', 'failed'),
    'understand': ('sessionEnded', 'failure', 'timeout'),
    'create-chat-channel': ('success', 'failed'),
    'add-member-to-chat-channel': ('success', 'failed'),
}
WIDGET_TYPES = frozenset(WIDGETS)
# Types Studio's schema no longer has: Validate refuses them, saying why.
RETIRED = {
    'send-to-auto-pilot': 'Autopilot was retired and Studio\'s Flow definition schema no longer has this widget',
}
# What the widgets the emulator cannot really run (calls, Flex, payments, subflows...) leave in
# widgets.<name> on their documented success path (the first event of WIDGETS). The types it runs
# itself (send-message, send-and-wait-for-reply, split-based-on, set-variables, make-http-request,
# run-function, run-function-v2) are handled in _run_widget. Unknown types (flows loaded at start,
# not validated strictly) take the first event with a transition, so a newer widget still runs.
OUTPUTS = {
    'gather-input-on-call': {'Digits': '1'},
    'connect-call-to': {'DialCallStatus': 'completed'},
    'record-voicemail': {'RecordingUrl': 'https://api.twilio.com/recording.mp3'},
    'make-outgoing-call-v1': {'CallStatus': 'in-progress'},
    'make-outgoing-call-v2': {'CallStatus': 'in-progress'},
    'capture-payments': {'Result': 'success'},
}
RUN = ('send-message', 'send-and-wait-for-reply', 'split-based-on', 'set-variables', 'make-http-request',
       'run-function', 'run-function-v2')
SIMULATED = dict((kind, (events[0] if kind != 'trigger' else TRIGGER_EVENT, OUTPUTS.get(kind, {})))
                 for kind, events in WIDGETS.items() if kind not in RUN)


class StudioLiquid(Environment):
    """Liquid as Studio renders it: missing variables are empty, loops stop at 15 iterations."""

    loop_iteration_limit = 15


LIQUID = StudioLiquid()


@functools.lru_cache(maxsize=1024)
def _template(source):
    return LIQUID.from_string(source)


def render(template, context):
    if not isinstance(template, str) or '{' not in template:
        return template
    try:
        return _template(template).render(**context)
    except LiquidError:
        return ''


class FlowError(ValueError):
    """A flow definition that cannot be used."""


# Properties without which the widgets the engine runs cannot run (Validate reports them).
REQUIRED_PROPERTIES = {
    'send-message': ('body',),
    'send-and-wait-for-reply': ('body',),
    'split-based-on': ('input',),
    'set-variables': ('variables',),
    'make-http-request': ('method', 'url'),
    'run-function': ('url',),
}
MAX_STATES = 1000


def _problem(message, path):
    return {'message': message, 'property_path': path}


def definition_errors(definition, strict=True):
    """The errors of a flow definition as Studio's Validate lists them: [{message, property_path}].

    ``strict`` (Validate, v2 writes) adds unknown widget types and missing required properties;
    without it (flows loaded at start), a newer widget type still runs, taking its first event.
    """
    if not isinstance(definition, dict):
        return [_problem('The definition must be a JSON object', '#')]
    states = definition.get('states')
    if not isinstance(states, list) or not states or not all(isinstance(s, dict) for s in states):
        return [_problem('states must be a non-empty list of widget objects', '#/states')]
    errors = []
    if len(states) > MAX_STATES:
        errors.append(_problem('A flow has at most %d states, this one has %d' % (MAX_STATES, len(states)),
                               '#/states'))
    seen = {}
    for n, state in enumerate(states):
        name = state.get('name')
        if not isinstance(name, str) or not name:
            errors.append(_problem('Every widget needs a name', '#/states/%d/name' % n))
        elif name in seen:
            errors.append(_problem('Duplicate widget name %s (also states/%d)' % (name, seen[name]),
                                   '#/states/%d/name' % n))
        else:
            seen[name] = n
    for n, state in enumerate(states):
        kind = state.get('type')
        if not isinstance(kind, str) or not kind:
            errors.append(_problem('Every widget needs a type', '#/states/%d/type' % n))
        elif strict and kind in RETIRED:
            errors.append(_problem('Widget type %s is retired: %s' % (kind, RETIRED[kind]), '#/states/%d/type' % n))
        elif strict and kind not in WIDGET_TYPES:
            errors.append(_problem('Unknown widget type %s' % kind, '#/states/%d/type' % n))
        transitions = state.get('transitions') or []
        if not isinstance(transitions, list):
            errors.append(_problem('transitions must be a list', '#/states/%d/transitions' % n))
            transitions = []
        for t, tr in enumerate(transitions):
            path = '#/states/%d/transitions/%d' % (n, t)
            if not isinstance(tr, dict) or not tr.get('event'):
                errors.append(_problem('Every transition needs an event', path + '/event'))
            elif tr.get('next') and tr['next'] not in seen:
                errors.append(_problem('Transition to unknown widget %s' % tr['next'], path + '/next'))
        properties = state.get('properties')
        if strict and kind in REQUIRED_PROPERTIES:
            if not isinstance(properties, dict):
                properties = {}
            for prop in REQUIRED_PROPERTIES[kind]:
                if properties.get(prop) in (None, ''):
                    errors.append(_problem('%s widget %s needs the property %s' % (kind, state.get('name'), prop),
                                           '#/states/%d/properties/%s' % (n, prop)))
    initial = definition.get('initial_state', 'Trigger')
    if initial not in seen:
        errors.append(_problem('initial_state %s names no widget of the flow' % (initial,), '#/initial_state'))
    return errors


def definition_warnings(definition):
    """Studio's warnings: widgets no transition reaches (they never run)."""
    if definition_errors(definition, strict=False):
        return []
    reached = {definition.get('initial_state', 'Trigger')}
    for state in definition['states']:
        reached.update(tr.get('next') for tr in state.get('transitions') or [] if tr.get('next'))
    warnings = [_problem('Widget %s is not reached by any transition' % s['name'], '#/states/%d' % n)
                for n, s in enumerate(definition['states']) if s['name'] not in reached]
    for n, state in enumerate(definition['states']):
        documented = WIDGETS.get(state.get('type'))
        for t, tr in enumerate(state.get('transitions') or []):
            if documented and isinstance(tr, dict) and tr.get('event') not in documented:
                warnings.append(_problem('Widget %s (%s) has no documented event %s (it has %s)' % (
                    state['name'], state['type'], tr.get('event'), ', '.join(documented)),
                    '#/states/%d/transitions/%d/event' % (n, t)))
    return warnings


def check_definition(definition):
    """Raise FlowError naming the first problems of a definition that cannot run."""
    errors = definition_errors(definition, strict=False)
    if errors:
        raise FlowError('; '.join('%s (%s)' % (e['message'], e['property_path']) for e in errors[:5]))


def _states(definition):
    return {s['name']: s for s in definition['states']}


def initial_context(flow, to, from_, parameters):
    return {
        'flow': {'sid': flow['sid'], 'flow_sid': flow['sid'], 'channel': {'address': from_},
                 'data': parameters, 'variables': {}},
        'contact': {'channel': {'address': to}},
        'widgets': {},
        'trigger': {'request': {'from': from_, 'to': to, 'parameters': parameters}},
    }


def _liquid_context(ex):
    return ex['context']


def _step(ex, event, widget, widget_type, target, now):
    ex['steps'].append({
        'sid': 'FT' + secrets.token_hex(16), 'name': event, 'type': widget_type,
        'transitioned_from': widget, 'transitioned_to': target or 'Ended',
        'parent_step_sid': None, 'created': now, 'updated': None,
        'context': copy.deepcopy(ex['context']),
    })


def end(ex, now, reason='FLOW_END'):
    """End ``ex``; ``reason`` is the ended_reason of its execution.ended event."""
    ex['status'] = 'ended'
    ex['ended_reason'] = reason
    ex['waiting'] = None
    ex['updated'] = now


def start(store, ex, definition, now):
    # As Studio documents it: flow.sid is the Execution's SID, flow.flow_sid the Flow's.
    ex['context']['flow']['sid'] = ex['sid']
    ex['context']['flow']['flow_sid'] = ex['flow_sid']
    initial = definition.get('initial_state', 'Trigger')
    _walk(store, ex, definition, initial, TRIGGER_EVENT, None, now)


def resume(store, ex, definition, event, now):
    widget = ex['waiting']['widget']
    ex['waiting'] = None
    if definition is None:
        end(ex, now)
        return
    _walk(store, ex, definition, widget, event, None, now)


def _walk(store, ex, definition, widget, event, target, now):
    """Leave ``widget`` on ``event`` and run widgets until the Execution waits or ends."""
    states = _states(definition)
    while True:
        state = states[widget]
        if target is None:
            target = next((tr.get('next') for tr in state.get('transitions', []) if tr.get('event') == event), None)
        _step(ex, event, widget, state['type'], target, now)
        ex['updated'] = now
        if not target or len(ex['steps']) >= store.max_steps:
            end(ex, now, 'FLOW_END' if not target else 'MAX_STEPS')
            return
        ex['repeats'] = ex['repeats'] + 1 if ex['last_widget'] == target else 1
        ex['last_widget'] = target
        if ex['repeats'] > store.max_repeats:
            # "A Flow Execution will be stopped if the same Widget is executed 10 times in a row":
            # the widget ran 10 times; the Step that would run it an 11th time is the last one.
            end(ex, now, 'MAX_WIDGET_REPEATS')
            return
        widget = target
        event, target = _run_widget(ex, states[widget], now)
        if event is None:
            return  # waiting for a reply


def _message(ex, props, now):
    ctx = _liquid_context(ex)
    msg = {
        'sid': 'SM' + secrets.token_hex(16),
        'to': render(props.get('to') or '{{contact.channel.address}}', ctx),
        'from': render(props.get('from') or '{{flow.channel.address}}', ctx),
        'body': render(props.get('body', ''), ctx),
        'status': 'sent',
        'date_created': datetime.datetime.fromtimestamp(now, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
    }
    ex['messages'].append(msg)
    return msg


def _outbound(msg):
    """A sent message as Studio's widgets expose it: widgets.<name>.outbound.{Body,From,To,Sid,Status}."""
    return {'Sid': msg['sid'], 'To': msg['to'], 'From': msg['from'], 'Body': msg['body'], 'Status': msg['status'],
            'AccountSid': None, 'MessagingServiceSid': None}


def _simulated(props, default_event='success'):
    """make-http-request and run-function never reach the network: a widget's optional
    ``x-emulator`` property gives the simulated answer (``event``, ``status_code``, ``body``)."""
    sim = props.get('x-emulator') or {}
    body = sim.get('body', {})
    text = body if isinstance(body, str) else json.dumps(body)
    parsed = body if not isinstance(body, str) else None
    result = {'status_code': int(sim.get('status_code', 200)), 'content_type': 'application/json',
              'body': text}
    if parsed is not None:
        result['parsed'] = parsed
    return sim.get('event', default_event), result


def _run_widget(ex, state, now):
    """Run one widget; returns (event, next widget or None to look it up by event)."""
    kind = state['type']
    props = state.get('properties') or {}
    name = state['name']
    ctx = _liquid_context(ex)
    widgets = ctx['widgets']
    if kind == 'send-message':
        msg = _message(ex, props, now)
        widgets[name] = {'outbound': _outbound(msg)}
        return 'sent', None
    if kind == 'send-and-wait-for-reply':
        msg = _message(ex, props, now)
        widgets[name] = {'outbound': _outbound(msg)}
        timeout = float(render(str(props.get('timeout', 3600)), ctx) or 3600)
        ex['waiting'] = {'widget': name, 'deadline': now + timeout}
        return None, None
    if kind == 'split-based-on':
        value = render(props.get('input', ''), ctx)
        widgets[name] = {'input': value}
        for tr in state.get('transitions', []):
            if tr.get('event') != 'match' or not tr.get('conditions'):
                continue
            if all(_condition(c, value, ctx) for c in tr['conditions']):
                return 'match', tr.get('next') or ''
        return 'noMatch', None
    if kind == 'set-variables':
        for var in props.get('variables', []):
            ctx['flow']['variables'][var.get('key')] = render(var.get('value', ''), ctx)
        return 'next', None
    if kind in ('make-http-request', 'run-function', 'run-function-v2'):
        event, result = _simulated(props)
        widgets[name] = result
        return event, None
    if kind in SIMULATED:
        event, output = SIMULATED[kind]
        props_event = (props.get('x-emulator') or {}).get('event')
        widgets[name] = dict(output)
        return props_event or event, None
    events = [tr.get('event') for tr in state.get('transitions', []) if tr.get('next')]
    return (events[0] if events else 'next'), None


def _number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _condition(cond, value, ctx):
    """Studio's split-based-on condition types (string comparisons ignore case, as Studio's do)."""
    args = cond.get('arguments') or []
    if args:
        value = render(args[0], ctx)
    value = '' if value is None else str(value)
    wanted = render(str(cond.get('value', '')), ctx)
    kind = cond.get('type')
    low, wlow = value.strip().lower(), wanted.strip().lower()
    options = [w.strip() for w in wlow.split(',') if w.strip()]
    if kind == 'equal_to':
        return low == wlow
    if kind == 'not_equal_to':
        return low != wlow
    if kind == 'matches_any_of':
        return low in options
    if kind == 'does_not_match_any_of':
        return low not in options
    if kind == 'contains':
        return wlow in low
    if kind == 'does_not_contain':
        return wlow not in low
    if kind == 'starts_with':
        return low.startswith(wlow)
    if kind == 'does_not_start_with':
        return not low.startswith(wlow)
    if kind == 'is_blank':
        return low == ''
    if kind == 'is_not_blank':
        return low != ''
    if kind == 'regex':
        try:
            return re.search(wanted, value) is not None
        except re.error:
            return False
    if kind in ('less_than', 'greater_than'):
        left, right = _number(value), _number(wanted)
        if left is None or right is None:
            return False
        return left < right if kind == 'less_than' else left > right
    if kind in ('is_before_time', 'is_after_time', 'is_before_date', 'is_after_date'):
        # Compared as text: HH:MM and YYYY-MM-DD sort the way they read.
        return low < wlow if 'before' in kind else low > wlow
    return False
