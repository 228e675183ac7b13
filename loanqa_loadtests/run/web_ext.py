"""loanqa's stats inside Locust's own web UI (`loanqa load --web`), through Locust's extension points.

A "loanqa" tab (Locust's `extendedTabs`/`extendedTables`, filled via the `/stats/requests` answer) and a
plain page at `/loanqa` (also `/loanqa.json`) show journeys, lost loans by cause and by network profile,
and each SLO's current value against its objective, from the live monitor's last judgement.
"""

from __future__ import annotations

import html
import json
from typing import Any

from loanqa_loadtests.model.live_snapshot import LiveSnapshot
from loanqa_loadtests.run.live_monitor import Latest

TAB = "loanqa"
COLUMNS = [{"key": "kind", "title": "What"}, {"key": "name", "title": "Name"}, {"key": "value", "title": "Now"},
           {"key": "objective", "title": "Objective"}]


def rows(snap: LiveSnapshot | None) -> list[dict[str, str]]:
    if snap is None:
        return [{"kind": "run", "name": "waiting for the first judgement", "value": "", "objective": ""}]
    out = [{"kind": "journeys", "name": k, "value": str(v), "objective": ""} for k, v in
           (("started", snap.journeys_started), ("finished", snap.journeys_finished),
            ("paid out", snap.paid), ("business rejections", snap.rejected),
            ("lost", snap.lost), ("borrowers on the app", snap.in_flight))]
    out += [{"kind": "lost by cause", "name": c, "value": str(n), "objective": ""}
            for c, n in sorted(snap.lost_by_cause.items())]
    out += [{"kind": "lost by profile", "name": p, "value": str(n), "objective": ""}
            for p, n in sorted(snap.lost_by_profile.items())]
    out += [{"kind": f"SLO ({s.verdict})", "name": s.name,
             "value": "no data" if s.actual is None else f"{s.actual:.4g}",
             "objective": s.objective + (" (aborts the run)" if s.abort else "")} for s in snap.slos]
    if snap.stopping:
        out.append({"kind": "run", "name": "stopped early", "value": snap.stopping, "objective": ""})
    return out


def page(snap: LiveSnapshot | None) -> str:
    body = "".join("<tr>" + "".join(f"<td>{html.escape(r[c['key']])}</td>" for c in COLUMNS) + "</tr>"
                   for r in rows(snap))
    head = "".join(f"<th>{c['title']}</th>" for c in COLUMNS)
    return (f"<!doctype html><title>loanqa</title><h1>loanqa: borrowers, causes, SLOs</h1>"
            f"<table border=1><tr>{head}</tr>{body}</table>")


def install(web_ui: Any, latest: Latest) -> None:
    from flask import Response, request  # Locust's web UI is Flask; imported only when a web UI exists

    web_ui.template_args["extendedTabs"] = [{"title": "loanqa", "key": TAB}]
    web_ui.template_args["extendedTables"] = [{"key": TAB, "structure": COLUMNS}]

    def _extend(response: Any) -> Any:
        if request.path != "/stats/requests" or not response.is_json:
            return response
        data = {**response.get_json(), "extendedStats": [{"key": TAB, "data": rows(latest.snapshot)}]}
        response.set_data(json.dumps(data))
        return response

    def _page() -> Any:
        return Response(page(latest.snapshot), mimetype="text/html")

    def _json() -> Any:
        snap = latest.snapshot
        return Response("{}" if snap is None else snap.model_dump_json(), mimetype="application/json")

    web_ui.app.after_request(_extend)
    web_ui.app.add_url_rule("/loanqa", "loanqa_page", _page)
    web_ui.app.add_url_rule("/loanqa.json", "loanqa_json", _json)
