"""A stand-in for the seed's utils/datasets.py: DataManager gives random 64x64 grey
faces with one-hot labels of 7 emotions instead of reading fer2013.csv."""
import os

import numpy as np


class DataManager(object):
    def __init__(self, dataset_name='fer2013', dataset_path=None, image_size=(48, 48)):
        self.dataset_name = dataset_name
        self.image_size = image_size

    def get_data(self):
        n = int(os.environ.get('LAYERKIT_EMOTION_SAMPLES', '40'))
        rng = np.random.default_rng(0)
        faces = rng.integers(0, 256, size=(n,) + tuple(self.image_size) + (1,)).astype('float32')
        emotions = np.eye(7, dtype='float32')[rng.integers(0, 7, n)]
        return faces, emotions


def split_data(x, y, validation_split=.2):
    num_samples = len(x)
    num_train_samples = int((1 - validation_split) * num_samples)
    train_data = (x[:num_train_samples], y[:num_train_samples])
    val_data = (x[num_train_samples:], y[num_train_samples:])
    return train_data, val_data
