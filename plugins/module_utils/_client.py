# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the telephony.twilio collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""The one HTTP client of the collection for the Twilio Studio REST API (v1 and v2).

It knows credentials, the base URL (``studio_url``, ``region``/``edge``), timeouts, retries
(urllib3's ``Retry``: 429 for every method honouring ``Retry-After``, bounded by time; 5xx and
connection errors for GET/DELETE only, ``max_retries`` times), pagination and Twilio's error
JSON. It never decides what a module reports: modules ask, then decide.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import ipaddress
import platform
import re
import time
import traceback
from email.utils import parsedate

from urllib.parse import urlsplit, urlunsplit

REQUESTS_IMPORT_ERROR = None
try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.exceptions import ConnectTimeoutError
    from urllib3.util.retry import RequestHistory, Retry
except ImportError:  # pragma: no cover - reported by the module through missing_required_lib
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
    requests = None
    HTTPAdapter = object
    Retry = object
    RequestHistory = None
    ConnectTimeoutError = None

from ansible_collections.telephony.twilio.plugins.module_utils._backoff import BACKOFF_FACTOR, BACKOFF_MAX, delay

COLLECTION_VERSION = '1.0.0'  # galaxy.yml's version (a unit test checks)
USER_AGENT = 'telephony.twilio/%s (Ansible collection; python-requests/%s; Python/%s)' % (
    COLLECTION_VERSION, getattr(requests, '__version__', '?'), platform.python_version())
DEFAULT_HOST = 'studio.twilio.com'
EPOCH = datetime.datetime(1970, 1, 1)
IDEMPOTENT_METHODS = frozenset(['GET', 'DELETE', 'HEAD'])
# The longest Retry-After the collection honours; Twilio asking for more fails the request at once.
RETRY_AFTER_MAX = 60.0
RETRY_STATUSES = frozenset([429, 500, 502, 503, 504])
# A request answered 429 (Twilio did not process it) is sent again for up to this many seconds from
# its first 429, whatever max_retries says: long enough for the account's 10-second window to make
# room for K batches sharing it, short enough that a lasting 429 storm (another application
# using up the account's rate) fails the contact with a clear message instead of hanging.
THROTTLE_BUDGET = 300.0
# The longest wait between two tries of a 429'd request in a paced batch (the pacer does the slowing).
THROTTLE_BACKOFF_PACED = 1.0


class StudioError(Exception):
    """An answer of the Studio API that is not a success, or no answer at all.

    ``status`` is the HTTP status (None when no response arrived), ``code``/``message``/
    ``more_info`` and ``details`` (such as a failed validation's errors) come from Twilio's error
    JSON; ``ambiguous`` says the request may have taken effect (timeout, reset connection, 5xx on a
    POST).
    """

    def __init__(self, message, status=None, code=None, more_info=None, method=None, path=None, ambiguous=False,
                 timed_out=False, details=None):
        super(StudioError, self).__init__(message)
        self.details = details
        self.timed_out = timed_out
        self.message = message
        self.status = status
        self.code = code
        self.more_info = more_info
        self.method = method
        self.path = path
        self.ambiguous = ambiguous

    def __str__(self):
        parts = []
        if self.status is not None:
            parts.append('HTTP %s' % self.status)
        if self.code is not None:
            parts.append('Twilio error %s' % self.code)
        where = ' on %s %s' % (self.method, self.path) if self.method else ''
        text = '%s%s%s' % (self.message, ' (%s)' % ', '.join(parts) if parts else '', where)
        if self.more_info:
            text += '; see %s' % self.more_info
        return text

    def to_result(self):
        return dict(status=self.status, code=self.code, more_info=self.more_info)


class RetryAfterTooLong(Exception):
    """Twilio asked, in Retry-After, for a longer wait than RETRY_AFTER_MAX."""

    def __init__(self, seconds):
        super(RetryAfterTooLong, self).__init__(seconds)
        self.seconds = seconds


class ConfigError(ValueError):
    """Options that cannot make a working client (named in the message)."""


class StudioRetry(Retry):
    """urllib3 Retry with Studio's rules.

    * 429 is retried for every method (Twilio did not process the request), for up to
      THROTTLE_BUDGET seconds from the request's first 429, however many times: it does not count
      against ``max_retries``. Each wait honours ``Retry-After``, else backs off (with a batch's
      pacer, briefly: the pacer slows the whole batch down).
    * 5xx and read errors are retried for GET/DELETE only (``allowed_methods``), ``max_retries``
      times; a POST that failed that way may have taken effect, and only the caller can retry it
      safely.
    * Backoff is exponential with jitter from the first retry on, and ``Retry-After`` wins.
    """

    # The batch's pacer (``_pacer.Pacer``): told of every 429 of a POST (it slows the batch down), and
    # waited for before a POST is sent again, so that retried creates take a slot of the rate like
    # every other create instead of bursting past it.
    pacer = None
    retrying_post = False
    throttled_since = None  # the clock when this request got its first 429
    throttled = 0  # how many 429s in a row
    deadline = None  # the task's budget (a time.time()), which no wait passes

    def new(self, **kwargs):
        retry = super(StudioRetry, self).new(**kwargs)
        retry.pacer = self.pacer
        retry.throttled_since = self.throttled_since
        retry.deadline = self.deadline
        return retry

    def increment(self, method=None, url=None, response=None, *args, **kwargs):
        if response is not None and response.status == 429:
            # Not a failure: Twilio did not process the request. Bounded by time (is_retry), not by count.
            retry = self.new(history=self.history + (RequestHistory(method, url, None, 429, None),))
            retry.throttled_since = self.throttled_since if self.throttled_since is not None else _now()
            retry.throttled = self.throttled + 1
        else:
            retry = super(StudioRetry, self).increment(method, url, response, *args, **kwargs)
        retry.retrying_post = method == 'POST'
        return retry

    def sleep(self, response=None):
        asked = self.get_retry_after(response) if response is not None else None
        if asked is not None and asked > RETRY_AFTER_MAX:
            raise RetryAfterTooLong(asked)
        if self.retrying_post and self.pacer is not None and self.throttled:
            self.pacer.throttled(asked)
        super(StudioRetry, self).sleep(response)
        if self.retrying_post and self.pacer is not None:
            self.pacer.wait()

    def is_retry(self, method, status_code, has_retry_after=False):
        if status_code == 429:
            return self.throttle_time_left() > 0
        return super(StudioRetry, self).is_retry(method, status_code, has_retry_after)

    def throttle_time_left(self):
        """Seconds this request may still spend retrying 429s (within the task's budget, if any)."""
        left = THROTTLE_BUDGET
        if self.throttled_since is not None:
            left -= _now() - self.throttled_since
        if self.deadline is not None:
            left = min(left, self.deadline - time.time())
        return left

    def get_backoff_time(self):
        if self.throttled:
            # A batch's pacer spaces the creates and slows down on 429: a short, jittered wait is enough.
            return delay(self.throttled, THROTTLE_BACKOFF_PACED if self.pacer is not None else BACKOFF_MAX)
        return delay(len(self.history))


def _now():
    return time.monotonic()


def make_retry(max_retries, pacer=None, deadline=None):
    kwargs = dict(
        total=max_retries, connect=max_retries, read=max_retries, status=max_retries, other=0, redirect=0,
        allowed_methods=IDEMPOTENT_METHODS, status_forcelist=RETRY_STATUSES, backoff_factor=BACKOFF_FACTOR,
        respect_retry_after_header=True, raise_on_status=False, raise_on_redirect=False,
    )
    try:
        retry = StudioRetry(backoff_max=BACKOFF_MAX, **kwargs)
    except TypeError:  # urllib3 1.x: no backoff_max argument
        retry = StudioRetry(**kwargs)
        retry.BACKOFF_MAX = BACKOFF_MAX
    retry.pacer = pacer
    retry.deadline = deadline
    return retry


def is_loopback(host):
    if host in ('localhost', 'localhost.localdomain'):
        return True
    try:
        return ipaddress.ip_address(host.strip('[]')).is_loopback
    except ValueError:
        return False


def base_url(studio_url=None, region=None, edge=None, product='studio'):
    """The base URL: ``studio_url`` as given, else Twilio's host of ``product`` for ``region``/``edge``.

    As Twilio's SDKs do: ``studio.{edge}.{region}.twilio.com`` (region defaults to ``us1`` when
    only an edge is given), ``studio.{region}.twilio.com`` with a region alone; ``events`` for the
    Events API (events.twilio.com). ``studio_url`` (a test server such as the emulator) serves both.
    """
    if studio_url:
        parts = urlsplit(studio_url)
        if parts.scheme not in ('http', 'https') or not parts.hostname:
            raise ConfigError('studio_url must be an absolute http:// or https:// URL such as '
                              'https://studio.twilio.com, got %r' % studio_url)
        if parts.scheme == 'http' and not is_loopback(parts.hostname):
            raise ConfigError('studio_url: plain http:// is only allowed to a loopback address (127.0.0.1, ::1, '
                              'localhost); use https:// for %s' % parts.hostname)
        if parts.query or parts.fragment or parts.username or parts.password:
            raise ConfigError('studio_url must not carry credentials, a query or a fragment')
        return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip('/'), '', ''))
    for name, value in (('region', region), ('edge', edge)):
        if value and not all(c.isalnum() or c == '-' for c in value):
            raise ConfigError('%s must be a Twilio %s name such as %s, got %r'
                              % (name, name, 'ie1' if name == 'region' else 'dublin', value))
    if edge:
        return 'https://%s.%s.%s.twilio.com' % (product, edge, region or 'us1')
    if region:
        return 'https://%s.%s.twilio.com' % (product, region)
    return 'https://%s.twilio.com' % product


class StudioClient:
    """A ``requests.Session`` on the Studio API with Studio's retry and error rules."""

    def __init__(self, username, password, url='https://studio.twilio.com', timeout=30, validate_certs=True,
                 max_retries=5, session=None, connections=8, pacer=None, budget=None):
        if requests is None:
            raise ConfigError('the Python library requests is required')
        self.base = url.rstrip('/')
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.auth = (username, password)
        self.session.verify = validate_certs
        self.session.headers.update({'User-Agent': USER_AGENT, 'Accept': 'application/json'})
        self.max_retries = max_retries
        # With a budget, no request starts after it is spent, and none waits past it.
        self.budget = budget
        self.deadline = time.time() + budget if budget else None
        # One pooled connection per thread that may use the session at the same time (keep-alive).
        adapter = HTTPAdapter(max_retries=make_retry(max_retries, pacer, self.deadline), pool_maxsize=connections)
        self.session.mount('https://', adapter)
        self.session.mount('http://', adapter)
        self.requests_sent = 0
        self.clock_offset = None  # server time minus local time, from the Date headers seen

    def server_now(self):
        """Twilio's current time (naive UTC), from the last Date header seen; local time before any."""
        return EPOCH + datetime.timedelta(seconds=time.time() + (self.clock_offset or 0.0))

    def _note_date(self, resp):
        stamp = parsedate(resp.headers.get('Date') or '')
        if stamp:
            server = (datetime.datetime(*stamp[:6]) - EPOCH).total_seconds()
            # Date has whole seconds: the server's clock is up to 1 s ahead of what it says.
            self.clock_offset = server + 0.5 - time.time()

    def close(self):
        self.session.close()

    # -- requests ------------------------------------------------------------------------
    def request(self, method, path, params=None, data=None):
        """Send one request (retried per the rules above); return the decoded JSON or None.

        ``path`` is relative to the base URL (``/v1/...``) and may carry a query string.
        Raises StudioError for every non-2xx answer and for failures without an answer.
        """
        url = self.base + path
        timeout = self.timeout
        if self.deadline is not None:
            remaining = self.deadline - time.time()
            if remaining <= 0:
                raise StudioError('The task ran out of time: its budget of %.0f s (from timeout and max_retries) is '
                                  'spent' % self.budget, method=method, path=_path_only(path))
            timeout = min(timeout, remaining)
        self.requests_sent += 1
        try:
            resp = self.session.request(method, url, params=params, data=data, timeout=timeout,
                                        allow_redirects=False)
        except RetryAfterTooLong as exc:
            raise StudioError('Twilio asked to wait %.0f s before trying again (Retry-After), longer than the %.0f s '
                              'this collection waits; try again later' % (exc.seconds, RETRY_AFTER_MAX), status=429,
                              code=20429, method=method, path=_path_only(path))
        except requests.exceptions.SSLError as exc:
            advice = ('Give a CA bundle with REQUESTS_CA_BUNDLE, or set validate_certs: false for a test server'
                      if self.session.verify else 'The TLS connection itself failed (validate_certs is already false)')
            raise StudioError('TLS verification failed for %s: %s. %s' % (self.base, _short(exc), advice),
                              method=method, path=_path_only(path))
        except requests.exceptions.ConnectTimeout:
            raise StudioError('Connecting to %s timed out after %ss' % (self.base, self.timeout),
                              method=method, path=_path_only(path))
        except requests.exceptions.RetryError as exc:
            raise StudioError('Gave up after %d retries: %s' % (self.max_retries, _short(exc)), method=method,
                              path=_path_only(path), ambiguous=method not in IDEMPOTENT_METHODS)
        except requests.exceptions.Timeout:
            raise StudioError('No answer from %s within %ss' % (self.base, self.timeout), method=method,
                              path=_path_only(path), ambiguous=True, timed_out=True)
        except requests.exceptions.ConnectionError as exc:
            raise StudioError('Connection to %s failed: %s' % (self.base, _cause(exc)), method=method,
                              path=_path_only(path), ambiguous=may_have_been_sent(exc))
        except requests.exceptions.RequestException as exc:
            raise StudioError('Request to %s failed: %s' % (self.base, _short(exc)), method=method,
                              path=_path_only(path), ambiguous=True)
        self._note_date(resp)
        if 200 <= resp.status_code < 300:
            if resp.status_code == 204 or not resp.content:
                return None
            try:
                return resp.json()
            except ValueError:
                raise StudioError('The answer was not JSON: %r' % resp.text[:200], status=resp.status_code,
                                  method=method, path=_path_only(path))
        raise error_from_response(resp, method, _path_only(path), self.max_retries)

    def get(self, path, params=None):
        return self.request('GET', path, params=params)

    def post(self, path, data):
        return self.request('POST', path, data=data)

    def delete(self, path):
        return self.request('DELETE', path)

    def paginate(self, path, key, params=None, page_size=50, limit=None, first_page=None, budget=None):
        """Yield the items of a list, following ``next_page_url`` (its path and query, on our base).

        ``first_page(path, params)`` reads the first page instead of ``get`` when given (for reads
        that need their own retry rule, such as read-after-write lag).

        Bounded: a next page that was already read (its URL, or a page starting with an item an
        earlier page started with), more than ceil(limit / page_size) + 1 pages with a ``limit``,
        or a listing still going after ``budget`` seconds raises StudioError naming the URL - a
        Studio or a proxy that loops must not keep a run going for ever.
        """
        query = dict(params or {})
        query['PageSize'] = page_size
        deadline = time.time() + budget if budget else None
        max_pages = (int(limit) + page_size - 1) // page_size + 1 if limit else None
        page = (first_page or self.get)(path, params=query)
        count, pages, read, starts = 0, 1, set(), set()
        while True:
            items = page.get(key) or []
            start = _item_key(items[0]) if items else None
            if start is not None and start in starts:
                raise StudioError('The listing repeats itself: a page of %s starts again with %s; stopping (Studio or a '
                                  'proxy returned a page already read)' % (_path_only(path), start), method='GET',
                                  path=_path_only(path))
            starts.add(start)
            for item in items:
                yield item
                count += 1
                if limit is not None and count >= limit:
                    return
            next_url = (page.get('meta') or {}).get('next_page_url')
            if not next_url:
                return
            following = relative(next_url)
            if following in read:
                raise StudioError('The listing loops: its next page %s was already read; stopping' % next_url,
                                  method='GET', path=_path_only(path))
            read.add(following)
            pages += 1
            if max_pages is not None and pages > max_pages:
                raise StudioError('The listing runs past %s pages for %s items (next page %s); stopping'
                                  % (max_pages, limit, next_url), method='GET', path=_path_only(path))
            if deadline is not None and time.time() > deadline:
                raise StudioError('The listing took longer than its budget of %.0f s (next page %s); stopping'
                                  % (budget, next_url), method='GET', path=_path_only(path))
            page = self.get(following)


def _item_key(item):
    """What identifies an item of a list page (its SID), or None."""
    return item.get('sid') if isinstance(item, dict) else None


def relative(url):
    """Path and query of an absolute URL Twilio gave us, to be sent to the configured base URL."""
    parts = urlsplit(url)
    return urlunsplit(('', '', parts.path, parts.query, ''))


def _exception_chain(exc):
    """``exc`` and every exception it wraps: urllib3 keeps the cause in ``reason``, requests in
    ``args``, Python in ``__cause__``/``__context__``."""
    seen, todo = [], [exc]
    while todo:
        current = todo.pop()
        if not isinstance(current, BaseException) or any(current is known for known in seen):
            continue
        seen.append(current)
        todo.extend([getattr(current, 'reason', None), current.__cause__, current.__context__])
        todo.extend(current.args)
    return seen


def may_have_been_sent(exc):
    """False when a connection failure happened before the request left (the connection was never
    made: refused, unresolvable name, connect timeout); True otherwise (reset, dropped answer).

    Decided from urllib3's exception types along the chain: NewConnectionError and
    NameResolutionError are ConnectTimeoutErrors, raised before a byte of the request is sent.
    """
    return not any(isinstance(item, ConnectTimeoutError) for item in _exception_chain(exc))


def _path_only(path):
    return path.split('?', 1)[0]


# The operating system's reason inside requests' nested connection errors: "[Errno 111] Connection
# refused" or "ConnectionResetError(104, 'Connection reset by peer')".
_ERRNO = re.compile(r"\[Errno (-?\d+)\] ([^'\")]+)|\w+Error\((-?\d+), '([^']+)'\)")


def _cause(exc):
    """The reason of a connection failure, without urllib3's wrapping; the whole text otherwise."""
    text = str(exc)
    match = _ERRNO.search(text)
    if match:
        number, reason = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        return '%s (errno %s)' % (reason.strip(), number)
    if 'RemoteDisconnected' in text or 'Connection aborted' in text:
        return 'the server closed the connection without answering'
    return _short(exc)


def _short(exc):
    text = str(exc)
    return text if len(text) < 300 else text[:300] + '...'


def error_from_response(resp, method, path, max_retries=None):
    """Twilio's error JSON ``{code, message, more_info, status}`` as a StudioError."""
    try:
        body = resp.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    status = resp.status_code
    code = body.get('code')
    message = body.get('message') or resp.reason or 'HTTP %s' % status
    more_info = body.get('more_info')
    if status == 401:
        message = ('Authentication failed: Twilio rejected the credentials (%s). Check api_key/api_secret '
                   '(TWILIO_API_KEY/TWILIO_API_SECRET) or account_sid/auth_token '
                   '(TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN)' % message)
    elif status == 403:
        message = ('Forbidden: %s. Twilio test credentials cannot use Studio; use live credentials or an API key '
                   'with access to Studio' % message)
    elif status == 404:
        message = 'Not found: %s' % message
    elif status == 429:
        message = ('Rate limited by Twilio: still refused after retrying for up to %.0f s (the time allowed for 429 '
                   'retries, or what was left of the task\'s budget): %s' % (THROTTLE_BUDGET, message))
    elif status >= 500:
        message = 'Twilio server error: %s' % message
    details = body.get('details') if isinstance(body.get('details'), dict) else None
    return StudioError(message, status=status, code=code, more_info=more_info, method=method, path=path,
                       ambiguous=status >= 500 and method not in IDEMPOTENT_METHODS, details=details)
