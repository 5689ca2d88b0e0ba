"""The one user-facing error type.

A `UserError` is something the learner can fix (a typo, a missing file, an invalid manifest). It is
shown as one clear line and never with a traceback. Any other exception is a bug in k8slab.
"""


class UserError(Exception):
    """An error the user can fix; `str(err)` is the whole message they see."""

    exit_code = 1

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code
