"""Borrowers dial their profile's proxy but keep the target's Host header (and so its TLS name)."""

from __future__ import annotations

import pytest

from loanqa.errors import ConfigError
from loanqa.synthetic import is_valid_id
from loanqa_loadtests.model.routing import Route, direct_route, route_via, routes_from_json, routes_to_json, upstream_of
from loanqa_loadtests.run.borrowers import BorrowerFactory


def test_https_target_dials_the_proxy_and_keeps_host_and_sni_name() -> None:
    route = route_via("3g-weak", "https://staging.loan.example.cn/", "127.0.0.1:20001")
    assert route.base_url == "https://127.0.0.1:20001"
    assert route.client_options() == {"headers": {"Host": "staging.loan.example.cn"},
                                      "ssl_options": {"server_hostname": "staging.loan.example.cn"}}
    assert upstream_of("https://staging.loan.example.cn") == "staging.loan.example.cn:443"


def test_a_target_behind_a_path_keeps_its_path_through_the_proxy() -> None:
    route = route_via("4g", "https://gw.example.cn/lending/", "127.0.0.1:20003")
    assert route.base_url == "https://127.0.0.1:20003/lending"
    assert direct_route("https://gw.example.cn/lending/").base_url == "https://gw.example.cn/lending"


def test_non_default_port_stays_in_host_header() -> None:
    route = route_via("wifi", "http://127.0.0.1:8700", "127.0.0.1:20002")
    assert route.base_url == "http://127.0.0.1:20002"
    assert route.client_options() == {"headers": {"Host": "127.0.0.1:8700"}}
    assert direct_route("http://127.0.0.1:8700/").client_options() == {}


def test_routes_round_trip_and_bad_targets_are_config_errors() -> None:
    routes = {"a": route_via("a", "http://h:1", "127.0.0.1:2")}
    assert routes_from_json(routes_to_json(routes)) == routes
    with pytest.raises(ConfigError, match="ftp://x"):
        upstream_of("ftp://x")
    with pytest.raises(ConfigError, match="routes"):
        routes_from_json("[1, 2]")


def test_borrowers_are_valid_and_phones_unique_across_processes() -> None:
    phones = set()
    for index in range(3):
        factory = BorrowerFactory("run-1", index)
        for _ in range(500):
            b = factory.next()
            assert is_valid_id(b.id_number) and len(b.phone) == 11 and b.phone[1] in "3456789"
            phones.add(b.phone)
    assert len(phones) == 1500


def test_shared_devices_only_when_asked() -> None:
    plain = BorrowerFactory("r", 0)
    fresh = {plain.next().device_id for _ in range(50)}
    assert len(fresh) == 50 and not any("shared" in d for d in fresh)
    factory = BorrowerFactory("r", 0, shared_device_share=1.0, shared_devices=2)
    assert {factory.next().device_id for _ in range(50)} == {"dev-shared-0", "dev-shared-1"}


def test_borrowers_spread_over_profiles_by_weight() -> None:
    import random

    from loanqa_loadtests.model.routing import RouteMix, pick_route

    routes = RouteMix.of([route_via("wifi", "http://h:1", "127.0.0.1:2", 0.7),
                          route_via("2g", "http://h:1", "127.0.0.1:3", 0.3)])
    rng = random.Random(7)
    picks = [pick_route(routes, rng).profile for _ in range(4000)]
    assert 0.27 < picks.count("2g") / 4000 < 0.33


def test_a_route_knows_which_phase_of_its_outage_timeline_a_moment_is_in() -> None:
    subway = Route("subway", "http://127.0.0.1:1", outage=(40.0, 6.0, 20.0), outage_t0=1000.0)
    assert [subway.phase_at(1000 + t) for t in (5, 20, 25.9, 26, 60, 67)] == ["up", "outage", "outage", "up",
                                                                              "outage", "up"]
    once = Route("elevator", "http://127.0.0.1:1", outage=(None, 3.0, 1.0), outage_t0=0.0)
    assert [once.phase_at(t) for t in (0.5, 2, 4.5)] == ["up", "outage", "up"]
    assert Route("4g", "http://127.0.0.1:1").phase_at(5.0) is None
    back = routes_from_json(routes_to_json({"subway": subway}))["subway"]
    assert back.phase_at(1021) == "outage", "the timeline survives the trip to the Locust processes"
