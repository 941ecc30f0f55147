"""`layerkit.wrappers`: Keras 3's scikit-learn wrappers (SKLearnClassifier,
SKLearnRegressor, SKLearnTransformer); Keras 2's KerasClassifier and KerasRegressor
are in `layerkit.wrappers.scikit_learn` (`keras.wrappers.scikit_learn`).
scikit-learn is an optional extra, needed when a wrapper is made."""
from layerkit.wrappers.sklearn_wrapper import (SKLearnClassifier as SKLearnClassifier,
                                               SKLearnRegressor as SKLearnRegressor,
                                               SKLearnTransformer as SKLearnTransformer)
