#define _GNU_SOURCE
#include "CLinux.h"
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

int spindle_accept4(int fd, int flags) { return accept4(fd, NULL, NULL, flags); }

int spindle_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve) {
    struct open_how how = {0};
    how.flags = flags;
    how.mode = mode;
    how.resolve = resolve;
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

int spindle_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev;
    ev.events = events;
    ev.data.u64 = data;
    return epoll_ctl(epfd, op, fd, &ev);
}

int spindle_epoll_wait(int epfd, struct epoll_event *events, int max, int timeout) {
    return epoll_wait(epfd, events, max, timeout);
}

uint64_t spindle_epoll_event_data(const struct epoll_event *events, int i) { return events[i].data.u64; }
uint32_t spindle_epoll_event_flags(const struct epoll_event *events, int i) { return events[i].events; }
size_t spindle_epoll_event_size(void) { return sizeof(struct epoll_event); }
int spindle_msg_more(void) { return MSG_MORE; }

int spindle_memfd_create(const char *name) { return memfd_create(name, MFD_CLOEXEC); }
int spindle_set_parent_death_signal(int signal) { return prctl(PR_SET_PDEATHSIG, signal); }
