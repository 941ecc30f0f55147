# The seed's sequence classifier with 1D convolutions (Keras 2 code, unchanged but for
# the data): sequences of `seq_length` steps with 100 features, a binary label,
# rmsprop. The seed's snippet leaves seq_length and the data to the reader; here 64
# random sequences of 64 steps, in batches of 16 for 2 epochs (the seed trains 10),
# keep the run short on a CPU, and the summary shows the model is the seed's.
import numpy as np
from keras.models import Sequential
from keras.layers import Dense, Dropout
from keras.layers import Embedding
from keras.layers import Conv1D, GlobalAveragePooling1D, MaxPooling1D

seq_length = 64
x_train = np.random.random((64, seq_length, 100))
y_train = np.random.randint(2, size=(64, 1))
x_test = np.random.random((16, seq_length, 100))
y_test = np.random.randint(2, size=(16, 1))

model = Sequential()
model.add(Conv1D(64, 3, activation='relu', input_shape=(seq_length, 100)))
model.add(Conv1D(64, 3, activation='relu'))
model.add(MaxPooling1D(3))
model.add(Conv1D(128, 3, activation='relu'))
model.add(Conv1D(128, 3, activation='relu'))
model.add(GlobalAveragePooling1D())
model.add(Dropout(0.5))
model.add(Dense(1, activation='sigmoid'))
model.summary()

model.compile(loss='binary_crossentropy',
              optimizer='rmsprop',
              metrics=['accuracy'])

model.fit(x_train, y_train, batch_size=16, epochs=2)
score = model.evaluate(x_test, y_test, batch_size=16)
print("test loss and accuracy", score)
