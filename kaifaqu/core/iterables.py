"""Small helpers over iterables."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice


def chunks(items: Iterable, size: int) -> Iterator[list]:
    """`items` (any iterable, consumed lazily) in lists of `size`: a long `IN (…)` list in statements SQLite
    accepts, or a large insert in batches."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk
