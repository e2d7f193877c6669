// Only what Glibc's Swift module does not give us: epoll, eventfd, signalfd, accept4, openat2.
#ifndef SPINDLE_CLINUX_H
#define SPINDLE_CLINUX_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/openat2.h>

// accept4's address argument is a transparent union under _GNU_SOURCE, which Swift cannot pass nil to.
static inline int spindle_accept4(int fd, int flags) {
    return accept4(fd, (struct sockaddr *)0, (socklen_t *)0, flags);
}

// glibc 2.36 has no openat2 wrapper.
static inline int spindle_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve) {
    struct open_how how = {0};
    how.flags = flags;
    how.mode = mode;
    how.resolve = resolve;
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

// struct epoll_event is packed on x86_64; these keep Swift away from its layout.
static inline int spindle_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev;
    ev.events = events;
    ev.data.u64 = data;
    return epoll_ctl(epfd, op, fd, &ev);
}
static inline int spindle_epoll_wait(int epfd, struct epoll_event *events, int max, int timeout) {
    return epoll_wait(epfd, events, max, timeout);
}
static inline uint64_t spindle_epoll_event_data(const struct epoll_event *events, int i) { return events[i].data.u64; }
static inline uint32_t spindle_epoll_event_flags(const struct epoll_event *events, int i) { return events[i].events; }
static inline size_t spindle_epoll_event_size(void) { return sizeof(struct epoll_event); }

#endif
