"""`layerkit.callbacks` (`keras.callbacks`): hooks into fit, evaluate and predict.

Each object is defined once in its own module and re-exported here.
"""
from layerkit.callbacks.backup_and_restore import BackupAndRestore as BackupAndRestore
from layerkit.callbacks.callback import Callback as Callback
from layerkit.callbacks.callback_list import CallbackList as CallbackList
from layerkit.callbacks.history import History as History
from layerkit.callbacks.lambda_callback import LambdaCallback as LambdaCallback
from layerkit.callbacks.model_checkpoint import ModelCheckpoint as ModelCheckpoint
from layerkit.callbacks.progbar_logger import ProgbarLogger as ProgbarLogger

__all__ = ["BackupAndRestore", "Callback", "CallbackList", "History", "LambdaCallback",
           "ModelCheckpoint", "ProgbarLogger"]
