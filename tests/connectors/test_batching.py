from __future__ import annotations

import pytest

from connectors.batching import in_batches


def test_keys_are_split_in_order_at_the_limit() -> None:
    assert [list(b) for b in in_batches(list(range(7)), 3)] == [[0, 1, 2], [3, 4, 5], [6]]


def test_without_a_limit_one_batch_and_none_for_no_keys() -> None:
    assert [list(b) for b in in_batches([1, 2], None)] == [[1, 2]]
    assert list(in_batches([], 5)) == []


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        list(in_batches([1], 0))
