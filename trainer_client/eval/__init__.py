"""``prorl eval``: pass@k of a model through the reward service.

``eval_command`` (the command line), ``evaluate`` (generate n samples per problem and score them through the
service) and ``passk`` (the unbiased pass@k estimator, per-domain/per-task reports, the comparison plot).
"""
