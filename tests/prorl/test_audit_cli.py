"""``prorl audit`` end to end through the real scoring path (jailed pool, or a running service): it flags a
plugin domain with a known reward hack, passes an honest one, and keeps its exit codes and JSON shape."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
PLUGIN = "auditplug=tests.prorl.audit_plugin_domain"


def _audit(args: list[str], tmp_path: Path, timeout_s: float = 300) -> tuple[int, dict | None, str]:
    """Run ``prorl audit`` in its own process (the plugin domain must be registered before the pool starts)."""
    out = tmp_path / "report.json"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT),
           "PRORL_EXTRA_DOMAINS": f"{os.environ.get('PRORL_EXTRA_DOMAINS', '')},{PLUGIN}".strip(",")}
    proc = subprocess.run([sys.executable, "-m", "prorl.cli", "audit", *args, "--out", str(out), "--no-progress"],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=timeout_s)
    report = json.loads(out.read_text()) if proc.returncode in (0, 1) else None
    return proc.returncode, report, proc.stdout + proc.stderr


def _write(path: Path, hole: str, n: int = 8, task: str | None = None) -> Path:
    with path.open("a") as f:
        for i in range(n):
            record = {"prompt": f"Say {i + 1}.", "domain": "auditplug",
                      "reference": {"answer": str(i + 1), "hole": hole}, "meta": {"task": task or hole}}
            f.write(json.dumps(record) + "\n")
    return path


@pytest.fixture(scope="module")
def gameable_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict | None, str]:
    tmp = tmp_path_factory.mktemp("audit")
    data = tmp / "data.jsonl"
    for hole in ("none", "nan", "yes", "infra"):
        _write(data, hole)
    return _audit([str(data), "--workers", "1", "--pathological-items", "1"], tmp)


def test_a_domain_that_pays_for_nan_a_constant_or_a_masked_status_is_flagged(gameable_run: tuple) -> None:
    code, report, output = gameable_run
    assert code == 1, output
    flags = {(f["task"], f["family"], f["answer"]) for f in report["flags"]}
    assert ("auditplug/nan", "non_finite", "nan [raw]") in flags
    assert ("auditplug/nan", "non_finite", "NaN [raw]") in flags
    assert ("auditplug/yes", "constant", "yes [raw]") in flags
    assert ("auditplug/infra", "non_finite", "inf [raw]") in flags  # infra_error: a trainer would drop it
    assert not [f for f in flags if f[0] == "auditplug/none"]
    assert {task for task, _, _ in flags} == {"auditplug/nan", "auditplug/yes", "auditplug/infra"}
    nan = report["tasks"]["auditplug/nan"]["families"]["non_finite"]
    assert nan["mean"] == 1.0 and nan["full_credit"] == 1.0 and nan["items"] == 8
    assert "FLAG auditplug/nan / non_finite / nan [raw]" in output


def test_report_json_shape(gameable_run: tuple) -> None:
    _, report, _ = gameable_run
    assert set(report) == {"tool", "source", "thresholds", "summary", "tasks", "flags", "warnings"}
    assert report["warnings"] == []
    assert report["thresholds"] == {"max_mean": 0.5, "max_full_credit": 0.5, "max_constant_binary": 0.6,
                                    "min_items": 4}
    assert report["summary"]["tasks"] == 4 and report["summary"]["items"] == 32
    task = report["tasks"]["auditplug/none"]
    assert task["domain"] == "auditplug" and task["items"] == 8 and task["binary"] is False
    assert task["gold_mean"] == 1.0  # the control: the gold itself pays, so the wrapping is right
    for family in task["families"].values():
        assert family["flags"] == [] and 0.0 <= family["mean"] <= family["max"] <= 1.0
        assert sum(family["statuses"].values()) == family["answers"]
    echo = task["families"]["echo"]["answers_by_label"]
    assert set(echo) >= {"raw [raw]", "homoglyph [raw]", "fullwidth [raw]"}


def test_an_honest_domain_passes_with_exit_0(tmp_path: Path) -> None:
    data = _write(tmp_path / "honest.jsonl", "none")
    code, report, output = _audit([str(data), "--workers", "1", "--families", "constant,non_finite,echo"], tmp_path)
    assert code == 0, output
    assert report["flags"] == [] and report["summary"]["flags"] == 0
    assert set(report["tasks"]["auditplug/none"]["families"]) == {"gold", "constant", "non_finite", "echo"}


@pytest.mark.parametrize("args", [
    [],  # nothing to audit
    ["/nonexistent/data.jsonl"],
    ["--tasks", "no_such_task"],
    ["--domains", "chess"],
    ["DATA", "--families", "constant,bogus"],
    ["BROKEN"],
])
def test_bad_input_exits_2(args: list[str], tmp_path: Path) -> None:
    data = _write(tmp_path / "d.jsonl", "none", n=1)
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"domain": "math", "reference": {"answer": "1"}}\nnot json\n')
    args = [str(data) if a == "DATA" else str(broken) if a == "BROKEN" else a for a in args]
    code, _, output = _audit(args, tmp_path, timeout_s=120)
    assert code == 2, output


def test_audit_of_a_running_service(reward_service_url: str, tmp_path: Path) -> None:
    """``--service-url`` scores through trainer_client's RewardClient: a probe reference that pays anything."""
    data = tmp_path / "probe.jsonl"
    data.write_text("".join(json.dumps({"domain": "probe", "reference": {"reward": r, "i": i},
                                        "meta": {"task": f"r{r}"}}) + "\n" for r in (0.0, 1.0) for i in range(4)))
    code, report, output = _audit([str(data), "--service-url", reward_service_url, "--families", "constant"],
                                  tmp_path)
    assert code == 1, output
    assert {f["task"] for f in report["flags"]} == {"probe/r1.0"}
    assert report["tasks"]["probe/r0.0"]["families"]["constant"]["mean"] == 0.0
