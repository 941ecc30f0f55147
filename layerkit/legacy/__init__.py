"""Keras 2 spellings kept working with Keras 2 behaviour: the K functions behind the
public `layerkit.backend` and their graph evaluation.

legacy/ is on the top floor, so a Keras 2 spelling that a lower floor itself must
accept lives in that floor, in a file named for it: optimizers/legacy_keywords.py
(`lr`, `decay`, `epsilon=None`), training/legacy_keywords.py (`nb_epoch`) and
training/legacy_methods.py (`fit_generator` & co.)."""
