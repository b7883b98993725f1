# bench/models_jax.py — the workloads of bench/models.sh in JAX on the CPU
# (one thread), every training step one `jax.jit`-compiled function
# (forward, gradient and update), compiled ahead of time so the compile
# seconds are reported apart from the training loop's. Same models, data,
# initial weights, hyper-parameters and step counts as the dlang examples.
#
#   python3 bench/models_jax.py WORKLOAD --init DIR [--data DIR] [--steps N] [--epochs N]
#
# The TreeLSTM needs a fixed shape to compile: each tree is laid out as
# arrays (its leaves, then its inner nodes children first), padded to a
# bucket of sizes; the leaves are computed together, the inner nodes by a
# `lax.scan` in order, and padding is masked out of the loss. One step
# is still one tree, as in the other implementations.
import os
import time

os.environ.setdefault(
    "XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from jax import lax  # noqa: E402

import models_data as md  # noqa: E402

tree_map = jax.tree_util.tree_map


def adagrad(params, memory, grads, lr, clip=None):
    if clip is not None:
        grads = tree_map(lambda g: jnp.clip(g, -clip, clip), grads)
    memory = tree_map(lambda m, g: m + g * g, memory, grads)
    params = tree_map(lambda p, g, m: p - lr * g / jnp.sqrt(m + md.ADAGRAD_EPS),
                      params, grads, memory)
    return params, memory


def compile_ahead(fn, *args):
    """The compiled function and its compile seconds."""
    start = time.perf_counter()
    compiled = jax.jit(fn).lower(*args).compile()
    return compiled, time.perf_counter() - start


def char_model(args, lstm):
    codes, vocab = md.chars(args.data)
    hidden = md.CHAR_HIDDEN
    if lstm:
        def gates(prefix):
            return np.concatenate([md.init(args.init, f"lstm_{prefix}{g}") for g in "ifco"])
        params = {"wx": gates("wx"), "wh": gates("wh"), "b": gates("b"),
                  "why": md.init(args.init, "lstm_why"), "by": md.init(args.init, "lstm_by")}
    else:
        params = {"wx": md.init(args.init, "rnn_wxh"), "wh": md.init(args.init, "rnn_whh"),
                  "b": md.init(args.init, "rnn_bh"), "why": md.init(args.init, "rnn_why"),
                  "by": md.init(args.init, "rnn_by")}
    params = tree_map(jnp.asarray, params)
    memory = tree_map(jnp.zeros_like, params)

    def cell(p, state, x):
        h, c = state
        z = p["wx"] @ x + p["wh"] @ h + p["b"]
        if not lstm:
            h = jnp.tanh(z)
            return (h, c), h
        i, f = jax.nn.sigmoid(z[:hidden]), jax.nn.sigmoid(z[hidden:2 * hidden])
        g, o = jnp.tanh(z[2 * hidden:3 * hidden]), jax.nn.sigmoid(z[3 * hidden:])
        c = f * c + i * g
        h = o * jnp.tanh(c)
        return (h, c), h

    def loss(p, state, inputs, targets):
        state, hs = lax.scan(lambda s, x: cell(p, s, x), state, jax.nn.one_hot(inputs, vocab))
        logp = jax.nn.log_softmax(hs @ p["why"].T + p["by"])
        return -jnp.sum(logp[jnp.arange(md.SEQ_LENGTH), targets]), state

    def step(p, m, state, inputs, targets):
        (value, state), grads = jax.value_and_grad(loss, has_aux=True)(p, state, inputs, targets)
        p, m = adagrad(p, m, grads, md.CHAR_LR, md.CHAR_CLIP)
        return p, m, state, value

    zero = (jnp.zeros(hidden, jnp.float32), jnp.zeros(hidden, jnp.float32))
    sequences = [(r, jnp.asarray(i), jnp.asarray(t)) for r, i, t in md.char_sequences(codes, args.steps)]
    compiled, compile_seconds = compile_ahead(step, params, memory, zero, *sequences[0][1:])
    smooth = md.smoothed_start(vocab)
    state = zero
    start = time.perf_counter()
    for restart, inputs, targets in sequences:
        if restart:
            state = zero
        params, memory, state, value = compiled(params, memory, state, inputs, targets)
        smooth = smooth * 0.999 + float(value) * 0.001
    seconds = time.perf_counter() - start
    md.report(seconds, {"loss": smooth}, compile_seconds)


def cross_entropy(logits, labels):
    logp = jax.nn.log_softmax(logits)
    return -jnp.mean(logp[jnp.arange(logits.shape[0]), labels])


def digits_train(args, forward, params, state, update, x, y):
    """Trains in batches; `update(params, state, grads, t)` is the optimizer."""
    def step(p, s, t, xb, yb):
        value, grads = jax.value_and_grad(lambda q: cross_entropy(forward(q, xb), yb))(p)
        p, s = update(p, s, grads, t)
        return p, s, value

    n = x.shape[0]
    plan = md.batches(n)
    x, y = jnp.asarray(x), jnp.asarray(y)
    compiled = {}
    compile_seconds = 0.0
    for first, size in plan:
        if size not in compiled:
            compiled[size], seconds = compile_ahead(
                step, params, state, jnp.float32(1), x[:size], y[:size])
            compile_seconds += seconds
    batches = [(size, x[first:first + size], y[first:first + size]) for first, size in plan]
    t = 0
    start = time.perf_counter()
    for _ in range(args.epochs):
        total = 0.0
        for size, xb, yb in batches:
            t += 1
            params, state, value = compiled[size](params, state, jnp.float32(t), xb, yb)
            total += float(value) * size
    seconds = time.perf_counter() - start
    accuracy = float(jnp.mean(jnp.argmax(forward(params, x), axis=1) == y))
    md.report(seconds, {"loss": total / n, "accuracy": accuracy}, compile_seconds)


def mlp(args):
    x, y = md.digits(args.data)
    params = {n: jnp.asarray(md.init(args.init, "mlp_" + n)) for n in ["w1", "b1", "w2", "b2"]}

    def forward(p, xb):
        return jax.nn.relu(xb @ p["w1"] + p["b1"]) @ p["w2"] + p["b2"]

    beta1, beta2, eps = 0.9, 0.999, 1e-8

    # torch.optim.Adam's update, bias-corrected, eps outside the root.
    def adam(p, s, grads, t):
        m = tree_map(lambda m, g: beta1 * m + (1 - beta1) * g, s[0], grads)
        v = tree_map(lambda v, g: beta2 * v + (1 - beta2) * g * g, s[1], grads)
        c1, c2 = 1 - beta1 ** t, 1 - beta2 ** t
        p = tree_map(lambda p, m, v: p - (md.MLP_LR / c1) * m / (jnp.sqrt(v) / jnp.sqrt(c2) + eps),
                     p, m, v)
        return p, (m, v)

    zeros = tree_map(jnp.zeros_like, params)
    digits_train(args, forward, params, (zeros, zeros), adam, x, y)


def cnn(args):
    x, y = md.digits(args.data)
    x = x.reshape(-1, 1, 8, 8)
    params = {n: jnp.asarray(md.init(args.init, "cnn_" + n)) for n in ["cw", "cb", "fw", "fb"]}

    def forward(p, xb):
        maps = lax.conv_general_dilated(xb, p["cw"], (1, 1), ((1, 1), (1, 1)),
                                        dimension_numbers=("NCHW", "OIHW", "NCHW"))
        maps = jax.nn.relu(maps + p["cb"][None, :, None, None])
        pooled = lax.reduce_window(maps, -jnp.inf, lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")
        return pooled.reshape(xb.shape[0], -1) @ p["fw"] + p["fb"]

    def sgd(p, s, grads, t):
        return tree_map(lambda p, g: p - md.CNN_LR * g, p, grads), s

    digits_train(args, forward, params, (), sgd, x, y)


def tree_arrays(tree, leaves_pad, inner_pad):
    """A tree as padded arrays: leaf words and labels, and for each inner
    node (children first) the buffer indices of its children and its label;
    the buffer holds the leaves at [0, leaves_pad), inner nodes after."""
    words, leaf_labels, left, right, labels = [], [], [], [], []

    def walk(t):
        if len(t) == 2:
            words.append(t[1])
            leaf_labels.append(t[0])
            return len(words) - 1
        a, b = walk(t[1]), walk(t[2])
        left.append(a)
        right.append(b)
        labels.append(t[0])
        return leaves_pad + len(labels) - 1
    walk(tree)

    def pad(values, length):
        return np.array(values + [0] * (length - len(values)), dtype=np.int32)

    def mask(count, length):
        return np.array([1.0] * count + [0.0] * (length - count), dtype=np.float32)
    return (pad(words, leaves_pad), pad(leaf_labels, leaves_pad), mask(len(words), leaves_pad),
            pad(left, inner_pad), pad(right, inner_pad), pad(labels, inner_pad),
            mask(len(labels), inner_pad))


def bucket(leaves):
    """Padded (leaves, inner nodes) of a tree with `leaves` leaves."""
    size = -(-leaves // 16) * 16
    return size, size - 1


def count_leaves(t):
    return 1 if len(t) == 2 else count_leaves(t[1]) + count_leaves(t[2])


def treelstm(args):
    trees, _ = md.trees(args.data, args.trees)
    weights, embedding = md.tree_init(args.init)
    params = tree_map(jnp.asarray, weights)
    memory = tree_map(jnp.zeros_like, params)
    embedding = jnp.asarray(embedding)
    hidden = md.TREE_HIDDEN

    def node_losses(p, h, labels):
        logp = jax.nn.log_softmax(h @ p["wout"].T + p["bout"])
        return -logp[jnp.arange(h.shape[0]), labels], jnp.argmax(logp, axis=1) == labels

    def forward(p, words, leaf_labels, leaf_mask, left, right, labels, inner_mask):
        x = embedding[words]
        i = jax.nn.sigmoid(x @ p["wi"].T + p["bi"])
        o = jax.nn.sigmoid(x @ p["wo"].T + p["bo"])
        u = jnp.tanh(x @ p["wu"].T + p["bu"])
        c_leaf = i * u
        h_leaf = o * jnp.tanh(c_leaf)
        leaves = words.shape[0]
        inner = left.shape[0]
        h_all = jnp.concatenate([h_leaf, jnp.zeros((inner, hidden), jnp.float32)])
        c_all = jnp.concatenate([c_leaf, jnp.zeros((inner, hidden), jnp.float32)])

        def body(carry, k):
            hs, cs = carry
            hl, cl, hr, cr = hs[left[k]], cs[left[k]], hs[right[k]], cs[right[k]]
            i = jax.nn.sigmoid(p["u0i"] @ hl + p["u1i"] @ hr + p["bi"])
            o = jax.nn.sigmoid(p["u0o"] @ hl + p["u1o"] @ hr + p["bo"])
            u = jnp.tanh(p["u0u"] @ hl + p["u1u"] @ hr + p["bu"])
            fl = jax.nn.sigmoid(p["u00f"] @ hl + p["u01f"] @ hr + p["bf"])
            fr = jax.nn.sigmoid(p["u10f"] @ hl + p["u11f"] @ hr + p["bf"])
            c = i * u + fl * cl + fr * cr
            h = o * jnp.tanh(c)
            return (hs.at[leaves + k].set(h), cs.at[leaves + k].set(c)), None

        (h_all, _), _ = lax.scan(body, (h_all, c_all), jnp.arange(inner))
        leaf_loss, leaf_right = node_losses(p, h_leaf, leaf_labels)
        inner_loss, inner_right = node_losses(p, h_all[leaves:], labels)
        loss = jnp.sum(leaf_loss * leaf_mask) + jnp.sum(inner_loss * inner_mask)
        hits = jnp.sum(leaf_right * leaf_mask) + jnp.sum(inner_right * inner_mask)
        # The root is the last real inner node (or the only leaf).
        real_inner = jnp.sum(inner_mask).astype(jnp.int32)
        root = jnp.where(real_inner > 0, inner_right[jnp.maximum(real_inner - 1, 0)], leaf_right[0])
        return loss, (hits, root)

    def step(p, m, *arrays):
        (value, _), grads = jax.value_and_grad(forward, has_aux=True)(p, *arrays)
        p, m = adagrad(p, m, grads, md.TREE_LR)
        return p, m, value

    def predict(p, *arrays):
        return forward(p, *arrays)[1]

    laid_out = []
    for t in trees:
        leaves, inner = bucket(count_leaves(t))
        laid_out.append(((leaves, inner), tuple(jnp.asarray(a) for a in tree_arrays(t, leaves, inner))))
    compiled_steps, compiled_predict = {}, {}
    compile_seconds = 0.0
    for shape, arrays in laid_out:
        if shape not in compiled_steps:
            compiled_steps[shape], seconds = compile_ahead(step, params, memory, *arrays)
            compile_seconds += seconds
            compiled_predict[shape], _ = compile_ahead(predict, params, *arrays)
    start = time.perf_counter()
    total = 0.0
    for shape, arrays in laid_out:
        params, memory, value = compiled_steps[shape](params, memory, *arrays)
        total += float(value)
    seconds = time.perf_counter() - start
    roots = hits = 0
    for shape, arrays in laid_out:
        h, r = compiled_predict[shape](params, *arrays)
        hits += int(h)
        roots += int(r)
    md.tree_report(seconds, total, roots, hits, trees, compile_seconds)


def main():
    parser = md.argument_parser()
    args = parser.parse_args()
    {"mlp": mlp, "cnn": cnn, "charrnn": lambda a: char_model(a, False),
     "lstm": lambda a: char_model(a, True), "treelstm": treelstm}[args.workload](args)


if __name__ == "__main__":
    main()
