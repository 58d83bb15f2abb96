"""Drives the real verl wheel against a running prorl service; run by test_verl.py in verl's environment.

Usage: ``python verl_driver.py SERVICE_URL`` with ``.venv-integrations/verl`` first on PYTHONPATH. Prints
one JSON object (the last stdout line) with what verl did, for the test to assert on. Nothing here
re-implements verl: the config is verl's own Hydra config composed with our overrides, the reward
function is loaded by verl's ``load_reward_manager`` inside verl's ``RewardLoopWorker`` (what each Ray
reward worker runs), and code goes through verl's own sandbox-fusion client. Only the tokenizer is
local: a character-level one built here, because nothing may be downloaded.
"""

from __future__ import annotations

import json
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

import numpy as np
import torch
import verl
from hydra import compose, initialize_config_dir
from verl import DataProto
from verl.experimental.reward_loop.reward_loop import RewardLoopWorker

import trainer_client.verl
import trainer_client.verl_manager
from tests.trainer_client.domain_samples import samples
from trainer_client.grpo.tiny_task import build_tokenizer

CONFIG_DIR = str(Path(verl.__file__).parent / "trainer" / "config")
PROMPT = "Q?"


def compose_config(overrides: list[str]) -> Any:
    """verl's ppo_trainer config as ``main_ppo`` composes it (same config dir and name)."""
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base=None):
        return compose(config_name="ppo_trainer", overrides=overrides)


def batch(tokenizer: Any, rows: list[dict[str, Any]], width: int) -> DataProto:
    """A rollout batch shaped as verl's agent loop hands it to the reward loop (left-padded prompts,
    right-padded responses of a fixed width, one attention mask over both)."""
    prompt_ids = tokenizer(PROMPT)["input_ids"]
    prompts, responses, masks = [], [], []
    for row in rows:
        ids = tokenizer(row["response"])["input_ids"][:width]
        if row.get("eos", True) and len(ids) < width:
            ids = ids + [tokenizer.eos_token_id]
        pad = width - len(ids)
        prompts.append(prompt_ids)
        responses.append(ids + [tokenizer.pad_token_id] * pad)
        masks.append([1] * len(prompt_ids) + [1] * len(ids) + [0] * pad)
    return DataProto.from_dict(
        tensors={"prompts": torch.tensor(prompts), "responses": torch.tensor(responses),
                 "attention_mask": torch.tensor(masks)},
        non_tensors={"data_source": np.array([r["data_source"] for r in rows], dtype=object),
                     "reward_model": np.array([{"ground_truth": r["ground_truth"], "style": "rule"} for r in rows],
                                              dtype=object),
                     "extra_info": np.array([dict(r.get("extra_info") or {"index": i}) for i, r in enumerate(rows)],
                                            dtype=object)})


def run_loop(overrides: list[str], data: DataProto) -> list[dict[str, Any]]:
    """verl's reward worker (what RewardLoopManager starts as a Ray actor) scoring a batch."""
    worker = RewardLoopWorker(compose_config(overrides))
    # The worker binds its manager to the event loop it found at construction (a Ray actor's loop).
    return worker.loop.run_until_complete(worker.compute_score_batch(data))


def main(url: str) -> dict[str, Any]:
    rows = [{"data_source": s.data_source, "response": s.response, "ground_truth": s.ground_truth,
             "expected": s.expected} for s in samples()]
    code_rows = [r for r in rows if r["data_source"] == "codecontests"]
    # Truncation: a right answer cut at the budget (fills the tensor, no EOS) must score 0 through our manager.
    cut = {"data_source": "lighteval/MATH", "response": "\\boxed{7} so", "ground_truth": "7", "eos": False}
    whole = {"data_source": "lighteval/MATH", "response": "\\boxed{7}", "ground_truth": "7"}
    texts = [PROMPT, cut["response"]] + [r["response"] for r in rows]
    tokenizer = build_tokenizer(sorted({ch for text in texts for ch in text}))
    width = max(len(tokenizer(t)["input_ids"]) for t in texts) + 1
    out: dict[str, Any] = {"verl_version": verl.__version__}
    with tempfile.TemporaryDirectory() as tok_dir:
        tokenizer.save_pretrained(tok_dir)
        base = [f"actor_rollout_ref.model.path={tok_dir}"]
        ours = [f"reward.custom_reward_function.path={trainer_client.verl.__file__}",
                "reward.custom_reward_function.name=compute_score",
                f"+reward.custom_reward_function.reward_kwargs.reward_url={url}"]
        config = compose_config(base + ours)
        out["custom_fn_path"] = config.reward.custom_reward_function.path
        results = run_loop(base + ours, batch(tokenizer, rows, width))
        out["naive"] = {"scores": [r["reward_score"] for r in results],
                        "extra": [r["reward_extra_info"] for r in results],
                        "expected": [r["expected"] for r in rows]}

        manager = ["reward.reward_manager.source=importlib", "reward.reward_manager.name=ProrlRewardManager",
                   f"reward.reward_manager.module.path={trainer_client.verl_manager.__file__}"]
        tight = len(tokenizer(cut["response"])["input_ids"])
        results = run_loop(base + ours + manager, batch(tokenizer, [cut, whole], tight))
        out["truncation"] = [r["reward_score"] for r in results]

        # The keys of verl <= 0.6 compose (hydra keeps the legacy block) but never reach the reward loop.
        legacy = compose_config(base + [f"custom_reward_function.path={trainer_client.verl.__file__}",
                                        "custom_reward_function.name=compute_score"])
        out["legacy_custom_fn_reaches_reward"] = legacy.reward.custom_reward_function.path is not None
        try:
            RewardLoopWorker(compose_config(base + ours + ["reward.reward_manager.name=batch"]))
            out["batch_manager"] = "accepted"
        except ValueError as exc:
            out["batch_manager"] = str(exc)

        for label, memory in (("sandbox", []), ("sandbox_memory_null", ["reward.sandbox_fusion.memory_limit_mb=null"])):
            results = run_loop(base + [f"reward.sandbox_fusion.url={url}/run_code"] + memory,
                               batch(tokenizer, code_rows, width))
            out[label] = {"scores": [r["reward_score"] for r in results],
                          "expected": [r["expected"] for r in code_rows]}
        out["dataset"] = dataset_rows(url, tok_dir, tokenizer)
    return out


def dataset_rows(url: str, tok_dir: str, tokenizer: Any) -> dict[str, Any]:
    """``prorl data`` Parquet read by verl's RLHFDataset, then scored from the columns verl hands on."""
    from omegaconf import OmegaConf
    from verl.utils.dataset.rl_dataset import RLHFDataset

    from trainer_client.data.records import make_record, write_records

    records = [make_record([{"role": "system", "content": "Box it."}, {"role": "user", "content": "1+1?"}],
                           "math", {"answer": "2"}, {"id": 1}),
               make_record([{"role": "user", "content": "Pick."}], "mcq", {"answer": "B"}, options={"reward": "binary"})]
    path = Path(tok_dir) / "train.parquet"
    write_records(records, path)
    dataset = RLHFDataset(str(path), tokenizer, OmegaConf.create({"filter_overlong_prompts": False,
                                                                    "cache_dir": str(Path(tok_dir) / "cache")}))
    rows = [dataset[i] for i in range(len(dataset))]
    answers = ["\\boxed{2}", "Answer: B"]
    scores = [trainer_client.verl.compute_score_sync(row["data_source"], answer, row["reward_model"]["ground_truth"],
                                                     row["extra_info"], reward_url=url)["score"]
              for row, answer in zip(rows, answers, strict=True)]
    return {"raw_prompts": [[dict(m) for m in row["raw_prompt"]] for row in rows],
            "prompts": [r["prompt"] for r in records], "scores": scores}


if __name__ == "__main__":
    try:
        print(json.dumps(main(sys.argv[1]), default=str))
    except Exception:
        traceback.print_exc()
        sys.exit(1)
