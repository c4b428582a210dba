// The floor for the HTTP ingress (issue "HTTP push ingress"): a bare C libnats producer publishing to a
// JetStream stream with the ingress's own guarantees (a Nats-Msg-Id per message, the PubAck awaited before
// the message counts) and no HTTP, no JSON, no auth. bench/run.py builds it with cc and reports the ingress
// against it, with the nats-server CPU it causes, measured in the same run.
//
//   --mode single: one synchronous js_PublishMsg at a time (what one sequential producer can reach at best)
//   --mode batch:  --batch messages published asynchronously, then every PubAck awaited (the batch path)
//
//   raw_nats_publish --nats URL --stream NAME --subject SUBJ --count N --mode single|batch [--batch 500] [--bytes 200] [--tag T]
// Prints one JSON line: messages, seconds, rate, its own CPU.
#define FLOOR_NAME "raw_nats_publish"
#include "floor.h"
#include <string.h>

static natsMsg *message(const char *subject, const char *tag, long i, const char *body, int length) {
    natsMsg *msg = NULL;
    natsStatus s = natsMsg_Create(&msg, subject, NULL, body, length);
    if (s != NATS_OK) die("message", s);
    char id[96];
    snprintf(id, sizeof id, "raw-%s-%ld", tag, i);
    if ((s = natsMsgHeader_Set(msg, "Nats-Msg-Id", id)) != NATS_OK) die("header", s);
    return msg;
}

int main(int argc, char **argv) {
    const char *url = "nats://127.0.0.1:4222", *stream = NULL, *subject = NULL, *mode = "single", *tag = "floor";
    long count = 0;
    int batch = 500, bytes = 200;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--nats")) url = argv[i + 1];
        else if (!strcmp(argv[i], "--stream")) stream = argv[i + 1];
        else if (!strcmp(argv[i], "--subject")) subject = argv[i + 1];
        else if (!strcmp(argv[i], "--count")) count = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--mode")) mode = argv[i + 1];
        else if (!strcmp(argv[i], "--batch")) batch = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--bytes")) bytes = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--tag")) tag = argv[i + 1];
        else { fprintf(stderr, "raw_nats_publish: unknown option %s\n", argv[i]); return 2; }
    }
    int single = !strcmp(mode, "single");
    if (!stream || !subject || count <= 0 || batch <= 0 || bytes <= 0 || (!single && strcmp(mode, "batch"))) {
        fprintf(stderr, "usage: raw_nats_publish --nats URL --stream NAME --subject SUBJ --count N --mode single|batch [--batch 500] [--bytes 200] [--tag T]\n");
        return 2;
    }
    char *body = malloc((size_t)bytes);
    memset(body, 'x', (size_t)bytes);
    body[0] = '{'; body[bytes - 1] = '}';

    natsConnection *nc = NULL;
    natsOptions *opts = NULL;
    jsCtx *js = NULL;
    natsStatus s = natsOptions_Create(&opts);
    if (s == NATS_OK) s = natsOptions_SetURL(opts, url);
    // As the ingress's connections: written at once for single messages, buffered for batches.
    if (s == NATS_OK) s = natsOptions_SetSendAsap(opts, single ? true : false);
    if (s != NATS_OK) die("options", s);
    if ((s = natsConnection_Connect(&nc, opts)) != NATS_OK) die("connect", s);
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.PublishAsync.MaxPending = 65536;
    if ((s = natsConnection_JetStream(&js, nc, &jo)) != NATS_OK) die("jetstream", s);

    // A stream of its own, file-backed with the default duplicate window, as the projections' streams are.
    jsErrCode jerr = 0;
    jsStreamConfig sc;
    jsStreamConfig_Init(&sc);
    sc.Name = stream;
    const char *subjects[1] = {subject};
    sc.Subjects = subjects;
    sc.SubjectsLen = 1;
    sc.Storage = js_FileStorage;
    if ((s = js_AddStream(NULL, js, &sc, NULL, &jerr)) != NATS_OK) die("add stream", s);

    double cpu0 = cpu_seconds(), t0 = now_seconds();
    long sent = 0;
    while (sent < count) {
        if (single) {
            natsMsg *msg = message(subject, tag, sent, body, bytes);
            jsPubAck *ack = NULL;
            if ((s = js_PublishMsg(&ack, js, msg, NULL, &jerr)) != NATS_OK) die("publish", s);
            jsPubAck_Destroy(ack);
            natsMsg_Destroy(msg);
            sent++;
        } else {
            long end = sent + batch < count ? sent + batch : count;
            for (long i = sent; i < end; i++) {
                natsMsg *msg = message(subject, tag, i, body, bytes);
                // On success the library owns the message.
                if ((s = js_PublishMsgAsync(js, &msg, NULL)) != NATS_OK) die("publish async", s);
            }
            jsPubOptions po;
            jsPubOptions_Init(&po);
            po.MaxWait = 30000;
            if ((s = js_PublishAsyncComplete(js, &po)) != NATS_OK) die("publish complete", s);
            natsMsgList failed;
            if (js_PublishAsyncGetPendingList(&failed, js) == NATS_OK) die("a publish was not acknowledged", NATS_ERR);
            sent = end;
        }
    }
    double seconds = now_seconds() - t0, cpu = cpu_seconds() - cpu0;
    js_DeleteStream(js, stream, NULL, NULL);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    natsOptions_Destroy(opts);
    printf("{\"messages\": %ld, \"seconds\": %.6f, \"events_per_second\": %.1f, \"cpu_seconds\": %.6f, "
           "\"cpu_us_per_message\": %.3f, \"mode\": \"%s\", \"batch\": %d, \"bytes\": %d}\n",
           sent, seconds, sent / seconds, cpu, cpu / sent * 1e6, mode, single ? 1 : batch, bytes);
    free(body);
    return 0;
}
