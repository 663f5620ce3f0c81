// Threads under load: a listener whose accept thread starts a server thread
// per connection, and CLIENTS client threads that each open CONNS
// connections one after another. On every connection both sides send at
// once, independently (not an echo): each writes its own stream (length and
// bytes derived from the connection's seed, from a few bytes to a few
// hundred KiB) in writes of random sizes through write/send/writev/sendmsg,
// while a second thread on the same socket reads the other side's stream in
// reads of random sizes through read/recv/readv/recvmsg. A reader checks
// every byte against the stream the other side generated and the FNV-1a
// hashes and lengths of each stream must match at both ends.
//
// The streams end by length, not by half-close: in Chromium 156
// shutdown(SHUT_WR) sends no FIN while the socket can still read
// (docs/chromium-tcp-no-fin.md). Each side calls shutdown(SHUT_WR) after its
// stream, and one side (alternating) reads to EOF after the other's close(),
// which shows that no extra bytes followed the stream.
//
// Threads mode only (natively, plain pthreads). The output does not depend
// on timing, so the native and wasm runs print the same lines.
#include "check.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/uio.h>

#define CLIENTS 8
#define CONNS 6
#define MAX_WRITE (256 * 1024)
#define MAX_READ (64 * 1024)
#define WATCHDOG_S 50 // under the browser harness's 60 and 90 s timeouts

static struct sockaddr_storage server_addr;
static socklen_t server_len;

// ---- Deterministic streams -------------------------------------------------

static uint64_t splitmix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

static uint64_t next(uint64_t* state) { return splitmix((*state)++ * 7919); }

static uint64_t conn_seed(int client, int conn) {
  return splitmix(0x5eed0000ull + (uint64_t)client * 1000 + (uint64_t)conn);
}

// The length of one direction's stream: some empty or tiny, some small,
// most between 4 KiB and 644 KiB.
static size_t stream_length(uint64_t seed, int dir) {
  uint64_t r = splitmix(seed ^ (0x1e9 + (uint64_t)dir));
  switch (r % 8) {
  case 0:
    return (r >> 8) % 16;
  case 1:
    return 16 + (r >> 8) % 4096;
  default:
    return 4096 + (r >> 8) % (640 * 1024);
  }
}

// The bytes [offset, offset + n) of a stream: byte i comes from word i / 8,
// so any range can be generated on its own.
static void stream_bytes(uint64_t seed, size_t offset, unsigned char* buf,
                         size_t n) {
  for (size_t i = 0; i < n; i++) {
    size_t at = offset + i;
    buf[i] =
        (unsigned char)(splitmix(seed ^ ((at >> 3) * 0x2545f4914f6cdd1dull)) >>
                        (8 * (at & 7)));
  }
}

#define FNV_OFFSET 0xcbf29ce484222325ull
static uint64_t fnv1a(uint64_t h, const unsigned char* p, size_t n) {
  for (size_t i = 0; i < n; i++)
    h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

// A size from 1 to max, log-uniform, so small ones are as common as large.
static size_t random_size(uint64_t* rng, size_t max) {
  size_t n = 1 + next(rng) % ((size_t)1 << (next(rng) % 19));
  return n < max ? n : max;
}

// ---- One direction ---------------------------------------------------------

// What each end of a direction saw: the writer's count and hash of what it
// generated, the reader's of what it received; `so_far` for the watchdog.
struct end {
  size_t bytes;
  uint64_t hash;
  atomic_size_t so_far;
};
struct direction {
  struct end wrote, read;
};
// [client][conn][0: client to server, 1: server to client]
static struct direction directions[CLIENTS][CONNS][2];

// Where each side of each connection is, for the watchdog.
enum stage { IDLE, CONNECTED, EXCHANGING, SHUT, JOINED, CLOSED };
static const char* const stage_names[] = {"idle", "connected", "exchanging",
                                          "shut", "joined",    "closed"};
// [client][conn][0: client side, 1: server side]
static atomic_int stages[CLIENTS][CONNS][2];
static atomic_int finished;

// Writes the stream (seed, dir) of `length` bytes to fd, after `prefix`
// (sent with the first write), in writes of random sizes and kinds.
static void write_stream(int fd, uint64_t seed, int dir, size_t length,
                         const void* prefix, size_t prefix_len,
                         struct end* wrote) {
  unsigned char* buf = malloc(MAX_WRITE);
  CHECK(buf);
  uint64_t rng = seed ^ (0xa11ce + (uint64_t)dir);
  uint64_t data_seed = seed ^ (uint64_t)dir;
  uint64_t hash = FNV_OFFSET;
  size_t off = 0;
  do {
    size_t n = random_size(&rng, length - off);
    if (off == length)
      n = 0; // a stream of nothing but the prefix
    stream_bytes(data_seed, off, buf, n);
    hash = fnv1a(hash, buf, n);
    // The prefix goes in the first write's iovec, so it cannot be split from
    // the data by anything but the network.
    struct iovec iov[3] = {
        {(void*)prefix, prefix_len}, {buf, n / 2}, {buf + n / 2, n - n / 2}};
    struct iovec* v = prefix_len ? iov : iov + 1;
    int vn = prefix_len ? 3 : 2;
    size_t total = prefix_len + n;
    prefix_len = 0;
    while (total > 0) {
      // Skip what was written already (a partial write).
      while (v->iov_len == 0) {
        v++;
        vn--;
      }
      ssize_t w;
      switch (next(&rng) % 4) {
      case 0:
        w = write(fd, v->iov_base, v->iov_len);
        break;
      case 1:
        w = send(fd, v->iov_base, v->iov_len, MSG_NOSIGNAL);
        break;
      case 2:
        w = writev(fd, v, vn);
        break;
      default: {
        struct msghdr msg = {.msg_iov = v, .msg_iovlen = vn};
        w = sendmsg(fd, &msg, MSG_NOSIGNAL);
        break;
      }
      }
      CHECK(w > 0);
      total -= (size_t)w;
      for (int i = 0; i < vn && w > 0; i++) {
        size_t k = (size_t)w < v[i].iov_len ? (size_t)w : v[i].iov_len;
        v[i].iov_base = (char*)v[i].iov_base + k;
        v[i].iov_len -= k;
        w -= (ssize_t)k;
      }
    }
    off += n;
    atomic_store_explicit(&wrote->so_far, off, memory_order_relaxed);
  } while (off < length);
  wrote->bytes = off;
  wrote->hash = hash;
  free(buf);
}

// Where in the stream (seed, length) the n bytes p first occur, or -1.
static long find_in_stream(uint64_t seed, size_t length, const unsigned char* p,
                           size_t n) {
  unsigned char probe[16];
  for (size_t at = 0; n && at + n <= length; at++) {
    stream_bytes(seed, at, probe, n);
    if (memcmp(probe, p, n) == 0)
      return (long)at;
  }
  return -1;
}

// Reads exactly `length` bytes of the stream (seed, dir) from fd, in reads
// of random sizes and kinds, checking each against what the writer
// generated.
static void read_stream(int fd, uint64_t seed, int dir, size_t length,
                        struct end* read_end) {
  unsigned char* buf = malloc(2 * MAX_READ);
  CHECK(buf);
  unsigned char* want = buf + MAX_READ;
  uint64_t rng = seed ^ (0xb0b + (uint64_t)dir);
  uint64_t data_seed = seed ^ (uint64_t)dir;
  uint64_t hash = FNV_OFFSET;
  size_t off = 0;
  while (off < length) {
    size_t n =
        random_size(&rng, length - off < MAX_READ ? length - off : MAX_READ);
    ssize_t r;
    struct iovec iov[2] = {{buf, n / 2}, {buf + n / 2, n - n / 2}};
    switch (next(&rng) % 5) {
    case 0:
      r = read(fd, buf, n);
      break;
    case 1:
      r = recv(fd, buf, n, 0);
      break;
    case 2:
      // Waits for all n bytes: never past the stream's end, which is not
      // followed by an EOF yet.
      r = recv(fd, buf, n, MSG_WAITALL);
      CHECK(r <= 0 || r == (ssize_t)n);
      break;
    case 3:
      r = readv(fd, iov, 2);
      break;
    default: {
      struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
      r = recvmsg(fd, &msg, 0);
      break;
    }
    }
    if (r <= 0) {
      printf("FAIL stream %llx/%d: read %zd (%s) at %zu of %zu\n",
             (unsigned long long)seed, dir, r, r ? errno_name(errno) : "EOF",
             off, length);
      quit(1);
    }
    stream_bytes(data_seed, off, want, (size_t)r);
    if (memcmp(buf, want, (size_t)r) != 0) {
      size_t i = 0;
      while (buf[i] == want[i])
        i++;
      // Lost or repeated bytes show as the stream's bytes from elsewhere.
      long from = find_in_stream(data_seed, length, buf + i,
                                 (size_t)r - i < 16 ? (size_t)r - i : 16);
      printf("FAIL stream %llx/%d: wrong byte at %zu of %zu, in a read of %zd "
             "at %zu; ",
             (unsigned long long)seed, dir, off + i, length, r, off);
      if (from >= 0)
        printf("the bytes there are those at %ld (%+ld)\n", from,
               from - (long)(off + i));
      else
        printf("the bytes there are not from the stream\n");
      quit(1);
    }
    hash = fnv1a(hash, buf, (size_t)r);
    off += (size_t)r;
    atomic_store_explicit(&read_end->so_far, off, memory_order_relaxed);
  }
  read_end->bytes = off;
  read_end->hash = hash;
  free(buf);
}

// ---- Both directions on one socket -----------------------------------------

struct reader {
  int fd;
  uint64_t seed;
  int dir;
  size_t length;
  struct end* end;
};

static void* reader_thread(void* arg) {
  struct reader* r = arg;
  read_stream(r->fd, r->seed, r->dir, r->length, r->end);
  return NULL;
}

// One side of a connection: a thread reads the other side's stream while
// this one writes its own, then shuts down writing; after both, the side
// that closes second reads EOF, the other closes first.
static void exchange(int fd, uint64_t seed, int client, int conn, int dir,
                     const void* prefix, size_t prefix_len) {
  struct direction* d = directions[client][conn];
  atomic_int* stage = &stages[client][conn][dir];
  atomic_store(stage, EXCHANGING);
  struct reader r = {fd, seed, !dir, stream_length(seed, !dir), &d[!dir].read};
  pthread_t reader;
  CHECK(pthread_create(&reader, NULL, reader_thread, &r) == 0);
  write_stream(fd, seed, dir, stream_length(seed, dir), prefix, prefix_len,
               &d[dir].wrote);
  // With the reader blocked in a read on the same socket.
  CHECK(shutdown(fd, SHUT_WR) == 0);
  atomic_store(stage, SHUT);
  CHECK(pthread_join(reader, NULL) == 0);
  atomic_store(stage, JOINED);
  char c;
  if ((conn + dir) % 2) {
    // The other side closes first: its stream ended where it should.
    ssize_t n = recv(fd, &c, 1, 0);
    if (n != 0) {
      printf("FAIL stream %llx/%d: %zd (%s) after the stream, not EOF\n",
             (unsigned long long)seed, !dir, n, errno_name(errno));
      quit(1);
    }
  } else {
    // Nothing more yet; its EOF may not have come (natively, or in Chromium
    // where the half-close sent no FIN).
    ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT);
    CHECK(n == 0 || (n == -1 && errno == EAGAIN));
  }
  CHECK(close(fd) == 0);
  atomic_store(stage, CLOSED);
}

static void* client_thread(void* arg) {
  int client = (int)(intptr_t)arg;
  for (int conn = 0; conn < CONNS; conn++) {
    int fd = socket(server_addr.ss_family, SOCK_STREAM, 0);
    CHECK(fd >= 0);
    CHECK(connect(fd, (struct sockaddr*)&server_addr, server_len) == 0);
    atomic_store(&stages[client][conn][0], CONNECTED);
    // Which connection this is, so that the server knows the seed.
    uint32_t hello[2] = {htonl((uint32_t)client), htonl((uint32_t)conn)};
    exchange(fd, conn_seed(client, conn), client, conn, 0, hello, sizeof hello);
  }
  return NULL;
}

static void* server_thread(void* arg) {
  int fd = (int)(intptr_t)arg;
  uint32_t hello[2];
  CHECK(recv(fd, hello, sizeof hello, MSG_WAITALL) == sizeof hello);
  int client = (int)ntohl(hello[0]), conn = (int)ntohl(hello[1]);
  CHECK(client >= 0 && client < CLIENTS && conn >= 0 && conn < CONNS);
  atomic_store(&stages[client][conn][1], CONNECTED);
  exchange(fd, conn_seed(client, conn), client, conn, 1, NULL, 0);
  return NULL;
}

static int listen_fd;
static pthread_t servers[CLIENTS * CONNS];

static void* accept_thread(void* arg) {
  (void)arg;
  for (int i = 0; i < CLIENTS * CONNS; i++) {
    int fd = accept(listen_fd, NULL, NULL);
    CHECK(fd >= 0);
    CHECK(pthread_create(&servers[i], NULL, server_thread,
                         (void*)(intptr_t)fd) == 0);
  }
  return NULL;
}

// Fails the run if it is not over in WATCHDOG_S seconds (a lost byte shows
// as a read that never returns), saying where each unfinished connection is.
static void* watchdog_thread(void* arg) {
  (void)arg;
  for (int i = 0; i < WATCHDOG_S * 10; i++) {
    usleep(100 * 1000);
    if (atomic_load(&finished))
      return NULL;
  }
  printf("FAIL not done after %d s\n", WATCHDOG_S);
  for (int c = 0; c < CLIENTS; c++)
    for (int k = 0; k < CONNS; k++) {
      int client_stage = atomic_load(&stages[c][k][0]);
      int server_stage = atomic_load(&stages[c][k][1]);
      if (client_stage == CLOSED && server_stage == CLOSED)
        continue;
      if (client_stage == IDLE && server_stage == IDLE)
        continue;
      printf("  client %d connection %d: client %s, server %s", c, k,
             stage_names[client_stage], stage_names[server_stage]);
      for (int dir = 0; dir < 2; dir++) {
        struct direction* d = &directions[c][k][dir];
        printf("; %s %zu written, %zu read of %zu",
               dir ? "to client" : "to server", atomic_load(&d->wrote.so_far),
               atomic_load(&d->read.so_far),
               stream_length(conn_seed(c, k), dir));
      }
      printf("\n");
    }
  quit(1);
  return NULL;
}

int main(void) {
  pthread_t watchdog, acceptor, clients[CLIENTS];
  CHECK(pthread_create(&watchdog, NULL, watchdog_thread, NULL) == 0);
  CHECK(pthread_detach(watchdog) == 0);

  server_len = listener(AF_INET, 0, &listen_fd, &server_addr);
  CHECK(listen(listen_fd, CLIENTS * CONNS) == 0);
  CHECK(pthread_create(&acceptor, NULL, accept_thread, NULL) == 0);
  for (int i = 0; i < CLIENTS; i++)
    CHECK(pthread_create(&clients[i], NULL, client_thread,
                         (void*)(intptr_t)i) == 0);
  for (int i = 0; i < CLIENTS; i++)
    CHECK(pthread_join(clients[i], NULL) == 0);
  CHECK(pthread_join(acceptor, NULL) == 0);
  for (int i = 0; i < CLIENTS * CONNS; i++)
    CHECK(pthread_join(servers[i], NULL) == 0);
  CHECK(close(listen_fd) == 0);
  atomic_store(&finished, 1);

  // Each stream as its writer generated it and as its reader received it.
  unsigned long long total[2] = {0, 0};
  for (int c = 0; c < CLIENTS; c++)
    for (int k = 0; k < CONNS; k++)
      for (int dir = 0; dir < 2; dir++) {
        struct direction* d = &directions[c][k][dir];
        uint64_t seed = conn_seed(c, k);
        CHECK(d->wrote.bytes == stream_length(seed, dir));
        CHECK(d->read.bytes == d->wrote.bytes);
        CHECK(d->read.hash == d->wrote.hash);
        total[dir] += d->wrote.bytes;
      }
  printf("%d client threads x %d connections: %llu bytes client to server, "
         "%llu bytes server to client, verified\n",
         CLIENTS, CONNS, total[0], total[1]);
  printf("done\n");
  return 0;
}
