"""Where scoring runs: ``embedded`` (a jailed pool in the API process) or ``rq`` (Redis queue + workers).

The app picks one at start (:func:`reward_service.app.make_executor`); routes only see
:class:`~reward_service.executors.base.Executor`. ``rq_worker`` is the other end of the rq executor:
the ``prorl worker`` process that takes chunks off the queue.
"""
