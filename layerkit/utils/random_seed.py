"""set_random_seed: one call seeds Python, numpy and layerkit (both engines)."""
import random

import numpy as np


def set_random_seed(seed):
    """The same seed gives the same initial weights, shuffles and dropout masks."""
    if not isinstance(seed, (int, np.integer)):
        raise ValueError(f"set_random_seed: seed must be an int, received {seed!r}.")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    from layerkit import initializers
    from layerkit import random as layerkit_random
    initializers.set_global_seed(seed)
    layerkit_random.set_global_seed(seed)
