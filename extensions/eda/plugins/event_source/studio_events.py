# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Receive Twilio Studio events from a Twilio Event Streams webhook sink."""

from __future__ import annotations

import asyncio
import base64
import binascii
import collections
import hashlib
import hmac
import json
import logging
import os
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from aiohttp import web

DOCUMENTATION = r"""
---
short_description: Receive Twilio Studio events from a Twilio Event Streams webhook sink.
description:
  - An HTTP receiver for the deliveries of a Twilio Event Streams webhook sink. Twilio posts a
    JSON array of CloudEvents 1.0 (even for one event); this source puts one event per CloudEvent
    on the rulebook's queue.
  - Every request is checked before anything is queued. C(X-Twilio-Signature) must be the
    base64 HMAC-SHA1, keyed with the account's Auth Token, of the sink URL Twilio posted to
    (the configured O(url) with the request's query string, which carries C(bodySHA256)), and
    C(bodySHA256) must be the hex SHA-256 of the raw body. A missing signature is answered 401,
    a wrong one 403, and nothing is queued.
  - Delivery is at least once. An event whose C(id) was seen among the last O(dedupe) ids is
    acknowledged and not queued again.
  - Every valid request is answered 200 at once; events wait in a buffer of O(backlog) events
    until the rulebook takes them, so a slow rulebook never makes Twilio time out (5 seconds)
    and retry. When the buffer is full the request is answered 503 and Twilio delivers it again
    later.
  - The C(test_id) of a Twilio test event (a sink's Test) is logged, for the sink's Validate; test
    events are not queued unless O(types) names C(com.twilio.eventstreams.test-event).
  - Each event is the CloudEvent (C(type), C(id), C(source), C(time), C(specversion),
    C(dataschema), C(data) with C(execution_sid), C(flow_sid), C(contact_channel_address),
    C(status), C(ended_reason) and so on) with C(meta.endpoint) (the request path) and
    C(meta.headers) (the request's headers without the signature and credentials).
options:
  host:
    description:
      - The address to listen on. C(0.0.0.0) listens on all interfaces.
    type: str
    default: "0.0.0.0"
  port:
    description:
      - The TCP port to listen on.
    type: int
    required: true
  url:
    description:
      - The sink URL exactly as configured in Twilio (the C(destination) of the sink's
        C(sink_configuration)), without C(bodySHA256). The signature covers it, so it is the
        public URL Twilio posts to, not the address this source listens on.
      - If it carries C(user:password@), they are left out of the signed URL, as Twilio does.
    type: str
    required: true
  auth_token:
    description:
      - The Auth Token of the account (or subaccount) whose events the sink receives; it keys
        the signature.
      - Defaults to the environment variable E(TWILIO_AUTH_TOKEN).
    type: str
  basic_auth:
    description:
      - Also require HTTP Basic credentials, for a sink URL of the form
        C(https://user:password@host/path). Requests without them are answered 401.
    type: dict
    suboptions:
      user:
        description: The user name.
        type: str
        required: true
      password:
        description: The password.
        type: str
        required: true
  types:
    description:
      - The event types to pass on; other types are acknowledged and dropped.
    type: list
    elements: str
    default:
      - com.twilio.studio.flow.execution.started
      - com.twilio.studio.flow.execution.ended
      - com.twilio.studio.flow.step.ended
  dedupe:
    description:
      - How many recent event ids to remember; an event with one of them is not queued again.
        C(0) turns de-duplication off.
    type: int
    default: 10000
  backlog:
    description:
      - How many accepted events may wait for the rulebook; beyond it requests get 503 and
        Twilio retries them.
    type: int
    default: 10000
"""

EXAMPLES = r"""
- name: React to Studio events
  hosts: localhost
  sources:
    - telephony.twilio.studio_events:
        host: 0.0.0.0
        port: 5000
        url: https://eda.example.com/twilio/studio
        types:
          - com.twilio.studio.flow.execution.ended
  rules:
    - name: An Execution ended because of an error
      condition: event.data.ended_reason is defined and event.data.ended_reason != "FLOW_END"
      action:
        debug:
          msg: "{{ event.data.contact_channel_address }}: {{ event.data.ended_reason }}"
"""

LOGGER = logging.getLogger(__name__)

STUDIO_TYPES = (
    "com.twilio.studio.flow.execution.started",
    "com.twilio.studio.flow.execution.ended",
    "com.twilio.studio.flow.step.ended",
)
TEST_EVENT = "com.twilio.eventstreams.test-event"
SIGNATURE_HEADER = "X-Twilio-Signature"
# Headers that prove who is asking: never passed on in meta.headers.
SECRET_HEADERS = frozenset(["x-twilio-signature", "authorization", "cookie"])
DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_PORT = 65535
BAD_REQUEST, UNAUTHORIZED, FORBIDDEN, UNAVAILABLE = 400, 401, 403, 503


class RejectedError(Exception):
    """A request that is answered with an error and queues nothing."""

    def __init__(self, status: int, reason: str) -> None:
        """Answer ``status`` with ``reason`` as the body."""
        super().__init__(reason)
        self.status = status
        self.reason = reason


def signed_urls(url: str, query: str) -> list[str]:
    """Return the URLs Twilio may have signed for a request with ``query`` to the sink ``url``.

    That is the sink URL without credentials and with the request's query string, with and
    without the scheme's default port (Twilio's RequestValidator accepts both).
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    default = DEFAULT_PORTS.get(parts.scheme)
    netlocs = [host if port is None else f"{host}:{port}"]
    if port is None and default:
        netlocs.append(f"{host}:{default}")
    elif port == default:
        netlocs.append(host)
    return [urlunsplit((parts.scheme, netloc, parts.path, query, "")) for netloc in netlocs]


def signature_of(auth_token: str, url: str) -> str:
    """Twilio's request signature of a URL: base64(HMAC-SHA1(Auth Token, URL))."""
    digest = hmac.new(auth_token.encode("utf-8"), url.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def check_signature(
    auth_token: str, url: str, query: str, signature: str | None, body: bytes,
) -> None:
    """Raise RejectedError unless ``signature`` signs the sink URL and ``bodySHA256`` the body."""
    if not signature:
        raise RejectedError(UNAUTHORIZED, f"missing {SIGNATURE_HEADER} header")
    candidates = signed_urls(url, query)
    if not any(hmac.compare_digest(signature_of(auth_token, u), signature) for u in candidates):
        raise RejectedError(FORBIDDEN, f"{SIGNATURE_HEADER} does not match")
    claimed = parse_qs(query, keep_blank_values=True).get("bodySHA256")
    if not claimed or len(claimed) != 1:
        raise RejectedError(FORBIDDEN, "the URL carries no single bodySHA256")
    if not hmac.compare_digest(hashlib.sha256(body).hexdigest(), claimed[0].lower()):
        raise RejectedError(FORBIDDEN, "bodySHA256 does not match the body")


def check_basic_auth(expected: dict[str, str] | None, header: str | None) -> None:
    """Raise RejectedError(401) unless the Authorization header has ``expected`` credentials."""
    if not expected:
        return
    scheme, _sep, value = (header or "").partition(" ")
    try:
        given = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        given = ""
    wanted = f"{expected['user']}:{expected['password']}"
    matches = hmac.compare_digest(given.encode("utf-8"), wanted.encode("utf-8"))
    if scheme.lower() != "basic" or not matches:
        raise RejectedError(UNAUTHORIZED, "Basic credentials missing or wrong")


def cloud_events(body: bytes) -> list[dict[str, Any]]:
    """Return the CloudEvents of a delivery: a JSON array of objects with an id and a type."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise RejectedError(BAD_REQUEST, "the body is not JSON") from exc
    if isinstance(payload, dict):
        payload = [payload]
    if not isinstance(payload, list) or not all(map(is_cloud_event, payload)):
        raise RejectedError(
            BAD_REQUEST, "the body must be a JSON array of CloudEvents, each with an id and a type",
        )
    return payload


def is_cloud_event(item: object) -> bool:
    """Tell whether ``item`` is a CloudEvent this source can pass on (an id and a type)."""
    return (isinstance(item, dict) and isinstance(item.get("id"), str)
            and isinstance(item.get("type"), str))


class RecentIds:
    """The last ``size`` event ids, oldest forgotten first."""

    def __init__(self, size: int) -> None:
        """Remember at most ``size`` ids (none when it is 0)."""
        self.size = size
        self.ids: collections.OrderedDict[str, None] = collections.OrderedDict()

    def __contains__(self, event_id: str) -> bool:
        """Tell whether ``event_id`` is among the remembered ids."""
        return event_id in self.ids

    def add(self, event_id: str) -> None:
        """Remember ``event_id``, forgetting the oldest beyond the size."""
        if self.size <= 0:
            return
        self.ids[event_id] = None
        self.ids.move_to_end(event_id)
        while len(self.ids) > self.size:
            self.ids.popitem(last=False)


class Receiver:
    """Checks deliveries, keeps the accepted events in order and hands them to the queue."""

    def __init__(self, queue: asyncio.Queue[Any], args: dict[str, Any]) -> None:
        """Receive for ``queue`` with the checked ``args``."""
        self.queue = queue
        self.args = args
        self.types = frozenset(args.get("types") or STUDIO_TYPES)
        self.recent = RecentIds(int(args.get("dedupe", 10000)))
        self.backlog = int(args.get("backlog", 10000))
        self.pending: collections.deque[dict[str, Any]] = collections.deque()
        self.wakeup = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        """Answer one delivery; keep its new events for the queue when it is valid."""
        body = await request.read()
        try:
            check_basic_auth(self.args.get("basic_auth"), request.headers.get("Authorization"))
            check_signature(self.args["auth_token"], self.args["url"], request.query_string,
                            request.headers.get(SIGNATURE_HEADER), body)
            events = cloud_events(body)
        except RejectedError as exc:
            LOGGER.warning("studio_events: rejected a request to %s: %s", request.path, exc.reason)
            headers = None
            if exc.status == UNAUTHORIZED:
                headers = {"WWW-Authenticate": 'Basic realm="studio_events"'}
            return web.Response(status=exc.status, text=exc.reason, headers=headers)
        for event in events:
            if event["type"] == TEST_EVENT and isinstance(event.get("data"), dict):
                LOGGER.warning("studio_events: Twilio test event, test_id %s",
                               event["data"].get("test_id"))
        fresh = [e for e in events if e["type"] in self.types and e["id"] not in self.recent]
        if len(self.pending) + len(fresh) > self.backlog:
            LOGGER.warning("studio_events: %d events wait for the rulebook; Twilio will retry",
                           len(self.pending))
            return web.Response(status=UNAVAILABLE, text="busy, retry later")
        headers = {k: v for k, v in request.headers.items() if k.lower() not in SECRET_HEADERS}
        meta = {"endpoint": request.path, "headers": headers}
        for event in fresh:
            if event["id"] in self.recent:  # the same id twice in one delivery
                continue
            self.recent.add(event["id"])
            self.pending.append(dict(event, meta=meta))
        self.wakeup.set()
        return web.Response(status=200, text="OK")

    async def forward(self) -> None:
        """Put the accepted events on the queue in order, however long the queue blocks."""
        while True:
            while self.pending:
                await self.queue.put(self.pending[0])
                self.pending.popleft()
            self.wakeup.clear()
            await self.wakeup.wait()


def check_args(args: dict[str, Any]) -> dict[str, Any]:
    """Return the arguments with defaults applied; raise ValueError naming a bad one."""
    args = dict(args)
    args.setdefault("host", "0.0.0.0")  # noqa: S104 - a webhook receiver listens for Twilio
    args.setdefault("auth_token", os.environ.get("TWILIO_AUTH_TOKEN"))
    if isinstance(args.get("port"), str) and args["port"].isdigit():
        args["port"] = int(args["port"])  # a port given through a rulebook variable
    if not isinstance(args.get("port"), int) or not 0 <= args["port"] <= MAX_PORT:
        raise ValueError("studio_events: port must be an integer between 0 and 65535")
    url = args.get("url")
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError("studio_events: url must be the sink URL configured in Twilio, "
                         "such as https://eda.example.com/twilio/studio")
    if not args.get("auth_token") or not isinstance(args["auth_token"], str):
        raise ValueError("studio_events: auth_token (or the environment variable "
                         "TWILIO_AUTH_TOKEN) is required")
    basic = args.get("basic_auth")
    if basic is not None and not (isinstance(basic, dict) and isinstance(basic.get("user"), str)
                                  and isinstance(basic.get("password"), str)):
        raise ValueError("studio_events: basic_auth must be a mapping with user and password")
    types = args.get("types")
    if types is not None and not (isinstance(types, list)
                                  and all(isinstance(t, str) for t in types)):
        raise ValueError("studio_events: types must be a list of event types such as "
                         "com.twilio.studio.flow.execution.ended")
    for name in ("dedupe", "backlog"):
        if name in args and (not isinstance(args[name], int) or args[name] < 0):
            raise ValueError(f"studio_events: {name} must be a non-negative integer")
    return args


async def main(queue: asyncio.Queue[Any], args: dict[str, Any]) -> None:
    """Listen on host:port until cancelled, putting Studio's events on ``queue``."""
    args = check_args(args)
    receiver = Receiver(queue, args)
    app = web.Application()
    # Any path: a proxy in front may rewrite it; the signature covers the configured URL.
    app.router.add_post("/{path:.*}", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, args["host"], args["port"])
    await site.start()
    LOGGER.info("studio_events: listening on %s:%s for %s",
                args["host"], args["port"], urlsplit(args["url"]).path)
    forwarder = asyncio.create_task(receiver.forward())
    try:
        await asyncio.Future()
    except asyncio.CancelledError:
        LOGGER.info("studio_events: stopped")
    finally:
        forwarder.cancel()
        await runner.cleanup()


if __name__ == "__main__":
    # By hand: print what a sink receives (TWILIO_AUTH_TOKEN, URL, PORT from the environment).

    class _PrintQueue(asyncio.Queue):  # type: ignore[type-arg]
        """A queue that prints."""

        async def put(self, item: dict[str, Any]) -> None:
            """Print ``item`` as JSON."""
            print(json.dumps(item))  # noqa: T201

    asyncio.run(main(_PrintQueue(), {"url": os.environ.get("URL", "http://127.0.0.1:5000/"),
                                     "port": int(os.environ.get("PORT", "5000"))}))
