# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one Flow lookup (v1 and v2): a SID, a friendly name, no match and several matches."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import responses

from ansible_collections.telephony.twilio.plugins.module_utils._client import StudioClient, StudioError
from ansible_collections.telephony.twilio.plugins.module_utils._flows import FlowFinder, FlowNotResolved, Flows

BASE = 'https://studio.twilio.com'
AC = 'AC0123456789abcdef0123456789abcdef'
TWINS = ['FW%032x' % 4, 'FW%032x' % 3]
LISTED = [{'sid': 'FW%032x' % 1, 'friendly_name': 'Reminder'}, {'sid': 'FW%032x' % 2, 'friendly_name': 'Survey'},
          {'sid': TWINS[0], 'friendly_name': 'Twin'}, {'sid': TWINS[1], 'friendly_name': 'Twin'}]


@pytest.fixture(params=['v1', 'v2'])
def studio(request):
    """(FlowFinder of the version, the mock) with the account's Flows listed on one page."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(responses.GET, '%s/%s/Flows' % (BASE, request.param),
                 json={'flows': LISTED, 'meta': {'next_page_url': None}})
        yield FlowFinder(StudioClient(AC, 'unit-token', BASE, max_retries=0), request.param), mock


def test_a_name_that_matches_no_flow_names_the_flows_there_are(studio):
    finder, mock = studio
    with pytest.raises(FlowNotResolved) as caught:
        finder.sid('Remindr')
    assert str(caught.value) == ("flow: no Flow is named 'Remindr'; give a Flow SID (FW + 32 hex digits) or the exact "
                                 "friendly name of one of: 'Reminder', 'Survey', 'Twin', 'Twin'")
    assert caught.value.matching_sids == [] and caught.value.result == {'matching_sids': []}
    assert [c.request.url for c in mock.calls] == ['%s/%s/Flows?PageSize=1000' % (BASE, finder.version)]


def test_a_name_several_flows_have_lists_their_sids(studio):
    finder, mock = studio
    for lookup in (finder.sid, finder.find):
        with pytest.raises(FlowNotResolved) as caught:
            lookup('Twin')
        assert caught.value.matching_sids == sorted(TWINS) and caught.value.result == {'matching_sids': sorted(TWINS)}
        assert str(caught.value) == "flow: 2 Flows are named 'Twin' (%s, %s); give the Flow SID instead" % tuple(
            sorted(TWINS))
    assert len(mock.calls) == 1  # listed once for every lookup of the finder


def test_a_unique_name_is_found_in_the_one_listing(studio):
    finder, mock = studio
    assert finder.sid('Survey') == 'FW%032x' % 2 and finder.find('Reminder') == LISTED[0]
    assert len(mock.calls) == 1


def test_a_sid_given_directly_costs_no_listing_and_find_reads_it(studio):
    finder, mock = studio
    known, unknown = 'FW%032x' % 2, 'FW%032x' % 9
    assert finder.sid(unknown) == unknown and len(mock.calls) == 0  # the SID as it is, no request
    mock.add(responses.GET, '%s/%s/Flows/%s' % (BASE, finder.version, known), json=LISTED[1])
    mock.add(responses.GET, '%s/%s/Flows/%s' % (BASE, finder.version, unknown), status=404,
             json={'code': 20404, 'message': 'not found', 'status': 404})
    assert finder.find(known) == LISTED[1]
    with pytest.raises(FlowNotResolved) as caught:
        finder.find(unknown)
    assert str(caught.value) == 'flow: no Flow %s in this account (HTTP 404, Twilio error 20404)' % unknown
    assert caught.value.result == {'matching_sids': [], 'status': 404, 'code': 20404}
    assert [c.request.url.rsplit('/', 1)[1] for c in mock.calls] == [known, unknown]


def test_other_errors_are_studio_errors(studio):
    finder, mock = studio
    mock.replace(responses.GET, '%s/%s/Flows' % (BASE, finder.version), status=401,
                 json={'code': 20003, 'message': 'Authenticate', 'status': 401})
    with pytest.raises(StudioError) as caught:
        finder.sid('Survey')
    assert not isinstance(caught.value, FlowNotResolved) and caught.value.status == 401


def test_v2_find_is_none_for_no_match_and_refuses_several():
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, BASE + '/v2/Flows', json={'flows': LISTED, 'meta': {'next_page_url': None}})
        flows = Flows(StudioClient(AC, 'unit-token', BASE, max_retries=0))
        assert flows.find('Nothing like it') is None
        with pytest.raises(FlowNotResolved) as caught:
            flows.find('Twin')
        assert caught.value.matching_sids == sorted(TWINS)
        mock.add(responses.GET, BASE + '/v2/Flows/' + LISTED[1]['sid'], json=dict(LISTED[1], revision=2))
        assert flows.find('Survey')['revision'] == 2
        assert len(mock.calls) == 2  # one listing for the three names, one fetch


def test_a_name_in_a_large_account_names_twenty_flows_and_counts_the_rest():
    with responses.RequestsMock() as mock:
        many = [{'sid': 'FW%032x' % i, 'friendly_name': 'Flow %02d' % i} for i in range(25)]
        mock.add(responses.GET, BASE + '/v1/Flows', json={'flows': many, 'meta': {'next_page_url': None}})
        with pytest.raises(FlowNotResolved) as caught:
            FlowFinder(StudioClient(AC, 'unit-token', BASE, max_retries=0)).sid('Flow 99')
    assert str(caught.value).endswith("'Flow 18', 'Flow 19' and 5 more") and "'Flow 20'" not in str(caught.value)
