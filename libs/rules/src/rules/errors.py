"""The base error of the rules: a machine code and a human message."""


class RuleError(ValueError):
    """A broken rule. `code` is a stable slug (`claim.debtor_id_invalid`); `message` is for people.

    Messages never repeat the offending value: it may be personal data and errors end up in logs.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
