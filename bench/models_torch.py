# bench/models_torch.py — the workloads of bench/models.sh in PyTorch
# eager mode on the CPU, one thread: the same models, data, initial
# weights, hyper-parameters and step counts as the dlang examples
# (examples/{digits,cnn,charrnn,lstm,treelstm}.dl). Prints the training
# loop's seconds and a check value (models_data.report).
#
#   python3 bench/models_torch.py WORKLOAD --init DIR [--data DIR] [--steps N] [--epochs N]
#                                 [--trees N] [--float64]
#
# --float64 runs the same computation in double precision: how far the
# float32 runs drift from it says how much float32 rounding alone moves
# the check value (min-char-rnn's first Adagrad steps amplify it).
import time

import numpy as np
import torch
import torch.nn.functional as F

import models_data as md


def tensor(a):
    return torch.from_numpy(np.ascontiguousarray(a))


def param(a, dtype=torch.float32):
    return tensor(a).to(dtype).clone().requires_grad_(True)


def adagrad(params, memory, grads, lr, clip=None):
    with torch.no_grad():
        for p, m, g in zip(params, memory, grads):
            if clip is not None:
                g = g.clamp(-clip, clip)
            m += g * g
            p -= lr * g / torch.sqrt(m + md.ADAGRAD_EPS)


def char_model(args, lstm):
    codes, vocab = md.chars(args.data)
    hidden = md.CHAR_HIDDEN
    dtype = torch.float64 if args.float64 else torch.float32
    if lstm:
        def gates(prefix):
            return np.concatenate([md.init(args.init, f"lstm_{prefix}{g}") for g in "ifco"])
        arrays = [gates("wx"), gates("wh"), gates("b"),
                  md.init(args.init, "lstm_why"), md.init(args.init, "lstm_by")]
    else:
        arrays = [md.init(args.init, "rnn_" + n) for n in ["wxh", "whh", "bh", "why", "by"]]
    params = [param(a, dtype) for a in arrays]
    memory = [torch.zeros_like(p) for p in params]
    one_hot = torch.eye(vocab, dtype=dtype)
    zero = (torch.zeros(hidden, dtype=dtype), torch.zeros(hidden, dtype=dtype))

    def cell(x, state):
        wx, wh, b = params[0], params[1], params[2]
        h, c = state
        if not lstm:
            h = torch.tanh(wx @ x + wh @ h + b)
            return h, c
        z = wx @ x + wh @ h + b
        i, f, g, o = torch.sigmoid(z[:hidden]), torch.sigmoid(z[hidden:2 * hidden]), \
            torch.tanh(z[2 * hidden:3 * hidden]), torch.sigmoid(z[3 * hidden:])
        c = f * c + i * g
        return o * torch.tanh(c), c

    smooth = md.smoothed_start(vocab)
    state = zero
    start = time.perf_counter()
    for restart, inputs, targets in md.char_sequences(codes, args.steps):
        if restart:
            state = zero
        hs = []
        for ix in inputs:
            state = cell(one_hot[ix], state)
            hs.append(state[0])
        logits = torch.stack(hs) @ params[3].T + params[4]
        loss = F.cross_entropy(logits, tensor(targets), reduction="sum")
        grads = torch.autograd.grad(loss, params)
        adagrad(params, memory, grads, md.CHAR_LR, md.CHAR_CLIP)
        state = (state[0].detach(), state[1].detach())
        smooth = smooth * 0.999 + loss.item() * 0.001
    seconds = time.perf_counter() - start
    md.report(seconds, {"loss": smooth})


def digits_train(args, forward, params, optimizer, x, y):
    n = x.shape[0]
    start = time.perf_counter()
    for _ in range(args.epochs):
        total = 0.0
        for first, size in md.batches(n):
            optimizer.zero_grad()
            loss = F.cross_entropy(forward(x[first:first + size]), y[first:first + size])
            loss.backward()
            optimizer.step()
            total += loss.item() * size
    seconds = time.perf_counter() - start
    with torch.no_grad():
        accuracy = (forward(x).argmax(dim=1) == y).float().mean().item()
    md.report(seconds, {"loss": total / n, "accuracy": accuracy})


def mlp(args):
    x, y = md.digits(args.data)
    w1, b1, w2, b2 = [param(md.init(args.init, "mlp_" + n)) for n in ["w1", "b1", "w2", "b2"]]

    def forward(xb):
        return torch.relu(xb @ w1 + b1) @ w2 + b2

    optimizer = torch.optim.Adam([w1, b1, w2, b2], lr=md.MLP_LR)
    digits_train(args, forward, [w1, b1, w2, b2], optimizer, tensor(x), tensor(y))


def cnn(args):
    x, y = md.digits(args.data)
    x = x.reshape(-1, 1, 8, 8)
    cw, cb, fw, fb = [param(md.init(args.init, "cnn_" + n)) for n in ["cw", "cb", "fw", "fb"]]

    def forward(xb):
        maps = torch.relu(F.conv2d(xb, cw, cb, padding=1))
        pooled = F.max_pool2d(maps, 2)
        return pooled.reshape(xb.shape[0], -1) @ fw + fb

    optimizer = torch.optim.SGD([cw, cb, fw, fb], lr=md.CNN_LR)
    digits_train(args, forward, [cw, cb, fw, fb], optimizer, tensor(x), tensor(y))


def treelstm(args):
    trees, _ = md.trees(args.data, args.trees)
    weights, embedding = md.tree_init(args.init)
    p = {k: param(v) for k, v in weights.items()}
    params = list(p.values())
    memory = [torch.zeros_like(q) for q in params]
    embedding = tensor(embedding)

    def node(tree, seen=None):
        """(h, c) of the tree's root and the summed loss of its nodes;
        appends to `seen`, if given, whether each node's argmax is its
        label (children first, so the root comes last)."""
        if len(tree) == 2:
            x = embedding[tree[1]]
            i = torch.sigmoid(p["wi"] @ x + p["bi"])
            o = torch.sigmoid(p["wo"] @ x + p["bo"])
            u = torch.tanh(p["wu"] @ x + p["bu"])
            c = i * u
            below = 0.0
        else:
            (hl, cl), ll = node(tree[1], seen)
            (hr, cr), lr = node(tree[2], seen)
            i = torch.sigmoid(p["u0i"] @ hl + p["u1i"] @ hr + p["bi"])
            o = torch.sigmoid(p["u0o"] @ hl + p["u1o"] @ hr + p["bo"])
            u = torch.tanh(p["u0u"] @ hl + p["u1u"] @ hr + p["bu"])
            fl = torch.sigmoid(p["u00f"] @ hl + p["u01f"] @ hr + p["bf"])
            fr = torch.sigmoid(p["u10f"] @ hl + p["u11f"] @ hr + p["bf"])
            c = i * u + fl * cl + fr * cr
            below = ll + lr
        h = o * torch.tanh(c)
        logits = p["wout"] @ h + p["bout"]
        if seen is not None:
            seen.append(int(torch.argmax(logits)) == tree[0])
        return (h, c), below - torch.log_softmax(logits, 0)[tree[0]]

    start = time.perf_counter()
    total = 0.0
    for tree in trees:
        _, loss = node(tree)
        grads = torch.autograd.grad(loss, params)
        adagrad(params, memory, grads, md.TREE_LR)
        total += loss.item()
    seconds = time.perf_counter() - start
    roots = hits = 0
    with torch.no_grad():
        for tree in trees:
            seen = []
            node(tree, seen)
            roots += seen[-1]
            hits += sum(seen)
    md.tree_report(seconds, total, roots, hits, trees)


def main():
    parser = md.argument_parser()
    parser.add_argument("--float64", action="store_true")
    args = parser.parse_args()
    if args.float64 and args.workload not in ("charrnn", "lstm"):
        parser.error("--float64 is for charrnn and lstm")
    torch.set_num_threads(1)
    {"mlp": mlp, "cnn": cnn, "charrnn": lambda a: char_model(a, False),
     "lstm": lambda a: char_model(a, True), "treelstm": treelstm}[args.workload](args)


if __name__ == "__main__":
    main()
