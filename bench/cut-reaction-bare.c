/*
 * The floor for bench/cut-reaction.mjs: the least a host can do to cut power on a console line. Starts QEMU on
 * the burst test firmware with UART0 on a pty this program holds, select()s on the pty, and SIGKILLs QEMU as
 * soon as "Burst trigger" has been read. The flash file then holds what the firmware wrote until the kill.
 * Usage: cut-reaction-bare QEMU NV_FILE BOOTROM   (exit 0 when the line was seen and QEMU killed)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <unistd.h>

static const char TRIGGER[] = "Burst trigger";

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s QEMU NV_FILE BOOTROM\n", argv[0]);
        return 2;
    }
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) || unlockpt(master)) {
        perror("pty");
        return 1;
    }
    char *slave = ptsname(master);
    char object[4096], serial[256];
    snprintf(object, sizeof object, "memory-backend-file,id=nv,size=16777216,mem-path=%s,share=on", argv[2]);
    snprintf(serial, sizeof serial, "%s", slave);
    pid_t pid = fork();
    if (pid == 0) {
        close(master);
        execlp(argv[1], argv[1], "-machine", "mps2-an385,memory-backend=nv", "-object", object, "-kernel", argv[3], "-display", "none",
               "-monitor", "none", "-parallel", "none", "-serial", serial, "-serial", "null", (char *)NULL);
        _exit(127);
    }
    char seen[sizeof TRIGGER * 2 + 4096];
    size_t have = 0;
    for (;;) {
        fd_set fds;
        FD_ZERO(&fds);
        FD_SET(master, &fds);
        struct timeval timeout = {10, 0};
        int n = select(master + 1, &fds, NULL, NULL, &timeout);
        if (n <= 0) {
            fprintf(stderr, "no trigger line within 10 s\n");
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            return 1;
        }
        ssize_t got = read(master, seen + have, sizeof seen - have - 1);
        if (got <= 0)
            continue;
        have += (size_t)got;
        seen[have] = 0;
        if (memmem(seen, have, TRIGGER, sizeof TRIGGER - 1)) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            return 0;
        }
        /* Keep the tail: the line may arrive split across reads. */
        if (have > sizeof TRIGGER) {
            memmove(seen, seen + have - sizeof TRIGGER, sizeof TRIGGER);
            have = sizeof TRIGGER;
        }
    }
}
