/*
 * The pod sandbox's "pause" process for the vertlet test images: PID 1 of a pod's namespaces.
 * It holds the namespaces open by blocking in pause(), reaps any orphan that is re-parented to it
 * (so zombies never pile up in a shared PID namespace) and exits 0 on SIGTERM or SIGINT, which is
 * how the runtime stops a sandbox. Built statically so the image needs nothing but this file.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_stop(int sig) {
    (void) sig;
    _exit(0);
}

static void on_child(int sig) {
    (void) sig;
    /* Reap every child that has ended; more than one may be behind a single SIGCHLD. */
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
}

static void handle(int sig, void (*handler)(int)) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART | (sig == SIGCHLD ? SA_NOCLDSTOP : 0);
    if (sigaction(sig, &action, NULL) != 0) {
        _exit(2);
    }
}

int main(void) {
    handle(SIGTERM, on_stop);
    handle(SIGINT, on_stop);
    handle(SIGCHLD, on_child);
    for (;;) {
        pause();
    }
    return 0;
}
