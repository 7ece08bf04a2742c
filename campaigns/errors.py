class CampaignError(Exception):
    """A launch or control step that cannot proceed; the message says why, for a person.
    `retryable` is true when the cause was transient (network, rate limit), so a task may retry."""

    def __init__(self, message: str, *, retryable: bool = False):
        super().__init__(message)
        self.retryable = retryable


class LaunchError(CampaignError):
    pass


class BudgetError(CampaignError):
    pass
