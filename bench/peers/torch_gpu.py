"""PyTorch on the GPU, the peer of bench:gpu (bench/gpu.ts): the residual LSTM of bench/torch_train.py
(nn.LSTM, so cuDNN; recurrent dropout 0) trained on CUDA as a trial of a sweep is: synthetic
two-class data uploaded once, shuffled mini-batches, Adam, the validation loss each epoch (read
back once per epoch).

Usage:
  torch_gpu.py probe
      one JSON line: {"torch": version, "cuda": bool, "device": name or null}
  torch_gpu.py sequential W D ROWS VAL BATCH T F SECONDS TRIALS
      TRIALS trials one after another (a one-trial-per-GPU sweep), each SECONDS/TRIALS after its
      warm-up epoch; one JSON line {"samplesPerSec", "trials", "setupMs"}
  torch_gpu.py peer W D ROWS VAL BATCH T F SEED
      one trial in the line protocol of bench/peer-processes.ts ({"type":"warm"}, then
      {"until": ms} on stdin, then {"type":"done","rows","epochs"})
"""
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def now_ms():
    return time.time() * 1000


def emit(obj):
    print(json.dumps(obj), flush=True)


def probe():
    import torch

    cuda = torch.cuda.is_available()
    emit({"torch": torch.__version__, "cuda": cuda, "device": torch.cuda.get_device_name(0) if cuda else None})


class Trial:
    def __init__(self, width, depth, rows, val, batch, timesteps, features, seed):
        import torch
        from torch import nn
        from torch_train import ResidualLSTM

        self.torch = torch
        dev = torch.device("cuda")
        gen = torch.Generator(device="cpu").manual_seed(1)
        torch.manual_seed(seed)
        self.y = (torch.arange(rows) % 2).float().to(dev)
        self.x = (torch.rand(rows, timesteps, features, generator=gen) * 2 - 1).to(dev) + 0.3 * self.y[:, None, None]
        self.vy = (torch.arange(val) % 2).float().to(dev)
        self.vx = (torch.rand(val, timesteps, features, generator=gen) * 2 - 1).to(dev) + 0.3 * self.vy[:, None, None]
        self.model = ResidualLSTM(features, width, depth, 0.2).to(dev)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=1e-3)
        self.loss_fn = nn.BCEWithLogitsLoss()
        self.rows = rows
        self.batch = batch

    def epoch(self):
        torch = self.torch
        self.model.train()
        perm = torch.randperm(self.rows, device=self.x.device)
        total = torch.zeros((), device=self.x.device)
        for start in range(0, self.rows, self.batch):
            idx = perm[start : start + self.batch]
            self.opt.zero_grad(set_to_none=True)
            loss = self.loss_fn(self.model(self.x[idx]), self.y[idx])
            loss.backward()
            self.opt.step()
            total += loss.detach() * idx.numel()
        self.model.eval()
        with torch.no_grad():
            val = self.loss_fn(self.model(self.vx), self.vy)
        # one read-back per epoch, as the packed engine does
        return (total / self.rows).item(), val.item()


def sequential(width, depth, rows, val, batch, timesteps, features, seconds, trials):
    measured_rows = 0
    measured_s = 0.0
    setup_ms = 0.0
    for k in range(trials):
        t0 = time.perf_counter()
        trial = Trial(width, depth, rows, val, batch, timesteps, features, k + 1)
        trial.epoch()
        setup_ms += (time.perf_counter() - t0) * 1000
        t1 = time.perf_counter()
        while True:
            trial.epoch()
            measured_rows += rows
            if time.perf_counter() - t1 >= seconds / trials:
                break
        measured_s += time.perf_counter() - t1
    emit({"samplesPerSec": measured_rows / measured_s, "trials": trials, "setupMs": setup_ms / trials})


def peer(width, depth, rows, val, batch, timesteps, features, seed):
    until = []

    def read_until():
        line = sys.stdin.readline()
        if line:
            until.append(float(json.loads(line)["until"]))

    threading.Thread(target=read_until, daemon=True).start()
    trial = Trial(width, depth, rows, val, batch, timesteps, features, seed)
    epochs = []
    start = now_ms()
    trial.epoch()
    epochs.append([start, now_ms()])
    emit({"type": "warm"})
    while True:
        trial.epoch()
        epochs.append([epochs[-1][1], now_ms()])
        if until and epochs[-1][1] >= until[0]:
            break
    emit({"type": "done", "rows": rows, "epochs": epochs})


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "probe":
        probe()
    elif mode == "sequential":
        w, d, rows, val, batch, t, f = (int(v) for v in args[:7])
        sequential(w, d, rows, val, batch, t, f, float(args[7]), int(args[8]))
    elif mode == "peer":
        w, d, rows, val, batch, t, f, seed = (int(v) for v in args[:8])
        peer(w, d, rows, val, batch, t, f, seed)
    else:
        sys.exit(f"unknown mode {mode} (probe | sequential | peer)")


if __name__ == "__main__":
    main()
