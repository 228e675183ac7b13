"""Conformance of the Toxiproxy HTTP API: runs against the embedded server, or a real one via TOXIPROXY_URL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from loanqa.ports import free_port

pytestmark = pytest.mark.toxiproxy


@pytest.fixture
def api(toxiproxy_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=toxiproxy_url, timeout=5, headers={"User-Agent": "loanqa-tests"}) as client:
        yield client


@pytest.fixture
def proxy(api: httpx.Client) -> Iterator[dict[str, Any]]:
    name = f"conf-{uuid.uuid4().hex[:8]}"
    resp = api.post("/proxies", json={"name": name, "listen": "127.0.0.1:0", "upstream": "127.0.0.1:9"})
    assert resp.status_code == 201, resp.text
    yield resp.json()
    api.delete(f"/proxies/{name}")


def test_version_is_json_with_a_version(api: httpx.Client) -> None:
    resp = api.get("/version")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/json")
    assert resp.json()["version"].count(".") == 2


def test_create_picks_a_port_and_carries_the_go_logger_field(proxy: dict[str, Any]) -> None:
    host, port = proxy["listen"].rsplit(":", 1)
    assert host == "127.0.0.1" and int(port) > 0
    assert proxy["enabled"] is True and proxy["toxics"] == [] and proxy["Logger"] == {}


def test_duplicate_proxy_is_409_with_error_body(api: httpx.Client, proxy: dict[str, Any]) -> None:
    resp = api.post("/proxies", json={"name": proxy["name"], "listen": "127.0.0.1:0", "upstream": "x:1"})
    assert resp.status_code == 409
    assert resp.json() == {"error": "proxy already exists", "status": 409}
    assert resp.headers["content-type"] == "text/plain; charset=utf-8"


def test_missing_proxy_is_404(api: httpx.Client) -> None:
    resp = api.get("/proxies/no-such-proxy-here")
    assert resp.status_code == 404 and resp.json()["error"] == "proxy not found"


def test_toxic_defaults_integer_toxicity_and_200(api: httpx.Client, proxy: dict[str, Any]) -> None:
    resp = api.post(f"/proxies/{proxy['name']}/toxics", json={"type": "latency", "attributes": {"latency": 50}})
    assert resp.status_code == 200
    assert resp.json() == {"attributes": {"latency": 50, "jitter": 0}, "name": "latency_downstream",
                           "type": "latency", "stream": "downstream", "toxicity": 1}
    assert '"toxicity":1' in resp.text.replace(" ", "")


def test_toxic_errors(api: httpx.Client, proxy: dict[str, Any]) -> None:
    path = f"/proxies/{proxy['name']}/toxics"
    assert api.post(path, json={"type": "nonsense"}).json() == {"error": "invalid toxic type", "status": 400}
    assert api.post(path, json={"type": "latency", "attributes": {"latency": 1.5}}).status_code == 400
    assert api.post(path, json={"type": "latency", "attributes": {"latency": "9"}}).status_code == 400
    assert api.post(path, json={"type": "noop"}).status_code == 200
    dup = api.post(path, json={"type": "noop"})
    assert dup.status_code == 409 and dup.json()["error"] == "toxic already exists"
    assert api.get(f"{path}/nope").status_code == 404


def test_toxics_list_upstream_first_and_update_merges(api: httpx.Client, proxy: dict[str, Any]) -> None:
    path = f"/proxies/{proxy['name']}/toxics"
    api.post(path, json={"type": "latency", "attributes": {"latency": 10, "jitter": 2}})
    api.post(path, json={"type": "bandwidth", "stream": "upstream", "attributes": {"rate": 5}})
    assert [t["stream"] for t in api.get(path).json()] == ["upstream", "downstream"]
    upd = api.post(f"{path}/latency_downstream",
                   json={"name": "renamed", "stream": "upstream", "toxicity": 0.5, "attributes": {"latency": 99}})
    assert upd.status_code == 200
    assert upd.json() == {"attributes": {"latency": 99, "jitter": 2}, "name": "latency_downstream",
                          "type": "latency", "stream": "downstream", "toxicity": 0.5}
    assert api.patch(f"{path}/latency_downstream", json={"attributes": {"jitter": 3}}).json()["attributes"] == {
        "latency": 99, "jitter": 3}
    assert api.delete(f"{path}/latency_downstream").status_code == 204
    assert [t["name"] for t in api.get(f"/proxies/{proxy['name']}").json()["toxics"]] == ["bandwidth_upstream"]


def test_reset_removes_toxics_and_enables(api: httpx.Client, proxy: dict[str, Any]) -> None:
    name = proxy["name"]
    api.post(f"/proxies/{name}/toxics", json={"type": "timeout", "attributes": {"timeout": 0}})
    assert api.post(f"/proxies/{name}", json={"enabled": False}).json()["enabled"] is False
    resp = api.post("/reset")
    assert resp.status_code == 204 and resp.content == b""
    after = api.get(f"/proxies/{name}").json()
    assert after["enabled"] is True and after["toxics"] == []


def test_populate_creates_replaces_and_answers_null_for_empty(api: httpx.Client) -> None:
    assert api.post("/populate", json=[]).json() == {"proxies": None}
    names = [f"pop-{uuid.uuid4().hex[:6]}-{i}" for i in range(2)]
    body = [{"name": n, "listen": "127.0.0.1:0", "upstream": "127.0.0.1:9"} for n in names]
    try:
        resp = api.post("/populate", json=body)
        assert resp.status_code == 201
        assert [p["name"] for p in resp.json()["proxies"]] == names
        bad = api.post("/populate", json=[*body, {"name": "no-upstream"}])
        assert bad.status_code == 400 and api.get("/proxies/no-upstream").status_code == 404
        moved = api.post("/populate", json=[{**body[0], "upstream": "127.0.0.1:10"}]).json()["proxies"]
        assert moved[0]["upstream"] == "127.0.0.1:10"
    finally:
        for n in names:
            api.delete(f"/proxies/{n}")


def test_listen_conflict_is_500_with_os_text(api: httpx.Client, proxy: dict[str, Any]) -> None:
    resp = api.post("/proxies", json={"name": f"clash-{uuid.uuid4().hex[:6]}", "listen": proxy["listen"],
                                      "upstream": "127.0.0.1:9"})
    assert resp.status_code == 500 and "address already in use" in resp.json()["error"]


def test_routing_quirks(api: httpx.Client) -> None:
    unknown = api.get("/nothing-here")
    assert unknown.status_code == 404 and unknown.text == "404 page not found\n"
    assert api.put("/proxies").status_code == 405
    assert api.get("/proxies", headers={"User-Agent": "Mozilla/5.0 (X11)"}).status_code == 403


def test_delete_frees_the_listen_port(api: httpx.Client) -> None:
    port = free_port()
    body = {"name": f"del-{uuid.uuid4().hex[:6]}", "listen": f"127.0.0.1:{port}", "upstream": "127.0.0.1:9"}
    assert api.post("/proxies", json=body).status_code == 201
    assert api.delete(f"/proxies/{body['name']}").status_code == 204
    assert api.post("/proxies", json=body).status_code == 201
    api.delete(f"/proxies/{body['name']}")
