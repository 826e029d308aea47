# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Poll Studio for Executions that started or ended, for accounts without Event Streams."""

from __future__ import annotations

import asyncio
import base64
import collections
import datetime as dt
import logging
import os
import re
from typing import Any
from urllib.parse import urlsplit

import aiohttp

DOCUMENTATION = r"""
---
short_description: Poll Twilio Studio for Executions that started or ended (no Event Streams).
description:
  - A fallback for accounts without Event Streams. Every O(interval) seconds it lists, for each
    Flow of O(flows), the Executions created in the last O(window) seconds (Studio REST API v1,
    1,000 a page) and puts on the queue an event like those of C(telephony.twilio.studio_events)
    for each Execution it has not seen (C(com.twilio.studio.flow.execution.started)) and for each
    one it sees ended for the first time (C(com.twilio.studio.flow.execution.ended)).
  - Cost, per poll, per Flow, one request per 1,000 Executions created within O(window): a Flow
    with 3,000 Executions a day polled every 60 s with the default window of one day makes 3
    requests a minute (4,320 a day), whether anything happened or not. Event Streams costs none.
  - Studio's REST API does not say why an Execution ended, so C(event.data.ended_reason) is not
    set; an Execution that ends later than O(window) after it started is not seen to end.
  - An event's C(id) is the Execution SID and the status (C(FN...:ended)); the ids of the last
    O(dedupe) events are kept, so a rulebook restarted with the same O(since) does not get them
    twice within one process. The first poll reports what happened since O(since).
options:
  flows:
    description:
      - Flow SIDs (C(FW) followed by 32 hexadecimal digits) to watch.
    type: list
    elements: str
    required: true
  account_sid:
    description:
      - The Account SID (or an API key SID with O(auth_token) its secret). Defaults to
        E(TWILIO_API_KEY), then E(TWILIO_ACCOUNT_SID).
    type: str
  auth_token:
    description:
      - The Auth Token (or the API key's secret). Defaults to E(TWILIO_API_SECRET), then
        E(TWILIO_AUTH_TOKEN).
    type: str
  studio_url:
    description:
      - The Studio base URL. Defaults to E(TWILIO_STUDIO_URL), else https://studio.twilio.com.
    type: str
  interval:
    description:
      - Seconds between polls.
    type: float
    default: 60
  window:
    description:
      - How far back (seconds) each poll lists Executions; Executions that end later than this
        after they started are not seen to end.
    type: float
    default: 86400
  since:
    description:
      - Report only Executions created at or after this ISO 8601 time. Defaults to the start.
    type: str
  dedupe:
    description:
      - How many event ids to remember.
    type: int
    default: 100000
"""

EXAMPLES = r"""
- name: React to Studio Executions without Event Streams
  hosts: localhost
  sources:
    - telephony.twilio.studio_executions:
        flows: [FW0123456789abcdef0123456789abcdef]
        interval: 60
  rules:
    - name: An Execution ended
      condition: event.type == "com.twilio.studio.flow.execution.ended"
      action:
        debug:
"""

LOGGER = logging.getLogger(__name__)
STARTED = "com.twilio.studio.flow.execution.started"
ENDED = "com.twilio.studio.flow.execution.ended"
PAGE_SIZE = 1000
FLOW_SID = re.compile(r"^FW[0-9a-fA-F]{32}$")


def stamp(moment: dt.datetime) -> str:
    """Return ``moment`` as Studio's filters take it (ISO 8601, UTC)."""
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> dt.datetime:
    """Return an ISO 8601 time as an aware datetime (UTC when no offset is given)."""
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def is_flow_sid(value: object) -> bool:
    """Tell whether ``value`` is a Flow SID: FW and 32 hexadecimal digits."""
    return isinstance(value, str) and bool(FLOW_SID.match(value))


def check_args(args: dict[str, Any]) -> dict[str, Any]:
    """Return the arguments with defaults applied; raise ValueError naming a bad one."""
    args = dict(args)
    flows = args.get("flows")
    if not isinstance(flows, list) or not flows or not all(map(is_flow_sid, flows)):
        raise ValueError("studio_executions: flows must be a list of Flow SIDs (FW, 32 hex digits)")
    env = os.environ
    args.setdefault("account_sid", env.get("TWILIO_API_KEY") or env.get("TWILIO_ACCOUNT_SID"))
    args.setdefault("auth_token", env.get("TWILIO_API_SECRET") or env.get("TWILIO_AUTH_TOKEN"))
    if not args["account_sid"] or not args["auth_token"]:
        raise ValueError("studio_executions: account_sid and auth_token (or TWILIO_ACCOUNT_SID "
                         "and TWILIO_AUTH_TOKEN) are required")
    args.setdefault("studio_url", env.get("TWILIO_STUDIO_URL") or "https://studio.twilio.com")
    if urlsplit(args["studio_url"]).scheme not in ("http", "https"):
        raise ValueError("studio_executions: studio_url must be an http(s) URL")
    for name, default in (("interval", 60.0), ("window", 86400.0)):
        value = args.setdefault(name, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ValueError(f"studio_executions: {name} must be a number of seconds above 0")
    start = dt.datetime.now(dt.timezone.utc)
    args["since"] = parse_time(args["since"]) if args.get("since") else start
    args.setdefault("dedupe", 100000)
    return args


def execution_event(kind: str, execution: dict[str, Any]) -> dict[str, Any]:
    """Return an event shaped like Event Streams' for an Execution resource of Studio v1."""
    data = {key: execution.get(key) for key in (
        "account_sid", "flow_sid", "contact_channel_address", "status", "date_created",
        "date_updated")}
    data["execution_sid"] = execution["sid"]
    state = "ended" if kind == ENDED else "started"
    return {"specversion": "1.0", "type": kind, "id": f"{execution['sid']}:{state}",
            "source": f"/v1/Flows/{execution['flow_sid']}/Executions/{execution['sid']}",
            "time": execution.get("date_updated") or execution.get("date_created"), "data": data,
            "meta": {"poller": "studio_executions"}}


class Poller:
    """What one poll lists, and which of it is news."""

    def __init__(self, session: aiohttp.ClientSession, args: dict[str, Any]) -> None:
        """Poll with ``session`` as ``args`` say."""
        self.session = session
        self.args = args
        self.seen: collections.OrderedDict[str, None] = collections.OrderedDict()
        self.requests = 0

    async def executions(self, flow: str, since: dt.datetime) -> list[dict[str, Any]]:
        """Return the Executions of ``flow`` created at or after ``since``, every page."""
        base = self.args["studio_url"].rstrip("/")
        url = f"{base}/v1/Flows/{flow}/Executions"
        params: dict[str, Any] | None = {"DateCreatedFrom": stamp(since), "PageSize": PAGE_SIZE}
        found = []
        while url:
            self.requests += 1
            async with self.session.get(url, params=params) as resp:
                resp.raise_for_status()
                page = await resp.json()
            found.extend(page.get("executions") or [])
            following = (page.get("meta") or {}).get("next_page_url")
            url = base + following[following.index("/v1/"):] if following else ""
            params = None
        return found

    def news(self, execution: dict[str, Any]) -> list[dict[str, Any]]:
        """Return the events ``execution`` brings that were not reported yet."""
        kinds = [STARTED] + ([ENDED] if execution.get("status") == "ended" else [])
        events = []
        for kind in kinds:
            event = execution_event(kind, execution)
            if event["id"] not in self.seen:
                self.seen[event["id"]] = None
                events.append(event)
        while len(self.seen) > self.args["dedupe"]:
            self.seen.popitem(last=False)
        return events

    async def poll(self) -> list[dict[str, Any]]:
        """Return the new events of every Flow, oldest Execution first."""
        now = dt.datetime.now(dt.timezone.utc)
        since = max(self.args["since"], now - dt.timedelta(seconds=self.args["window"]))
        events = []
        for flow in self.args["flows"]:
            for execution in reversed(await self.executions(flow, since)):
                events.extend(self.news(execution))
        return events


async def main(queue: asyncio.Queue[Any], args: dict[str, Any]) -> None:
    """Poll until cancelled, putting the new events on ``queue``."""
    args = check_args(args)
    credentials = f"{args['account_sid']}:{args['auth_token']}".encode()
    headers = {"Authorization": "Basic " + base64.b64encode(credentials).decode("ascii")}
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(headers=headers, timeout=timeout) as session:
        poller = Poller(session, args)
        while True:
            try:
                for event in await poller.poll():
                    await queue.put(event)
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
                LOGGER.warning("studio_executions: poll failed, trying again in %ss: %s",
                               args["interval"], exc)
            await asyncio.sleep(args["interval"])
