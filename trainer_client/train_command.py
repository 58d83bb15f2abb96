"""``prorl train``: the ProRL trainer from a YAML config and dotted overrides, locally or on a Ray cluster."""

from __future__ import annotations

import argparse
import sys


def train_main(argv: list[str]) -> int:
    """``prorl train --config configs/X.yaml [section.key=value ...]``"""
    parser = argparse.ArgumentParser(
        prog="prorl train",
        description="Run (or resume) ProRL GRPO training against a running reward service.",
        epilog="Overrides use dotted keys, e.g. algo.kl_coef=0 rollout.n_samples=8 run.steps=10. "
        "See docs/trainer.md for every key.\n\nexample:\n  prorl train --config configs/tiny-cpu.yaml run.steps=10",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--config", help="YAML config (configs/tiny-cpu.yaml, configs/prorl-1.5b.yaml)")
    parser.add_argument("--print-config", action="store_true", help="print the resolved config and exit")
    parser.add_argument("overrides", nargs="*", help="section.key=value")
    from trainer_client.ray.config import add_ray_arguments, ray_config_from_args  # no Ray import

    add_ray_arguments(parser)
    args = parser.parse_args(argv)

    from trainer_client.grpo.config import load_config

    try:
        cfg = load_config(args.config, args.overrides)
        ray_cfg = ray_config_from_args(args)
    except (ValueError, OSError) as exc:
        print(f"prorl train: bad config: {exc}", file=sys.stderr)
        return 2
    if args.print_config:
        import yaml

        print(yaml.safe_dump(cfg.to_dict(), sort_keys=False))
        return 0

    from trainer_client.client import service_problem

    problem = service_problem(cfg.service.url, cfg.service.api_key)
    if problem:
        print(f"prorl train: reward service at {cfg.service.url} is not usable: {problem}\n"
              "start one with `prorl serve` or set service.url=...", file=sys.stderr)
        return 2

    from tqdm import tqdm

    from trainer_client.client import RewardServiceError
    from trainer_client.ray.train import make_trainer

    try:
        trainer = make_trainer(cfg, ray_cfg)  # the local Trainer unless --ray-address was given
    except ConnectionError as exc:  # --ray-address auto without a cluster
        print(f"prorl train: {exc}", file=sys.stderr)
        return 2
    except (ValueError, OSError) as exc:  # a malformed data file, a mix naming absent domains, no model there
        print(f"prorl train: {exc}", file=sys.stderr)
        return 2
    bar = tqdm(total=cfg.run.steps, initial=trainer.step, desc="prorl train", disable=not cfg.run.progress,
               dynamic_ncols=True)

    def on_step(step: int, m: dict[str, float]) -> None:
        bar.update(1)
        bar.set_postfix(reward=f"{m.get('reward/mean', 0):.3f}", kl=f"{m.get('kl', 0):.2e}",
                        kept=f"{m.get('dynamic_sampling/kept_fraction', 0):.2f}", resets=int(m.get("resets", 0)))

    try:
        trainer.fit(on_step)
    except RewardServiceError as exc:
        print(f"prorl train: the reward service failed after retries ({exc}); the last checkpoint is in "
              f"{cfg.run.output_dir}, rerun the same command to resume", file=sys.stderr)
        return 1
    finally:
        bar.close()
        trainer.close()
    print(f"done: step {trainer.step}, outputs in {cfg.run.output_dir}", file=sys.stderr)
    return 0

