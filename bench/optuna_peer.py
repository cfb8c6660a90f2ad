"""Optuna's TPESampler as a peer for bench/search-peer.ts (run with Debian's /usr/bin/python3 and
python3-optuna). The objective stays in TypeScript: for every trial asked, this prints
{"params": {...}} on stdout and reads the value back on stdin. Parallel workers are simulated
as in the TypeScript side: `parallel` trials are pending at a time, the oldest one is told first,
then one more is asked. At the end of each seed it prints {"seed": s, "values": [...]} with the
values in the order they were told.

    /usr/bin/python3 bench/optuna_peer.py '{"space": [...], "seeds": [1, 2], "budget": 100,
                                             "parallel": 4, "liar": true}'
"""

import json
import sys

try:
    import optuna
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
except ImportError as error:  # the TypeScript side reports it and runs the rest
    print(json.dumps({"missing": f"python3-optuna is not installed ({error})"}), flush=True)
    sys.exit(3)


def distribution(dim):
    if dim["kind"] == "categorical":
        return CategoricalDistribution(dim["values"])
    if dim["kind"] == "int":
        return IntDistribution(dim["min"], dim["max"], log=dim["log"])
    return FloatDistribution(dim["min"], dim["max"], log=dim["log"])


def run_seed(space, seed, budget, parallel, liar):
    sampler = optuna.samplers.TPESampler(seed=seed, constant_liar=liar)
    study = optuna.create_study(direction="minimize", sampler=sampler)
    distributions = {dim["name"]: distribution(dim) for dim in space}
    pending = []  # (trial, value), oldest first
    told = []
    asked = 0
    while len(told) < budget:
        while asked < budget and len(pending) < parallel:
            trial = study.ask(distributions)
            print(json.dumps({"params": trial.params}), flush=True)
            value = float(sys.stdin.readline())
            pending.append((trial, value))
            asked += 1
        trial, value = pending.pop(0)
        study.tell(trial, value)
        told.append(value)
    print(json.dumps({"seed": seed, "values": told}), flush=True)


def main():
    config = json.loads(sys.argv[1])
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    print(json.dumps({"version": optuna.__version__}), flush=True)
    for seed in config["seeds"]:
        run_seed(config["space"], seed, config["budget"], config["parallel"], config["liar"])


if __name__ == "__main__":
    main()
