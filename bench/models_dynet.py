# bench/models_dynet.py — the TreeLSTM of examples/treelstm.dl in DyNet
# (dyNET38, CPU): one computation graph per tree, built as the recursion
# goes, the loss summed over its nodes, then backward and an Adagrad
# update. With --autobatch DyNet batches the graph's operations of the
# same shape (the nodes of a tree at the same depth, …) by itself.
# Same data, initial weights and hyper-parameters as the dlang example;
# the embedding table is a constant, as there.
#
#   python3 bench/models_dynet.py --init DIR [--data DIR] [--trees N] [--autobatch]
import sys
import time

import models_data as md


def main():
    parser = md.argument_parser(workloads=False)
    parser.add_argument("--autobatch", action="store_true")
    args = parser.parse_args()

    # DyNet reads its configuration once, when it is imported.
    import dynet_config
    dynet_config.set(mem=1024, random_seed=1, autobatch=1 if args.autobatch else 0)
    import dynet as dy

    trees, _ = md.trees(args.data, args.trees)
    weights, embedding = md.tree_init(args.init)
    model = dy.ParameterCollection()
    stored = {name: model.parameters_from_numpy(value) for name, value in weights.items()}
    table = model.lookup_parameters_from_numpy(embedding)
    trainer = dy.AdagradTrainer(model, learning_rate=md.TREE_LR, eps=md.ADAGRAD_EPS)
    # DyNet clips the gradient's norm to 5 by default; the other
    # implementations do not clip this model.
    trainer.set_clip_threshold(0)

    def node(p, tree, losses, seen):
        if len(tree) == 2:
            x = dy.lookup(table, tree[1], update=False)
            i = dy.logistic(p["wi"] * x + p["bi"])
            o = dy.logistic(p["wo"] * x + p["bo"])
            u = dy.tanh(p["wu"] * x + p["bu"])
            c = dy.cmult(i, u)
        else:
            hl, cl = node(p, tree[1], losses, seen)
            hr, cr = node(p, tree[2], losses, seen)
            i = dy.logistic(p["u0i"] * hl + p["u1i"] * hr + p["bi"])
            o = dy.logistic(p["u0o"] * hl + p["u1o"] * hr + p["bo"])
            u = dy.tanh(p["u0u"] * hl + p["u1u"] * hr + p["bu"])
            fl = dy.logistic(p["u00f"] * hl + p["u01f"] * hr + p["bf"])
            fr = dy.logistic(p["u10f"] * hl + p["u11f"] * hr + p["bf"])
            c = dy.cmult(i, u) + dy.cmult(fl, cl) + dy.cmult(fr, cr)
        h = dy.cmult(o, dy.tanh(c))
        logits = p["wout"] * h + p["bout"]
        losses.append(dy.pickneglogsoftmax(logits, tree[0]))
        if seen is not None:
            seen.append((logits, tree[0]))
        return h, c

    def graph(tree, seen=None):
        dy.renew_cg()
        losses = []
        node(stored, tree, losses, seen)
        return dy.esum(losses)

    start = time.perf_counter()
    total = 0.0
    for tree in trees:
        loss = graph(tree)
        total += loss.value()
        loss.backward()
        trainer.update()
    seconds = time.perf_counter() - start
    roots = hits = 0
    for tree in trees:
        seen = []
        graph(tree, seen)
        # Children first, so the root is the last node seen.
        rights = [int(logits.npvalue().argmax()) == label for logits, label in seen]
        roots += rights[-1]
        hits += sum(rights)
    md.tree_report(seconds, total, roots, hits, trees)
    return 0


if __name__ == "__main__":
    sys.exit(main())
