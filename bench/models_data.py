# bench/models_data.py — the data, initial weights and hyper-parameters
# that the peers of bench/models.sh (models_torch.py, models_jax.py,
# models_dynet.py) share with the dlang examples, read the way the
# examples read them, so every implementation trains on the same numbers.
import argparse
import os
import re

import numpy as np

# min-char-rnn (examples/chartext.dl)
SEQ_LENGTH = 25
CHAR_HIDDEN = 50
CHAR_LR = 0.1
CHAR_CLIP = 5.0
# TreeLSTM (examples/treelstm.dl)
TREE_HIDDEN = 150
TREE_CLASSES = 5
TREE_LR = 0.05
# digits MLP (examples/digits.dl) and CNN (examples/cnn.dl)
BATCH = 32
MLP_LR = 1e-3
CNN_LR = 0.1
CNN_CHANNELS = 16
ADAGRAD_EPS = 1e-8


def init(directory, name):
    return np.load(os.path.join(directory, name + ".npy")).astype(np.float32)


def chars(data):
    """The text as vocabulary indices and the vocabulary size; the
    vocabulary is the distinct characters in code order."""
    text = open(os.path.join(data, "chars.txt"), encoding="utf-8").read()
    vocab = sorted(set(text))
    index = {c: i for i, c in enumerate(vocab)}
    return np.array([index[c] for c in text], dtype=np.int64), len(vocab)


def char_sequences(codes, steps):
    """What each training step of examples/chartext.dl reads: (restart,
    inputs, targets), restart saying that the state goes back to zero."""
    pos = 0
    for n in range(steps):
        restart = n == 0
        if pos + SEQ_LENGTH + 1 > len(codes):
            pos, restart = 0, True
        yield restart, codes[pos:pos + SEQ_LENGTH], codes[pos + 1:pos + SEQ_LENGTH + 1]
        pos += SEQ_LENGTH


def smoothed_start(vocab):
    return np.log(vocab) * SEQ_LENGTH


def digits(data):
    x = np.load(os.path.join(data, "digits_x.npy")).astype(np.float32)
    y = np.load(os.path.join(data, "digits_y.npy")).astype(np.int64)
    return x, y


def batches(count):
    """(first, size) of each batch, in file order, the last one partial."""
    return [(first, min(BATCH, count - first)) for first in range(0, count, BATCH)]


# A tree is (label, word) at a leaf and (label, left, right) inside, the
# words numbered in order of first appearance, as examples/treelstm.dl.
def trees(data, limit=0):
    index = {}
    result = []
    lines = [l for l in open(os.path.join(data, "sst_dev.txt"), encoding="utf-8") if l.strip()]
    if limit > 0:
        lines = lines[:limit]
    for line in lines:
        tokens = re.findall(r"\(|\)|[^\s()]+", line)
        tree, end = _read(tokens, 0, index)
        assert end == len(tokens), "text after a tree"
        result.append(tree)
    return result, len(index)


def _read(tokens, i, index):
    assert tokens[i] == "("
    label = int(tokens[i + 1])
    if tokens[i + 2] != "(":
        word = index.setdefault(tokens[i + 2], len(index))
        assert tokens[i + 3] == ")"
        return (label, word), i + 4
    left, i = _read(tokens, i + 2, index)
    right, i = _read(tokens, i, index)
    assert tokens[i] == ")"
    return (label, left, right), i + 1


def check_vocabulary(data, init):
    """The rows of tree_emb.npy follow ../sst_vocab.txt beside the init
    folder (the shared bench data); the examples number words by first
    appearance in sst_dev.txt. Fails unless the two orders agree."""
    listed = os.path.join(init, os.pardir, "sst_vocab.txt")
    if not os.path.exists(listed):
        return
    index = {}
    for line in open(os.path.join(data, "sst_dev.txt"), encoding="utf-8"):
        for word in re.findall(r"\(\d+ ([^()\s]+)\)", line):
            index.setdefault(word, len(index))
    words = open(listed, encoding="utf-8").read().split("\n")
    if words[-1] == "":
        words.pop()
    if list(index) != words:
        raise SystemExit(f"{listed} does not list the words of sst_dev.txt in order of first appearance")


def tree_size(tree):
    return 1 if len(tree) == 2 else 1 + tree_size(tree[1]) + tree_size(tree[2])


TREE_NAMES = ["wi", "wo", "wu", "u0i", "u1i", "u0o", "u1o", "u0u", "u1u",
              "u00f", "u01f", "u10f", "u11f", "bi", "bo", "bu", "bf", "wout", "bout"]


def tree_init(directory):
    """The TreeLSTM's parameters (name -> array) and the embedding table."""
    return ({n: init(directory, "tree_" + n) for n in TREE_NAMES},
            init(directory, "tree_emb"))


def tree_report(seconds, total, roots, hits, trees, compile_seconds=None):
    """The TreeLSTM's check: mean loss per node over the epoch, then the
    accuracy at the roots and at all nodes after it."""
    nodes = sum(tree_size(t) for t in trees)
    report(seconds, {"loss": total / nodes, "root_accuracy": roots / len(trees),
                     "node_accuracy": hits / nodes}, compile_seconds)


def argument_parser(workloads=True):
    """The command line every peer takes (the DyNet one runs only the
    TreeLSTM, so it has no workload argument)."""
    parser = argparse.ArgumentParser()
    if workloads:
        parser.add_argument("workload", choices=["mlp", "cnn", "charrnn", "lstm", "treelstm"])
        parser.add_argument("--steps", type=int, default=1000)
        parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--init", required=True)
    parser.add_argument("--data", default="examples/data")
    parser.add_argument("--trees", type=int, default=0)
    return parser


def report(seconds, check, compile_seconds=None):
    """The lines bench/models.sh reads from every peer."""
    if compile_seconds is not None:
        print(f"compile seconds: {compile_seconds:.3f}")
    print(f"training seconds: {seconds:.3f}")
    print("check: " + " ".join(f"{k}={v:.7g}" for k, v in check.items()))
