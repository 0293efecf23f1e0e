/*
 * The floor under bench/copy-overhead.mjs: the two host wake-ups of one word program in QEMU, without QEMU.
 * A "vCPU" thread arms a 250 us deadline and sleeps on a condition variable; a "main loop" thread sleeps in
 * ppoll() until that deadline (timer slack 1 ns, as QEMU sets its own), then wakes the vCPU thread, which arms
 * the next word at once. Prints the wall time of each run of 553 words in ms, one per line.
 * Usage: copy-overhead-bare [runs=1] [words=553] [us=250]
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t armed = PTHREAD_COND_INITIALIZER, fired = PTHREAD_COND_INITIALIZER;
static long long deadline;
static int expired;

static long long now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void *main_loop(void *arg)
{
    (void)arg;
    prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0);
    pthread_mutex_lock(&lock);
    for (;;) {
        while (!deadline)
            pthread_cond_wait(&armed, &lock);
        long long d = deadline;
        pthread_mutex_unlock(&lock);
        for (long long n; (n = now()) < d;) {
            struct timespec ts = { 0, d - n };
            ppoll(NULL, 0, &ts, NULL);
        }
        pthread_mutex_lock(&lock);
        deadline = 0;
        expired = 1;
        pthread_cond_signal(&fired);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 1, words = argc > 2 ? atoi(argv[2]) : 553;
    long long us = argc > 3 ? atoll(argv[3]) : 250;
    pthread_t t;
    pthread_create(&t, NULL, main_loop, NULL);
    for (int r = 0; r < runs; r++) {
        long long start = now();
        pthread_mutex_lock(&lock);
        for (int i = 0; i < words; i++) {
            expired = 0;
            deadline = now() + us * 1000;
            pthread_cond_signal(&armed);
            while (!expired)
                pthread_cond_wait(&fired, &lock);
        }
        pthread_mutex_unlock(&lock);
        printf("%.3f\n", (now() - start) / 1e6);
        fflush(stdout);
    }
    return 0;
}
