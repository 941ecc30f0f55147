"""The seed's flow_from_directory example, on a generated folder of images.

A temporary folder with 2 classes of random-pixel PNGs stands in for the
seed's dogs/cats sample; the seed's code then runs unchanged, except that its
undefined `print_result(...)` is replaced by printing the saved file names.
Run with `keras` aliased to layerkit (`layerkit run examples/seed_flow_from_directory.py`).
"""
import glob
import os
import tempfile

import numpy as np
from PIL import Image

from keras.preprocessing import image

root = tempfile.mkdtemp(prefix="seed_flow_from_directory_")
rng = np.random.default_rng(0)
for class_name in ("cats", "dogs"):
    os.makedirs(os.path.join(root, "dogs_cats_sample", class_name))
    for i in range(5 if class_name == "cats" else 4):
        pixels = rng.integers(0, 256, size=(120 + 10 * i, 160, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(os.path.join(root, "dogs_cats_sample", class_name, f"{i}.png"))

# --- the seed's code ---
path = os.path.join(root, 'dogs_cats_sample/')
gen_path = os.path.join(root, 'dogs_cats_gen/')
datagen = image.ImageDataGenerator()
gen_data = datagen.flow_from_directory(path, batch_size=1, shuffle=False,
                                       save_to_dir=gen_path+'18',
                                  save_prefix='gen', target_size=(224, 224))
for i in range(9):
    gen_data.next() #此处并不使用其返回值(x,y)元祖，只是将其保存图片。
# fig = print_result(gen_path+'18/*')  (not defined in the seed: print the saved files instead)
for name in sorted(os.path.basename(p) for p in glob.glob(gen_path + '18/*')):
    print(name)
