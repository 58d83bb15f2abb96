"""The jail: the pre-forked pool of scoring processes that run untrusted answers through the scorers.

``pool`` (the parent side: dispatch, deadlines, recycling; ``messages`` and ``state`` its protocol and
bookkeeping), ``worker`` (the child process), ``isolation``, ``mounts`` and ``syscall`` (what a worker
gives up before it scores: network, capabilities, uid, its view of the filesystem) and ``budget`` (the
CPU-time clock and the wall-clock backstop).
"""
