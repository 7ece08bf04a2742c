class CampaignError(Exception):
    """A launch or control step that cannot proceed; the message says why, for a person."""


class LaunchError(CampaignError):
    pass


class BudgetError(CampaignError):
    pass
