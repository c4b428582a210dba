#include <nats/nats.h>

/*
 * Frees a message on the calling thread instead of handing it to libnats' garbage collector.
 *
 * natsMsg_Destroy queues every message created by the library on one global list under one mutex and
 * wakes libnats' GC thread to free it. Releasing a drained batch thus cost a lock round and often a
 * thread wake per message, and every message was freed on yet another thread (docs/BENCHMARKS.md,
 * "Ingest CPU per fact"). A message whose collector callback is cleared is freed by natsMsg_Destroy
 * itself, exactly as the GC thread would free it.
 *
 * This relies on nats.c's private layout: `struct __natsMsg` begins with its `natsGCItem`
 * (`{ next; freeCb; }`), unchanged from v3.0 to the current main branch. Any other major version is
 * left to the collector.
 */
typedef struct {
    void *next;
    void (*freeCb)(void *);
} projection_natsGCItemLayout;

static inline void projection_natsMsg_DestroyNow(natsMsg *msg) {
    if (msg == NULL) return;
    if ((nats_GetVersionNumber() >> 16) == 3) {
        ((projection_natsGCItemLayout *)(void *)msg)->freeCb = NULL;
    }
    natsMsg_Destroy(msg);
}
