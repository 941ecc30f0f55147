"""`keras.datasets`: the small datasets of the Keras examples, read from Keras's
cache (`$KERAS_HOME/datasets/` or `~/.keras/datasets/`) with Keras's file names
and hashes, so files downloaded by Keras are used as they are."""
from layerkit.datasets import boston_housing as boston_housing
from layerkit.datasets import california_housing as california_housing
from layerkit.datasets import cifar10 as cifar10
from layerkit.datasets import cifar100 as cifar100
from layerkit.datasets import fashion_mnist as fashion_mnist
from layerkit.datasets import imdb as imdb
from layerkit.datasets import mnist as mnist
from layerkit.datasets import reuters as reuters
