"""Keras 2 spellings kept working with Keras 2 behaviour."""
