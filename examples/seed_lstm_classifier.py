# The seed's LSTM sequence classifier (Keras 2 code, unchanged but for the data):
# Embedding(20000 -> 256), LSTM(128), Dropout(0.5), Dense(1, sigmoid), rmsprop. The seed
# trains on its own sequences for 10 epochs in batches of 16; here 64 random sequences
# of 80 word ids train for 2 epochs, and the summary printed after training shows the
# model is the seed's.
import numpy as np
from keras.models import Sequential
from keras.layers import Dense, Dropout
from keras.layers import Embedding
from keras.layers import LSTM

max_features = 20000
x_train = np.random.randint(1, max_features, size=(64, 80))
y_train = np.random.randint(2, size=(64, 1))
x_test = np.random.randint(1, max_features, size=(32, 80))
y_test = np.random.randint(2, size=(32, 1))

model = Sequential()
model.add(Embedding(max_features, output_dim=256))
model.add(LSTM(128))
model.add(Dropout(0.5))
model.add(Dense(1, activation='sigmoid'))

model.compile(loss='binary_crossentropy',
              optimizer='rmsprop',
              metrics=['accuracy'])

model.fit(x_train, y_train, batch_size=16, epochs=2)
score = model.evaluate(x_test, y_test, batch_size=16)
model.summary()
print("test loss, accuracy", score)
