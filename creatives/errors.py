class CreativeError(ValueError):
    """A request the pipeline refuses (a batch of 0, retrying a finished job); says why."""
