# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the telephony.twilio collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""What happened in a campaign: totals, the funnel of widgets, outcomes, answers - and the HTML page."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import html

ENDED = 'Ended'
TRIGGERED_ACTIONS = ('created', 'restarted')
TOP_ANSWERS = 12


def contact_path(steps):
    """The widgets one contact reached, in order, from its Steps (oldest first): the widget each Step
    left, then the one the last Step entered (unless that is the end)."""
    path = []
    for step in steps or []:
        for widget in (step.get('transitioned_from'), step.get('transitioned_to')):
            if widget and widget != ENDED and (not path or path[-1] != widget):
                path.append(widget)
    return path


def flow_order(definition):
    """The widgets of a Flow definition in the order a contact meets them: breadth first from the
    initial state, following each widget's transitions in their order."""
    states = dict((state.get('name'), state) for state in (definition or {}).get('states') or []
                  if isinstance(state, dict))
    start = (definition or {}).get('initial_state') or 'Trigger'
    order, queue = [], [start] if start in states else []
    while queue:
        name = queue.pop(0)
        if name in order:
            continue
        order.append(name)
        for transition in states[name].get('transitions') or []:
            target = transition.get('next') if isinstance(transition, dict) else None
            if target in states and target not in order:
                queue.append(target)
    return order


def funnel(paths, definition=None):
    """[(widget, contacts that reached it)].

    A contact counts once per widget however often it went through it (loops count contacts, not
    visits). With the Flow's ``definition`` the widgets come in the Flow's order (breadth first from
    the trigger), those nobody reached included with 0; without it, in the order contacts reached
    them (the earliest position at which any contact did)."""
    first_seen, reached = {}, {}
    for path in paths:
        for position, widget in enumerate(path):
            if widget not in first_seen or position < first_seen[widget]:
                first_seen[widget] = position
        for widget in set(path):
            reached[widget] = reached.get(widget, 0) + 1
    by_reach = sorted(reached, key=lambda widget: (first_seen[widget], -reached[widget], widget))
    order = flow_order(definition)
    order += [widget for widget in by_reach if widget not in order]
    return [(widget, reached.get(widget, 0)) for widget in order]


def outcome(row, steps):
    """Where one contact stopped, in words."""
    if row.get('error'):
        return 'failed'
    if not row.get('execution_sid'):
        return 'no Execution (%s)' % (row.get('action') or 'none')
    path = contact_path(steps)
    if not path:
        return 'no Steps read'
    if row.get('status') == 'active':
        return 'waiting at %s' % path[-1]
    return 'ended after %s' % path[-1]


def answers(contexts):
    """{widget: [(answer, contacts)]} for the widgets that waited for a reply (``inbound.Body``)."""
    found = {}
    for context in contexts:
        widgets = (context or {}).get('widgets') or {}
        for name, data in widgets.items():
            inbound = data.get('inbound') if isinstance(data, dict) else None
            if isinstance(inbound, dict) and inbound.get('Body') is not None:
                text = ' '.join(str(inbound['Body']).split())
                counts = found.setdefault(name, {})
                counts[text] = counts.get(text, 0) + 1
    result = {}
    for name, counts in found.items():
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        if len(ranked) > TOP_ANSWERS:
            rest = ranked[TOP_ANSWERS - 1:]
            ranked = ranked[:TOP_ANSWERS - 1] + [('other answers (%d different)' % len(rest), sum(c for a, c in rest))]
        result[name] = ranked
    return result


def totals(rows):
    """The headline counts of a campaign's rows."""
    count = dict(contacts=len(rows), triggered=0, adopted=0, campaign=0, failed=0, active=0, ended=0)
    for row in rows:
        action = row.get('action') or ''
        if row.get('error') or action == 'failed':
            count['failed'] += 1
        elif action in TRIGGERED_ACTIONS:
            count['triggered'] += 1
        elif action == 'active':
            count['adopted'] += 1
        elif action == 'campaign':
            count['campaign'] += 1
        if row.get('status') == 'active':
            count['active'] += 1
        elif row.get('status') == 'ended':
            count['ended'] += 1
    return count


def summarize(rows, details, definition=None):
    """Everything the page shows. ``details`` maps a contact to its {steps, context} (its facts);
    ``definition``, the Flow's, orders the funnel."""
    paths, contexts, outcomes = [], [], {}
    for row in rows:
        found = details.get(row['contact']) or {}
        steps = found.get('steps') or []
        if row.get('execution_sid') and not row.get('error'):
            paths.append(contact_path(steps))
            contexts.append(found.get('context') or {})
        label = outcome(row, steps)
        outcomes[label] = outcomes.get(label, 0) + 1
    return {'totals': totals(rows), 'funnel': funnel(paths, definition), 'reached': len(paths),
            'outcomes': sorted(outcomes.items(), key=lambda item: (-item[1], item[0])), 'answers': answers(contexts)}


# -- the page ------------------------------------------------------------------------------------
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1a1a1a;background:#fff;
margin:0;line-height:1.45}
main{max-width:70rem;margin:0 auto;padding:1.5rem}
h1{font-size:1.7rem;margin:.2rem 0}h2{font-size:1.25rem;margin:2rem 0 .5rem;border-bottom:2px solid #d0d7de;
padding-bottom:.2rem}h3{font-size:1.05rem;margin:1.2rem 0 .3rem}
p.lead{color:#3d3d3d;margin:.2rem 0 1rem}
dl.totals{display:flex;flex-wrap:wrap;gap:.75rem;margin:0}
dl.totals div{border:1px solid #d0d7de;border-radius:6px;padding:.6rem .9rem;min-width:8.5rem}
dl.totals dt{font-size:.85rem;color:#3d3d3d}dl.totals dd{margin:0;font-size:1.6rem;font-weight:600}
svg text{font-size:13px;fill:#1a1a1a}svg .bar{fill:#1f4e8c}svg .track{fill:#eef1f4}
table{border-collapse:collapse;width:100%;font-size:.9rem}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border-bottom:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f5f7}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.failed td{background:#fff4f4}
details{margin:.4rem 0}summary{cursor:pointer;color:#1f4e8c}
.note{font-size:.9rem;color:#3d3d3d}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
"""


def _e(value):
    return html.escape('' if value is None else str(value), quote=True)


def bars(title, items, total, ident, unit='contacts'):
    """A horizontal bar chart as inline SVG, with a text alternative and the numbers as a table."""
    if not items:
        return '<p class="note">Nothing to show.</p>'
    label_width, bar_width, row_height = 260, 420, 28
    height = row_height * len(items) + 8
    top = max(count for dummy, count in items) or 1
    description = '; '.join('%s: %d %s' % (label, count, unit) for label, count in items)
    parts = ['<svg role="img" aria-labelledby="%s-title %s-desc" width="100%%" viewBox="0 0 %d %d" '
             'xmlns="http://www.w3.org/2000/svg" style="max-width:%dpx">'
             % (ident, ident, label_width + bar_width + 150, height, label_width + bar_width + 150),
             '<title id="%s-title">%s</title>' % (ident, _e(title)),
             '<desc id="%s-desc">%s</desc>' % (ident, _e(description))]
    for n, (label, count) in enumerate(items):
        y = 4 + n * row_height
        width = max(2, int(round(bar_width * count / float(top)))) if count else 0
        share = ' (%d%%)' % round(100.0 * count / total) if total else ''
        shown = label if len(label) <= 38 else label[:36] + '\u2026'
        parts.append('<text x="%d" y="%d" text-anchor="end">%s</text>' % (label_width - 8, y + 18, _e(shown)))
        parts.append('<rect class="track" x="%d" y="%d" width="%d" height="20" rx="3"/>'
                     % (label_width, y + 3, bar_width))
        parts.append('<rect class="bar" x="%d" y="%d" width="%d" height="20" rx="3"/>' % (label_width, y + 3, width))
        parts.append('<text x="%d" y="%d">%d%s</text>' % (label_width + bar_width + 8, y + 18, count, share))
    parts.append('</svg>')
    table = ['<details><summary>%s as a table</summary><table><thead><tr><th scope="col">%s</th>'
             '<th scope="col">%s</th></tr></thead><tbody>' % (_e(title), 'item', _e(unit))]
    table.extend('<tr><td>%s</td><td class="num">%d</td></tr>' % (_e(label), count) for label, count in items)
    table.append('</tbody></table></details>')
    return '\n'.join(parts) + '\n' + ''.join(table)


def html_page(rows, details, columns, title='Studio campaign report', generated=None, definition=None):
    """The self-contained report page: no script, no stylesheet or font from anywhere else."""
    data = summarize(rows, details, definition)
    count = data['totals']
    generated = generated or datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')
    out = ['<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; '
           'img-src data:">',
           '<title>%s</title>' % _e(title), '<style>%s</style>' % CSS, '</head>', '<body>', '<main>',
           '<h1>%s</h1>' % _e(title),
           '<p class="lead">%d contacts, report made %s. Each contact runs through the Flow\'s widgets (the steps '
           'of a conversation: a message, a question, a check); the sections below show how far contacts got, '
           'where they stopped, and what they answered.</p>' % (count['contacts'], _e(generated)),
           '<section id="totals" aria-labelledby="totals-h"><h2 id="totals-h">Totals</h2><dl class="totals">']
    for key, label in (('contacts', 'Contacts'), ('triggered', 'Triggered now'),
                       ('adopted', 'Already running (adopted)'), ('campaign', 'Reached earlier by this campaign'),
                       ('failed', 'Failed'), ('active', 'Still active'), ('ended', 'Ended')):
        out.append('<div><dt>%s</dt><dd id="total-%s">%d</dd></div>' % (_e(label), key, count[key]))
    out.append('</dl></section>')
    out.append('<section id="funnel" aria-labelledby="funnel-h"><h2 id="funnel-h">Funnel: how many contacts '
               'reached each widget</h2><p class="note">Widgets in %s; a contact counts once per widget, however '
               'often it passed through it. Out of %d contacts with an Execution.</p>'
               % ('the order of the Flow, from its trigger' if definition else 'the order contacts reached them',
                  data['reached']))
    out.append(bars('Contacts reaching each widget', data['funnel'], data['reached'], 'funnel-chart'))
    out.append('</section>')
    out.append('<section id="outcomes" aria-labelledby="outcomes-h"><h2 id="outcomes-h">Outcomes: where contacts '
               'stopped</h2>')
    out.append(bars('Where contacts stopped', data['outcomes'], count['contacts'], 'outcome-chart'))
    out.append('</section>')
    out.append('<section id="answers" aria-labelledby="answers-h"><h2 id="answers-h">Answers</h2>')
    if not data['answers']:
        out.append('<p class="note">No widget of this run waited for a reply, or nobody replied yet.</p>')
    for n, name in enumerate(sorted(data['answers'])):
        items = data['answers'][name]
        replied = sum(c for dummy, c in items)
        out.append('<h3>%s <span class="note">(%d replies, <code>widgets.%s.inbound.Body</code>)</span></h3>'
                   % (_e(name), replied, _e(name)))
        out.append(bars('Answers to %s' % name, items, replied, 'answers-%d' % n, unit='replies'))
    out.append('</section>')
    out.append('<section id="contacts" aria-labelledby="contacts-h"><h2 id="contacts-h">Every contact</h2>'
               '<table><caption>One row per contact; failed contacts say why.</caption><thead><tr>')
    out.extend('<th scope="col">%s</th>' % _e(column.replace('_', ' ')) for column in columns)
    out.append('</tr></thead><tbody>')
    for row in rows:
        out.append('<tr%s>' % (' class="failed"' if row.get('error') else ''))
        for column in columns:
            value = row.get(column, '')
            out.append('<td%s>%s</td>' % (' class="num"' if column == 'steps' else '', _e(value)))
        out.append('</tr>')
    out.append('</tbody></table></section></main></body></html>')
    return '\n'.join(out) + '\n'
