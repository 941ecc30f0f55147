# The seed's regression recipe: a linear last layer, loss 'mse', metric 'mae',
# and its custom metric built from keras.backend (K.mean).
import numpy as np
import keras.backend as K
from keras.models import Sequential
from keras.layers import Dense

x_train = np.random.random((500, 8))
y_train = x_train @ np.linspace(-1, 1, 8) + 0.5
x_test = np.random.random((100, 8))
y_test = x_test @ np.linspace(-1, 1, 8) + 0.5

model = Sequential()
model.add(Dense(32, activation='relu', input_shape=(8,)))
model.add(Dense(1))


def mean_pred(y_true, y_pred):
    return K.mean(y_pred)


model.compile(optimizer='adam',
              loss='mse',
              metrics=['mae', mean_pred])
model.summary()
model.fit(x_train, y_train, epochs=30, batch_size=32, verbose=2)
loss, mae, mp = model.evaluate(x_test, y_test, verbose=0)
print('test mse %.4f, mae %.4f, mean prediction %.4f' % (loss, mae, mp))
