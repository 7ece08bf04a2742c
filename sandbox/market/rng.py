"""Seeded randomness. Every draw comes from a generator seeded by what it is about
(seed, ad, day, purpose), never from a shared stream, so results do not depend on the
order in which ads are visited, nor on which other ads exist."""

from __future__ import annotations

import math
import random

# Below this mean, count draws are exact; above it, the normal approximation is within noise.
_EXACT_BELOW = 30


def rng(*parts) -> random.Random:
    # A str seed is hashed with SHA-512, so it is stable across processes and PYTHONHASHSEED.
    return random.Random(":".join(str(part) for part in parts))


def stable_gauss(*parts) -> float:
    return rng(*parts).gauss(0.0, 1.0)


def stable_unit(*parts) -> float:
    return rng(*parts).random()


def noise_factor(r: random.Random, sigma: float) -> float:
    """A lognormal factor with mean 1."""
    if sigma <= 0:
        return 1.0
    return math.exp(r.gauss(0.0, sigma) - sigma * sigma / 2)


def poisson(r: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean >= _EXACT_BELOW:
        return max(0, round(r.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, r.random()
    while product > limit:
        count += 1
        product *= r.random()
    return count


def binomial(r: random.Random, n: int, p: float) -> int:
    if n <= 0 or p <= 0:
        return 0
    if p >= 1:
        return n
    if n <= _EXACT_BELOW:
        return sum(r.random() < p for _ in range(n))
    mean = n * p
    if mean < _EXACT_BELOW:
        return min(n, poisson(r, mean))
    return min(n, max(0, round(r.gauss(mean, math.sqrt(mean * (1 - p))))))


def split_counts(r: random.Random, total: int, weights: list[float]) -> list[int]:
    """Spread `total` events over buckets with these weights (a multinomial draw)."""
    counts = [0] * len(weights)
    left, weight_left = total, sum(weights)
    for index, weight in enumerate(weights[:-1]):
        if left <= 0 or weight_left <= 0:
            break
        counts[index] = binomial(r, left, weight / weight_left)
        left -= counts[index]
        weight_left -= weight
    counts[-1] += max(left, 0)
    return counts
