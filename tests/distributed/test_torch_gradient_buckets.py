"""GradientReducer in one process (a gloo group of one, where the all-reduce is the
identity): whichever way the buckets fill, from backward hooks or after backward, the
gradients come back as autograd computed them, in the Variables' order."""
import pytest

import torch_launch


@pytest.fixture
def group_of_one():
    torch_launch.skip_unless_torch()
    import torch.distributed as dist
    dist.init_process_group("gloo", store=dist.HashStore(), rank=0, world_size=1)
    yield
    dist.destroy_process_group()


class _Variable:     # what GradientReducer reads of a Variable
    def __init__(self, value):
        self.value, self.shape = value, tuple(value.shape)


@pytest.mark.parametrize("bucket_bytes", [None, 64])
def test_reduced_gradients_are_autograds(group_of_one, bucket_bytes):
    import torch
    from layerkit.engine.torch.data_parallel import GradientReducer
    torch.manual_seed(0)
    values = [torch.randn(5, 4), torch.randn(4), torch.randn(4, 3), torch.randn(3),
              torch.randn(2)]                      # the last one takes no part
    reducer = GradientReducer([_Variable(v) for v in values], bucket_bytes=bucket_bytes)
    assert (len(reducer.buckets) > 1) == (bucket_bytes is not None)
    x = torch.randn(6, 5)
    for _ in range(2):      # the buckets are reused by the next step
        leaves = [v.detach().requires_grad_(True) for v in values]
        reducer.watch(leaves)
        loss = torch.tanh(torch.relu(x @ leaves[0] + leaves[1]) @ leaves[2] + leaves[3]).sum()
        local = torch.autograd.grad(loss, leaves, allow_unused=True)
        want = [g.clone() if g is not None else None for g in local]
        got = reducer.gradients(local)
        for g, w in zip(got[:4], want[:4]):
            torch.testing.assert_close(g, w, rtol=0, atol=0)
        assert want[4] is None and torch.equal(got[4], torch.zeros(2))
        values = [v - 0.1 * g for v, g in zip(values, got)]
