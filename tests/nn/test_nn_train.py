"""End to end: small networks learn XOR with fixed seeds, through nn's models, losses and optimizers."""

from autograd import Value
from nn import MLP, SGD, Adam, binary_cross_entropy, cross_entropy, hinge_loss, mse_loss

X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
Y = [0.0, 1.0, 1.0, 0.0]


def train(model, opt, loss_fn, steps):
    for _ in range(steps):
        loss = loss_fn([model(x) for x in X])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return loss


def test_xor_with_sigmoid_output_bce_and_adam():
    model = MLP(2, [4, 1], output_activation="sigmoid", seed=0)
    loss = train(model, Adam(model, lr=0.1), lambda preds: binary_cross_entropy(preds, Y), 150)
    preds = [model(x).data for x in X]
    assert [p > 0.5 for p in preds] == [y == 1.0 for y in Y]  # zero classification error
    assert loss.data < 0.05


def test_xor_with_tanh_mse_and_sgd_momentum():
    model = MLP(2, [4, 1], output_activation="tanh", seed=1)
    targets = [2 * y - 1 for y in Y]  # -1 / +1
    loss = train(model, SGD(model, lr=0.1, momentum=0.9), lambda preds: mse_loss(preds, targets), 150)
    assert [model(x).data > 0 for x in X] == [t > 0 for t in targets]
    assert loss.data < 0.05


def test_xor_with_relu_hinge_and_l2_as_micrograd_demo():
    model = MLP(2, [8, 1], activation="relu", seed=0)
    labels = [2 * y - 1 for y in Y]
    inputs = [[Value(a), Value(b)] for a, b in X]
    opt = SGD(model, lr=0.1)
    for _ in range(200):
        loss = hinge_loss([model(x) for x in inputs], labels, alpha=1e-4, params=model)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert [model(x).data > 0 for x in inputs] == [y > 0 for y in labels]


def test_xor_as_two_classes_with_cross_entropy():
    model = MLP(2, [4, 2], seed=3)
    classes = [int(y) for y in Y]
    train(model, Adam(model, lr=0.1), lambda logits: cross_entropy(logits, classes), 150)
    predicted = [max(range(2), key=lambda k: model(x)[k].data) for x in X]
    assert predicted == classes
