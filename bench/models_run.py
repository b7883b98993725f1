# bench/models_run.py — runs every workload of bench/models.sh in dlang
# (each backend) and in each peer, then prints the table of training-loop
# seconds and the checks side by side. bench/models.sh sets up the venv
# and the build and calls this with the venv's Python, from the
# repository root:
#
#   python bench/models_run.py --dlang target/release/dlang --init DIR
#                              [--only NAME,…] [--scale small]
#
# Every program reports its own training-loop seconds (dlang: the
# examples' `time`/`training time` lines; the peers: `training seconds`),
# so starting Python, importing a framework, loading data and JAX's
# compilation are not in the figure (JAX's compile seconds are shown
# apart). `--scale small` runs a few steps of each, to try the script.
import argparse
import os
import re
import subprocess
import sys

import models_data as md

# name, description, dlang example, its arguments, the peers' arguments
# (both at full scale, then small), and the peers that implement it.
WORKLOADS = [
    ("mlp", "digits MLP 64-128-10, Adam, 20 epochs", "examples/digits.dl",
     (["--epochs", "20"], ["--epochs", "1"]), (["--epochs", "20"], ["--epochs", "1"]),
     ["torch", "jax"]),
    ("cnn", "CNN conv3x3-relu-pool-linear, SGD, 10 epochs", "examples/cnn.dl",
     (["--epochs", "10"], ["--epochs", "1"]), (["--epochs", "10"], ["--epochs", "1"]),
     ["torch", "jax"]),
    ("charrnn", "min-char-rnn, 1000 sequences of 25", "examples/charrnn.dl",
     (["--steps", "1000", "--sample", "0"], ["--steps", "20", "--sample", "0"]),
     (["--steps", "1000"], ["--steps", "20"]), ["torch", "jax"]),
    ("lstm", "char LSTM, 1000 sequences of 25", "examples/lstm.dl",
     (["--steps", "1000", "--sample", "0"], ["--steps", "20", "--sample", "0"]),
     (["--steps", "1000"], ["--steps", "20"]), ["torch", "jax"]),
    ("treelstm", "TreeLSTM, 1 epoch over 1101 SST trees", "examples/treelstm.dl",
     (["--epochs", "1"], ["--epochs", "1", "--trees", "20"]), ([], ["--trees", "20"]),
     ["torch", "jax", "dynet", "dynet-ab"]),
]

PEER_TITLES = {"torch": "PyTorch eager", "jax": "JAX jit", "dynet": "DyNet",
               "dynet-ab": "DyNet autobatch"}


def run(command, refusal=None):
    """stdout and stderr of `command`; (None, stderr) if it failed with
    `refusal` in its stderr, any other failure ends the bench."""
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0 and refusal is not None and refusal in done.stderr:
        return None, done.stderr
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"bench/models_run.py: failed: {' '.join(command)}")
    return done.stdout, done.stderr


def last(pattern, text):
    found = re.findall(pattern, text)
    return float(found[-1]) if found else None


def dlang_result(out):
    """Training seconds and check values from an example's output."""
    total = last(r"training time ([0-9.]+)s", out)
    seconds = total if total is not None else sum(
        float(s) for s in re.findall(r"time ([0-9.]+)s", out))
    check = {"loss": last(r"loss ([-0-9.e]+)", out),
             "accuracy": last(r"training accuracy ([0-9.]+)", out),
             "root_accuracy": last(r"root accuracy ([0-9.]+)", out),
             "node_accuracy": last(r"node accuracy ([0-9.]+)", out)}
    return {"seconds": seconds, "check": {k: v for k, v in check.items() if v is not None}}


def peer_result(out):
    check = {}
    for line in out.splitlines():
        if line.startswith("check: "):
            for item in line[len("check: "):].split():
                key, value = item.split("=")
                check[key] = float(value)
    return {"seconds": last(r"training seconds: ([0-9.]+)", out),
            "compile": last(r"compile seconds: ([0-9.]+)", out), "check": check}


def jit_built(dlang):
    _, err = run([dlang, "run", "--backend", "jit", "examples/hello.dl"])
    return "not built" not in err


def loadavg():
    return "%.1f" % os.getloadavg()[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dlang", default="target/release/dlang")
    parser.add_argument("--init", required=True)
    parser.add_argument("--only", default="")
    parser.add_argument("--scale", choices=["full", "small"], default="full")
    args = parser.parse_args()
    small = args.scale == "small"
    only = set(args.only.split(",")) if args.only else None
    python = sys.executable
    md.check_vocabulary("examples/data", args.init)
    backends = ["interp"] + (["jit"] if jit_built(args.dlang) else [])

    results = {}
    for name, description, example, dlang_args, peer_args, peers in WORKLOADS:
        if only and name not in only:
            continue
        row = {"load_before": loadavg()}
        for backend in backends:
            command = [args.dlang, "run", "--backend", backend, example, "--",
                       "--init", args.init] + dlang_args[small]
            out = run(command, refusal="[E401]" if backend == "jit" else None)[0]
            if out is not None:  # None: the JIT does not compile this program yet
                row["dlang-" + backend] = dlang_result(out)
        peer_common = ["--init", args.init] + peer_args[small]
        for peer in peers:
            if peer in ("torch", "jax"):
                command = [python, f"bench/models_{peer}.py", name] + peer_common
            else:
                command = [python, "bench/models_dynet.py"] + peer_common + (
                    ["--autobatch"] if peer == "dynet-ab" else [])
            row[peer] = peer_result(run(command)[0])
        if name in ("charrnn", "lstm"):
            out, _ = run([python, "bench/models_torch.py", name, "--float64"] + peer_common)
            row["torch-f64"] = peer_result(out)
        row["load_after"] = loadavg()
        results[name] = row
        print(f"{name}: done (load {row['load_before']} -> {row['load_after']})", flush=True)

    if small:
        print("\n(--scale small: a few steps of each workload; the descriptions below are the "
              "full run's)")
    print_table(results, backends)
    print_checks(results)


def print_table(results, backends):
    print("\n## Training-loop seconds (one run each; lower is better)\n")
    print("| workload | dlang interp | dlang jit | PyTorch eager | JAX jit (+compile) | DyNet "
          "| DyNet autobatch | fastest peer | interp / fastest | jit / fastest | load |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, description, *_ in WORKLOADS:
        if name not in results:
            continue
        row = results[name]
        peers = {p: row[p]["seconds"] for p in PEER_TITLES if p in row}
        fastest = min(peers, key=peers.get)
        interp = row["dlang-interp"]["seconds"]
        jit, jit_ratio = "not built", "—"
        if "jit" in backends and "dlang-jit" not in row:
            jit = "E401"
        elif "jit" in backends:
            jit = "%.3f" % row["dlang-jit"]["seconds"]
            jit_ratio = "%.2f×" % (row["dlang-jit"]["seconds"] / peers[fastest])

        def cell(p):
            if p not in row:
                return "—"
            text = "%.3f" % row[p]["seconds"]
            if row[p].get("compile") is not None:
                text += " (+%.1f)" % row[p]["compile"]
            return text
        print(f"| {description} | {interp:.3f} | {jit} | {cell('torch')} | {cell('jax')} "
              f"| {cell('dynet')} | {cell('dynet-ab')} | {PEER_TITLES[fastest]} "
              f"| {interp / peers[fastest]:.2f}× | {jit_ratio} "
              f"| {row['load_before']} → {row['load_after']} |")


def print_checks(results):
    print("\n## Checks (final loss, accuracies) side by side\n")
    print("dlang prints 4 decimals (so ±5e-5 is its print rounding), the peers 7 significant "
          "digits. `largest difference` is the largest absolute difference between dlang's "
          "value on the interpreter and a peer's (or the JIT's). For the character models PyTorch also runs in float64: its "
          "float32 run's distance from that is how far float32 rounding alone moves the value.\n")
    print("| workload | value | dlang interp | dlang jit | PyTorch | JAX | DyNet | DyNet ab "
          "| largest difference | PyTorch f32 − f64 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, *_ in WORKLOADS:
        if name not in results:
            continue
        row = results[name]
        for key, mine in row["dlang-interp"]["check"].items():
            values = {p: row[p]["check"].get(key) for p in PEER_TITLES if p in row}
            jit = row["dlang-jit"]["check"].get(key) if "dlang-jit" in row else None
            others = list(values.values()) + [jit]
            largest = max((abs(v - mine) for v in others if v is not None), default=0.0)
            f64 = ""
            if "torch-f64" in row and key in row["torch-f64"]["check"]:
                f64 = "%.1e" % abs(values["torch"] - row["torch-f64"]["check"][key])

            def show(p):
                v = values.get(p)
                return "—" if v is None else "%.7g" % v
            print(f"| {name} | {key} | {mine:g} | {'—' if jit is None else f'{jit:g}'} "
                  f"| {show('torch')} | {show('jax')} | {show('dynet')} "
                  f"| {show('dynet-ab')} | {largest:.1e} | {f64} |")


if __name__ == "__main__":
    main()
