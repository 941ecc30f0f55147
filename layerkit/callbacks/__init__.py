"""`layerkit.callbacks` (`keras.callbacks`): hooks into fit, evaluate and predict.

Each object is defined once in its own module and re-exported here.
"""
from layerkit.callbacks.backup_and_restore import BackupAndRestore as BackupAndRestore
from layerkit.callbacks.callback import Callback as Callback
from layerkit.callbacks.callback_list import CallbackList as CallbackList
from layerkit.callbacks.csv_logger import CSVLogger as CSVLogger
from layerkit.callbacks.early_stopping import EarlyStopping as EarlyStopping
from layerkit.callbacks.history import History as History
from layerkit.callbacks.lambda_callback import LambdaCallback as LambdaCallback
from layerkit.callbacks.learning_rate_scheduler import (
    LearningRateScheduler as LearningRateScheduler)
from layerkit.callbacks.model_checkpoint import ModelCheckpoint as ModelCheckpoint
from layerkit.callbacks.progbar_logger import ProgbarLogger as ProgbarLogger
from layerkit.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau as ReduceLROnPlateau
from layerkit.callbacks.remote_monitor import RemoteMonitor as RemoteMonitor
from layerkit.callbacks.tensorboard import TensorBoard as TensorBoard
from layerkit.callbacks.terminate_on_nan import TerminateOnNaN as TerminateOnNaN

__all__ = ["BackupAndRestore", "Callback", "CallbackList", "CSVLogger", "EarlyStopping",
           "History", "LambdaCallback", "LearningRateScheduler", "ModelCheckpoint",
           "ProgbarLogger", "ReduceLROnPlateau", "RemoteMonitor", "TensorBoard",
           "TerminateOnNaN"]
