# Trains the nn.Sequential of a shardprop export (src/use/export-pytorch.ts) full-batch in PyTorch from
# the exported initial weights, with PyTorch's own optimizer, schedule and clipping, and prints one JSON
# line comparing its final weights with shardprop's final export. Run by src/bench/pytorch-train-check.ts.
# usage: pytorch_train_check.py INIT.safetensors FINAL.safetensors DATA.csv CONFIG.json
import csv, json, struct, sys
import torch, torch.nn as nn


def load_file(path):  # what safetensors.torch.load_file returns, for F32 tensors, and the metadata
    b = open(path, 'rb').read()
    n = struct.unpack('<Q', b[:8])[0]
    header = json.loads(b[8:8 + n])
    tensors = {k: torch.frombuffer(bytearray(b[8 + n + v['data_offsets'][0]:8 + n + v['data_offsets'][1]]),
                                   dtype=torch.float32).reshape(v['shape']).clone()
               for k, v in header.items() if k != '__metadata__'}
    return tensors, header['__metadata__']


def optimizer(spec, params):
    lr, wd = spec['learningRate'], spec.get('weightDecay', 0)
    kind = spec['type']
    if kind == 'sgd':
        return torch.optim.SGD(params, lr=lr, weight_decay=wd)
    if kind == 'momentum':
        return torch.optim.SGD(params, lr=lr, momentum=spec.get('momentum', 0.9), weight_decay=wd)
    if kind == 'adagrad':
        return torch.optim.Adagrad(params, lr=lr, eps=spec.get('epsilon', 1e-7), weight_decay=wd)
    adam = torch.optim.AdamW if spec.get('decoupled') else torch.optim.Adam
    betas = (spec.get('beta1', 0.9), spec.get('beta2', 0.999))
    return adam(params, lr=lr, betas=betas, eps=spec.get('epsilon', 1e-8), weight_decay=wd)


def schedule(spec, opt, epochs):
    kind = spec.get('schedule', {}).get('type')
    s = spec.get('schedule', {})
    if kind == 'step':
        return torch.optim.lr_scheduler.StepLR(opt, s['every'], s.get('gamma', 0.1))
    if kind == 'exponential':
        return torch.optim.lr_scheduler.ExponentialLR(opt, s['gamma'])
    if kind == 'cosine':
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs, eta_min=spec['learningRate'] * s.get('minFactor', 0))
    return None


def main(init_path, final_path, data_path, config_path):
    config = json.load(open(config_path))
    state, meta = load_file(init_path)
    model = eval(meta['module'])
    model.load_state_dict(state)
    model.train()
    rows = list(csv.reader(open(data_path)))[1:]
    y = torch.tensor([int(r[0]) for r in rows])
    x = torch.tensor([[float(v) for v in r[1:]] for r in rows]).reshape(-1, *config['data']['shape'])
    spec, epochs = config['train']['optimizer'], config['train']['epochs']
    params = list(model.parameters())
    opt = optimizer(spec, params)
    sched = schedule(spec, opt, epochs)
    clip = config['train'].get('clipGradientNorm')
    for _ in range(epochs):  # the whole data is one batch: one step per epoch
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        if clip:
            torch.nn.utils.clip_grad_norm_(params, clip)
        opt.step()
        if sched:
            sched.step()
    ours, _ = load_file(final_path)
    # Each tensor's largest difference, against 1e-5 of its largest weight plus 1e-7 (a tensor that
    # stays at zero in exact arithmetic, as a conv bias before batch norm, carries rounding noise).
    worst, name = 0.0, ''
    for key, theirs in model.state_dict().items():
        if key.endswith('num_batches_tracked') or key.endswith('running_var') or key.endswith('running_mean'):
            continue  # running statistics follow the book's biased variance, PyTorch's the unbiased one
        excess = ((theirs - ours[key]).abs().max() / (1e-5 * theirs.abs().max() + 1e-7)).item()
        if excess > worst:
            worst, name = excess, key
    print(json.dumps({'worst': worst, 'tensor': name, 'loss': loss.item()}))


main(*sys.argv[1:5])
