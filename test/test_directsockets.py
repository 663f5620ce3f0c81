# Socket.IWA's tests in Emscripten's harness: C programs built with
# -sDIRECT_SOCKETS run under Node.js, where the Node implementation of the
# Direct Sockets API (preloaded through NODE_JS_TEST) stands in for Chrome's,
# against peers this module runs on loopback.
#
#   test/runner directsockets
#
# Socket.IWA is licensed under Apache-2.0.

import functools
import http.server
import os
import socket
import socketserver
import threading
from contextlib import contextmanager

from common import RunnerCore, test_file
from decorators import parameterized
from tools import config
from tools.utils import path_from_root


def source(name):
  return test_file('directsockets', name)


class EchoHandler(socketserver.BaseRequestHandler):
  def handle(self):
    while data := self.request.recv(65536):
      self.request.sendall(data)


class TCPServer(socketserver.ThreadingTCPServer):
  allow_reuse_address = True
  daemon_threads = True


class TCPServer6(TCPServer):
  address_family = socket.AF_INET6


@contextmanager
def tcp_server(handler, host='127.0.0.1'):
  """A loopback TCP server in a thread; yields its port."""
  server = (TCPServer6 if ':' in host else TCPServer)((host, 0), handler)
  thread = threading.Thread(target=server.serve_forever, daemon=True)
  thread.start()
  try:
    yield server.server_address[1]
  finally:
    server.shutdown()
    server.server_close()
    thread.join()


class directsockets(RunnerCore):
  def setUp(self):
    super().setUp()
    self.set_setting('DIRECT_SOCKETS')
    self.cflags += ['-Wall', '-Werror']

  @parameterized({
    'ipv4': ('127.0.0.1',),
    'ipv6': ('::1',),
  })
  def test_tcp_echo(self, host):
    # Blocking connect/send/recv/write/read under JSPI, checked byte by byte.
    self.require_jspi()
    with tcp_server(EchoHandler, host) as port:
      self.do_runf(source('tcp_echo_client.c'), 'done\n', args=[str(port), host])

  def test_http_get(self):
    # The demo program: a plain blocking HTTP client that opens no file, so
    # only the sockets need the filesystem's fd table.
    self.require_jspi()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=source(''))
    with tcp_server(handler) as port:
      out = self.do_runf(source('http_get.c'), args=['127.0.0.1', str(port), '/no_api.c'])
    self.assertContained('HTTP/1.0 200 OK', out)
    with open(source('no_api.c')) as f:
      self.assertContained(f.read(), out)

  def test_fd_sharing(self):
    # Socket fds live in the filesystem's fd table.
    self.do_runf(source('fd_sharing.c'), 'done\n')

  def test_without_api(self):
    # With no TCPSocket global, socket() fails with EACCES and says why.
    js = self.build(source('no_api.c'))
    out = self.run_js(js, engine=config.NODE_JS)
    self.assertContained('the Direct Sockets API (TCPSocket) is not available', out)
    self.assertContained('socket: Permission denied', out)

  @parameterized({
    'proxy_posix_sockets': ('PROXY_POSIX_SOCKETS', 'DIRECT_SOCKETS is not compatible with PROXY_POSIX_SOCKETS'),
    'noderawsockets': ('NODERAWSOCKETS', 'DIRECT_SOCKETS is not compatible with NODERAWSOCKETS'),
    'wasmfs': ('WASMFS', 'DIRECT_SOCKETS is not compatible with WASMFS'),
    'no_filesystem': ('FILESYSTEM=0', 'DIRECT_SOCKETS is not compatible with FILESYSTEM=0'),
  })
  def test_incompatible_settings(self, setting, message):
    err = self.expect_fail([path_from_root('emcc'), source('no_api.c'), '-sDIRECT_SOCKETS', f'-s{setting}',
                            '-o', 'out.js'])
    self.assertContained(message, err)
    self.assertFalse(os.path.exists('out.js'))
