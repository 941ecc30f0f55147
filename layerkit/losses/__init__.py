"""`layerkit.losses`: Keras's loss functions and classes (thin re-exports)."""
from layerkit.losses.classes import BinaryCrossentropy as BinaryCrossentropy
from layerkit.losses.classes import CategoricalCrossentropy as CategoricalCrossentropy
from layerkit.losses.classes import CategoricalHinge as CategoricalHinge
from layerkit.losses.classes import CosineSimilarity as CosineSimilarity
from layerkit.losses.classes import Hinge as Hinge
from layerkit.losses.classes import Huber as Huber
from layerkit.losses.classes import KLDivergence as KLDivergence
from layerkit.losses.classes import LogCosh as LogCosh
from layerkit.losses.classes import MeanAbsoluteError as MeanAbsoluteError
from layerkit.losses.classes import MeanAbsolutePercentageError as MeanAbsolutePercentageError
from layerkit.losses.classes import MeanSquaredError as MeanSquaredError
from layerkit.losses.classes import MeanSquaredLogarithmicError as MeanSquaredLogarithmicError
from layerkit.losses.classes import Poisson as Poisson
from layerkit.losses.classes import SparseCategoricalCrossentropy as SparseCategoricalCrossentropy
from layerkit.losses.classes import SquaredHinge as SquaredHinge
from layerkit.losses.functions import MAE as MAE
from layerkit.losses.functions import MAPE as MAPE
from layerkit.losses.functions import MSE as MSE
from layerkit.losses.functions import MSLE as MSLE
from layerkit.losses.functions import KLD as KLD
from layerkit.losses.functions import binary_crossentropy as binary_crossentropy
from layerkit.losses.functions import categorical_crossentropy as categorical_crossentropy
from layerkit.losses.functions import categorical_hinge as categorical_hinge
from layerkit.losses.functions import cosine_similarity as cosine_similarity
from layerkit.losses.functions import hinge as hinge
from layerkit.losses.functions import huber as huber
from layerkit.losses.functions import kl_divergence as kl_divergence
from layerkit.losses.functions import kld as kld
from layerkit.losses.functions import kullback_leibler_divergence as kullback_leibler_divergence
from layerkit.losses.functions import log_cosh as log_cosh
from layerkit.losses.functions import logcosh as logcosh
from layerkit.losses.functions import mae as mae
from layerkit.losses.functions import mape as mape
from layerkit.losses.functions import mean_absolute_error as mean_absolute_error
from layerkit.losses.functions import (
    mean_absolute_percentage_error as mean_absolute_percentage_error)
from layerkit.losses.functions import mean_squared_error as mean_squared_error
from layerkit.losses.functions import (
    mean_squared_logarithmic_error as mean_squared_logarithmic_error)
from layerkit.losses.functions import mse as mse
from layerkit.losses.functions import msle as msle
from layerkit.losses.functions import poisson as poisson
from layerkit.losses.functions import (
    sparse_categorical_crossentropy as sparse_categorical_crossentropy)
from layerkit.losses.functions import squared_hinge as squared_hinge
from layerkit.losses.loss import Loss as Loss
from layerkit.losses.loss import LossFunctionWrapper as LossFunctionWrapper
from layerkit.losses.loss_utils import Reduction as Reduction
from layerkit.losses.registry import deserialize as deserialize
from layerkit.losses.registry import get as get
from layerkit.losses.registry import serialize as serialize

cosine_proximity = cosine_similarity
