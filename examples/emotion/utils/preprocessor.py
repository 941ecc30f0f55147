"""The seed's utils/preprocessor.py: pixels scaled to [-1, 1]."""


def preprocess_input(x, v2=True):
    x = x.astype('float32')
    x = x / 255.0
    if v2:
        x = x - 0.5
        x = x * 2.0
    return x
