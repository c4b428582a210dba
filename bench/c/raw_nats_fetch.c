// The floor for ingest (issue "Ingest at the floor"): a bare C libnats client that fetches a whole stream
// in pulls of --fetch-batch messages and acks every one, with no decoding and no store. bench/run.py builds
// it with cc and reports ingest against it. Prints one JSON line: messages, seconds, rate, its own CPU.
//
//   raw_nats_fetch --nats URL --stream NAME --subject SUBJ --durable NAME --expect N [--fetch-batch 500]
#define FLOOR_NAME "raw_nats_fetch"
#include "floor.h"
#include <string.h>

int main(int argc, char **argv) {
    const char *url = "nats://127.0.0.1:4222", *stream = NULL, *subject = NULL, *durable = NULL;
    long expect = 0;
    int batch = 500;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--nats")) url = argv[i + 1];
        else if (!strcmp(argv[i], "--stream")) stream = argv[i + 1];
        else if (!strcmp(argv[i], "--subject")) subject = argv[i + 1];
        else if (!strcmp(argv[i], "--durable")) durable = argv[i + 1];
        else if (!strcmp(argv[i], "--expect")) expect = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--fetch-batch")) batch = atoi(argv[i + 1]);
        else { fprintf(stderr, "raw_nats_fetch: unknown option %s\n", argv[i]); return 2; }
    }
    if (!stream || !subject || !durable || expect <= 0 || batch <= 0) {
        fprintf(stderr, "usage: raw_nats_fetch --nats URL --stream NAME --subject SUBJ --durable NAME --expect N [--fetch-batch 500]\n");
        return 2;
    }

    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    natsSubscription *sub = NULL;
    natsStatus s = natsConnection_ConnectTo(&nc, url);
    if (s != NATS_OK) die("connect", s);
    if ((s = natsConnection_JetStream(&js, nc, NULL)) != NATS_OK) die("jetstream", s);

    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.Durable = durable;
    cc.AckPolicy = js_AckExplicit;
    cc.DeliverPolicy = js_DeliverAll;
    cc.MaxAckPending = 20000;
    cc.FilterSubject = subject;
    jsErrCode jerr = 0;
    if ((s = js_AddConsumer(NULL, js, stream, &cc, NULL, &jerr)) != NATS_OK) die("add consumer", s);
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = stream;
    so.Consumer = durable;
    if ((s = js_PullSubscribe(&sub, js, subject, durable, NULL, &so, &jerr)) != NATS_OK) die("pull subscribe", s);

    long received = 0;
    long long bytes = 0;
    int idle = 0;
    double cpu0 = cpu_seconds(), t0 = now_seconds();
    while (received < expect) {
        natsMsgList list;
        s = natsSubscription_Fetch(&list, sub, batch, 2000, &jerr);
        if (s == NATS_TIMEOUT) {
            if (++idle >= 10) { fprintf(stderr, "raw_nats_fetch: stream ran dry after %ld of %ld\n", received, expect); return 1; }
            continue;
        }
        if (s != NATS_OK) die("fetch", s);
        for (int i = 0; i < list.Count; i++) {
            bytes += natsMsg_GetDataLength(list.Msgs[i]);
            if ((s = natsMsg_Ack(list.Msgs[i], NULL)) != NATS_OK) die("ack", s);
        }
        received += list.Count;
        natsMsgList_Destroy(&list);
    }
    // The acks are published without waiting: the clock stops once the server has them all.
    if ((s = natsConnection_FlushTimeout(nc, 30000)) != NATS_OK) die("flush", s);
    double seconds = now_seconds() - t0, cpu = cpu_seconds() - cpu0;

    natsSubscription_Destroy(sub);  // destroy, not unsubscribe: see docs/DESIGN.md
    js_DeleteConsumer(js, stream, durable, NULL, NULL);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    printf("{\"messages\": %ld, \"bytes\": %lld, \"seconds\": %.6f, \"facts_per_second\": %.1f, \"cpu_seconds\": %.6f, "
           "\"cpu_us_per_message\": %.3f, \"fetch_batch\": %d, \"ack\": \"each\"}\n",
           received, bytes, seconds, received / seconds, cpu, cpu / received * 1e6, batch);
    return 0;
}
