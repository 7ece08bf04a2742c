class OptimizationError(Exception):
    """A queue decision that cannot be made as asked; the message says why, for a person."""
