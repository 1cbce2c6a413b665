"""Neural-network building blocks made of ``autograd.Value``s, in PyTorch's words."""

from nn.activations import ACTIVATIONS
from nn.compiled import CompiledLoss
from nn.init import INITS
from nn.io import load_model, save_model
from nn.layers import MLP, Layer, Neuron
from nn.losses import binary_cross_entropy, cross_entropy, hinge_loss, mse_loss
from nn.module import Module, StateDictError
from nn.optim import SGD, Adam, Optimizer

__all__ = [
    "Module",
    "StateDictError",
    "Neuron",
    "Layer",
    "MLP",
    "ACTIVATIONS",
    "INITS",
    "mse_loss",
    "binary_cross_entropy",
    "hinge_loss",
    "cross_entropy",
    "Optimizer",
    "SGD",
    "Adam",
    "save_model",
    "load_model",
    "CompiledLoss",
]
