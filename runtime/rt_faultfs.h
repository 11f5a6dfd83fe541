/* rt_faultfs.h: power-loss and I/O-error injection for file I/O, for tests (in the spirit of
 * SQLite's crash-test VFS).
 * Owns:    while started, every rt_file_* call (rt_io.h) goes through it, as a plain blocking
 *          syscall under one process-wide lock (so a simulated crash never races a write in
 *          flight). It remembers what a power loss could still undo: each write not yet covered
 *          by an fsync of its file (with the bytes it overwrote), and each create, rename and
 *          unlink not yet covered by an fsync of its directory (a hard link keeps what a rename
 *          replaced or an unlink removed, under a ".faultfs-*" name).
 * Crash:   at the chosen sync, or when rt_faultfs_crash() is called, it "loses power": every
 *          unsynced write is, by the seeded generator, kept, dropped (old bytes back; an append
 *          cut off), torn (sectors of it reverted, one of them partly) or garbled (random
 *          bytes over part of it); unsynced directory operations after a random point are
 *          undone, newest first (a journalling file system loses a suffix of them). From then
 *          on every file call fails with EIO (the machine is off) until rt_faultfs_stop().
 * Errors:  the n-th write or sync can fail with EIO instead. A failed sync also damages that
 *          file's unsynced writes at once and forgets them, as Linux may drop dirty pages after
 *          reporting a write-back error once: a retried fsync "succeeds" and the data is gone,
 *          which is why a failed fsync must never be retried and trusted.
 * Core:    any thread. Not for production: it makes every file call blocking.
 * Limits:  directories made with rt_dir_make count as durable at once. */
#ifndef RT_FAULTFS_H
#define RT_FAULTFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define RT_FAULTFS_SECTOR_BYTES 512u /* what a torn write keeps or loses as a unit */

typedef struct rt_faultfs_config {
    uint64_t seed;             /* drives every random choice */
    uint32_t sector_bytes;     /* 0 = RT_FAULTFS_SECTOR_BYTES */
    uint64_t crash_at_sync;    /* the n-th sync (file or directory, from 1) loses power; 0 never */
    uint64_t fail_write_at;    /* the n-th write fails with EIO, nothing written; 0 never */
    uint64_t fail_sync_at;     /* the n-th sync fails with EIO (see Errors); 0 never */
    bool real_sync;            /* also fsync for real (off: the model alone decides) */
} rt_faultfs_config;

typedef struct rt_faultfs_stats {
    uint64_t writes, syncs;
    uint64_t kept, dropped, torn, garbled;  /* unsynced writes at a crash or failed sync */
    uint64_t dirops_undone;
    bool crashed;
} rt_faultfs_stats;

/* Starts injecting (any previous run is stopped first). */
void rt_faultfs_start(const rt_faultfs_config *config);
/* Loses power now (no-op if not started or already crashed). */
void rt_faultfs_crash(void);
bool rt_faultfs_crashed(void);
/* Back to plain I/O; without a crash, pending writes and directory operations simply stand. */
void rt_faultfs_stop(void);
rt_faultfs_stats rt_faultfs_get_stats(void);

/* ---- for rt_io.c: the same contracts as the syscalls, errors as -errno ---- */
bool rt_faultfs_active(void);
int rt_faultfs_open(const char *path, int flags, mode_t mode);
int rt_faultfs_close(int fd);
ssize_t rt_faultfs_write(int fd, const void *buf, size_t len, uint64_t offset);
ssize_t rt_faultfs_read(int fd, void *buf, size_t len, uint64_t offset);
int rt_faultfs_sync(int fd, bool data_only);
int rt_faultfs_rename(const char *from, const char *to);
int rt_faultfs_unlink(const char *path);
int rt_faultfs_truncate(int fd, uint64_t size_bytes);

#endif
