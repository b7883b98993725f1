# bench/digits_pytorch.py — the model of examples/digits.dl in PyTorch eager
# mode on the CPU, for bench/digits.sh: an MLP 64-128-10 with relu, cross
# entropy, Adam (lr 1e-3, PyTorch's defaults otherwise), batches of 32 taken
# in file order without shuffling (the last, partial batch included),
# 20 epochs. Prints the loss and seconds of every epoch, then the training
# accuracy and the mean seconds per epoch.
#
#   python3 bench/digits_pytorch.py [--threads N] [--epochs N] [--data DIR]
#
# --threads 0 (the default) keeps PyTorch's own thread count.
import argparse
import os
import time

import numpy as np
import torch


def data_dir(explicit):
    if explicit:
        return explicit
    # The example ships its copy; the shared folder is the original.
    for candidate in ("examples/data", "../shared/data"):
        if os.path.exists(os.path.join(candidate, "digits_x.npy")):
            return candidate
    raise SystemExit("digits_pytorch: no digits_x.npy in examples/data or ../shared/data")


def load(directory):
    x = np.load(os.path.join(directory, "digits_x.npy")).astype(np.float32)
    y = np.load(os.path.join(directory, "digits_y.npy")).astype(np.int64)
    # The stored pixels are already divided by 16 (they lie in [0, 1]);
    # raw 0..16 pixels would be scaled here so both programs see the same.
    if x.max() > 1.0:
        x = x / 16.0
    return torch.from_numpy(x), torch.from_numpy(y)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--data", default=None)
    args = parser.parse_args()

    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    x, y = load(data_dir(args.data))
    model = torch.nn.Sequential(
        torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10)
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    n = x.shape[0]
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"{n} examples, batch {args.batch}")

    epoch_seconds = []
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        total = 0.0
        for first in range(0, n, args.batch):
            xb = x[first:first + args.batch]
            yb = y[first:first + args.batch]
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * xb.shape[0]
        seconds = time.perf_counter() - start
        epoch_seconds.append(seconds)
        print(f"epoch {epoch}: loss {total / n:.4f}, {seconds:.4f} s")

    with torch.no_grad():
        accuracy = (model(x).argmax(dim=1) == y).float().mean().item()
    print(f"training accuracy: {accuracy * 100:.2f}%")
    print(f"seconds per epoch: mean {sum(epoch_seconds) / len(epoch_seconds):.4f}, "
          f"best {min(epoch_seconds):.4f}")
    print(f"training seconds: {sum(epoch_seconds):.3f}")


if __name__ == "__main__":
    main()
