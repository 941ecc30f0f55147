# The seed's functional API example: Input -> Dense -> Model, then a model
# with several inputs and outputs built from lists.
import numpy as np
from keras.models import Model
from keras.layers import Input, Dense

a = Input(shape=(32,))
b = Dense(32)(a)
model = Model(inputs=a, outputs=b)
model.summary()

a1 = Input(shape=(32,))
a2 = Input(shape=(16,))
b1 = Dense(8)(a1)
b3 = Dense(4)(a2)
model = Model(inputs=[a1, a2], outputs=[b1, b3, b3])
model.summary()
outputs = model.predict([np.random.random((5, 32)), np.random.random((5, 16))])
print([o.shape for o in outputs])
