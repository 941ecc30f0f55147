"""What both engines' workers run for the `data` mode: fit from a PyDataset and from
layerkit Datasets (each process passes the same one and takes its share of every
global batch), and the rows each process reads of an unseeded shuffled Dataset."""
import numpy as np

import layerkit as keras
from layerkit.training import data_adapters, process_share


class Batches(keras.utils.PyDataset):
    """The global batches of (x, y), `batch` rows each."""

    def __init__(self, x, y, batch):
        super().__init__()
        self.x, self.y, self.batch = x, y, batch

    def __len__(self):
        return len(self.x) // self.batch

    def __getitem__(self, i):
        rows = slice(i * self.batch, (i + 1) * self.batch)
        return self.x[rows], self.y[rows]


def fit_each_kind(make_model, x, y, batch, process):
    """{"sequence_w0": ..., "dataset_w0": ...} after two epochs on each, and the
    rows this process read of each global batch of an unseeded shuffle (2 epochs)."""
    out = {}
    m = make_model()
    m.fit(Batches(x, y, batch), epochs=2, shuffle=True, verbose=0)
    out.update({f"sequence_w{i}": w for i, w in enumerate(m.get_weights())})
    m = make_model()
    ds = keras.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=5).batch(batch)
    m.fit(ds, epochs=2, verbose=0)
    out.update({f"dataset_w{i}": w for i, w in enumerate(m.get_weights())})
    # Unseeded: each process's own entropy would shuffle it its own way.
    np.random.seed(100 + process)
    unseeded = keras.data.Dataset.range(len(x)).shuffle(len(x)).batch(batch).prefetch(2)
    adapter = data_adapters.make_adapter(unseeded)
    out["shares"] = np.stack([np.stack([process_share.share(b[0]) for b in adapter.epoch()])
                              for _ in range(2)])
    return out
