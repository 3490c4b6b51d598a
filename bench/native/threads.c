// 32 worker threads plus main, each looping with short sleeps, until the given number of seconds has passed.
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
static void *worker(void *arg) { (void)arg; for (;;) usleep(50); return 0; }
int main(int argc, char **argv) {
    pthread_t t[32];
    for (int i = 0; i < 32; i++) pthread_create(&t[i], 0, worker, 0);
    sleep(argc > 1 ? atoi(argv[1]) : 600);
    return 0;
}
