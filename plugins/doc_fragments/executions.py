# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Options of the modules that trigger a Flow for contacts and gather their Executions
    # (studio_execution, studio_campaign); argument spec: module_utils/_options.py executions_argument_spec.
    DOCUMENTATION = r'''
options:
  flow:
    description:
      - The Flow, as a Flow SID (C(FW) followed by 32 hexadecimal digits) or the exact friendly name of one Flow.
      - A name is resolved once per task, by one listing of the account's Flows. A name that matches no Flow fails
        listing the names there are; a name several Flows share fails listing their SIDs.
    type: str
  from:
    description:
      - The Twilio phone number (E.164) or Messaging Service SID (C(MG...)) the Flow sends from, available as
        C({{flow.channel.address}}).
      - Required with O(state=present) - for M(telephony.twilio.studio_campaign), here or in every contact (a
        contact's own C(from) wins).
      - Studio runs one active Execution per To/From pair. With O(state=ended) or O(state=absent), a contact that
        has several active Executions of the Flow (one per sender) is matched on O(from), read from each one's
        Context; without O(from) it fails, naming them.
    type: str
  parameters:
    description:
      - Data for the Flow, available as C({{flow.data.<key>}}) - a dict, or a string holding a JSON object; it is
        always sent as a JSON string.
      - For M(telephony.twilio.studio_campaign), the data shared by every contact; a contact's own C(parameters)
        are merged over it.
      - The collection adds two keys - C(ansible_task_nonce), a random value per task run that lets it recognise
        the Executions it created itself (see the notes), and C(ansible_campaign) with O(campaign). Parameters that
        already contain either key are refused.
    type: raw
  on_active:
    description:
      - What O(state=present) does for a contact that already has an active Execution of the Flow.
      - V(keep) - return it, RV(ignore:changed=false).
      - V(restart) - end it and create a new one.
      - V(fail) - fail, naming its SID (M(telephony.twilio.studio_campaign) fails that contact; the others go on).
    type: str
    choices: [keep, restart, fail]
    default: keep
  include:
    description:
      - Also return, in the same task (per contact for M(telephony.twilio.studio_campaign)), the Execution Context
        (V(context)) and the Steps in chronological order with their Step Contexts (V(steps)), exactly as
        M(telephony.twilio.studio_execution_info) and M(telephony.twilio.studio_step_info) return them.
      - Not used with O(state=absent), which deletes the Execution.
    type: list
    elements: str
    choices: [context, steps]
    default: []
  campaign:
    description:
      - A campaign key that makes reruns safe, also on Flows whose Executions end at once. It is sent in each
        Execution's Parameters as C(ansible_campaign) (the Flow sees C({{flow.data.ansible_campaign}})).
      - A contact that already has an Execution of this Flow carrying the same key, created since O(since), active
        B(or ended), is not triggered again - nothing is sent, and its result is RV(ignore:changed=false) with that
        Execution and C(action=campaign). So a run that was interrupted (controller lost, job cancelled, crash) can
        simply be run again - nobody is messaged twice.
      - Without it, O(state=present) only recognises a contact's B(active) Execution; on a Flow that ends at once,
        a rerun triggers the Flow again.
      - Cost - the Flow's Executions since O(since) are listed once per task, and the Execution Context of each
        Execution of the task's contacts is read until the key is found.
      - A non-empty text, such as V(spring-2026).
    type: str
  since:
    description:
      - The window of O(campaign) (and of C(state=gathered) of M(telephony.twilio.studio_campaign)) - Executions
        created since then count (ISO 8601, such as V(2026-11-01) or V(2026-11-01T09:00:00Z)).
      - Default - 30 days ago, as long as Studio keeps Executions.
      - M(telephony.twilio.studio_execution) takes it only with O(campaign).
    type: str
'''
