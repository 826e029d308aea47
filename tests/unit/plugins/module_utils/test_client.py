# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared Studio client: exact requests, retries, pagination, errors, base URLs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import os
import re
import socket
import time

import pytest
import requests
import responses
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError, ReadTimeoutError
from urllib3.response import HTTPResponse

from ansible_collections.telephony.twilio.plugins.module_utils import _client
from ansible_collections.telephony.twilio.plugins.module_utils._pacer import Pacer
from ansible_collections.telephony.twilio.plugins.module_utils._client import (
    ConfigError,
    RetryAfterTooLong,
    StudioClient,
    StudioError,
    base_url,
    may_have_been_sent,
    make_retry,
)
from ansible_collections.telephony.twilio.plugins.module_utils._module import choose_credentials

FIXTURES = os.path.join(os.path.dirname(__file__), '..', '..', 'fixtures')
AC, TOKEN = 'AC0123456789abcdef0123456789abcdef', 'secret-token-value'
SK, SECRET = 'SK0123456789abcdef0123456789abcdef', 'secret-api-value'
BASE = 'https://studio.twilio.com'
FLOW = 'FW00000000000000000000000000000001'


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return json.load(handle)


def basic(user, password):
    return 'Basic ' + base64.b64encode(('%s:%s' % (user, password)).encode()).decode()


@pytest.fixture
def no_sleep(monkeypatch):
    """Record backoff sleeps instead of sleeping; the clock of the 429 time budget moves by them."""
    slept = []
    monkeypatch.setattr('urllib3.util.retry.time.sleep', slept.append)
    monkeypatch.setattr(_client, '_now', lambda: sum(slept))
    return slept


def galaxy_version():
    """The collection's version, from galaxy.yml (the User-Agent must say the version that is installed)."""
    path = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'galaxy.yml')
    with open(path) as handle:
        return re.search(r'^version: *(\S+)', handle.read(), re.M).group(1)


@pytest.mark.parametrize('params, user, password', [
    (dict(account_sid=AC, auth_token=TOKEN), AC, TOKEN),
    (dict(api_key=SK, api_secret=SECRET), SK, SECRET),
    (dict(account_sid=AC, auth_token=TOKEN, api_key=SK, api_secret=SECRET), SK, SECRET),
])
@responses.activate
def test_basic_auth_header_user_agent_and_form_encoding(params, user, password):
    creds = choose_credentials(params)
    assert creds == (user, password)
    responses.add(responses.POST, BASE + '/v1/Flows/%s/Executions' % FLOW, json={'sid': 'FN' + 'a' * 32}, status=200)
    client = StudioClient(*creds)
    client.post('/v1/Flows/%s/Executions' % FLOW, {'To': '+15551230001', 'From': '+15550000000',
                                                   'Parameters': '{"name":"Zoë & co"}'})
    (call,) = responses.calls
    assert call.request.headers['Authorization'] == basic(user, password)
    assert call.request.headers['User-Agent'].startswith('telephony.twilio/%s ' % galaxy_version())
    assert call.request.headers['Content-Type'] == 'application/x-www-form-urlencoded'
    assert call.request.body == ('To=%2B15551230001&From=%2B15550000000&'
                                 'Parameters=%7B%22name%22%3A%22Zo%C3%AB+%26+co%22%7D')


@pytest.mark.parametrize('params, message', [
    ({}, 'No Twilio credentials'),
    (dict(api_key=SK), 'api_key is set but api_secret is not'),
    (dict(api_key=SK, account_sid=AC, auth_token=TOKEN), 'api_key is set but api_secret is not'),
    (dict(api_secret=SECRET, account_sid=AC, auth_token=TOKEN), 'api_secret is set but api_key is not'),
    (dict(account_sid=AC), 'account_sid is set but auth_token is not'),
    (dict(account_sid='AC123', auth_token=TOKEN), 'account_sid must be an Account SID'),
    (dict(api_key='KEY', api_secret=SECRET), 'api_key must be an API key SID'),
])
def test_credential_errors_name_the_options(params, message):
    with pytest.raises(ValueError) as info:
        choose_credentials(params)
    assert message in str(info.value)
    assert 'TWILIO_' in str(info.value) or 'must be' in str(info.value)
    assert TOKEN not in str(info.value) and SECRET not in str(info.value)


@responses.activate
def test_429_with_retry_after_is_retried_then_succeeds(no_sleep):
    url = BASE + '/v1/Flows/%s/Executions' % FLOW
    responses.add(responses.POST, url, status=429, headers={'Retry-After': '3'},
                  json={'code': 20429, 'message': 'Too Many Requests', 'status': 429})
    responses.add(responses.POST, url, status=429, json={'code': 20429, 'message': 'Too Many Requests', 'status': 429})
    responses.add(responses.POST, url, status=200, json={'sid': 'FN' + 'b' * 32})
    client = StudioClient(AC, TOKEN)
    assert client.post('/v1/Flows/%s/Executions' % FLOW, {'To': '+1', 'From': '+2'})['sid'] == 'FN' + 'b' * 32
    assert len(responses.calls) == 3


class Stopped(Exception):
    pass


def test_a_create_sent_again_after_a_429_passes_the_pacers_gate_first(no_sleep):
    """A stopped batch (Ctrl-C, an AWX cancel) sends no create after the stop, also not the retry of a 429:
    urllib3 calls the retry's sleep between the 429 and the next try, and that sleep waits for the pacer."""
    stop = []

    def gate():
        if stop:
            raise Stopped('the batch was stopped')

    url = BASE + '/v1/Flows/%s/Executions' % FLOW
    answer = HTTPResponse(body=b'', headers={}, status=429, preload_content=False)
    retry = make_retry(5, Pacer(1000.0, gate=gate)).increment('POST', url, response=answer)
    retry.sleep(answer)  # not stopped: the retry goes
    stop.append(True)  # stopped while the next try was in flight
    retry = retry.increment('POST', url, response=answer)
    with pytest.raises(Stopped):
        retry.sleep(answer)


def test_retry_after_is_honoured_and_backoff_has_jitter(no_sleep):
    """responses does not sleep, so check urllib3's sleep with our Retry directly."""
    def Resp(headers):  # pylint: disable=invalid-name
        return HTTPResponse(body=b'', headers=headers, status=429, preload_content=False)

    retry = make_retry(5)
    assert retry.is_retry('POST', 429, True)
    retry = retry.increment('POST', '/v1', response=Resp({'Retry-After': '7'}))
    retry.sleep(Resp({'Retry-After': '7'}))
    assert no_sleep == [7.0]
    waits = []
    for attempt in range(4):  # pylint: disable=unused-variable
        retry = retry.increment('POST', '/v1', response=Resp({}))
        waits.append(retry.get_backoff_time())
    assert all(w > 0 for w in waits)
    assert waits[-1] > waits[0]  # exponential
    assert all(w <= 0.25 * 2 ** i + 0.25 for i, w in enumerate(waits, start=1))


@responses.activate
def test_429_is_retried_beyond_max_retries_until_its_time_budget_then_a_clear_error(no_sleep, monkeypatch):
    """A 429 was not processed: it is retried for THROTTLE_BUDGET seconds, whatever max_retries says."""
    clock = [1000.0]
    monkeypatch.setattr(_client, '_now', lambda: clock[0])
    url = BASE + '/v1/Flows'

    def too_many(request):
        clock[0] += 29.0  # each try and its wait take 29 s
        return 429, {}, json.dumps({'code': 20429, 'message': 'Too Many Requests',
                                    'more_info': 'https://www.twilio.com/docs/errors/20429', 'status': 429})

    responses.add_callback(responses.GET, url, callback=too_many)
    client = StudioClient(AC, TOKEN, max_retries=0)
    with pytest.raises(StudioError) as info:
        client.get('/v1/Flows')
    # the first 429 starts the budget (at 1029); tries at 1058 ... 1319 are within 300 s of it, 1348 is not
    assert len(responses.calls) == 12
    assert info.value.status == 429 and info.value.code == 20429
    assert 'Rate limited by Twilio: still refused after retrying for up to 300 s' in str(info.value)


@responses.activate
def test_429_retries_do_not_use_up_max_retries_for_other_errors(no_sleep):
    url = BASE + '/v1/Flows'
    for dummy in range(7):
        responses.add(responses.GET, url, status=429, json={'code': 20429, 'message': 'Too Many Requests'})
    responses.add(responses.GET, url, status=503, json={'code': 20503, 'message': 'busy'})
    responses.add(responses.GET, url, status=200, json={'flows': [], 'meta': {}})
    client = StudioClient(AC, TOKEN, max_retries=1)
    assert client.get('/v1/Flows') == {'flows': [], 'meta': {}}
    assert len(responses.calls) == 9  # seven 429s, then the one 5xx retry max_retries allows


def test_429_retries_stop_at_the_task_budget(no_sleep):
    too_many = HTTPResponse(body=b'', headers={}, status=429, preload_content=False)
    retry = make_retry(5, deadline=time.time() + 5)
    retry = retry.increment('GET', '/v1/Flows', response=too_many)
    assert retry.is_retry('GET', 429)
    retry.deadline = time.time() - 1
    assert not retry.is_retry('GET', 429)


@responses.activate
def test_get_is_retried_on_5xx_but_post_is_not(no_sleep):
    responses.add(responses.GET, BASE + '/v1/Flows', status=503, json={'code': 20503, 'message': 'busy'})
    responses.add(responses.GET, BASE + '/v1/Flows', status=200, json={'flows': [], 'meta': {}})
    responses.add(responses.POST, BASE + '/v1/Flows/%s/Executions' % FLOW, status=503,
                  json={'code': 20503, 'message': 'busy', 'status': 503})
    client = StudioClient(AC, TOKEN)
    assert client.get('/v1/Flows') == {'flows': [], 'meta': {}}
    with pytest.raises(StudioError) as info:
        client.post('/v1/Flows/%s/Executions' % FLOW, {'To': '+1', 'From': '+2'})
    assert info.value.ambiguous and info.value.status == 503
    assert [c.request.method for c in responses.calls] == ['GET', 'GET', 'POST']


def test_read_errors_are_retried_for_get_and_delete_only():
    retry = make_retry(3)
    error = ReadTimeoutError(None, '/v1', 'read timed out')
    assert retry.increment('GET', '/v1', error=error).total == 2
    assert retry.increment('DELETE', '/v1', error=error).total == 2
    with pytest.raises(ReadTimeoutError):
        retry.increment('POST', '/v1', error=error)


@responses.activate
def test_post_timeout_is_ambiguous():
    responses.add(responses.POST, BASE + '/v1/Flows/%s/Executions' % FLOW,
                  body=requests.exceptions.ReadTimeout('read timed out'))
    with pytest.raises(StudioError) as info:
        StudioClient(AC, TOKEN, timeout=2).post('/v1/Flows/%s/Executions' % FLOW, {'To': '+1', 'From': '+2'})
    assert info.value.ambiguous and info.value.status is None
    assert 'within 2s' in str(info.value)


@responses.activate
def test_pagination_over_three_pages_follows_next_page_url_on_our_base():
    pages = fixture('flows.json')
    proxy = 'https://proxy.example.com/twilio'
    responses.add(responses.GET, proxy + '/v1/Flows', json=pages['page0'])
    responses.add(responses.GET, proxy + '/v1/Flows', json=pages['page1'])
    responses.add(responses.GET, proxy + '/v1/Flows', json=pages['page2'])
    client = StudioClient(AC, TOKEN, url=proxy)
    flows = list(client.paginate('/v1/Flows', 'flows', page_size=2))
    assert [f['friendly_name'] for f in flows] == ['Reminder', 'Survey', 'Twin', 'Twin', 'Order']
    urls = [c.request.url for c in responses.calls]
    assert urls == [proxy + '/v1/Flows?PageSize=2',
                    proxy + '/v1/Flows?PageSize=2&Page=1&PageToken=PT1',
                    proxy + '/v1/Flows?PageSize=2&Page=2&PageToken=PT2']


@responses.activate
def test_pagination_stops_at_limit():
    pages = fixture('flows.json')
    responses.add(responses.GET, BASE + '/v1/Flows', json=pages['page0'])
    assert len(list(StudioClient(AC, TOKEN).paginate('/v1/Flows', 'flows', page_size=2, limit=2))) == 2
    assert len(responses.calls) == 1


@pytest.mark.parametrize('status, code, text', [
    (400, 20001, 'Missing required parameter To'),
    (401, 20003, 'Authentication failed'),
    (404, 20404, 'Not found'),
    (409, 20409, 'Conflict'),
    (429, 20429, 'Rate limited'),
    (500, 20500, 'Twilio server error'),
])
@responses.activate
def test_error_mapping(status, code, text, no_sleep, monkeypatch):
    monkeypatch.setattr(_client, 'THROTTLE_BUDGET', 0.0)  # the mapping, not the retries (tested above)
    body = {'code': code, 'message': text if status in (400, 409) else 'from twilio',
            'more_info': 'https://www.twilio.com/docs/errors/%d' % code, 'status': status}
    responses.add(responses.DELETE, BASE + '/v1/Flows/%s' % FLOW, status=status, json=body)
    with pytest.raises(StudioError) as info:
        StudioClient(AC, TOKEN, max_retries=0).delete('/v1/Flows/%s' % FLOW)
    error = info.value
    assert (error.status, error.code, error.more_info) == (status, code, body['more_info'])
    assert text in str(error)
    assert 'DELETE /v1/Flows/%s' % FLOW in str(error)
    assert TOKEN not in str(error)


@responses.activate
def test_non_json_error_body():
    responses.add(responses.GET, BASE + '/v1/Flows', status=502, body='<html>bad gateway</html>')
    with pytest.raises(StudioError) as info:
        StudioClient(AC, TOKEN, max_retries=0).get('/v1/Flows')
    assert info.value.status == 502 and info.value.code is None


@pytest.mark.parametrize('kwargs, url', [
    ({}, 'https://studio.twilio.com'),
    ({'region': 'ie1'}, 'https://studio.ie1.twilio.com'),
    ({'edge': 'dublin', 'region': 'ie1'}, 'https://studio.dublin.ie1.twilio.com'),
    ({'edge': 'sydney'}, 'https://studio.sydney.us1.twilio.com'),
    ({'studio_url': 'http://127.0.0.1:8765/'}, 'http://127.0.0.1:8765'),
    ({'studio_url': 'http://[::1]:8765'}, 'http://[::1]:8765'),
    ({'studio_url': 'http://localhost:1'}, 'http://localhost:1'),
    ({'studio_url': 'https://proxy.example.com/studio', 'region': 'ie1'}, 'https://proxy.example.com/studio'),
    # The Events API (Event Streams) on its own host; studio_url (the emulator) serves both.
    ({'product': 'events'}, 'https://events.twilio.com'),
    ({'product': 'events', 'region': 'ie1', 'edge': 'dublin'}, 'https://events.dublin.ie1.twilio.com'),
    ({'product': 'events', 'studio_url': 'http://127.0.0.1:8765'}, 'http://127.0.0.1:8765'),
])
def test_base_urls(kwargs, url):
    assert base_url(**kwargs) == url


@pytest.mark.parametrize('kwargs, text', [
    ({'studio_url': 'http://studio.example.com'}, 'plain http:// is only allowed to a loopback'),
    ({'studio_url': 'http://10.0.0.1:80'}, 'plain http:// is only allowed to a loopback'),
    ({'studio_url': 'ftp://127.0.0.1'}, 'absolute http:// or https:// URL'),
    ({'studio_url': 'studio.twilio.com'}, 'absolute http:// or https:// URL'),
    ({'studio_url': 'https://user:pw@studio.twilio.com'}, 'must not carry credentials'),
    ({'region': 'ie1.evil.com/'}, 'region must be'),
])
def test_bad_base_urls_are_refused(kwargs, text):
    with pytest.raises(ConfigError) as info:
        base_url(**kwargs)
    assert text in str(info.value)


@responses.activate
def test_tls_failure_is_explained():
    responses.add(responses.GET, BASE + '/v1/Flows', body=requests.exceptions.SSLError('certificate verify failed'))
    with pytest.raises(StudioError) as info:
        StudioClient(AC, TOKEN).get('/v1/Flows')
    assert 'REQUESTS_CA_BUNDLE' in str(info.value) and 'validate_certs' in str(info.value)


def test_session_settings():
    client = StudioClient(AC, TOKEN, validate_certs=False, timeout=7)
    assert client.session.verify is False and client.timeout == 7
    assert isinstance(client.session.get_adapter(BASE).max_retries, _client.StudioRetry)


@pytest.mark.parametrize('text, reason', [
    ("HTTPConnectionPool(host='127.0.0.1', port=1): Max retries exceeded with url: /v1/Flows (Caused by "
     "NewConnectionError('<urllib3.connection.HTTPConnection object at 0x7f>: Failed to establish a new connection: "
     "[Errno 111] Connection refused'))", 'Connection refused (errno 111)'),
    ("('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))",
     'Connection reset by peer (errno 104)'),
    ("('Connection aborted.', RemoteDisconnected('Remote end closed connection without response'))",
     'the server closed the connection without answering'),
])
def test_connection_failures_say_why_without_urllib3_wrapping(text, reason):
    assert _client._cause(requests.exceptions.ConnectionError(text)) == reason


def test_a_refused_connection_names_the_base_url_and_the_reason():
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    client = StudioClient('AC' + '0' * 32, 'token', url='http://127.0.0.1:%d' % port, max_retries=0)
    with pytest.raises(StudioError) as info:
        client.get('/v1/Flows')
    assert str(info.value).startswith('Connection to http://127.0.0.1:%d failed: Connection refused (errno 111)'
                                      % port)
    assert not info.value.ambiguous


def _chain_refused():
    """The exception requests raises for a refused connection, built by urllib3 itself."""
    server = socket.socket()
    server.bind(('127.0.0.1', 0))
    port = server.getsockname()[1]
    server.close()  # nothing listens there now
    try:
        requests.get('http://127.0.0.1:%d/' % port, timeout=2)
    except requests.exceptions.ConnectionError as exc:
        return exc
    raise AssertionError('the connection was not refused')


def test_may_have_been_sent_is_decided_from_exception_types():
    assert may_have_been_sent(_chain_refused()) is False
    before = requests.exceptions.ConnectionError(MaxRetryError(None, '/v1', NewConnectionError(None, 'whatever')))
    assert may_have_been_sent(before) is False
    reset = requests.exceptions.ConnectionError(
        ProtocolError('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer')))
    assert may_have_been_sent(reset) is True
    # the message text does not count: a reset whose text says "refused" may still have been sent
    assert may_have_been_sent(requests.exceptions.ConnectionError('Connection refused, NewConnectionError')) is True
    read = requests.exceptions.ConnectionError(MaxRetryError(None, '/v1', ReadTimeoutError(None, '/v1', 'slow')))
    assert may_have_been_sent(read) is True


class RecordingPacer:
    """The batch's pacer as the HTTP retry sees it: told of 429s, waited for before a POST is sent again."""

    def __init__(self, slept):
        self.slept = slept
        self.calls = []

    def throttled(self, retry_after=None):
        self.calls.append(('throttled', retry_after, len(self.slept)))

    def wait(self):
        self.calls.append(('wait', len(self.slept)))


def test_a_create_answered_429_slows_the_pacer_and_its_retry_takes_a_slot(no_sleep):
    """The pacer hears of the 429 (with Retry-After) before the wait, and gives the retried create its
    slot after the wait, so that retries cannot burst past the rate."""
    pacer = RecordingPacer(no_sleep)
    too_many = HTTPResponse(body=b'', headers={'Retry-After': '2'}, status=429, preload_content=False)
    retry = make_retry(5, pacer=pacer)
    post = retry.increment('POST', '/v1/Flows/x/Executions', response=too_many)
    post.sleep(too_many)
    assert no_sleep == [2.0] and pacer.calls == [('throttled', 2.0, 0), ('wait', 1)]
    bare = HTTPResponse(body=b'', headers={}, status=429, preload_content=False)
    post = post.increment('POST', '/v1/Flows/x/Executions', response=bare)
    post.sleep(bare)
    assert pacer.calls[2] == ('throttled', None, 1)
    assert 0 < no_sleep[1] <= _client.THROTTLE_BACKOFF_PACED  # the pacer slows the batch; the wait stays short
    get = post.increment('GET', '/v1/Flows', response=too_many)
    get.sleep(too_many)
    assert len(pacer.calls) == 4  # reads neither slow the pacer nor take a slot
    assert make_retry(5).increment('POST', '/v1', response=too_many).pacer is None


@responses.activate
def test_a_post_after_a_5xx_is_not_retried_and_does_not_slow_the_pacer(no_sleep):
    pacer = RecordingPacer(no_sleep)
    responses.add(responses.POST, BASE + '/v1/Flows/%s/Executions' % FLOW, status=503, json={'code': 20503})
    client = StudioClient(AC, TOKEN, pacer=pacer)
    with pytest.raises(StudioError) as info:
        client.post('/v1/Flows/%s/Executions' % FLOW, {'To': '+1', 'From': '+2'})
    assert info.value.ambiguous and pacer.calls == []


# -- hostile input, class 7: waiting without end ----------------------------------------------------
def test_a_retry_after_beyond_the_cap_fails_at_once_saying_what_twilio_asked(no_sleep):
    hour = HTTPResponse(body=b'', headers={'Retry-After': '3600'}, status=429, preload_content=False)
    retry = make_retry(5).increment('POST', '/v1', response=hour)
    with pytest.raises(RetryAfterTooLong):
        retry.sleep(hour)
    assert no_sleep == []  # nothing slept
    client = StudioClient(AC, TOKEN)

    def asks_an_hour(*args, **kwargs):
        raise RetryAfterTooLong(3600.0)

    client.session.request = asks_an_hour
    with pytest.raises(StudioError) as info:
        client.get('/v1/Flows')
    assert 'Twilio asked to wait 3600 s before trying again (Retry-After), longer than the 60 s' in str(info.value)
    assert info.value.status == 429 and not info.value.ambiguous


def test_no_request_starts_after_the_task_budget_is_spent(monkeypatch):
    client = StudioClient(AC, TOKEN, budget=5)
    sent = []
    client.session.request = lambda *args, **kwargs: sent.append(kwargs['timeout'])
    client.deadline = time.time() + 2  # 2 s of the budget left: no request may wait longer
    with pytest.raises(AttributeError):  # the fake answer is not a response; what matters is the timeout
        client.get('/v1/Flows')
    assert sent and sent[0] <= 2.0
    client.deadline = time.time() - 1
    with pytest.raises(StudioError, match='The task ran out of time: its budget of 5 s'):
        client.get('/v1/Flows')
    assert len(sent) == 1


def test_tls_advice_fits_validate_certs():
    for verify, advice in ((True, 'set validate_certs: false for a test server'),
                           (False, 'validate_certs is already false')):
        client = StudioClient(AC, TOKEN, validate_certs=verify)

        def refuse(*args, **kwargs):
            raise requests.exceptions.SSLError('handshake failed')

        client.session.request = refuse
        with pytest.raises(StudioError) as info:
            client.get('/v1/Flows')
        assert advice in str(info.value)


def _page(sids, next_url):
    return {'flows': [{'sid': sid} for sid in sids], 'meta': {'next_page_url': next_url}}


@responses.activate
def test_a_listing_whose_next_page_repeats_stops_naming_the_url():
    loop = BASE + '/v1/Flows?PageSize=2&Page=1&PageToken=PT1'
    responses.add(responses.GET, BASE + '/v1/Flows', json=_page(['FW1', 'FW2'], loop))
    responses.add(responses.GET, BASE + '/v1/Flows', json=_page(['FW3', 'FW4'], loop))
    with pytest.raises(StudioError) as info:
        list(StudioClient(AC, TOKEN).paginate('/v1/Flows', 'flows', page_size=2))
    assert 'The listing loops' in str(info.value) and loop in str(info.value)
    assert len(responses.calls) == 2


@responses.activate
def test_a_listing_that_serves_the_same_page_under_new_urls_stops():
    for page in range(1, 4):
        responses.add(responses.GET, BASE + '/v1/Flows',
                      json=_page(['FW1', 'FW2'], BASE + '/v1/Flows?PageSize=2&Page=%d' % page))
    with pytest.raises(StudioError) as info:
        list(StudioClient(AC, TOKEN).paginate('/v1/Flows', 'flows', page_size=2))
    assert 'repeats itself' in str(info.value) and 'FW1' in str(info.value)
    assert len(responses.calls) == 2


@responses.activate
def test_a_listing_stops_past_its_page_bound_and_its_time_budget(monkeypatch):
    for page in range(1, 6):  # empty pages that always have a next one
        responses.add(responses.GET, BASE + '/v1/Flows', json=_page([], BASE + '/v1/Flows?PageSize=2&Page=%d' % page))
    with pytest.raises(StudioError) as info:
        # a limit of 3 items at 2 a page allows ceil(3 / 2) + 1 = 3 pages
        list(StudioClient(AC, TOKEN).paginate('/v1/Flows', 'flows', page_size=2, limit=3))
    assert 'runs past 3 pages' in str(info.value) and 'Page=3' in str(info.value)
    responses.reset()
    for page in range(1, 6):
        responses.add(responses.GET, BASE + '/v1/Flows',
                      json=_page(['FW%da' % page, 'FW%db' % page], BASE + '/v1/Flows?PageSize=2&Page=%d' % page))
    clock = [1000.0]
    monkeypatch.setattr(_client.time, 'time', lambda: clock[0])
    pages = StudioClient(AC, TOKEN).paginate('/v1/Flows', 'flows', page_size=2, budget=30)
    next(pages)
    clock[0] += 31
    with pytest.raises(StudioError) as info:
        list(pages)
    assert 'longer than its budget of 30 s' in str(info.value) and 'Page=' in str(info.value)
