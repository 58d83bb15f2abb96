"""``prorl audit``: score junk answers against a dataset's references and flag any reward that pays for junk.

A policy trained for 2,000 steps finds every answer that earns reward without solving the task. The audit
tries the classes of such answers that we know of (constants, ``nan``, echoes of the question, another
item's gold, fixed expressions, pathological inputs, hedges, do-nothing programs, instruction stuffing)
through the real scoring path, before the run does.

- :mod:`prorl.audit.junk`: the junk families, pure generators of answer texts.
- :mod:`prorl.audit.items`: what gets audited (data records, generated reasoning_gym entries, golden sets).
- :mod:`prorl.audit.report`: aggregation per task and family, flags, the table.
- :mod:`prorl.audit.audit_command`: the command line.
"""

from prorl.audit.items import AuditItem
from prorl.audit.junk import FAMILIES, Junk, junk_answers
from prorl.audit.report import Thresholds, build_report

__all__ = ["FAMILIES", "AuditItem", "Junk", "Thresholds", "build_report", "junk_answers"]
