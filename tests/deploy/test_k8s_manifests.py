"""deploy/k8s: every manifest validates against the Kubernetes OpenAPI schema, and the pieces fit.

Schema check: ``kubernetes-validate`` (PyPI; it ships the upstream JSON schemas, so no network),
strict mode, so a misspelt field fails instead of being silently dropped by the API server.
Cross-references are checked by hand: selectors, Service -> pods, HPA -> Deployment, config refs.
"""

from __future__ import annotations

import copy
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
K8S_VERSION = "1.30"


def _docs() -> list[dict]:
    docs = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        docs += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return docs


DOCS = _docs()


def _by_kind(kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in DOCS if doc["kind"] == kind}


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_manifest_validates_against_the_kubernetes_schema(doc: dict) -> None:
    kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_the_validator_rejects_a_broken_manifest() -> None:
    broken = copy.deepcopy(_by_kind("Deployment")["prorl-api"])
    broken["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSION, strict=True)
    misspelt = copy.deepcopy(_by_kind("Deployment")["prorl-api"])
    misspelt["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyy"] = "Always"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(misspelt, K8S_VERSION, strict=True)


def test_kustomization_lists_every_manifest_and_image() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    files = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files
    images = {image["name"] for image in kustomization["images"]}
    used = {c["image"] for d in _by_kind("Deployment").values() for c in d["spec"]["template"]["spec"]["containers"]}
    assert used <= images, f"images without a kustomize override: {used - images}"
    assert all(doc["metadata"].get("namespace", kustomization["namespace"]) == kustomization["namespace"]
               for doc in DOCS if doc["kind"] != "Namespace")


def test_selectors_services_and_autoscaler_point_at_real_pods() -> None:
    deployments = _by_kind("Deployment")
    assert {"prorl-api", "prorl-worker", "prorl-redis"} <= set(deployments)
    pod_labels = {}
    for name, deployment in deployments.items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items(), name
        pod_labels[name] = labels
    for name, service in _by_kind("Service").items():
        selected = [d for d, labels in pod_labels.items() if service["spec"]["selector"].items() <= labels.items()]
        assert selected, f"Service {name} selects no pods"
        named_ports = {p["name"] for c in deployments[selected[0]]["spec"]["template"]["spec"]["containers"]
                       for p in c.get("ports", [])}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in named_ports, f"Service {name} targets unknown port {port['targetPort']}"
    hpa = _by_kind("HorizontalPodAutoscaler")["prorl-api"]
    assert hpa["spec"]["scaleTargetRef"]["name"] in deployments
    api = deployments["prorl-api"]["spec"]["template"]["spec"]["containers"][0]
    assert api["resources"]["requests"]["cpu"], "a CPU HPA needs CPU requests"


def test_config_wiring_and_least_privilege() -> None:
    config = _by_kind("ConfigMap")["prorl-config"]["data"]
    assert config["PRORL_REDIS_URL"].startswith("redis://prorl-redis:6379/")
    assert "prorl-redis" in _by_kind("Service")
    deployments = _by_kind("Deployment")
    for name in ("prorl-api", "prorl-worker"):
        spec = deployments[name]["spec"]["template"]["spec"]
        container = spec["containers"][0]
        assert {"configMapRef": {"name": "prorl-config"}} in container["envFrom"], name
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert container["securityContext"]["allowPrivilegeEscalation"] is False, name
    # Only workers get the Docker socket (root-equivalent on the node).
    for name, deployment in deployments.items():
        paths = [v.get("hostPath", {}).get("path") for v in deployment["spec"]["template"]["spec"].get("volumes", [])]
        assert ("/var/run/docker.sock" in paths) == (name == "prorl-worker"), name
    api = deployments["prorl-api"]["spec"]["template"]["spec"]["containers"][0]
    assert api["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert api["livenessProbe"]["httpGet"]["path"] == "/healthz"


def test_scrape_annotations_name_a_port_the_pod_serves_metrics_on() -> None:
    deployments = _by_kind("Deployment")
    scraped = {name: d for name, d in deployments.items()
               if d["spec"]["template"]["metadata"].get("annotations", {}).get("prometheus.io/scrape") == "true"}
    assert {"prorl-api", "prorl-worker"} <= set(scraped)
    for name, deployment in scraped.items():
        port = int(deployment["spec"]["template"]["metadata"]["annotations"]["prometheus.io/port"])
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        assert port in {p["containerPort"] for p in container.get("ports", [])}, name
    worker = deployments["prorl-worker"]["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e.get("value") for e in worker["env"]}
    assert int(env["PRORL_WORKER_METRICS_PORT"]) == int(
        deployments["prorl-worker"]["spec"]["template"]["metadata"]["annotations"]["prometheus.io/port"])
    assert env["PRORL_WORKER_METRICS_HOST"] == "0.0.0.0"  # reachable by Prometheus from other pods
