"""layerkit's main demo: scikit-learn's 8x8 digits (shipped with scikit-learn, no
download), a small network trained with fit, and the test accuracy."""
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import layerkit
from layerkit.layers import Dense, Dropout
from layerkit.models import Sequential
from layerkit.utils import set_random_seed, to_categorical

set_random_seed(0)
digits = load_digits()
x = (digits.data / 16.0).astype("float32")
y = to_categorical(digits.target, num_classes=10)
x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=0,
                                                    stratify=digits.target)

model = Sequential([
    Dense(128, activation="relu", input_shape=(64,)),
    Dropout(0.2),
    Dense(64, activation="relu"),
    Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
model.summary()
model.fit(x_train, y_train, epochs=30, batch_size=32, validation_split=0.1, verbose=1)
loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"engine: {layerkit.backend.backend()}  test loss: {loss:.4f}  test accuracy: {accuracy:.4f}")
