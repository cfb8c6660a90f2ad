"""PyTorch twin of lstm-sweep's residual LSTM, for bench/train.ts (one thread, training samples/s).

Usage: python3 torch_train.py WIDTH DEPTH BATCH TIMESTEPS FEATURES SECONDS
Prints one JSON line: {"samplesPerSec": ..., "steps": ..., "threads": 1, "torch": version}.
Same architecture as src/model/residual-lstm.ts: depth LSTM(width) layers, x + lstm(x) when
sizes match, the last layer's last step (+ the input's last step), Dense(1, sigmoid) trained
with binary cross-entropy and Adam. Dropout is applied to each LSTM layer's input (PyTorch's
LSTM has no recurrent dropout; the bench runs recurrent dropout 0 on every engine).
"""
import json
import sys
import time

import torch
from torch import nn


class ResidualLSTM(nn.Module):
    def __init__(self, features, width, depth, dropout):
        super().__init__()
        self.lstms = nn.ModuleList(nn.LSTM(features if i == 0 else width, width, batch_first=True) for i in range(depth))
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(width, 1)

    def forward(self, x):
        for i, lstm in enumerate(self.lstms):
            y, _ = lstm(self.drop(x))
            last = i == len(self.lstms) - 1
            if last:
                y = y[:, -1, :]
                x = x[:, -1, :] + y if x.shape[-1] == y.shape[-1] else y
            else:
                x = x + y if x.shape[-1] == y.shape[-1] else y
        return self.head(x).squeeze(-1)


def main():
    width, depth, batch, timesteps, features = (int(v) for v in sys.argv[1:6])
    seconds = float(sys.argv[6])
    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = ResidualLSTM(features, width, depth, 0.2)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.BCEWithLogitsLoss()
    x = torch.rand(batch, timesteps, features)
    y = (torch.arange(batch) % 2).float()

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    for _ in range(3):
        step()
    steps = 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        step()
        steps += 1
    elapsed = time.perf_counter() - t0
    print(json.dumps({"samplesPerSec": steps * batch / elapsed, "steps": steps, "threads": torch.get_num_threads(), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
