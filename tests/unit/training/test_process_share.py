"""training/process_share.py: the divisibility check and predict's padding under a
plan (one process here; the multi-process slicing runs in tests/distributed)."""
import numpy as np
import pytest

from layerkit.engine.common.distribution_plan import DistributionPlan, get_plan, set_plan
from layerkit.training import process_share

FOUR = DistributionPlan("data", (4,), ("batch",), tuple(f"cpu:{i}" for i in range(4)), "batch")


@pytest.fixture
def four_replicas():
    set_plan(FOUR)
    yield
    set_plan(None)


def test_without_a_plan_batches_pass_unchanged():
    assert get_plan() is None and not process_share.active()
    batch = (np.ones((6, 2)), np.ones(6), None)
    assert process_share.share(batch) is batch
    assert process_share.pad_rows(batch[0])[1] == 6


def test_a_batch_that_divides_is_whole_on_one_process(four_replicas):
    batch = (np.arange(16.0).reshape(8, 2), np.arange(8), None)
    assert process_share.share(batch) is batch
    stacked = np.zeros((3, 8, 2))   # steps_per_execution: rows on axis 1
    assert process_share.share((stacked, None, None), stacked=True)[0] is stacked


def test_a_batch_that_does_not_divide_names_both_numbers(four_replicas):
    with pytest.raises(ValueError, match=r"global batch size 6 does not divide by the 4 "
                                         r"model replicas .*'batch'.*multiple of 4"):
        process_share.share((np.ones((6, 2)), np.ones(6), None))


def test_predict_pads_its_last_batch(four_replicas):
    x = {"a": np.arange(10.0).reshape(5, 2), "b": np.arange(5)}
    padded, rows = process_share.pad_rows(x)
    assert rows == 5 and padded["a"].shape == (8, 2) and padded["b"].shape == (8,)
    np.testing.assert_array_equal(padded["a"][5:], np.repeat(x["a"][-1:], 3, axis=0))
    assert process_share.share(padded) is padded
