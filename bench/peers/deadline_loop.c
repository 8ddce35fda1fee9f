/* Peer: a 1 kHz loop sleeping to absolute deadlines with
 * clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME), deadlines start + k*period
 * (the way C/C++ robot control loops sleep). Records each tick's lateness
 * (wake time - deadline, µs) and the process CPU time. Bench-only (see
 * docs/bench.md).
 *
 *   deadline_loop TICKS [PERIOD_NS]
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long long ns(const struct timespec *t) { return (long long)t->tv_sec * 1000000000LL + t->tv_nsec; }

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: deadline_loop TICKS [PERIOD_NS]\n"); return 2; }
  const long ticks = atol(argv[1]);
  const long long period = argc > 2 ? atoll(argv[2]) : 1000000LL;
  double *late = malloc(sizeof(double) * ticks);
  if (!late) return 1;
  struct timespec now, c0, c1, deadline;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
  clock_gettime(CLOCK_MONOTONIC, &now);
  const long long start = ns(&now);
  for (long k = 0; k < ticks; k++) {
    const long long d = start + (k + 1) * period;
    deadline.tv_sec = d / 1000000000LL;
    deadline.tv_nsec = d % 1000000000LL;
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL) != 0) {}
    clock_gettime(CLOCK_MONOTONIC, &now);
    late[k] = (ns(&now) - d) / 1e3;
  }
  clock_gettime(CLOCK_MONOTONIC, &now);
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
  printf("{\"version\":\"C clock_nanosleep TIMER_ABSTIME (gcc)\",\"figures\":{\"deadline_loop\":{\"cpu_s\":%.6f,\"wall_s\":%.6f,\"samples_us\":[",
         (ns(&c1) - ns(&c0)) / 1e9, (ns(&now) - start) / 1e9);
  for (long k = 0; k < ticks; k++) printf(k ? ",%.3f" : "%.3f", late[k]);
  printf("]}}}\n");
  free(late);
  return 0;
}
