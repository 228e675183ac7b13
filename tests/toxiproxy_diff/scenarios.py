"""The differential scenarios: every endpoint, toxic type and attribute, error path and state change.

Bodies are raw text (so malformed and oddly typed JSON can be sent); `{P1}`…`{P6}` are free ports,
`{UP}` an echo server's port and `{DEAD}` a port nothing listens on, all chosen per run.
"""

from __future__ import annotations

import json
from typing import Any

from tests.toxiproxy_diff.wire import Call, Hold, Probe, Release, Step

TOXIC_TYPES = ("latency", "bandwidth", "slow_close", "timeout", "reset_peer", "slicer", "limit_data", "noop")
ATTRIBUTES = {"latency": ("latency", "jitter"), "bandwidth": ("rate",), "slow_close": ("delay",),
              "timeout": ("timeout",), "reset_peer": ("timeout",),
              "slicer": ("average_size", "size_variation", "delay"), "limit_data": ("bytes",), "noop": ()}


def j(value: Any) -> str:
    return json.dumps(value)


def get(path: str, **headers: str) -> Call:
    return Call("GET", path, None, tuple(headers.items()))


def post(path: str, body: str | None = None) -> Call:
    return Call("POST", path, body)


def patch(path: str, body: str) -> Call:
    return Call("PATCH", path, body)


def delete(path: str) -> Call:
    return Call("DELETE", path)


def create(name: str, listen: str = "127.0.0.1:{P1}", upstream: str = "127.0.0.1:{UP}", **more: Any) -> Call:
    return post("/proxies", j({"name": name, "listen": listen, "upstream": upstream, **more}))


def toxic(proxy: str, body: dict[str, Any] | str) -> Call:
    return post(f"/proxies/{proxy}/toxics", body if isinstance(body, str) else j(body))


SCENARIOS: dict[str, list[Step]] = {}


def scenario(name: str, *steps: Step) -> None:
    SCENARIOS[name] = list(steps)


scenario("version_and_routing",
         get("/version"), get("/nope"), get("/"), get("/proxies/"), get("/proxies/a/toxics/b/c"),
         Call("DELETE", "/version"), Call("PUT", "/proxies"), Call("HEAD", "/version"),
         Call("PUT", "/proxies/x"), Call("GET", "/reset"), Call("GET", "/populate"),
         get("//proxies"), get("/proxies/../version"), get("/version?x=1"), get("/metrics"))

scenario("browsers_are_refused",
         get("/version", **{"User-Agent": "Mozilla/5.0 (X11; Linux x86_64)"}),
         get("/nope", **{"User-Agent": "Mozilla/5.0"}),
         Call("DELETE", "/version", None, (("User-Agent", "Mozilla/5.0"),)),
         get("/proxies", **{"User-Agent": "mozilla/5.0"}))

scenario("create_and_show",
         create("a"), get("/proxies/a"), get("/proxies"), get("/proxies/missing"),
         create("a"), create("b", "127.0.0.1:0"), get("/proxies"), Probe("127.0.0.1:{P1}", b"hi"),
         create("c", "127.0.0.1:{P2}", enabled=False), Probe("127.0.0.1:{P2}"), get("/proxies/c"))

scenario("list_is_sorted_by_name",
         create("zeta", "127.0.0.1:0"), create("alpha", "127.0.0.1:0"), create("Mid", "127.0.0.1:0"),
         create("beta", "127.0.0.1:0"), create("10", "127.0.0.1:0"), create("9", "127.0.0.1:0"),
         get("/proxies"))

scenario("create_validation",
         post("/proxies", ""), post("/proxies", "   "), post("/proxies", "null"), post("/proxies", "{}"),
         post("/proxies", "[]"), post("/proxies", '"x"'), post("/proxies", "5"), post("/proxies", "true"),
         post("/proxies", j({"name": "a"})), post("/proxies", j({"upstream": "x:1"})),
         post("/proxies", j({"name": "", "upstream": "x:1"})), post("/proxies", j({"name": "a", "upstream": ""})),
         post("/proxies", j({"name": 5, "upstream": "x:1"})), post("/proxies", j({"name": "a", "upstream": 5})),
         post("/proxies", j({"name": "a", "upstream": "x:1", "listen": 5})),
         post("/proxies", j({"name": "a", "upstream": "x:1", "enabled": "yes"})),
         post("/proxies", j({"name": "a", "upstream": "x:1", "enabled": 1})),
         post("/proxies", j({"name": "a", "upstream": "x:1", "Logger": 5})),
         post("/proxies", j({"name": ["a"], "upstream": {"x": 1}})),
         post("/proxies", j({"name": None, "upstream": "x:1"})),
         post("/proxies", j({"name": 1.5, "enabled": 2, "upstream": True})),
         get("/proxies"))

scenario("create_json_syntax",
         post("/proxies", "{"), post("/proxies", '{"name":'), post("/proxies", '{"name" 1}'),
         post("/proxies", '{"name":"a",}'), post("/proxies", "{'name':'a'}"), post("/proxies", '{"name":tru}'),
         post("/proxies", '{"name":nul}'), post("/proxies", '{"name":fals}'), post("/proxies", '{"a":01}'),
         post("/proxies", '{"a":-}'), post("/proxies", '{"a":1.}'), post("/proxies", '{"a":1e}'),
         post("/proxies", '{"a":"\\x"}'), post("/proxies", '{"a":"\\u12G4"}'), post("/proxies", '{"a":"\t"}'),
         post("/proxies", '{"a":[1,]}'), post("/proxies", '{"a":[1 2]}'), post("/proxies", '{"a":1 "b":2}'),
         post("/proxies", "x"), post("/proxies", "\"unterminated"), post("/proxies", "{\"a\"\x01}"),
         post("/proxies", "{\"a\":\"\\u00e9\u00e9\"}"), post("/proxies", "{\"é\":1}"), post("/proxies", "{1:2}"),
         post("/proxies", "{\"a\":'b'}"), post("/proxies", "{\"a\" : [ { } ] , }"))

scenario("create_lenient_json",
         post("/proxies", '{"NAME":"up","UPSTREAM":"127.0.0.1:{UP}","Listen":"127.0.0.1:{P1}"} trailing'),
         post("/proxies",
              '{"name":"dup","name":"dup2","upstream":"x:1","listen":"127.0.0.1:0","extra":[1,{"a":null}]}'),
         post("/proxies", '{"name":"n","upstream":"x:1","listen":"127.0.0.1:0","enabled":null,"toxics":[1]}'),
         post("/proxies", '{"name":"html<&>","upstream":"x:1","listen":"127.0.0.1:0"}'),
         post("/proxies", '{"name":"uni\\u00e9\\ud83d\\ude00\\u2028","upstream":"x:1","listen":"127.0.0.1:0"}'),
         post("/proxies", '{"name":"ctl\\u0001\\b\\f\\n\\t","upstream":"x:1","listen":"127.0.0.1:0"}'),
         get("/proxies"))

scenario("create_bad_addresses",
         create("a", "nonsense"), create("b", "127.0.0.1:99999"), create("c", "256.1.1.1:{P1}"),
         create("d", "127.0.0.1"), create("e", "127.0.0.1:-1"), create("f", "127.0.0.1:abc"),
         create("g", "nonsense", enabled=False), get("/proxies"),
         Hold("P2"), create("h", "127.0.0.1:{P2}"), get("/proxies"), create("i", "[::1]:{P3}"),
         create("j", "127.0.0.1:{P4}", upstream="nonsense"), Probe("127.0.0.1:{P4}", b"x"),
         create("k", "127.0.0.1:{P5}", upstream="127.0.0.1:{DEAD}"), Probe("127.0.0.1:{P5}", b"x"),
         create("l", "localhost:{P6}"))

scenario("update_proxy",
         create("a"), patch("/proxies/a", j({"upstream": "127.0.0.1:{DEAD}"})),
         Probe("127.0.0.1:{P1}", b"x"), patch("/proxies/a", j({"upstream": "127.0.0.1:{UP}"})),
         Probe("127.0.0.1:{P1}", b"x"), post("/proxies/a", j({"listen": "127.0.0.1:{P2}"})),
         Probe("127.0.0.1:{P1}"), Probe("127.0.0.1:{P2}", b"y"), patch("/proxies/a", j({"enabled": False})),
         Probe("127.0.0.1:{P2}"), patch("/proxies/a", j({"enabled": False})),
         patch("/proxies/a", j({"listen": "127.0.0.1:{P3}"})), Probe("127.0.0.1:{P3}"),
         patch("/proxies/a", j({"enabled": True})), Probe("127.0.0.1:{P3}", b"z"),
         patch("/proxies/a", j({"name": "renamed"})), get("/proxies"), patch("/proxies/a", "{}"),
         patch("/proxies/a", j({"listen": "127.0.0.1:0"})), patch("/proxies/a", j({"listen": ""})),
         patch("/proxies/a", j({"upstream": ""})), get("/proxies/a"), patch("/proxies/missing", "{}"))

scenario("update_validation",
         create("a"), patch("/proxies/a", ""), patch("/proxies/a", "[]"), patch("/proxies/a", "null"),
         patch("/proxies/a", j({"enabled": "no"})), patch("/proxies/a", j({"listen": 1, "enabled": False})),
         patch("/proxies/a", "{\"upstream\":"), get("/proxies/a"), patch("/proxies/missing", "garbage"))

scenario("update_listen_bind_failure",
         create("a"), Hold("P2"), patch("/proxies/a", j({"listen": "127.0.0.1:{P2}"})), get("/proxies/a"),
         Probe("127.0.0.1:{P1}"), patch("/proxies/a", j({"enabled": True})), get("/proxies/a"),
         Release("P2"), patch("/proxies/a", j({"enabled": True})), get("/proxies/a"),
         Probe("127.0.0.1:{P2}", b"ok"), patch("/proxies/a", j({"listen": "nonsense"})), get("/proxies/a"),
         post("/reset"), get("/proxies/a"))

scenario("delete_proxy",
         create("a"), create("b", "127.0.0.1:{P2}"), toxic("a", {"type": "latency"}), delete("/proxies/a"),
         Probe("127.0.0.1:{P1}"), delete("/proxies/a"), get("/proxies/a"), get("/proxies/a/toxics"),
         toxic("a", {"type": "latency"}), create("a"), get("/proxies"), Call("DELETE", "/proxies/b", "x"))

for kind in TOXIC_TYPES:
    attrs = {a: 7 + i for i, a in enumerate(ATTRIBUTES[kind])}
    scenario(f"toxic_{kind}",
             create("p", "127.0.0.1:0"),
             toxic("p", {"type": kind}), toxic("p", {"type": kind, "stream": "upstream", "attributes": attrs}),
             toxic("p", {"type": kind, "name": "full", "stream": "downstream", "toxicity": 0.25,
                         "attributes": {**attrs, "unknown": "x"}}),
             *(toxic("p", {"type": kind, "name": f"{a}-{bad}", "attributes": {a: v}})
               for a in ATTRIBUTES[kind] for bad, v in (("str", "1"), ("float", 1.5), ("neg", -3),
                                                         ("bool", True), ("null", None), ("exp", 1e3),
                                                         ("big", 2**63), ("obj", {}))),
             get("/proxies/p/toxics"), get(f"/proxies/p/toxics/{kind}_downstream"),
             patch(f"/proxies/p/toxics/{kind}_downstream", j({"attributes": {a: 1 for a in ATTRIBUTES[kind]}})),
             patch("/proxies/p/toxics/full", j({"toxicity": 0.5})), get("/proxies/p"))

scenario("toxic_create_errors",
         create("p", "127.0.0.1:0"),
         toxic("p", ""), toxic("p", "null"), toxic("p", "[]"), toxic("p", "{"), toxic("p", "{}"),
         toxic("p", {"type": "nonsense"}),
         toxic("p", {"type": "Latency"}), toxic("p", {"type": "latency", "stream": "x"}),
         toxic("p", {"type": "nonsense", "stream": "x"}), toxic("p", {"type": "latency", "stream": ""}),
         toxic("p", {"type": "latency", "stream": None}), toxic("p", {"type": 5}), toxic("p", {"name": 5}),
         toxic("p", {"type": "latency", "stream": 1}), toxic("p", {"type": "latency", "toxicity": "1"}),
         toxic("p", {"type": "latency", "toxicity": 1e40}), toxic("p", {"type": "latency", "attributes": "x"}),
         toxic("p", {"type": "latency", "attributes": [1]}), toxic("p", {"type": "latency", "attributes": 5}),
         toxic("p", '{"type":"latency","attributes":{"latency":"x"},"toxicity":"y"}'),
         toxic("missing", {"type": "latency"}), toxic("missing", "garbage"),
         get("/proxies/p/toxics"))

scenario("toxic_names_streams_toxicity",
         create("p", "127.0.0.1:0"),
         toxic("p", {"type": "latency", "stream": "UPSTREAM"}), toxic("p", {"type": "latency", "stream": "Downstream"}),
         toxic("p", {"type": "latency", "name": "latency_UPSTREAM", "stream": "upstream"}),
         toxic("p", {"type": "latency", "stream": "upstream"}),
         toxic("p", {"type": "bandwidth", "name": "latency_upstream"}),
         toxic("p", {"type": "noop", "name": ""}), toxic("p", {"type": "noop", "name": "", "stream": "upstream"}),
         toxic("p", {"type": "noop", "name": "t0", "toxicity": 0}),
         toxic("p", {"type": "noop", "name": "t1", "toxicity": -1}),
         toxic("p", {"type": "noop", "name": "t2", "toxicity": 2.5}),
         toxic("p", {"type": "noop", "name": "t3", "toxicity": 0.3}),
         toxic("p", {"type": "noop", "name": "t4", "toxicity": 1e-7}),
         toxic("p", {"type": "noop", "name": "t5", "toxicity": 123456789}),
         toxic("p", {"type": "noop", "name": "t6", "toxicity": 0.1}),
         toxic("p", {"type": "noop", "name": "t7", "toxicity": 1e21}),
         toxic("p", {"type": "noop", "name": "t8", "toxicity": None}),
         toxic("p", {"type": "noop", "name": "html<&>\u2028"}),
         toxic("p", '{"TYPE":"latency","Name":"folded","STREAM":"upstream","Attributes":{"LATENCY":3},"TOXICITY":0.5}'),
         toxic("p", '{"type":"latency","name":"dupkeys","attributes":{"latency":1,"latency":2}} tail'),
         get("/proxies/p/toxics"), get("/proxies/p/toxics/latency_UPSTREAM"), get("/proxies/p/toxics/nope"),
         get("/proxies/p"))

scenario("toxic_update_and_delete",
         create("p", "127.0.0.1:0"), toxic("p", {"type": "latency", "attributes": {"latency": 10, "jitter": 2}}),
         toxic("p", {"type": "slicer", "stream": "upstream", "attributes": {"average_size": 5}}),
         patch("/proxies/p/toxics/latency_downstream",
               j({"name": "renamed", "type": "bandwidth", "stream": "upstream", "toxicity": 0.5,
                  "attributes": {"latency": 99}})),
         post("/proxies/p/toxics/latency_downstream", j({"attributes": {"jitter": 3}})),
         patch("/proxies/p/toxics/latency_downstream", "{}"), patch("/proxies/p/toxics/latency_downstream", "null"),
         patch("/proxies/p/toxics/latency_downstream", j({"attributes": None, "toxicity": None})),
         patch("/proxies/p/toxics/latency_downstream", j({"attributes": {"latency": "x"}})),
         patch("/proxies/p/toxics/latency_downstream", j({"toxicity": "x"})),
         patch("/proxies/p/toxics/latency_downstream", j({"attributes": 5})),
         patch("/proxies/p/toxics/latency_downstream", "[]"), patch("/proxies/p/toxics/latency_downstream", ""),
         patch("/proxies/p/toxics/latency_downstream", "{"),
         patch("/proxies/p/toxics/slicer_upstream", j({"attributes": {"size_variation": 2, "delay": 1.5}})),
         patch("/proxies/p/toxics/nope", "{}"), patch("/proxies/missing/toxics/x", "{}"),
         patch("/proxies/p/toxics/nope", "garbage"),
         get("/proxies/p/toxics"), delete("/proxies/p/toxics/latency_downstream"),
         delete("/proxies/p/toxics/latency_downstream"), delete("/proxies/missing/toxics/x"),
         get("/proxies/p/toxics"), get("/proxies/missing/toxics/x"))

scenario("toxic_order",
         create("p", "127.0.0.1:0"),
         *(toxic("p", {"type": "noop", "name": f"n{i}", "stream": ("upstream", "downstream")[i % 2]})
           for i in range(6)),
         get("/proxies/p/toxics"), delete("/proxies/p/toxics/n2"), toxic("p", {"type": "noop", "name": "n2"}),
         get("/proxies/p/toxics"), patch("/proxies/p/toxics/n1", j({"toxicity": 0.5})), get("/proxies/p/toxics"))

scenario("reset",
         create("a"), create("b", "127.0.0.1:{P2}", enabled=False), toxic("a", {"type": "latency"}),
         toxic("b", {"type": "timeout", "stream": "upstream"}), post("/reset"), get("/proxies"),
         Probe("127.0.0.1:{P2}", b"r"), post("/reset", "ignored body"), get("/proxies"))

scenario("reset_with_unbindable_proxy",
         create("a"), patch("/proxies/a", j({"enabled": False})), Hold("P1"), toxic("a", {"type": "latency"}),
         post("/reset"), get("/proxies"), Release("P1"), post("/reset"), get("/proxies"))

scenario("populate",
         post("/populate", "[]"), post("/populate", "null"), post("/populate", ""), post("/populate", "{}"),
         post("/populate", j({"name": "a"})), post("/populate", "[1]"), post("/populate", "[null]"),
         post("/populate", "["),
         post("/populate", j([{"name": 5}])), post("/populate", j([{"name": "a", "enabled": "x"}])),
         post("/populate", j([{"name": "a", "upstream": "x:1", "listen": "127.0.0.1:{P1}"}, {"name": "b"}])),
         post("/populate", j([{"upstream": "x:1"}])),
         post("/populate", j([{"name": "a", "upstream": "x:1", "listen": "127.0.0.1:0"},
                              {"name": "a", "upstream": "x:2", "listen": "127.0.0.1:0"}])),
         get("/proxies"),
         post("/populate", j([{"name": "one", "upstream": "127.0.0.1:{UP}", "listen": "127.0.0.1:{P1}"},
                              {"name": "two", "upstream": "127.0.0.1:{UP}", "listen": "127.0.0.1:{P2}",
                               "enabled": False}])),
         get("/proxies"), Probe("127.0.0.1:{P1}", b"1"), Probe("127.0.0.1:{P2}"))

scenario("populate_identical_keeps_enabled",
         create("on", "127.0.0.1:{P1}"), create("off", "127.0.0.1:{P2}", enabled=False),
         post("/populate", j([{"name": "on", "upstream": "127.0.0.1:{UP}", "listen": "127.0.0.1:{P1}",
                               "enabled": False},
                              {"name": "off", "upstream": "127.0.0.1:{UP}", "listen": "127.0.0.1:{P2}",
                               "enabled": True}])),
         get("/proxies"), Probe("127.0.0.1:{P1}"), Probe("127.0.0.1:{P2}"),
         post("/populate", j([{"name": "on", "upstream": "127.0.0.1:{UP}", "listen": "127.0.0.1:{P1}"},
                              {"name": "off", "upstream": "127.0.0.1:{UP}", "listen": "127.0.0.1:{P2}"}])),
         get("/proxies"))

scenario("populate_replaces_changed",
         create("a", "127.0.0.1:{P1}"), toxic("a", {"type": "latency"}),
         post("/populate", j([{"name": "a", "upstream": "127.0.0.1:{UP}", "listen": "127.0.0.1:{P1}"}])),
         get("/proxies/a"),
         post("/populate", j([{"name": "a", "upstream": "127.0.0.1:{DEAD}", "listen": "127.0.0.1:{P1}"}])),
         get("/proxies/a"),
         post("/populate", j([{"name": "a", "upstream": "127.0.0.1:{DEAD}", "listen": "127.0.0.1:{P2}",
                               "enabled": False}])),
         get("/proxies/a"), Probe("127.0.0.1:{P2}"),
         post("/populate", j([{"name": "a", "upstream": "127.0.0.1:{DEAD}"}])), get("/proxies/a"))

scenario("populate_bind_failure",
         Hold("P2"),
         post("/populate", j([{"name": "a", "upstream": "x:1", "listen": "127.0.0.1:{P1}"},
                              {"name": "b", "upstream": "x:1", "listen": "127.0.0.1:{P2}"},
                              {"name": "c", "upstream": "x:1", "listen": "127.0.0.1:{P3}"}])),
         get("/proxies"),
         post("/populate", j([{"name": "d", "upstream": "x:1", "listen": "nonsense"}])),
         post("/populate", j([{"name": "e", "upstream": "x:1", "listen": "nonsense", "enabled": False}])),
         get("/proxies"))

scenario("content_types_and_headers",
         get("/version"), get("/proxies"), create("a", "127.0.0.1:0"), get("/proxies/a"),
         toxic("a", {"type": "noop"}), get("/proxies/a/toxics"), get("/proxies/a/toxics/noop_downstream"),
         delete("/proxies/a/toxics/noop_downstream"), post("/reset"), post("/populate", "[]"),
         get("/proxies/nope"), delete("/proxies/a"),
         Call("POST", "/proxies", j({"name": "b", "upstream": "x:1", "listen": "127.0.0.1:0"}),
              (("Content-Type", "text/plain"),)),
         Call("GET", "/version", None, (("Connection", "close"),)),
         Call("GET", "/version", None, (("Accept", "text/html"),)))

scenario("update_addresses",
         create("u", "127.0.0.1:0", upstream="x:1"), patch("/proxies/u", j({"upstream": "nonsense"})),
         patch("/proxies/u", j({"listen": "127.0.0.1:99999"})), patch("/proxies/u", j({"listen": "256.1.1.1:5"})),
         patch("/proxies/u", j({"listen": "127.0.0.1:abc"})), patch("/proxies/u", j({"listen": "[::1]:0"})),
         patch("/proxies/u", j({"listen": "localhost:0"})), patch("/proxies/u", j({"listen": "[::1:5"})),
         patch("/proxies/u", j({"listen": "a:b:c"})), patch("/proxies/u", j({"listen": "127.0.0.1:"})),
         patch("/proxies/u", j({"listen": "nonsense", "enabled": False})), patch("/proxies/u", j({"enabled": False})),
         patch("/proxies/u", j({"listen": "nonsense", "enabled": False})), patch("/proxies/u", j({"enabled": True})),
         post("/populate", j([{"name": "v", "upstream": "x:1", "listen": "nonsense", "enabled": False}])),
         patch("/proxies/v", j({"enabled": True})), patch("/proxies/v", j({"upstream": "y:1"})),
         create("w", "0.0.0.0:0", upstream="x:1"), create("w2", ":0", upstream="x:1"),
         create("w4", "[::1:5", upstream="x:1"), create("w5", "a:b:c", upstream="x:1"),
         create("w6", "127.0.0.1:", upstream="x:1"), create("w7", "]:1", upstream="x:1"),
         create("w8", "[a]b:1", upstream="x:1"), create("h", "127.0.0.1:0", upstream="x:1", enabled=False),
         post("/proxies/w", j({"listen": "127.0.0.1:0", "enabled": False})), get("/proxies"))

scenario("toxic_update_partial",
         create("w", "127.0.0.1:0"), toxic("w", {"type": "latency", "attributes": {"latency": 5}}),
         patch("/proxies/w/toxics/latency_downstream",
               j({"toxicity": 0.7, "attributes": {"latency": "x", "jitter": 4}})),
         get("/proxies/w/toxics/latency_downstream"),
         patch("/proxies/w/toxics/latency_downstream", j({"attributes": {"latency": 6}, "toxicity": "x"})),
         get("/proxies/w/toxics/latency_downstream"),
         patch("/proxies/w/toxics/latency_downstream", '{"attributes":{"latency":7}} trailing'),
         patch("/proxies/w/toxics/latency_downstream", '{"Toxicity":0.2,"ATTRIBUTES":{"Jitter":1}}'),
         get("/proxies/w/toxics"))
