/* Single-core memory read bandwidth, for the bound of bench/engines/run.sh:
 * one thread sums a 1 GiB array of 64-bit integers (far larger than any
 * cache) several times and prints the best rate in GB/s (10^9 bytes/s).
 * Each pass is timed by the thread's CPU clock, not the wall clock: on a
 * machine shared with other work (builds on both cores) the wall clock would
 * count the time the thread waited for a core, not the memory.
 * Built by run.sh with `cc -O3 -march=native`. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double Now(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(void) {
  const size_t bytes = (size_t)1 << 30;
  const size_t n = bytes / sizeof(uint64_t);
  uint64_t* values = malloc(bytes);
  if (values == NULL) {
    fprintf(stderr, "bandwidth: cannot allocate 1 GiB\n");
    return 1;
  }
  for (size_t i = 0; i < n; ++i) values[i] = i;  /* touch every page */
  double best = 1e30;
  uint64_t check = 0;
  for (int round = 0; round < 9; ++round) {
    double start = Now();
    /* Four independent sums, so that the adds never wait on each other. */
    uint64_t a = 0, b = 0, c = 0, d = 0;
    for (size_t i = 0; i < n; i += 4) {
      a += values[i];
      b += values[i + 1];
      c += values[i + 2];
      d += values[i + 3];
    }
    double seconds = Now() - start;
    check += a + b + c + d;
    if (seconds < best) best = seconds;
  }
  printf("%.2f\n", (double)bytes / best / 1e9);
  /* The sums are printed so that the compiler cannot drop the loop. */
  fprintf(stderr, "bandwidth: best of 9 passes over 1 GiB: %.1f ms (check %llu)\n", best * 1e3,
          (unsigned long long)check);
  free(values);
  return 0;
}
