/* `az` for the tests, the same client as the Python script `az` next to this file, in C: a Python start-up
 * (with site and the socket/json imports) is 40-60 ms of CPU, more than a fork of the zygote now costs, for each
 * of the suite's ~660 commands. test/support/az.ts compiles this file with the system's cc when there is one and
 * uses the Python client otherwise; both speak the same protocol to zygote.py:
 *   -> 4-byte big-endian length with our stdin, stdout and stderr attached (SCM_RIGHTS), then that many bytes of
 *      JSON {"args": [...], "env": {...}, "cwd": "..."}
 *   <- one JSON line: {"exit": N, ...}, {"signal": N, ...} or {"refused": "why"}
 * Without a zygote, or when it refuses, this process becomes /usr/bin/az (exec: nothing was started).
 * Started as `python3` (argv[0]), the same client asks a `zygote.py --python` (ARM_EMULATOR_PY_ZYGOTE) to run a
 * Python script, and becomes /usr/bin/python3 without one. Strings
 * travel as Python's os.fsdecode gives them (UTF-8, undecodable bytes as lone surrogates U+DC80..U+DCFF), so the
 * child's argv and environment are the bytes this process got. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

extern char **environ;
static const char *REAL = "/usr/bin/az";
static const char *SOCKET_VAR = "ARM_EMULATOR_AZ_ZYGOTE";

static void real(char **argv) {
  argv[0] = (char *)REAL;
  execv(REAL, argv);
  fprintf(stderr, "az: cannot run %s: %s\n", REAL, strerror(errno));
  _exit(127);
}

struct buf {
  char *p;
  size_t n, cap;
};

static void put(struct buf *b, const char *s, size_t n) {
  if (b->n + n > b->cap) {
    b->cap = (b->n + n) * 2 + 4096;
    b->p = realloc(b->p, b->cap);
    if (!b->p) {
      fputs("az: out of memory\n", stderr);
      _exit(1);
    }
  }
  memcpy(b->p + b->n, s, n);
  b->n += n;
}

/* Length of the valid UTF-8 sequence at s (as Python's strict decoder accepts it), or 0. */
static size_t utf8_len(const unsigned char *s, size_t left) {
  unsigned char c = s[0];
  size_t n;
  unsigned int min;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) n = 2, min = 0x80;
  else if (c >= 0xE0 && c <= 0xEF) n = 3, min = 0x800;
  else if (c >= 0xF0 && c <= 0xF4) n = 4, min = 0x10000;
  else return 0;
  if (left < n) return 0;
  unsigned int cp = c & (0xFF >> (n + 1));
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

static void str(struct buf *b, const char *s, size_t len) {
  const unsigned char *u = (const unsigned char *)s;
  char esc[8];
  put(b, "\"", 1);
  for (size_t i = 0; i < len;) {
    unsigned char c = u[i];
    if (c == '"' || c == '\\') {
      esc[0] = '\\', esc[1] = (char)c;
      put(b, esc, 2), i++;
    } else if (c < 0x20 || c == 0x7F) {
      snprintf(esc, sizeof esc, "\\u%04x", c);
      put(b, esc, 6), i++;
    } else if (c < 0x80) {
      put(b, (const char *)u + i, 1), i++;
    } else {
      size_t n = utf8_len(u + i, len - i);
      if (n) put(b, (const char *)u + i, n), i += n;
      else {  // surrogateescape
        snprintf(esc, sizeof esc, "\\udc%02x", c);
        put(b, esc, 6), i++;
      }
    }
  }
  put(b, "\"", 1);
}

static long field(const char *reply, const char *key, int *found) {
  const char *at = strstr(reply, key);
  *found = at != NULL;
  return at ? strtol(at + strlen(key), NULL, 10) : 0;
}

static void log_cpu(void) {
  const char *log = getenv("ARM_EMULATOR_AZ_ZYGOTE_LOG");
  if (!log || !*log) return;
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  FILE *f = fopen(log, "a");
  if (!f) return;
  fprintf(f, "[\"client\", %.3f, %.3f]\n", ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6, ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
  fclose(f);
}

int main(int argc, char **argv) {
  const char *base = strrchr(argv[0], '/');
  if (strcmp(base ? base + 1 : argv[0], "python3") == 0)  // started as python3: a zygote.py --python
    REAL = "/usr/bin/python3", SOCKET_VAR = "ARM_EMULATOR_PY_ZYGOTE";
  const char *path = getenv(SOCKET_VAR);
  if (!path || !*path) real(argv);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof addr.sun_path) real(argv);
  strcpy(addr.sun_path, path);
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0 || connect(s, (struct sockaddr *)&addr, sizeof addr) < 0) real(argv);

  struct buf b = {0};
  put(&b, "{\"args\": [", 10);
  for (int i = 1; i < argc; i++) {
    if (i > 1) put(&b, ", ", 2);
    str(&b, argv[i], strlen(argv[i]));
  }
  put(&b, "], \"env\": {", 11);
  int first = 1;
  for (char **e = environ; *e; e++) {
    const char *eq = strchr(*e, '=');
    if (!eq || eq == *e) continue;  // Python's os.environ skips these too
    if (!first) put(&b, ", ", 2);
    first = 0;
    str(&b, *e, (size_t)(eq - *e));
    put(&b, ": ", 2);
    str(&b, eq + 1, strlen(eq + 1));
  }
  char *cwd = getcwd(NULL, 0);
  if (!cwd) real(argv);
  put(&b, "}, \"cwd\": ", 10);
  str(&b, cwd, strlen(cwd));
  put(&b, "}", 1);

  // the length, with our stdio attached
  unsigned char head[4] = {(unsigned char)(b.n >> 24), (unsigned char)(b.n >> 16), (unsigned char)(b.n >> 8), (unsigned char)b.n};
  int fds[3] = {0, 1, 2};
  char control[CMSG_SPACE(sizeof fds)];
  memset(control, 0, sizeof control);
  struct iovec iov = {.iov_base = head, .iov_len = 4};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
  struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof fds);
  memcpy(CMSG_DATA(cm), fds, sizeof fds);
  ssize_t sent;
  do sent = sendmsg(s, &msg, MSG_NOSIGNAL);
  while (sent < 0 && errno == EINTR);
  if (sent != 4) real(argv);  // nothing was started
  for (size_t off = 0; off < b.n;) {
    ssize_t w = send(s, b.p + off, b.n - off, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) real(argv);  // the zygote starts nothing before it has the whole request
    off += (size_t)w;
  }

  char reply[4096];
  size_t got = 0;
  while (got < sizeof reply - 1 && (got == 0 || reply[got - 1] != '\n')) {
    ssize_t r = recv(s, reply + got, sizeof reply - 1 - got, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += (size_t)r;
  }
  reply[got] = 0;
  if (got == 0 || reply[got - 1] != '\n') {  // the command may have run: never run it twice
    fputs("az: the test zygote went away while running the command\n", stderr);
    _exit(1);
  }
  log_cpu();
  int found;
  if (getenv("ARM_EMULATOR_AZ_ZYGOTE_CPU")) {
    const char *cpu = strstr(reply, "\"cpu\": ");
    if (cpu) fprintf(stderr, "az cpu %.*s\n", (int)strcspn(cpu + 7, ",}"), cpu + 7);
  }
  long code = field(reply, "\"exit\": ", &found);
  if (found) _exit((int)(code & 0xFF));
  long sig = field(reply, "\"signal\": ", &found);
  if (found && sig > 0) {
    signal((int)sig, SIG_DFL);
    kill(getpid(), (int)sig);
    _exit(128 + (int)sig);
  }
  real(argv);  // refused: nothing was started
  return 0;
}
