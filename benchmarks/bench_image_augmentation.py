"""Images per second of ImageDataGenerator.flow: layerkit vs Keras's own.

Both generators get the same arguments (rotation_range=20,
width/height_shift_range=0.1, zoom_range=0.1, horizontal_flip=True) and the
same float32 RGB images holding uint8 values; each repeat times one full pass
(batch_size 32) of layerkit and of Keras, alternating, and the medians are
printed with their ratio. Keras (3.x ships the Keras 2 generator as
`keras.src.legacy.preprocessing.image`) is imported with KERAS_BACKEND=jax
unless a backend is already set; without Keras only layerkit is timed.

    python benchmarks/bench_image_augmentation.py [--repeats 5] [--sizes 64 224]
"""

import argparse
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from layerkit.preprocessing.image import ImageDataGenerator  # noqa: E402

AUGMENTATION = dict(rotation_range=20, width_shift_range=0.1, height_shift_range=0.1,
                    zoom_range=0.1, horizontal_flip=True)


def keras_generator_class():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    try:
        from keras.src.legacy.preprocessing.image import ImageDataGenerator as KerasGenerator
    except Exception as e:  # keras missing or unusable
        print(f"keras not importable ({type(e).__name__}: {e}); timing layerkit only")
        return None
    return KerasGenerator


def one_pass(generator_cls, x, y, batch_size, seed):
    it = generator_cls(**AUGMENTATION).flow(x, y, batch_size=batch_size, shuffle=True, seed=seed)
    start = time.perf_counter()
    for _ in range(len(it)):
        next(it)
    return len(x) / (time.perf_counter() - start)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 224])
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args(argv)
    keras_cls = keras_generator_class()
    rng = np.random.default_rng(0)
    print(f"cores: {os.cpu_count()}, repeats: {args.repeats}, batch_size: {args.batch_size}")
    for size in args.sizes:
        n = 512 if size <= 64 else 128
        x = rng.integers(0, 256, (n, size, size, 3)).astype("float32")
        y = rng.integers(0, 10, n)
        one_pass(ImageDataGenerator, x[:64], y[:64], args.batch_size, 0)  # warm up
        if keras_cls is not None:
            one_pass(keras_cls, x[:64], y[:64], args.batch_size, 0)
        ours, theirs = [], []
        for r in range(args.repeats):
            ours.append(one_pass(ImageDataGenerator, x, y, args.batch_size, r))
            if keras_cls is not None:
                theirs.append(one_pass(keras_cls, x, y, args.batch_size, r))
        line = f"{size}x{size}x3, {n} images: layerkit {statistics.median(ours):8.1f} img/s"
        if theirs:
            ratio = statistics.median(ours) / statistics.median(theirs)
            line += f" | keras {statistics.median(theirs):8.1f} img/s | ratio {ratio:.2f}x"
        print(line, flush=True)


if __name__ == "__main__":
    main()
