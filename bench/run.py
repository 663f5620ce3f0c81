#!/usr/bin/env python3
"""Socket benchmark: one C client built natively, with -sDIRECT_SOCKETS (our
core) and with upstream's -sNODERAWSOCKETS, plus the same client written
straight against the Direct Sockets API (raw JS), all run under Node.js
against one native peer that measures at the receiving end. Prints medians
and the ratios the targets are stated in, and writes build/bench/results.json.

Runs inside the toolchain image: tools/in-image python3 bench/run.py [--quick]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time

import psutil

BENCH = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.dirname(BENCH)
OUT = os.path.join(PROJECT, 'build', 'bench')
REGISTER = '/opt/socket-iwa/direct-sockets-node/register.js'
NODE = ['node', '--stack-size=4000']


def sh(cmd):
  subprocess.run(cmd, check=True, cwd=OUT)


def build():
  os.makedirs(OUT, exist_ok=True)
  src = os.path.join(BENCH, 'socket_bench.c')
  sh(['cc', '-O2', os.path.join(BENCH, 'peer.c'), '-o', 'peer'])
  sh(['cc', '-O2', src, '-o', 'native'])
  emcc = ['emcc', '-O2', '-sJSPI', '-Wno-experimental', '-sEXIT_RUNTIME', src]
  sh(emcc + ['-sDIRECT_SOCKETS', '-o', 'ours.js'])
  sh(emcc + ['-sNODERAWSOCKETS', '-o', 'noderawsockets.js'])


VARIANTS = {
  'native': lambda: [os.path.join(OUT, 'native')],
  'ours': lambda: NODE + ['--import', REGISTER, os.path.join(OUT, 'ours.js')],
  'raw_js': lambda: NODE + ['--import', REGISTER, os.path.join(BENCH, 'raw_js.mjs')],
  'noderawsockets': lambda: NODE + [os.path.join(OUT, 'noderawsockets.js')],
}


class Peer:
  """The native peer, read line by line."""
  def __init__(self, *args):
    self.proc = subprocess.Popen([os.path.join(OUT, 'peer'), *args], stdout=subprocess.PIPE, text=True)
    self.port = int(self.proc.stdout.readline())

  def result(self):
    return json.loads(self.proc.stdout.readline())

  def close(self):
    self.proc.kill()
    self.proc.wait()


def run_client(variant, args, timeout=300):
  """Runs a client; returns (its JSON result, its peak RSS in bytes)."""
  proc = subprocess.Popen(VARIANTS[variant]() + [str(a) for a in args],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
  peak = 0
  def sample():
    nonlocal peak
    try:
      p = psutil.Process(proc.pid)
      while proc.poll() is None:
        peak = max(peak, p.memory_info().rss)
        time.sleep(0.01)
    except psutil.NoSuchProcess:
      pass
  sampler = threading.Thread(target=sample)
  sampler.start()
  out, err = proc.communicate(timeout=timeout)
  sampler.join()
  if proc.returncode != 0:
    sys.exit(f'{variant} {args} failed ({proc.returncode}):\n{out}\n{err}')
  return json.loads(out.strip().splitlines()[-1]), peak


def pingpong(variant, seconds):
  peer = Peer('echo')
  try:
    result, _ = run_client(variant, ['pingpong', peer.port, seconds])
  finally:
    peer.close()
  return result['round_trips'] / result['seconds']


def bulk(variant, mib):
  """MB/s at the receiver, the client's peak RSS, and the bytes lost or
  damaged on the way (a finding to report, not a reason to stop)."""
  peer = Peer('sink')
  try:
    _, rss = run_client(variant, ['bulk', peer.port, mib])
    received = peer.result()
  finally:
    peer.close()
  lost = (mib << 20) - received['bytes'] + received['bad_bytes']
  if lost:
    print(f'{variant}: bulk LOST {lost} of {mib << 20} bytes: {received}', flush=True)
  return received['bytes'] / received['seconds'] / 1e6, rss, lost


def udp(variant, size, count):
  """Datagrams per second counted at the receiver, and the share lost."""
  peer = Peer('udp', str(count))
  try:
    run_client(variant, ['udp', peer.port, size, count])
    received = peer.result()
  finally:
    peer.close()
  rate = received['received'] / received['seconds'] if received['seconds'] else 0
  return rate, 1 - received['received'] / count


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument('--quick', action='store_true', help='small sizes, one repetition')
  parser.add_argument('--runs', type=int, default=3)
  parser.add_argument('--variants', default=','.join(VARIANTS))
  args = parser.parse_args()
  runs = 1 if args.quick else args.runs
  seconds = 1 if args.quick else 3
  mib = 32 if args.quick else 256
  count = 20000 if args.quick else 200000
  variants = args.variants.split(',')

  build()
  figures = {}
  for variant in variants:
    f = figures[variant] = {}
    samples = {'pingpong': [], 'bulk': [], 'rss': [], 'bulk_lost_bytes': [], 'udp_1k': [],
               'udp_1k_loss': [], 'udp_64': [], 'udp_64_loss': []}
    for _ in range(runs):
      samples['pingpong'].append(pingpong(variant, seconds))
      rate, rss, lost = bulk(variant, mib)
      samples['bulk'].append(rate)
      samples['rss'].append(rss)
      samples['bulk_lost_bytes'].append(lost)
      for size, key in ((1024, 'udp_1k'), (64, 'udp_64')):
        rate, loss = udp(variant, size, count)
        samples[key].append(rate)
        samples[key + '_loss'].append(loss)
    for key, values in samples.items():
      f[key] = statistics.median(values)
    # Memory a bulk send costs: peak RSS of the full run minus a 1 MiB run's.
    _, base_rss, _ = bulk(variant, 1)
    f['bulk_rss_growth_mib'] = (f['rss'] - base_rss) / 2**20
    print(f'{variant}: ' + ', '.join(f'{k} {v:.4g}' for k, v in f.items()), flush=True)

  rows = [
    ('TCP ping-pong, 32 B (round trips/s)', 'pingpong'),
    (f'TCP bulk, {mib} MiB (MB/s at receiver)', 'bulk'),
    (f'UDP 1 KiB x {count} (datagrams/s received)', 'udp_1k'),
    (f'UDP 64 B x {count} (datagrams/s received)', 'udp_64'),
  ]
  print(f'\nmedians of {runs} run(s); ratios are ours / other')
  header = ['figure'] + variants + [f'/{v}' for v in variants if v != 'ours']
  print(' | '.join(header))
  for label, key in rows:
    cells = [label] + [f'{figures[v][key]:,.0f}' for v in variants]
    if 'ours' in figures:
      cells += [f'{figures["ours"][key] / figures[v][key]:.2f}' if figures[v][key] else 'n/a'
                for v in variants if v != 'ours']
    print(' | '.join(cells))
  print('UDP loss (1 KiB / 64 B): ' + ', '.join(
      f'{v} {figures[v]["udp_1k_loss"]:.1%} / {figures[v]["udp_64_loss"]:.1%}' for v in variants))
  print('bulk bytes lost (median): ' + ', '.join(
      f'{v} {figures[v]["bulk_lost_bytes"]:.0f}' for v in variants))
  print('bulk send memory growth (MiB): ' + ', '.join(
      f'{v} {figures[v]["bulk_rss_growth_mib"]:.1f}' for v in variants))
  with open(os.path.join(OUT, 'results.json'), 'w') as f:
    json.dump({'runs': runs, 'mib': mib, 'udp_count': count, 'figures': figures}, f, indent=2)


if __name__ == '__main__':
  main()
