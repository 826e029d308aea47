# -*- coding: utf-8 -*-
# Copyright: telephony.twilio contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the telephony.twilio collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""The one bounded pool of the collection: ``run_batch`` runs ``work(item)`` for many items, a few at a
time, and returns one result per item, in order. The batch's contacts go through it (their creates
paced by ``_pacer.Pacer``), and so do an Execution's Step Contexts, an export's Executions and the v2
reads of studio_flow_info. It knows nothing of HTTP.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from concurrent.futures import ThreadPoolExecutor

# Contacts in flight at once. At 20 creates/s a contact that takes about a second (the create,
# its Context, its Steps and their Step Contexts at ~100 ms each) keeps ~20 workers busy; 32
# leaves headroom for slower answers. Each worker has one request in flight at a time, so the
# batch stays far below Twilio's 100 concurrent requests per account.
DEFAULT_WORKERS = 32
MAX_WORKERS = 100


def run_batch(items, work, workers=DEFAULT_WORKERS):
    """``[work(item) for item in items]``, ``workers`` at a time, in the order of ``items``.

    With ``workers`` 1 (or one item) the items run one after the other in the calling thread. A
    contact's ``work`` turns its own failures into its result; an exception that escapes ``work``
    (a read that must not fail silently) is raised here.
    """
    items = list(items)
    if workers <= 1 or len(items) <= 1:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        return list(pool.map(work, items))
