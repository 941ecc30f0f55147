# The seed's VGG-like convnet (Keras 2 code, unchanged but for the data sizes):
# 100x100x3 images, 10 classes, SGD with Keras 2's lr/decay keywords. The seed
# trains 100 images in batches of 32 for 10 epochs; here 16 images in batches of 8
# for 2 epochs keep the run short on a CPU, and the summary shows the model is
# the seed's.
import numpy as np
import keras
from keras.models import Sequential
from keras.layers import Dense, Dropout, Flatten
from keras.layers import Conv2D, MaxPooling2D
from keras.optimizers import SGD

# Dummy data.
x_train = np.random.random((16, 100, 100, 3))
y_train = keras.utils.to_categorical(np.random.randint(10, size=(16, 1)), num_classes=10)
x_test = np.random.random((8, 100, 100, 3))
y_test = keras.utils.to_categorical(np.random.randint(10, size=(8, 1)), num_classes=10)

model = Sequential()
# Input: 100x100 images with 3 channels -> (100, 100, 3) tensors.
# 32 convolution filters of size 3x3 each.
model.add(Conv2D(32, (3, 3), activation='relu', input_shape=(100, 100, 3)))
model.add(Conv2D(32, (3, 3), activation='relu'))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Dropout(0.25))

model.add(Conv2D(64, (3, 3), activation='relu'))
model.add(Conv2D(64, (3, 3), activation='relu'))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Dropout(0.25))

model.add(Flatten())
model.add(Dense(256, activation='relu'))
model.add(Dropout(0.5))
model.add(Dense(10, activation='softmax'))
model.summary()

sgd = SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True)
model.compile(loss='categorical_crossentropy', optimizer=sgd)

model.fit(x_train, y_train, batch_size=8, epochs=2)
score = model.evaluate(x_test, y_test, batch_size=8)
print("test loss", score)
