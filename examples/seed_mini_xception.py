"""The seed's mini-Xception (the emotion classifier's model), written as Keras 2 code.

Run with `layerkit run examples/seed_mini_xception.py`: `keras` is layerkit. The seed
prints this model's summary (Total params 52,658, Trainable 51,186, Non-trainable
1,472); here it also trains one epoch on a few random 64x64 grey images.
"""
import numpy as np
from emotion.models.cnn import mini_XCEPTION   # the seed's models/cnn.py


input_shape = (64, 64, 1)
num_classes = 2
model = mini_XCEPTION(input_shape, num_classes)
model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
model.summary()

rng = np.random.default_rng(0)
faces = rng.uniform(0, 1, size=(16, 64, 64, 1)).astype('float32')
emotions = np.eye(num_classes, dtype='float32')[rng.integers(0, num_classes, 16)]
model.fit(faces, emotions, batch_size=8, epochs=1, verbose=2)
print('predictions', model.predict(faces[:2], verbose=0).shape)
