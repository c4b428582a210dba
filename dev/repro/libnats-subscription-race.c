// libnats 3.4.1's subscription use-after-free (nats.c #637), reduced: one connection subscribes, reads
// one message and destroys the subscription, in a loop, while two other connections flood the subject.
// The read loop looks the subscription up, drops the lookup's lock, then uses it without a reference, so
// a destroy at that moment frees it under the read loop. Mode 0 destroys at once (crashes now and then);
// mode 1 unsubscribes, flushes (the read loop's PONG comes after the message it was handling) and only
// then destroys, as the JetStream wrapper's RetiredSubscriptions does. docs/RELIABILITY.md has the runs.
//
//   gcc -O1 -g -o /tmp/churn dev/repro/libnats-subscription-race.c -lnats -lpthread
//   /tmp/churn nats://127.0.0.1:4222 0 20    # URL, mode, seconds
#include <nats/nats.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
static const char *url; static volatile int stop = 0;
static void *flood(void *a) { natsConnection *nc; natsConnection_ConnectTo(&nc, url);
  while (!stop) { for (int i=0;i<1000;i++) natsConnection_PublishString(nc, "churn.x", "0123456789abcdef0123456789abcdef"); natsConnection_Flush(nc);} 
  natsConnection_Destroy(nc); return NULL; }
int main(int argc, char **argv) {
  url = argv[1]; int mode = atoi(argv[2]); int seconds = atoi(argv[3]);
  natsConnection *nc; if (natsConnection_ConnectTo(&nc, url) != NATS_OK) { printf("connect failed\n"); return 2; }
  pthread_t t[2]; for (int i=0;i<2;i++) pthread_create(&t[i], NULL, flood, NULL);
  int64_t end = nats_Now() + seconds*1000; long n = 0;
  while (nats_Now() < end) {
    natsSubscription *sub; natsConnection_SubscribeSync(&sub, nc, "churn.x");
    natsMsg *m = NULL; if (natsSubscription_NextMsg(&m, sub, 100) == NATS_OK) natsMsg_Destroy(m);
    if (mode == 1) { natsSubscription_Unsubscribe(sub); natsConnection_FlushTimeout(nc, 2000); }
    natsSubscription_Destroy(sub); n++;
  }
  stop = 1; for (int i=0;i<2;i++) pthread_join(t[i], NULL);
  printf("mode %d: %ld subscribe/destroy cycles, no crash\n", mode, n); natsConnection_Destroy(nc); return 0; }
