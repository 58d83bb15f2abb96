"""prorl: multi-domain verifiable rewards and the ProRL GRPO trainer."""

__version__ = "0.1.0"
