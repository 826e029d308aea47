# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A local, stateful emulator of the Twilio Studio REST API, v1 and v2 (test and demo tool)."""

DEFAULT_ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef'
DEFAULT_AUTH_TOKEN = 'emulator-auth-token'
DEFAULT_API_KEY = 'SK0123456789abcdef0123456789abcdef'
DEFAULT_API_SECRET = 'emulator-api-secret'
