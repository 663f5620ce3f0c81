"""Tests of tools/patch-emscripten against a pristine Emscripten tree.

The pristine tree is Debian's, from the toolchain image
($SOCKET_IWA_HOME/root/opt/socket-iwa/emscripten-upstream), or any tree
named by $EMSCRIPTEN_PRISTINE (e.g. a checkout of upstream main).
"""
import hashlib
import os
import runpy
import shutil
import subprocess
import sys
import tempfile
import unittest

PROJECT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PATCHER = os.path.join(PROJECT, 'tools', 'patch-emscripten')
EDITS = runpy.run_path(os.path.join(PROJECT, 'emscripten', 'edits.py'))['EDITS']
PRISTINE = os.environ.get('EMSCRIPTEN_PRISTINE') or os.path.join(
    os.environ.get('SOCKET_IWA_HOME', '/var/cache/socket-iwa'),
    'root/opt/socket-iwa/emscripten-upstream')


def tree_digest(root):
  h = hashlib.sha256()
  for dirpath, dirnames, filenames in os.walk(root):
    dirnames.sort()
    for name in sorted(filenames):
      path = os.path.join(dirpath, name)
      h.update(os.path.relpath(path, root).encode())
      with open(path, 'rb') as f:
        h.update(f.read())
  return h.hexdigest()


def patch(tree, *args):
  return subprocess.run([sys.executable, PATCHER, tree, *args], capture_output=True, text=True)


class PatcherTest(unittest.TestCase):
  def setUp(self):
    if not os.path.isfile(os.path.join(PRISTINE, 'emcc.py')):
      self.fail(f'no pristine Emscripten tree at {PRISTINE}: run docker_build.sh or set EMSCRIPTEN_PRISTINE')
    self.tmp = tempfile.mkdtemp()
    self.tree = os.path.join(self.tmp, 'emscripten')
    # Only what the patcher reads or writes: emcc.py and the edited files.
    os.makedirs(self.tree)
    shutil.copy(os.path.join(PRISTINE, 'emcc.py'), self.tree)
    for rel in {e['path'] for e in EDITS}:
      os.makedirs(os.path.dirname(os.path.join(self.tree, rel)), exist_ok=True)
      shutil.copy(os.path.join(PRISTINE, rel), os.path.join(self.tree, rel))

  def tearDown(self):
    shutil.rmtree(self.tmp)

  def test_check_fails_on_pristine_tree(self):
    r = patch(self.tree, '--check')
    self.assertEqual(r.returncode, 1)
    for rel in {e['path'] for e in EDITS}:
      self.assertIn(f'not patched: edit {rel}', r.stdout)

  def test_apply_then_check(self):
    self.assertEqual(patch(self.tree).returncode, 0)
    r = patch(self.tree, '--check')
    self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
    self.assertTrue(os.path.isfile(os.path.join(self.tree, 'src/lib/libdirectsockets.js')))
    self.assertTrue(os.path.isfile(os.path.join(self.tree, 'system/lib/directsockets/socket.cpp')))
    self.assertTrue(os.path.isfile(os.path.join(self.tree, 'test/test_directsockets.py')))
    self.assertFalse(os.path.exists(os.path.join(self.tree, 'test/native')))
    with open(os.path.join(self.tree, 'src/settings.js')) as f:
      self.assertIn('var DIRECT_SOCKETS = false;', f.read())

  def test_apply_twice_is_identical(self):
    self.assertEqual(patch(self.tree).returncode, 0)
    once = tree_digest(self.tree)
    r = patch(self.tree)
    self.assertEqual(r.returncode, 0)
    self.assertIn('already patched', r.stdout)
    self.assertEqual(tree_digest(self.tree), once)

  def test_partly_patched_tree_fails_check(self):
    self.assertEqual(patch(self.tree).returncode, 0)
    os.remove(os.path.join(self.tree, 'src/lib/libdirectsockets.js'))
    r = patch(self.tree, '--check')
    self.assertEqual(r.returncode, 1)
    self.assertIn('not patched: file src/lib/libdirectsockets.js', r.stdout)

  def test_moved_anchor_names_file_and_anchor_and_writes_nothing(self):
    path = os.path.join(self.tree, 'tools/system_libs.py')
    with open(path) as f:
      content = f.read()
    anchor = next(e['anchor'] for e in EDITS if e['path'] == 'tools/system_libs.py')
    with open(path, 'w') as f:
      f.write(content.replace(anchor, anchor.replace('  ', '    ')))
    before = tree_digest(self.tree)
    r = patch(self.tree)
    self.assertNotEqual(r.returncode, 0)
    self.assertIn('tools/system_libs.py: anchor not found', r.stderr)
    self.assertIn(anchor.splitlines()[0].strip(), r.stderr)
    self.assertEqual(tree_digest(self.tree), before)

  def test_not_an_emscripten_tree(self):
    r = patch(self.tmp)
    self.assertNotEqual(r.returncode, 0)
    self.assertIn('is not an Emscripten tree', r.stderr)


if __name__ == '__main__':
  unittest.main()
