"""CI files are checked the way CI would reject them: workflow schemas (offline), Kubernetes schemas, policies."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from loanqa import allure_labels
from loanqa.gate import load_policy
from loanqa.journey_steps import STEP_NAMES
from loanqa_loadtests.control.proxy_place import placement
from loanqa_netprofiles.catalog import list_profiles
from loanqa_netprofiles.control import load_mix

ROOT = Path(__file__).resolve().parents[2]
CI = ROOT / "ci"
CHECK = Path(sys.executable).parent / "check-jsonschema"
GITHUB = sorted((CI / "github").glob("*.yml"))
K8S = sorted((CI / "k8s").glob("*.yaml"))


def check_schema(schema: str, *files: Path) -> subprocess.CompletedProcess[str]:
    assert CHECK.is_file(), "check-jsonschema missing: run `bash ci/setup.sh` (installs the dev extras)"
    return subprocess.run([str(CHECK), "--builtin-schema", schema, *map(str, files)], capture_output=True,
                          text=True, timeout=60)


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_github_workflows_pass_the_schema() -> None:
    assert {p.name for p in GITHUB} == {"nightly-devices.yml", "stress.yml", "release-gate.yml"}
    res = check_schema("vendor.github-workflows", *GITHUB)
    assert res.returncode == 0, res.stdout + res.stderr


def test_workflow_linter_rejects_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text((CI / "github" / "stress.yml").read_text().replace("runs-on:", "runs_on:"))
    res = check_schema("vendor.github-workflows", broken)
    assert res.returncode == 1 and "'runs-on' is a required property" in res.stdout


def test_gitlab_pipeline_passes_the_schema() -> None:
    res = check_schema("vendor.gitlab-ci", CI / "gitlab" / ".gitlab-ci.yml")
    assert res.returncode == 0, res.stdout + res.stderr


def _runs(workflow: dict[str, Any]) -> list[str]:
    return [s.get("run", "") for job in workflow["jobs"].values() for s in job["steps"]]


@pytest.mark.parametrize("path", GITHUB, ids=lambda p: p.name)
def test_workflow_inputs_never_reach_a_shell_inline(path: Path) -> None:
    assert not [r for r in _runs(load(path)) if "${{" in r], "pass inputs through env: (script injection)"


def test_triggers_schedule_manual_target() -> None:
    nightly, stress = load(CI / "github" / "nightly-devices.yml"), load(CI / "github" / "stress.yml")
    assert nightly[True]["schedule"][0]["cron"]  # YAML 1.1 reads `on:` as True
    target = stress[True]["workflow_dispatch"]["inputs"]["target"]
    assert target["required"] is True


def test_release_gate_publishes_report_summarises_and_fails_the_job() -> None:
    wf = load(CI / "github" / "release-gate.yml")
    steps = wf["jobs"]["gate"]["steps"]
    gate = next(s for s in steps if s.get("id") == "gate")
    assert "loanqa gate" in gate["run"] and "--markdown-out gate.md" in gate["run"]
    assert any("GITHUB_STEP_SUMMARY" in s.get("run", "") and s.get("if") == "always()" for s in steps)
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["if"] == "always()" and "allure-report" in upload["with"]["path"]
    last = steps[-1]
    assert last["if"] == "steps.gate.outputs.exit != '0'" and "exit 1" in last["run"]


def _k8s_docs() -> list[tuple[str, dict[str, Any]]]:
    return [(p.name, d) for p in K8S for d in yaml.safe_load_all(p.read_text(encoding="utf-8")) if d]


@pytest.mark.parametrize(("name", "doc"), _k8s_docs(), ids=lambda v: v if isinstance(v, str) else v["kind"])
def test_k8s_manifest_is_valid_kubernetes(name: str, doc: dict[str, Any]) -> None:
    try:
        kubernetes_validate.validate(doc, "1.30", strict=True)
    except kubernetes_validate.ValidationError as exc:
        pytest.fail(f"{name}: {doc['kind']} {doc['metadata']['name']}: {exc.message}")
    if doc["kind"] != "Namespace":
        assert doc["metadata"]["namespace"] == "loanqa"


def test_locust_runs_are_bounded_and_workers_find_the_master() -> None:
    docs = {(d["kind"], d["metadata"]["name"]): d for _, d in _k8s_docs()}
    master, workers = docs[("Job", "locust-master")], docs[("Job", "locust-workers")]
    assert master["spec"]["activeDeadlineSeconds"] <= 2 * 3600
    assert "--master" in master["spec"]["template"]["spec"]["containers"][0]["command"]
    cmd = workers["spec"]["template"]["spec"]["containers"][0]["command"]
    assert cmd[cmd.index("--master-host") + 1] == "locust-master"
    assert ("Service", "locust-master") in docs and ("Service", "toxiproxy") in docs


def _flag(cmd: list[str], name: str) -> str:
    return cmd[cmd.index(name) + 1]


def test_workers_reach_every_proxy_the_master_places_on_the_toxiproxy_service() -> None:
    docs = {(d["kind"], d["metadata"]["name"]): d for _, d in _k8s_docs()}
    (master,) = docs[("Job", "locust-master")]["spec"]["template"]["spec"]["containers"]
    cmd, env = master["command"], {e["name"]: e.get("value") for e in master["env"]}
    place = placement(_flag(cmd, "--proxy-host"), _flag(cmd, "--proxy-bind"), _flag(cmd, "--proxy-ports"))
    assert place.host == "toxiproxy" and ("Service", place.host) in docs
    assert env["TOXIPROXY_URL"] == f"http://{place.host}:8474"
    place.check_room(len(load_mix(env["NETWORK_MIX"]).weights), env["NETWORK_MIX"])
    wanted = set(range(place.first_port, place.last_port + 1))
    (toxiproxy,) = docs[("Deployment", "toxiproxy")]["spec"]["template"]["spec"]["containers"]
    assert wanted <= {p["containerPort"] for p in toxiproxy["ports"]}
    assert wanted <= {p["port"] for p in docs[("Service", "toxiproxy")]["spec"]["ports"]}
    (worker,) = docs[("Job", "locust-workers")]["spec"]["template"]["spec"]["containers"]
    worker_env = {e["name"]: e["value"] for e in worker["env"]}
    assert worker_env["DURATION"] == env["DURATION"], "a worker waits as long as the master runs"


def test_k8s_validator_rejects_a_typo() -> None:
    (_, doc), *_ = [d for d in _k8s_docs() if d[1]["kind"] == "Job"]
    doc["spec"]["template"]["spec"]["containers"][0]["imagePullPolcy"] = "Always"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(doc, "1.30", strict=True)


@pytest.mark.parametrize("policy", sorted((CI / "gates").glob("*.yaml")), ids=lambda p: p.name)
def test_gate_policies_load(policy: Path) -> None:
    assert load_policy(policy).name == policy.stem


JOURNEY_STEPS = frozenset(STEP_NAMES)  # the step names every runner records


@pytest.mark.parametrize("policy", sorted((CI / "gates").glob("*.yaml")), ids=lambda p: p.name)
def test_gate_policies_name_only_real_steps_and_profiles(policy: Path) -> None:
    """A step or profile that no run ever records fails the gate for ever (fail closed), so catch typos here."""
    load = load_policy(policy).load
    slos = [] if load is None else load.slos
    known_profiles = {p.name for p in list_profiles()}
    assert {s.step for s in slos if s.step} <= JOURNEY_STEPS
    assert {s.profile for s in slos if s.profile} <= known_profiles


@pytest.mark.parametrize("policy", sorted((CI / "gates").glob("*.yaml")), ids=lambda p: p.name)
def test_gate_policies_name_features_the_suites_label(policy: Path) -> None:
    """A critical feature no producer labels would fail every release as 'none found'."""
    crit = load_policy(policy).critical
    assert crit is not None and crit.features
    assert set(crit.features) <= set(allure_labels.FEATURES)


def test_load_slo_files_use_the_journey_step_names() -> None:
    for path in (ROOT / "loadtests" / "slos").glob("*.yaml"):
        steps = {s["step"] for s in load(path).get("slos", []) if s.get("step")}
        assert steps <= JOURNEY_STEPS, (path, steps - JOURNEY_STEPS)


def test_lab_matrix_runs_on_a_labelled_self_hosted_runner_and_emulated_on_hosted() -> None:
    jobs = load(CI / "github" / "nightly-devices.yml")["jobs"]
    lab, emulated = jobs["lab"], jobs["emulated"]
    assert "self-hosted" in lab["runs-on"] and "device-lab" in lab["runs-on"]
    assert any("nightly-lab.yaml" in str(v) for v in lab["env"].values())
    assert emulated["runs-on"].startswith("ubuntu-")
    assert any("ci-emulated.yaml" in s.get("run", "") for s in emulated["steps"])
    assert not any("nightly-lab" in s.get("run", "") for s in emulated["steps"])
    gitlab = load(CI / "gitlab" / ".gitlab-ci.yml")
    assert gitlab["nightly-devices-lab"]["tags"] == ["device-lab"]
    assert "tags" not in gitlab["nightly-devices-emulated"]
    assert any("ci-emulated.yaml" in line for line in gitlab["nightly-devices-emulated"]["script"])


@pytest.mark.parametrize("path", GITHUB, ids=lambda p: p.name)
def test_github_jobs_cache_pip_npm_apt_and_bring_node_22(path: Path) -> None:
    wf = load(path)
    assert {"PIP_CACHE_DIR", "npm_config_cache", "LOANQA_APT_CACHE"} <= set(wf["env"])
    for name, job in wf["jobs"].items():
        if "self-hosted" in job["runs-on"]:
            continue  # the lab host keeps its own caches and Node
        steps = job["steps"]
        cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache@"))
        assert ".cache" in cache["with"]["path"] and ".tools" in cache["with"]["path"], name
        assert steps.index(cache) < next(i for i, s in enumerate(steps) if "ci/setup.sh" in s.get("run", ""))
        node = next(s for s in steps if s.get("uses", "").startswith("actions/setup-node@"))
        assert int(node["with"]["node-version"]) >= 22


def test_gitlab_image_brings_a_node_appium_accepts_and_caches_downloads() -> None:
    gitlab = load(CI / "gitlab" / ".gitlab-ci.yml")
    image = gitlab["default"]["image"]
    assert image.startswith("node:") and int(image.split(":")[1].split("-")[0]) >= 22
    assert set(gitlab["default"]["cache"]["paths"]) >= {".cache/pip", ".cache/npm", ".cache/apt", ".tools"}
    assert {"PIP_CACHE_DIR", "npm_config_cache", "LOANQA_APT_CACHE"} <= set(gitlab["variables"])
    gate_caches = gitlab["release-gate"]["cache"]
    assert gitlab["default"]["cache"] in gate_caches and any(c["key"] == "allure-history" for c in gate_caches)


def test_release_gates_upload_the_single_file_report_with_the_verdict() -> None:
    steps = load(CI / "github" / "release-gate.yml")["jobs"]["gate"]["steps"]
    runs = [s.get("run", "") for s in steps]
    gate = next(i for i, r in enumerate(runs) if "loanqa gate" in r)
    report = next(i for i, r in enumerate(runs) if "loanqa report" in r)
    assert gate < report and "--single-file" in runs[report] and "--gate-verdict gate.json" in runs[report]
    script = load(CI / "gitlab" / ".gitlab-ci.yml")["release-gate"]["script"]
    line = next(s for s in script if "loanqa report" in s)
    assert "--single-file" in line and "$VERDICT" in line
    assert script.index(line) > next(i for i, s in enumerate(script) if "loanqa gate" in s)


@pytest.mark.parametrize(("node", "npm", "ok"), [
    ("v18.19.0", "9.2.0", False), ("v20.18.1", "10.8.2", False), ("v20.19.0", "10.8.2", True),
    ("v22.11.0", "10.9.0", False), ("v22.12.0", "10.9.0", True), ("v24.1.0", "11.3.0", True),
    ("v22.12.0", "9.2.0", False)])
def test_setup_checks_the_node_version_and_says_how_to_fix_it(tmp_path: Path, node: str, npm: str, ok: bool) -> None:
    for name, version in (("node", node), ("npm", npm)):
        tool = tmp_path / name
        tool.write_text(f"#!/bin/sh\necho {version}\n")
        tool.chmod(0o755)
    done = subprocess.run(["bash", str(CI / "check-node.sh")], env={"PATH": f"{tmp_path}:/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=30, check=False)
    assert (done.returncode == 0) is ok, done.stderr
    if not ok:
        assert f"node {node}, npm {npm}: Appium 3.8 needs Node ^20.19, ^22.12 or >= 24" in done.stderr
        assert "Fix: install Node 22 LTS" in done.stderr and "node:22-bookworm" in done.stderr


def test_master_results_outlive_the_job_and_a_reader_can_copy_them() -> None:
    docs = {(d["kind"], d["metadata"]["name"]): d for _, d in _k8s_docs()}
    master = docs[("Job", "locust-master")]["spec"]["template"]["spec"]
    (container,) = master["containers"]
    out = _flag(container["command"], "--out")
    (mount,) = container["volumeMounts"]
    assert out.startswith(mount["mountPath"] + "/"), "a run folder inside the volume, never the mount point itself"
    assert {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}} in container["env"]
    claim = next(v for v in master["volumes"] if v["name"] == mount["name"])["persistentVolumeClaim"]["claimName"]
    assert ("PersistentVolumeClaim", claim) in docs
    reader = docs[("Pod", "results-reader")]["spec"]
    assert reader["volumes"][0]["persistentVolumeClaim"] == {"claimName": claim, "readOnly": True}
    assert reader["activeDeadlineSeconds"] <= 3600


def test_loanqa_pods_run_as_the_images_non_root_user() -> None:
    containerfile = (CI / "Containerfile").read_text()
    assert "USER 10001:10001" in containerfile
    for _, doc in _k8s_docs():
        if doc["kind"] not in {"Job", "Pod"} or "toxiproxy" in doc["metadata"]["name"]:
            continue
        spec = doc["spec"]["template"]["spec"] if doc["kind"] == "Job" else doc["spec"]
        assert spec["securityContext"]["runAsNonRoot"] is True and spec["securityContext"]["runAsUser"] == 10001
        for c in spec["containers"]:
            assert c["securityContext"]["allowPrivilegeEscalation"] is False


def test_grafana_dashboard_queries_only_series_the_metrics_endpoint_exports() -> None:
    import json
    import re

    from loanqa_loadtests.run import metrics

    dashboard = json.loads((CI / "grafana" / "loanqa-load.json").read_text(encoding="utf-8"))
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    used = {m for e in exprs for m in re.findall(r"\b(loanqa_[a-z_]+)", e)}
    source = Path(metrics.__file__).read_text(encoding="utf-8")
    exported = set(re.findall(r'"(loanqa_[a-z_]+)"', source))
    families = {u.removesuffix("_total").removesuffix("_bucket") for u in used}
    assert used and families <= exported, families - exported
