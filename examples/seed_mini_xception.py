"""The seed's mini-Xception (the emotion classifier's model), written as Keras 2 code.

Run with `layerkit run examples/seed_mini_xception.py`: `keras` is layerkit. The seed
prints this model's summary (Total params 52,658, Trainable 51,186, Non-trainable
1,472); here it also trains one epoch on a few random 64x64 grey images.
"""
import numpy as np
from keras import layers
from keras.layers import (Activation, BatchNormalization, Conv2D, GlobalAveragePooling2D,
                          Input, MaxPooling2D, SeparableConv2D)
from keras.models import Model
from keras.regularizers import l2


def mini_XCEPTION(input_shape, num_classes, l2_regularization=0.01):
    regularization = l2(l2_regularization)
    img_input = Input(input_shape)
    x = Conv2D(8, (3, 3), strides=(1, 1), kernel_regularizer=regularization,
               use_bias=False)(img_input)
    x = BatchNormalization()(x)
    x = Activation('relu')(x)
    x = Conv2D(8, (3, 3), strides=(1, 1), kernel_regularizer=regularization,
               use_bias=False)(x)
    x = BatchNormalization()(x)
    x = Activation('relu')(x)
    for filters in (16, 32, 64, 128):
        residual = Conv2D(filters, (1, 1), strides=(2, 2), padding='same', use_bias=False)(x)
        residual = BatchNormalization()(residual)
        x = SeparableConv2D(filters, (3, 3), padding='same',
                            kernel_regularizer=regularization, use_bias=False)(x)
        x = BatchNormalization()(x)
        x = Activation('relu')(x)
        x = SeparableConv2D(filters, (3, 3), padding='same',
                            kernel_regularizer=regularization, use_bias=False)(x)
        x = BatchNormalization()(x)
        x = MaxPooling2D((3, 3), strides=(2, 2), padding='same')(x)
        x = layers.add([x, residual])
    x = Conv2D(num_classes, (3, 3), padding='same')(x)
    x = GlobalAveragePooling2D()(x)
    output = Activation('softmax', name='predictions')(x)
    return Model(img_input, output)


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
