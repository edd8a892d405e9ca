// A fork-join pool of spinning workers for the kernels' parallel loops (Swift's Parallel calls it).
//
// Why not GCD: at batch 1 a MiniLM forward has ~50 parallel regions of 20-100 µs each, and waking a sleeping GCD
// worker (futex wake + schedule) costs a sizeable part of that. ONNX Runtime's and OpenMP's pools keep their
// workers spinning for a short while after each region; this one does the same: a worker spins on its mailbox for
// SK_POOL_SPIN_NS after its last part, then sleeps on a condition variable until the next post.
//
// Protocol (static fork-join, no work stealing, so no races on the job): the caller owns the pool for one run
// (try-lock; a concurrent caller or a nested call gets 0 and runs its loop another way), writes the job, posts a
// new generation into each participating worker's mailbox, runs part 0 itself, then waits until every participant
// has written that generation into its `done` slot. The job is only rewritten after all participants are done.
#include "CKernels.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sched.h>
#include <time.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define SK_CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define SK_CPU_RELAX() __asm__ __volatile__("yield")
#else
#define SK_CPU_RELAX() ((void)0)
#endif

enum { SK_POOL_MAX_WORKERS = 63 };
#define SK_POOL_SPIN_NS 100000LL  // 100 µs: longer than the gaps between a forward's regions, short when idle

typedef struct {
    _Alignas(64) atomic_long posted;  // generation the caller asks this worker to run
    _Alignas(64) atomic_long done;    // last generation this worker finished
} sk_mailbox;

static struct {
    atomic_flag busy;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    atomic_int sleepers;
    int started;  // workers created so far (under `lock`)
    long generation;
    sk_task_fn fn;
    void *context;
    sk_mailbox box[SK_POOL_MAX_WORKERS];
} pool = {ATOMIC_FLAG_INIT, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER};

static _Thread_local int inside_part;

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void *worker_main(void *argument) {
    const int index = (int)(intptr_t)argument;  // runs part index + 1
    sk_mailbox *box = &pool.box[index];
    // Not `posted`: the creator may post this worker's first generation before the thread gets here. Outside a
    // run every worker's done equals its posted (the caller waits for that), so done is what this worker last saw.
    long seen = atomic_load(&box->done);
    inside_part = 1;
    for (;;) {
        long posted = atomic_load_explicit(&box->posted, memory_order_acquire);
        if (posted == seen) {
            const long long deadline = now_ns() + SK_POOL_SPIN_NS;
            int spins = 0;
            while ((posted = atomic_load_explicit(&box->posted, memory_order_acquire)) == seen) {
                SK_CPU_RELAX();
                if (++spins % 64 == 0 && now_ns() > deadline) break;
            }
            if (posted == seen) {
                // Sleep. Dekker with the caller (both seq_cst): either it sees sleepers > 0 and broadcasts under the
                // lock, or we see its new generation before waiting.
                pthread_mutex_lock(&pool.lock);
                atomic_fetch_add(&pool.sleepers, 1);
                while ((posted = atomic_load(&box->posted)) == seen) pthread_cond_wait(&pool.wake, &pool.lock);
                atomic_fetch_sub(&pool.sleepers, 1);
                pthread_mutex_unlock(&pool.lock);
            }
        }
        seen = posted;
        pool.fn(pool.context, index + 1);
        atomic_store_explicit(&box->done, posted, memory_order_release);
    }
    return NULL;
}

int sk_pool_run(int parts, sk_task_fn fn, void *context) {
    if (parts <= 1) {
        if (parts == 1) fn(context, 0);
        return 1;
    }
    if (parts - 1 > SK_POOL_MAX_WORKERS || inside_part) return 0;
    if (atomic_flag_test_and_set_explicit(&pool.busy, memory_order_acquire)) return 0;
    const int workers = parts - 1;
    if (pool.started < workers) {
        pthread_mutex_lock(&pool.lock);
        while (pool.started < workers) {
            pthread_t thread;
            pthread_attr_t attributes;
            pthread_attr_init(&attributes);
            pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
            pthread_attr_setstacksize(&attributes, 8u << 20);  // Swift closures run here: give them a main-size stack
            const int failed = pthread_create(&thread, &attributes, worker_main, (void *)(intptr_t)pool.started);
            pthread_attr_destroy(&attributes);
            if (failed) break;
            pool.started++;
        }
        const int started = pool.started;
        pthread_mutex_unlock(&pool.lock);
        if (started < workers) {
            atomic_flag_clear_explicit(&pool.busy, memory_order_release);
            return 0;
        }
    }
    const long generation = ++pool.generation;
    pool.fn = fn;
    pool.context = context;
    for (int w = 0; w < workers; w++) atomic_store(&pool.box[w].posted, generation);
    if (atomic_load(&pool.sleepers) > 0) {
        pthread_mutex_lock(&pool.lock);
        pthread_cond_broadcast(&pool.wake);
        pthread_mutex_unlock(&pool.lock);
    }
    inside_part = 1;
    fn(context, 0);
    inside_part = 0;
    for (int w = 0; w < workers; w++) {
        int spins = 0;
        while (atomic_load_explicit(&pool.box[w].done, memory_order_acquire) != generation) {
            SK_CPU_RELAX();
            if (++spins > 4096) { sched_yield(); spins = 0; }  // a descheduled worker: let it run
        }
    }
    atomic_flag_clear_explicit(&pool.busy, memory_order_release);
    return 1;
}
