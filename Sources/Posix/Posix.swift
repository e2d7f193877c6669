// Posix: each syscall wrapped once.
