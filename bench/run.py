#!/usr/bin/env python3
"""Socket benchmark: one C client (socket_bench.c) built natively, with
-sDIRECT_SOCKETS (our core; JSPI and threads modes) and with upstream's
-sNODERAWSOCKETS (JSPI and threads modes), plus the same client written
straight against the Direct Sockets API (raw_js.mjs); the wasm and JS clients
run under Node.js and in headless Chromium as Isolated Web Apps, all against
one native peer (peer.c) on loopback. Prints medians and the ratios the
targets are stated in (report.py), writes JSON, and can draw a PNG chart
(chart.py).

Runs inside the toolchain image:
  tools/in-image python3 bench/run.py [--quick] [--variants a,b] [--json F] [--chart F.png]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import psutil

import chart
import report

BENCH = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.dirname(BENCH)
OUT = os.path.join(PROJECT, 'build', 'bench')
REGISTER = '/opt/socket-iwa/direct-sockets-node/register.js'
NODE = ['node', '--stack-size=4000']
OURS_NODE = NODE + ['--import', REGISTER]
# Chromium runs are launched afresh each time (several seconds before the
# program starts; the program and the peer time only the workload).
IWA_RUN = NODE + [os.path.join(PROJECT, 'tools', 'iwa', 'run.mjs'), '--local-network', '--timeout', '300']
IWA_RAW_JS = NODE + [os.path.join(BENCH, 'iwa_raw_js.mjs'), '--timeout', '300', '--']

EMCC = ['emcc', '-O2', '-Wno-experimental', '-sEXIT_RUNTIME']
JSPI = ['-sJSPI']
THREADS = ['-pthread', '-sPROXY_TO_PTHREAD']
# Each build: its output and the flags it adds to EMCC.
BUILDS = {
  'ours.js': JSPI + ['-sDIRECT_SOCKETS'],
  'threads.js': THREADS + ['-sDIRECT_SOCKETS'],
  'noderawsockets.js': JSPI + ['-sNODERAWSOCKETS'],
  'noderawsockets_threads.js': THREADS + ['-sNODERAWSOCKETS'],
}

def out(name):
  return os.path.join(OUT, name)

# Each variant: (the command that runs the client, less its arguments; the
# wasm build it needs, if any).
VARIANTS = {
  'native': (lambda: [out('native')], None),
  'ours': (lambda: OURS_NODE + [out('ours.js')], 'ours.js'),
  'raw_js': (lambda: OURS_NODE + [os.path.join(BENCH, 'raw_js.mjs')], None),
  'noderawsockets': (lambda: NODE + [out('noderawsockets.js')], 'noderawsockets.js'),
  'threads': (lambda: OURS_NODE + [out('threads.js')], 'threads.js'),
  'noderawsockets_threads': (lambda: NODE + [out('noderawsockets_threads.js')], 'noderawsockets_threads.js'),
  'chromium_ours': (lambda: IWA_RUN + [out('ours.js'), '--'], 'ours.js'),
  'chromium_raw_js': (lambda: IWA_RAW_JS, None),
  'chromium_threads': (lambda: IWA_RUN + [out('threads.js'), '--'], 'threads.js'),
}
# chromium_threads is extra: no target names it.
DEFAULT_VARIANTS = [v for v in VARIANTS if v != 'chromium_threads']


def sh(cmd):
  subprocess.run(cmd, check=True, cwd=OUT)


def build(variants):
  os.makedirs(OUT, exist_ok=True)
  src = os.path.join(BENCH, 'socket_bench.c')
  sh(['cc', '-O2', os.path.join(BENCH, 'peer.c'), '-o', 'peer'])
  sh(['cc', '-O2', src, '-o', 'native'])
  for name in sorted({VARIANTS[v][1] for v in variants} - {None}):
    sh(EMCC + BUILDS[name] + [src, '-o', name])


class ClientFailed(Exception):
  pass


class Peer:
  """The native peer; a listening one prints its port first."""
  def __init__(self, *args, listens=True):
    self.proc = subprocess.Popen([out('peer'), *map(str, args)], stdout=subprocess.PIPE, text=True)
    self.port = int(self.proc.stdout.readline()) if listens else None

  def result(self, timeout=150):
    line = [None]
    reader = threading.Thread(target=lambda: line.__setitem__(0, self.proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if not line[0]:
      raise ClientFailed('the peer reported nothing')
    return json.loads(line[0])

  def close(self):
    self.proc.kill()
    self.proc.wait()


def tree_rss(proc):
  """RSS of a process and its descendants (Chromium's are several)."""
  total = 0
  for p in [proc] + proc.children(recursive=True):
    try:
      total += p.memory_info().rss
    except psutil.NoSuchProcess:
      pass
  return total


class Client:
  """One run of a client variant. `on_line` sees each stdout line as it
  comes; `measure_memory` samples the peak RSS of its process tree."""
  def __init__(self, variant, args, on_line=None, measure_memory=False):
    self.variant, self.args = variant, args
    self.stderr = tempfile.TemporaryFile(mode='w+')
    self.proc = subprocess.Popen(VARIANTS[variant][0]() + [str(a) for a in args], stdout=subprocess.PIPE,
                                 stderr=self.stderr, text=True)
    self.lines = []
    self.peak_rss = 0
    self.threads = [threading.Thread(target=self._read, args=(on_line,), daemon=True)]
    if measure_memory:
      self.threads.append(threading.Thread(target=self._sample, daemon=True))
    for t in self.threads:
      t.start()

  def _read(self, on_line):
    for line in self.proc.stdout:
      self.lines.append(line)
      if on_line:
        on_line(line)

  def _sample(self):
    try:
      p = psutil.Process(self.proc.pid)
      while self.proc.poll() is None:
        self.peak_rss = max(self.peak_rss, tree_rss(p))
        time.sleep(0.05)
    except psutil.NoSuchProcess:
      pass

  def result(self, timeout=330):
    """Its last line, as JSON; ClientFailed if it failed."""
    try:
      self.proc.wait(timeout)
    except subprocess.TimeoutExpired:
      self.proc.kill()
      self.proc.wait()
    for t in self.threads:
      t.join()
    self.stderr.seek(0)
    err = self.stderr.read()
    if self.proc.returncode != 0 or not self.lines:
      raise ClientFailed(f'{self.variant} {self.args} failed ({self.proc.returncode}):\n'
                         f'{"".join(self.lines[-5:])}{err[-2000:]}')
    return json.loads(self.lines[-1])


def pingpong(variant, sizes):
  peer = Peer('echo')
  try:
    result = Client(variant, ['pingpong', peer.port, sizes['seconds']]).result()
  finally:
    peer.close()
  return {'pingpong': result['round_trips'] / result['seconds']}


def bulk(variant, sizes, mib=None):
  """MB/s at the receiver, the client's peak RSS, and what went wrong on the
  way: bytes missing at EOF and where the pattern first broke (a finding to
  report, not a reason to stop)."""
  mib = mib or sizes['mib']
  peer = Peer('sink', mib << 20)
  try:
    client = Client(variant, ['bulk', peer.port, mib], measure_memory=True)
    client.result()
    received = peer.result()
  finally:
    peer.close()
  missing = (mib << 20) - received['bytes']
  if missing or received['bad_bytes']:
    print(f'  {variant}: bulk data LOST: {received["bytes"]} of {mib << 20} bytes arrived, '
          f'the pattern broke at byte {received["first_bad"]}', flush=True)
  return {'bulk': received['bytes'] / received['seconds'] / 1e6, 'bulk_rss': client.peak_rss,
          'bulk_missing_bytes': missing, 'bulk_damaged': int(bool(missing or received['bad_bytes']))}


def udp(variant, sizes, size, key):
  """Datagrams per second counted at the receiver, and the share lost."""
  count = sizes['udp_count']
  peer = Peer('udp', count)
  try:
    Client(variant, ['udp', peer.port, size, count]).result()
    received = peer.result()
  finally:
    peer.close()
  rate = received['received'] / received['seconds'] if received['seconds'] else 0
  return {key: rate, key + '_loss': 1 - received['received'] / count}


def accept(variant, sizes):
  """Connections the client accepts per second from a peer that connects on
  loopback as soon as the client says its port."""
  count = sizes['accept_count']
  peers = []
  def on_line(line):
    if not peers and line.startswith('{"port"'):
      peers.append(Peer('connect', json.loads(line)['port'], count, listens=False))
  client = Client(variant, ['accept', count, sizes['accept_seconds']], on_line=on_line)
  try:
    result = client.result()
    if not peers:
      raise ClientFailed(f'{variant}: no port line')
    peers[0].result()
  finally:
    for p in peers:
      p.close()
  accepted = result['accepted']
  return {'accept': (accepted - 1) / result['seconds'] if accepted > 1 and result['seconds'] else 0}


WORKLOADS = {
  'pingpong': pingpong,
  'bulk': bulk,
  'udp_1k': lambda v, s: udp(v, s, 1024, 'udp_1k'),
  'udp_64': lambda v, s: udp(v, s, 64, 'udp_64'),
  'accept': accept,
}


def measure(variant, workload, sizes):
  """One workload's figures, or None when the client failed. A Chromium run
  that fails is tried once more (starting an app in a fresh browser can fail
  for reasons that have nothing to do with sockets)."""
  tries = 2 if variant.startswith('chromium') else 1
  for attempt in range(tries):
    try:
      return WORKLOADS[workload](variant, sizes)
    except ClientFailed as e:
      print(f'  {variant} {workload}: {e}', flush=True)
  return None


def median(values):
  values = [v for v in values if v is not None]
  return statistics.median(values) if values else None


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument('--quick', action='store_true', help='small sizes, one repetition')
  parser.add_argument('--runs', type=int, default=3)
  parser.add_argument('--variants', default=','.join(DEFAULT_VARIANTS),
                      help=f'comma-separated, from: {", ".join(VARIANTS)}')
  parser.add_argument('--workloads', default=','.join(WORKLOADS), help=f'from: {", ".join(WORKLOADS)}')
  parser.add_argument('--json', default=os.path.join(OUT, 'results.json'), help='write the results here')
  parser.add_argument('--chart', help='draw a PNG chart here')
  parser.add_argument('--render', metavar='JSON', help='run nothing: print (and chart) the results in JSON')
  args = parser.parse_args()
  if args.render:
    with open(args.render) as f:
      results = json.load(f)
    print(report.text(results))
    if args.chart:
      chart.write_png(results, args.chart)
    return
  variants = args.variants.split(',')
  workloads = args.workloads.split(',')
  for name in variants + workloads:
    if name not in VARIANTS and name not in WORKLOADS:
      parser.error(f'unknown variant or workload {name}')
  runs = 1 if args.quick else args.runs
  sizes = {'seconds': 1, 'mib': 32, 'udp_count': 20000, 'accept_count': 1000, 'accept_seconds': 5} if args.quick \
    else {'seconds': 3, 'mib': 256, 'udp_count': 200000, 'accept_count': 5000, 'accept_seconds': 10}

  build(variants)
  # Repeats outside, variants inside: every variant sees the same machine.
  samples = {v: {} for v in variants}
  for run in range(runs):
    for workload in workloads:
      for variant in variants:
        figures = measure(variant, workload, sizes) or {}
        for key, value in figures.items():
          samples[variant].setdefault(key, []).append(value)
        shown = ', '.join(f'{k} {v:.4g}' for k, v in figures.items()) or 'failed'
        print(f'run {run + 1}/{runs} {workload} {variant}: {shown}', flush=True)
  figures = {v: {k: median(s) for k, s in samples[v].items()} for v in variants}
  for variant in variants:
    # Damage is counted, not averaged away.
    if samples[variant].get('bulk_damaged'):
      figures[variant]['bulk_damaged'] = sum(samples[variant]['bulk_damaged'])
      figures[variant]['bulk_missing_bytes'] = max(samples[variant]['bulk_missing_bytes'])
  if 'bulk' in workloads:
    for variant in variants:
      # Memory a bulk send costs: peak RSS of a full run minus a 1 MiB run's.
      base = measure(variant, 'bulk', dict(sizes, mib=1))
      if base and figures[variant].get('bulk_rss'):
        figures[variant]['bulk_rss_growth_mib'] = (figures[variant]['bulk_rss'] - base['bulk_rss']) / 2**20

  results = report.summarize(figures, samples, variants, workloads, runs, sizes)
  print()
  print(report.text(results))
  os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
  with open(args.json, 'w') as f:
    json.dump(results, f, indent=2)
  print(f'\nJSON: {args.json}')
  if args.chart:
    chart.write_png(results, args.chart)
    print(f'chart: {args.chart}')


if __name__ == '__main__':
  main()
