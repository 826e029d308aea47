#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: studio_campaign_facts
short_description: Set a contact's facts from the results file of a studio_campaign batch
version_added: 0.2.0
description:
  - Reads the result of one contact from the results file that M(telephony.twilio.studio_campaign) writes
    (O(telephony.twilio.studio_campaign#module:results_path)) and returns it as cacheable facts
    C(studio_execution), C(studio_context) and C(studio_steps). While the batch still runs (started with C(async)),
    it waits until the contact's line is there.
  - It is made for one task looping over the contacts with C(delegate_to) and C(delegate_facts), run once, so that
    every contact gets its facts in one task while the batch goes on - far cheaper than a task per host. The
    collection's playbooks use it that way.
  - Runs on the controller as an action; it sends nothing to Twilio.
options:
  results_path:
    description: The results file of the batch.
    type: path
    required: true
  contact:
    description: The contact's name in the batch (the inventory host name in the playbooks).
    type: str
    required: true
  job:
    description:
      - The async job ID of the batch (C(ansible_job_id) of the task that started it). When the job has ended
        without a line for the contact, the task fails saying so instead of waiting.
    type: str
  timeout:
    description: Seconds to wait for the contact's line at most.
    type: float
    default: 86400
  heartbeat_path:
    description:
      - A file to touch while waiting, the batch's O(telephony.twilio.studio_campaign#module:heartbeat_path), so that
        the batch stops starting contacts when nobody waits for it any more.
    type: path
attributes:
  check_mode:
    description: Reads the results of the batch, which runs in check mode too.
    support: full
  diff_mode:
    description: Changes nothing.
    support: none
  facts:
    description: Sets C(studio_execution), C(studio_context) and C(studio_steps).
    support: full
  action:
    description: Runs on the controller.
    support: full
notes:
  - A contact that failed in the batch gets V(null), V({}) and V([]) (and RV(contact_failed=true)); the
    playbooks then fail it as a host with its message from the batch's result.
seealso:
  - module: telephony.twilio.studio_campaign
author:
  - telephony.twilio developers (@telephony-twilio)
'''

EXAMPLES = r'''
- name: Start the campaign in the background, results in a file
  telephony.twilio.studio_campaign:
    flow: Customer survey
    contacts: "{{ ansible_play_hosts | telephony.twilio.studio_contacts(hostvars) }}"
    include: [context, steps]
    results_path: /tmp/campaign.jsonl
    heartbeat_path: /tmp/campaign.alive
  run_once: true
  async: 86400
  poll: 0
  register: campaign_job

- name: Each contact's facts, as the batch goes on
  telephony.twilio.studio_campaign_facts:
    results_path: /tmp/campaign.jsonl
    contact: "{{ item }}"
    job: "{{ campaign_job.ansible_job_id }}"
    heartbeat_path: /tmp/campaign.alive
  delegate_to: "{{ item }}"
  delegate_facts: true
  run_once: true
  loop: "{{ ansible_play_hosts }}"
'''

RETURN = r'''
ansible_facts:
  description: The contact's facts.
  returned: success
  type: dict
  contains:
    studio_execution:
      description: The contact's Execution, V(null) when the contact failed.
      type: dict
    studio_context:
      description: The Execution Context, or V({}).
      type: dict
    studio_steps:
      description: The Steps with their Step Contexts, or V([]).
      type: list
      elements: dict
contact_failed:
  description: Whether the contact failed in the batch.
  returned: success
  type: bool
'''

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(
        results_path=dict(type='path', required=True),
        contact=dict(type='str', required=True),
        job=dict(type='str'),
        timeout=dict(type='float', default=86400.0),
        heartbeat_path=dict(type='path'),
    ), supports_check_mode=True)
    module.fail_json(msg='telephony.twilio.studio_campaign_facts runs as an action on the controller; this module '
                         'file only documents it')


if __name__ == '__main__':
    main()
