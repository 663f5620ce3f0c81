# The anchored edits Socket.IWA makes to upstream Emscripten files, applied by
# tools/patch-emscripten. Each edit inserts `text` right after (or before) an
# `anchor` that must occur exactly once in the upstream file. Whole new files
# live beside this one, at the upstream paths they take (src/lib/...).

SETTINGS_DOC = '''
// If enabled, the POSIX sockets API is backed by the Direct Sockets API
// (https://wicg.github.io/direct-sockets/: ``TCPSocket``, ``UDPSocket`` and
// ``TCPServerSocket``), which Chrome offers to Isolated Web Apps. Sockets are
// real TCP and UDP connections: no WebSocket relay or proxy process. Under
// node the same build runs on any implementation of that API installed as
// globals.
//
// Socket state, buffers and POSIX semantics live in a native system library
// (libdirectsockets); socket descriptors come from the filesystem's fd table,
// so ``read()``/``write()``/``dup()``/``fstat()`` work on them. Blocking calls
// block with :ref:`JSPI` or in pthreads; otherwise they fail with EAGAIN or
// EINPROGRESS, as non-blocking sockets do.
// [link]
var DIRECT_SOCKETS = false;
'''

EDITS = [
    dict(path='src/settings.js',
         anchor='var NODERAWSOCKETS = false;\n',
         text=SETTINGS_DOC),
    dict(path='src/modules.mjs',
         anchor="      if (NODERAWSOCKETS) {\n        libraries.push('libsockfs_node.js');\n      }\n",
         text="\n      if (DIRECT_SOCKETS) {\n        libraries.push('libdirectsockets.js');\n      }\n"),
    dict(path='tools/settings.py',
         anchor="    ('NODERAWSOCKETS', 'PROXY_POSIX_SOCKETS', 'they are alternative socket backends'),\n",
         text="    ('DIRECT_SOCKETS', 'PROXY_POSIX_SOCKETS', 'they are alternative socket backends'),\n"
              "    ('DIRECT_SOCKETS', 'NODERAWSOCKETS', 'they are alternative socket backends'),\n"
              "    ('DIRECT_SOCKETS', 'WASMFS', 'Direct Sockets share the fd table of the JS filesystem'),\n"
              "    ('DIRECT_SOCKETS', 'NO_FILESYSTEM', 'socket descriptors live in the filesystem\\'s fd table'),\n"),
    # Socket fds live in the JS filesystem's fd table, even in a program that
    # opens no file.
    dict(path='tools/link.py',
         anchor="  if options.preload_files:\n    # File preloading uses `Module['preRun']`.\n",
         where='before',
         text="  if settings.DIRECT_SOCKETS and settings.FILESYSTEM:\n    settings.FORCE_FILESYSTEM = 1\n\n"),
    # The socket core is C++: link the C++ runtime, as WASMFS does.
    dict(path='tools/link.py',
         anchor="  if settings.WASMFS:\n    settings.LINK_AS_CXX = True\n",
         text="  if settings.DIRECT_SOCKETS:\n    settings.LINK_AS_CXX = True\n"),
    dict(path='tools/system_libs.py',
         anchor="  def can_use(self):\n    return super().can_use() and settings.PROXY_POSIX_SOCKETS\n",
         text='''

class libdirectsockets(DebugLibrary, MTLibrary):
  name = 'libdirectsockets'
  src_dir = 'system/lib/directsockets'
  src_glob = '*.cpp'
  includes = ['system/lib/directsockets']
  cflags = ['-std=c++20', '-fno-exceptions', '-fno-rtti']

  def can_use(self):
    return super().can_use() and settings.DIRECT_SOCKETS
'''),
    # Before musl's libsockets: the core's getaddrinfo, freeaddrinfo and
    # gethostbyname family must be the ones the linker takes.
    dict(path='tools/system_libs.py',
         anchor="  if settings.PROXY_POSIX_SOCKETS:\n    add_library('libsockets_proxy')\n  else:\n    add_library('libsockets')\n",
         where='before',
         text="  if settings.DIRECT_SOCKETS:\n    add_library('libdirectsockets')\n"),
]
