# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The credentials every module of the collection takes (argument spec: module_utils/_options.py
    # credentials_argument_spec); where the requests go is the fragment connection.
    DOCUMENTATION = r'''
options:
  account_sid:
    description:
      - The Twilio Account SID, C(AC) followed by 32 hexadecimal digits.
      - Used with O(auth_token) when O(api_key) and O(api_secret) are not both set.
      - If not set, the environment variable E(TWILIO_ACCOUNT_SID) is used; an empty variable counts as unset.
    type: str
  auth_token:
    description:
      - The Auth Token of O(account_sid).
      - If not set, the environment variable E(TWILIO_AUTH_TOKEN) is used; an empty variable counts as unset.
      - Never logged or shown.
    type: str
  api_key:
    description:
      - The SID of a Twilio API key, C(SK) followed by 32 hexadecimal digits.
      - With O(api_secret) it authenticates instead of O(account_sid) and O(auth_token); Twilio recommends API keys.
      - If not set, the environment variable E(TWILIO_API_KEY) is used; an empty variable counts as unset.
    type: str
  api_secret:
    description:
      - The secret of O(api_key).
      - If not set, the environment variable E(TWILIO_API_SECRET) is used; an empty variable counts as unset.
      - Never logged or shown.
    type: str
notes:
  - Credentials are chosen in this order - O(api_key) and O(api_secret), then O(account_sid) and O(auth_token).
    Options win over environment variables.
  - Twilio's test credentials get HTTP 403 on Studio; there is no Twilio-side sandbox for it. Use the Studio
    emulator shipped in C(tests/emulator) of the collection's source to try playbooks offline.
'''
