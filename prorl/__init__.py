"""prorl: multi-domain verifiable rewards and the ProRL GRPO trainer.

The version is the installed distribution's (``pyproject.toml`` is its one source), the same string the
reward service reports in ``versions`` and its OpenAPI document.
"""

from importlib import metadata

try:
    __version__ = metadata.version("prorl")
except metadata.PackageNotFoundError:  # run from a source tree without `pip install -e .`
    __version__ = "0+unknown"
