"""Root conftest: shared fixture plugins for real Docker, Redis and a running service."""

import os

# Deterministic and offline for every test.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# A test-only domain that exercises the jailed pool (hangs, crashes, memory bombs); see its module.
os.environ.setdefault("PRORL_EXTRA_DOMAINS", "probe=tests.verifiers.jail.pool_probe_domain")

pytest_plugins = ["tests.fixtures.service", "tests.fixtures.docker"]
