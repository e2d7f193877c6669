// Only what Glibc's Swift module does not give us: epoll, eventfd, signalfd, accept4, openat2,
// memfd_create, relaxed atomics on shared memory.
// No _GNU_SOURCE here: it would change struct definitions that Glibc's module also imports;
// the functions that need it are defined in shim.c.
#ifndef SPINDLE_CLINUX_H
#define SPINDLE_CLINUX_H

#include <stdint.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <linux/openat2.h>

// accept4 is hidden behind _GNU_SOURCE, and its address argument is a transparent union Swift
// cannot pass nil to.
int spindle_accept4(int fd, int flags);

// glibc 2.36 has no openat2 wrapper.
int spindle_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve);

// struct epoll_event is packed on x86_64; these keep Swift away from its layout.
int spindle_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data);
int spindle_epoll_wait(int epfd, struct epoll_event *events, int max, int timeout);
uint64_t spindle_epoll_event_data(const struct epoll_event *events, int i);
uint32_t spindle_epoll_event_flags(const struct epoll_event *events, int i);
size_t spindle_epoll_event_size(void);

// MSG_MORE, which Glibc's module does not export as a constant.
int spindle_msg_more(void);

// memfd_create (close-on-exec) is hidden behind _GNU_SOURCE.
int spindle_memfd_create(const char *name);

// prctl(PR_SET_PDEATHSIG), which Swift cannot call (variadic).
int spindle_set_parent_death_signal(int signal);

// Relaxed atomic loads and stores of a 64-bit word in memory shared between processes, where
// Swift's `Atomic` (a value it owns) cannot live.
int64_t spindle_load_relaxed(const int64_t *address);
void spindle_store_relaxed(int64_t *address, int64_t value);

#endif
