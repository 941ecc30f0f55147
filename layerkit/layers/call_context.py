"""The per-thread state of layer calls: the `training` value of the enclosing
call (Keras's call context) and whether a checked Functional graph is running.

Kept in a threading.local so two threads calling models at once (one training,
one predicting) never see each other's flags.
"""
import threading


class _CallContext(threading.local):
    def __init__(self):
        # The `training` value of the outermost explicit call, seen by nested
        # layers that were not given one.
        self.training = []
        # Non-zero while a Functional graph runs: its layers' input shapes were
        # checked when the graph was built, so per-call InputSpec checks are skipped.
        self.checked_graph = 0


CALL_CONTEXT = _CallContext()


def current_training(default=False):
    """The `training` value of the enclosing call, or `default` outside any."""
    stack = CALL_CONTEXT.training
    return stack[-1] if stack else default
