#!/usr/bin/env bash
# The paper's models side by side (issue 12): the digits MLP, the CNN,
# min-char-rnn, the character LSTM and the TreeLSTM, each in dlang
# (examples/*.dl, every backend that is built) and in PyTorch eager
# (bench/models_torch.py), JAX jit (bench/models_jax.py) and, for the
# TreeLSTM, DyNet with and without autobatching (bench/models_dynet.py).
# Same data (examples/data), same initial weights (the .npy files of
# ../shared/bench-data/init, loaded by every implementation), same
# hyper-parameters and step counts; each program times its own training
# loop. Prints the table of seconds and the checks side by side
# (bench/models_run.py); bench/models.md has a measured table.
#
#   bash bench/models.sh [--only mlp,cnn,charrnn,lstm,treelstm] [--scale small]
#
# Installs the pinned peers (bench/requirements-models.txt) into
# bench/.venv (git-ignored) on first use; the PyTorch wheel brings about
# 5 GB of CUDA libraries, which the CPU runs ignore. BENCH_INIT overrides
# where the initial weights are. Not part of `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."

init=${BENCH_INIT:-../shared/bench-data/init}
if [ ! -f "$init/rnn_wxh.npy" ]; then
    echo "bench/models.sh: no initial weights in $init (set BENCH_INIT)" >&2
    exit 1
fi

source bench/common.sh
bench_venv bench/requirements-models.txt

echo "load before: $(uptime)"
PYTHONDONTWRITEBYTECODE=1 "$python" bench/models_run.py --dlang "$dlang" --init "$init" "$@"
echo "load after:  $(uptime)"
