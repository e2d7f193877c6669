// Only what Glibc's Swift module does not give us: epoll, eventfd, signalfd, accept4, openat2.
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

// memfd_create is hidden behind _GNU_SOURCE. Close-on-exec; a child that is to map it gets a copy.
int spindle_memfd_create(const char *name);

// prctl(PR_SET_PDEATHSIG), which Swift cannot call (variadic).
int spindle_set_parent_death_signal(int signal);

// 64-bit counters in memory other threads or processes read. Relaxed order: a counter says how
// many, never that something else is visible. `add` is an atomic read-modify-write, for cells with
// several writers; `bump` a plain load and store, for a cell only one thread writes (no locked
// instruction on the hot path). static inline, so Swift calls cost nothing.
static inline void spindle_counter_add(uint64_t *cell, uint64_t value) {
    __atomic_fetch_add(cell, value, __ATOMIC_RELAXED);
}
static inline void spindle_counter_bump(uint64_t *cell, uint64_t value) {
    __atomic_store_n(cell, __atomic_load_n(cell, __ATOMIC_RELAXED) + value, __ATOMIC_RELAXED);
}
static inline void spindle_counter_store(uint64_t *cell, uint64_t value) {
    __atomic_store_n(cell, value, __ATOMIC_RELAXED);
}
static inline uint64_t spindle_counter_load(const uint64_t *cell) { return __atomic_load_n(cell, __ATOMIC_RELAXED); }

#endif
