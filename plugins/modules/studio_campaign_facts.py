#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: studio_campaign_facts
short_description: Set a contact's facts from its result in a studio_campaign batch
version_added: 0.2.0
description:
  - Reads the result of one contact from the results directory that M(telephony.twilio.studio_campaign) writes
    (O(telephony.twilio.studio_campaign#module:results_dir), one file per contact) and returns it as cacheable facts
    C(studio_execution), C(studio_context) and C(studio_steps). While the batch still runs (started with C(async)),
    it waits until the contact's file is there.
  - It is made for a task that every contact's host runs for itself (no C(run_once), no C(delegate_facts)), while the
    batch goes on - the facts a host gets are then certainly its own, on every ansible-core and with every fact cache.
    The collection's playbooks use it that way.
  - Runs on the controller as an action; it sends nothing to Twilio. It stops waiting when the batch's job has ended,
    after O(timeout), or when the C(ansible-playbook) that runs it is gone.
options:
  results_dir:
    description: The results directory of the batch.
    type: path
    required: true
  contact:
    description: The contact's name in the batch (the inventory host name in the playbooks).
    type: str
    required: true
  job:
    description:
      - The async job ID of the batch (C(ansible_job_id) of the task that started it). When the job has ended
        without a result for the contact, the task says so instead of waiting. When the whole batch failed, the
        contact gets no facts and RV(batch_failed) says why; the task itself does not fail (the task that waits for
        the batch fails once, with the cause).
    type: str
  timeout:
    description: Seconds to wait for the contact's result at most.
    type: float
    default: 86400
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
- name: A directory for the results (private to this user)
  ansible.builtin.tempfile:
    state: directory
  run_once: true
  register: results

- name: Start the campaign in the background, one result file per contact
  telephony.twilio.studio_campaign:
    flow: Customer survey
    contacts: "{{ ansible_play_hosts | telephony.twilio.studio_contacts(hostvars) }}"
    include: [context, steps]
    results_dir: "{{ results.path }}"
  run_once: true
  async: 86400
  poll: 0
  register: campaign_job

- name: Each contact's own facts, as the batch goes on
  telephony.twilio.studio_campaign_facts:
    results_dir: "{{ results.path }}"
    contact: "{{ inventory_hostname }}"
    job: "{{ campaign_job.ansible_job_id }}"
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
  description: Whether the contact failed in the batch (or has no result because the batch failed).
  returned: success
  type: bool
batch_failed:
  description: Why the whole batch failed, when it did.
  returned: when the batch failed
  type: str
'''

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(
        results_dir=dict(type='path', required=True),
        contact=dict(type='str', required=True),
        job=dict(type='str'),
        timeout=dict(type='float', default=86400.0),
    ), supports_check_mode=True)
    module.fail_json(msg='telephony.twilio.studio_campaign_facts runs as an action on the controller; this module '
                         'file only documents it')


if __name__ == '__main__':
    main()
