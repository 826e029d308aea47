#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: studio_campaign_facts
short_description: Read a studio_campaign batch that runs in the background (a contact's facts, or its end)
version_added: 1.0.0
description:
  - With O(contact), reads the result of that contact from the results directory that M(telephony.twilio.studio_campaign)
    writes (one file per contact) and returns it as cacheable facts C(studio_execution), C(studio_context) and
    C(studio_steps). While the batch still runs (started with C(async)), it waits until the contact's file is there.
  - It is made for one loop over the contacts with C(delegate_to) and C(delegate_facts) while the batch goes on, as the
    collection's playbooks use it; each contact's facts come from a file that holds only that contact's result.
  - Without O(contact), waits for the batch's job to end and returns the batch's result (as
    M(ansible.builtin.async_status) would), then removes the job file and O(results_dir) - also when the batch failed,
    so that it belongs in an C(always:) section.
  - Runs on the controller as an action; it sends nothing to Twilio. It stops waiting when the batch's job has ended,
    after O(timeout), or when the C(ansible-playbook) that runs it is gone.
options:
  results_dir:
    description:
      - The results directory of the batch (C(results_dir) of the task that started it). Required with O(contact);
        without O(contact) it is removed.
    type: path
  contact:
    description:
      - The contact's name in the batch (the inventory host name in the playbooks).
      - Without it, the task waits for the whole batch instead (see the description).
    type: str
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
  - Ansible's default output prints a line per item of a loop, so the playbooks' loop prints one line per contact and
    the recap lists only the host that ran it (and the contacts that then fail).
seealso:
  - module: telephony.twilio.studio_campaign
author:
  - telephony.twilio developers (@telephony-twilio)
'''

EXAMPLES = r'''
- name: Run the campaign in the background and keep each contact's facts
  block:
    - name: Start the campaign (checked first; its results go to a private directory)
      telephony.twilio.studio_campaign:
        contacts: "{{ (ansible_play_hosts | telephony.twilio.studio_contacts(hostvars)).contacts }}"
        include: [context, steps]
      run_once: true
      async: 86400
      poll: 0
      register: campaign_job

    - name: Each contact's own facts, as the batch goes on
      telephony.twilio.studio_campaign_facts:
        results_dir: "{{ campaign_job.results_dir }}"
        contact: "{{ item }}"
        job: "{{ campaign_job.ansible_job_id }}"
      run_once: true
      delegate_to: "{{ item }}"
      delegate_facts: true
      loop: "{{ (ansible_play_hosts | telephony.twilio.studio_contacts(hostvars)).contacts | map(attribute='name') }}"
  always:
    - name: Wait for the batch to end, and remove its job file and results
      telephony.twilio.studio_campaign_facts:
        job: "{{ campaign_job.ansible_job_id | default(omit) }}"
        results_dir: "{{ campaign_job.results_dir | default(omit) }}"
      run_once: true
      register: campaign
'''

RETURN = r'''
ansible_facts:
  description: With O(contact), the contact's facts.
  returned: with O(contact), on success
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
  returned: with O(contact), on success
  type: bool
batch_failed:
  description: Why the whole batch failed, when it did.
  returned: when the batch failed
  type: str
contacts:
  description: Without O(contact), the batch's result per contact (see M(telephony.twilio.studio_campaign)).
  returned: without O(contact), when the batch ended
  type: dict
summary:
  description: Without O(contact), the batch's counts per action (see M(telephony.twilio.studio_campaign)).
  returned: without O(contact), when the batch ended
  type: dict
finished:
  description: Without O(contact), whether the batch ended.
  returned: without O(contact), when there was a batch
  type: bool
'''
