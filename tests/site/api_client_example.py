"""Stationmaster API example, using only `requests`.

Creates a programme with two projects and a dependency between them, submits this week's
status report for both, and reads back the programme with its projects' latest reports.

    python api_client_example.py https://stationmaster.example.org <token>

The token comes from /account/api-tokens/ (a PMO's token: creating programmes is PMO's).
"""

import sys
import time
from typing import Any

import requests

GREEN = {name: "green" for name in ("schedule", "cost", "scope", "resources", "risk", "overall")}


class Api:
    def __init__(self, base_url: str, token: str) -> None:
        self.root = base_url.rstrip("/") + "/api/v1/"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        response = self.session.request(method, self.root + path, timeout=30, **kwargs)
        if response.status_code >= 400:
            # Errors are JSON naming the field and the reason, e.g. {"code": ["..."]}.
            raise RuntimeError(f"{method} {path} → {response.status_code}: {response.text}")
        return response

    def get(self, path: str, **params: Any) -> Any:
        return self.call("GET", path, params=params).json()

    def post(self, path: str, body: dict[str, Any], **headers: str) -> requests.Response:
        return self.call("POST", path, json=body, headers=headers)


def run(base_url: str, token: str) -> dict[str, Any]:
    api = Api(base_url, token)
    suffix = str(int(time.time()))
    portfolios = api.get("portfolios/", ordering="name")["results"]
    portfolio = (
        portfolios[0]
        if portfolios
        else api.post("portfolios/", {"code": f"API-{suffix}", "name": "API demo"}).json()
    )
    programme = api.post(
        "programmes/",
        {"portfolio": portfolio["id"], "code": f"PG-{suffix}", "name": f"Programme {suffix}"},
    ).json()
    projects = [
        api.post(
            "projects/",
            {
                "portfolio": portfolio["id"],
                "programme": programme["id"],
                "code": f"{name[:3].upper()}-{suffix}",
                "name": f"{name} {suffix}",
                "baseline_start": "2026-01-05",
                "baseline_finish": "2026-12-18",
                "budget": "250000.00",
            },
        ).json()
        for name in ("Platform", "Payments")
    ]
    upstream, downstream = projects
    api.post(
        "dependencies/",
        {
            "upstream": upstream["id"],
            "downstream": downstream["id"],
            "description": "Payments needs the platform's API",
        },
    )
    for project in projects:
        # Opens this week's draft; its ETag guards the submit against someone else's edit.
        draft = api.post(
            "status-reports/",
            {
                "project": project["id"],
                **GREEN,
                "percent_complete": 25,
                "accomplishments": "Kick-off done",
            },
        )
        api.post(
            f"status-reports/{draft.json()['id']}/submit/",
            {},
            **{"If-Match": draft.headers["ETag"]},
        )
    # Read it back: the programme, its projects, and each project's latest submitted report.
    programme = api.get(f"programmes/{programme['id']}/")
    members = api.get("projects/", programme=programme["id"])["results"]
    reports = api.get(
        "status-reports/", programme=programme["id"], state="submitted", latest="true"
    )["results"]
    latest: dict[int, dict[str, Any]] = {}
    for report in reports:  # newest period first
        latest.setdefault(report["project"], report)
    # Health is recomputed by a worker a moment after the submits: wait for it.
    health = None
    for _ in range(60):
        found = api.get("health/programmes/", programme=programme["id"], current="true")
        if found["results"]:
            health = found["results"][0]
            break
        time.sleep(0.5)
    summary = {
        "programme": programme,
        "health": health,
        "projects": [
            {**project, "latest_report": latest.get(project["id"])} for project in members
        ],
    }
    overall = health["overall"] if health else "not computed yet"
    print(f"{programme['code']} {programme['name']}: health {overall}")
    for project in summary["projects"]:
        report = project["latest_report"]
        status = f"{report['period']}: {report['overall']}" if report else "no report yet"
        print(f"  {project['code']} {project['name']}: {status}")
    return summary


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(f"usage: {sys.argv[0]} BASE_URL TOKEN")
    run(sys.argv[1], sys.argv[2])
