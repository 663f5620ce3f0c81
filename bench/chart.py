"""Draws the benchmark's results as an SVG (one panel of bars per workload,
and one of the targets) and turns it into a PNG with the image's headless
Chromium, so no plotting library is needed."""
import os
import shutil
import subprocess
import tempfile
from xml.sax.saxutils import escape

CHROMIUM = os.environ.get('SOCKET_IWA_CHROMIUM', '/usr/bin/chromium')

# Hues by runtime (Node blue, Chromium orange), lighter for raw JS, grey for
# native, purple for upstream's NODERAWSOCKETS.
COLORS = {
  'native': '#7f7f7f',
  'ours': '#1f5fbf', 'threads': '#5b9bef', 'raw_js': '#9ec5f5',
  'noderawsockets': '#7b4fa6', 'noderawsockets_threads': '#b99ad6',
  'chromium_ours': '#d9650b', 'chromium_threads': '#f0a050', 'chromium_raw_js': '#f6c89a',
}

WIDTH = 1200
COLUMN = 590
LABEL = 175   # variant names left of the bars
BAR_AREA = 290
ROW = 20
FONT = 'font-family="DejaVu Sans, sans-serif"'


def text(x, y, s, size=12, anchor='start', weight='normal', fill='#222'):
  return (f'<text x="{x}" y="{y}" {FONT} font-size="{size}" text-anchor="{anchor}" '
          f'font-weight="{weight}" fill="{fill}">{escape(s)}</text>')


def figure_panel(x, y, title, entries):
  """entries: (variant, value or None, note). Returns (svg, height)."""
  parts = [text(x, y + 14, title, 13, weight='bold')]
  top = max([v for _, v, _ in entries if v] or [1])
  for i, (variant, value, note) in enumerate(entries):
    row_y = y + 26 + i * ROW
    parts.append(text(x + LABEL - 6, row_y + 13, variant, anchor='end'))
    if value is None:
      parts.append(text(x + LABEL, row_y + 13, 'failed', fill='#b00'))
      continue
    width = max(1, BAR_AREA * value / top)
    parts.append(f'<rect x="{x + LABEL}" y="{row_y + 2}" width="{width:.1f}" height="{ROW - 5}" '
                 f'fill="{COLORS.get(variant, "#888")}"/>')
    parts.append(text(x + LABEL + width + 5, row_y + 13, f'{value:,.0f}{note}'))
  return '\n'.join(parts), 26 + len(entries) * ROW + 18


def targets_panel(x, y, targets):
  """Each target's ratio as a bar scaled so that the target is the line."""
  parts = [text(x, y + 14, 'Targets (bar: ratio / target; the line is the target)', 13, weight='bold')]
  label_width = 330
  area = WIDTH - 2 * 20 - label_width - 150
  line_x = x + label_width + area / 2
  for i, t in enumerate(targets):
    row_y = y + 26 + i * ROW
    parts.append(text(x + label_width - 6, row_y + 13, f'{t["ratio"]}, {t["workload"]}', anchor='end'))
    value = t['value']
    if value is None:
      parts.append(text(x + label_width, row_y + 13, 'failed', fill='#b00'))
      continue
    # A bound from above (memory) is met below the line.
    scale = t['at_most'] / value if 'at_most' in t and value else value / t.get('at_least', 1)
    width = min(area, area / 2 * scale)
    color = '#999' if t['met'] is None else '#2a9d4b' if t['met'] else '#d1342f'
    parts.append(f'<rect x="{x + label_width}" y="{row_y + 2}" width="{width:.1f}" height="{ROW - 5}" fill="{color}"/>')
    verdict = 'data lost' if t['met'] is None else 'met' if t['met'] else 'not met'
    parts.append(text(x + label_width + width + 5, row_y + 13, f'{value:.3f} ({"≤ " + format(t["at_most"], "g") if "at_most" in t else "≥ " + format(t["at_least"], "g")}) {verdict}'))
  height = 26 + len(targets) * ROW + 10
  # Drawn first, so that the labels stay readable over it.
  parts.insert(1, f'<line x1="{line_x}" y1="{y + 24}" x2="{line_x}" y2="{y + height - 8}" stroke="#222" '
                  f'stroke-dasharray="4 3"/>')
  return '\n'.join(parts), height + 10


def svg(results):
  figures, variants, labels = results['figures'], results['variants'], results['labels']
  panels = []
  for w in results['workloads']:
    entries = [(v, figures[v].get(w), '*' if w == 'bulk' and figures[v].get('bulk_damaged') else '')
               for v in variants]
    panels.append(figure_panel(0, 0, labels[w], entries))
  parts = []
  y = 60
  # Two columns of workload panels.
  for i in range(0, len(panels), 2):
    row = panels[i:i + 2]
    for j, (_, height) in enumerate(row):
      parts.append(f'<g transform="translate({20 + j * (COLUMN + 10)},{y})">{row[j][0]}</g>')
    y += max(h for _, h in row)
  notes = []
  if any(figures[v].get('bulk_damaged') for v in variants):
    notes.append('* bulk: the sink saw missing or out-of-place bytes')
  for note in notes:
    parts.append(text(20, y + 4, note, 11, fill='#555'))
    y += 18
  if results['targets']:
    panel, height = targets_panel(20, y + 6, results['targets'])
    parts.append(panel)
    y += height + 6
  head = [text(20, 26, 'Socket.IWA socket benchmark', 18, weight='bold'),
          text(20, 46, f'medians of {results["runs"]} run(s), {results["date"]}; higher is better', 12, fill='#555')]
  height = y + 10
  # Inline in an HTML page, where <svg> needs no namespace attribute.
  return (f'<svg width="{WIDTH}" height="{height}" '
          f'viewBox="0 0 {WIDTH} {height}">\n<rect width="100%" height="100%" fill="#fff"/>\n'
          + '\n'.join(head + parts) + '\n</svg>\n'), height


def write_png(results, png):
  """Writes png, and the HTML page (the chart as inline SVG) it is drawn
  from next to it."""
  drawing, height = svg(results)
  page_path = os.path.splitext(os.path.abspath(png))[0] + '.html'
  with open(page_path, 'w') as f:
    f.write('<!doctype html>\n<meta charset="utf-8">\n<style>body { margin: 0 }</style>\n' + drawing)
  profile = tempfile.mkdtemp(prefix='socket-iwa-chart-')
  try:
    subprocess.run([CHROMIUM, '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars',
                    '--no-first-run', '--disable-background-networking', '--disable-component-update',
                    f'--user-data-dir={profile}', f'--window-size={WIDTH},{height}',
                    f'--screenshot={os.path.abspath(png)}', f'file://{page_path}'],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
  finally:
    shutil.rmtree(profile, ignore_errors=True)
