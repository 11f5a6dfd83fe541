/* eng_wal.h: write-ahead log of one shard.
 * Owns:    the WAL segment files of exactly one shard (DATADIR/wal/<boot>-<shard>-<seq>.wal)
 *          and a flusher fiber that writes and fdatasyncs them through the shard's io_uring.
 * Core:    call only on the shard's own core (asserted).
 * Records: [u32 length][u32 crc32c][u8 type][payload]; length covers type and payload, the
 *          checksum covers length, type and payload. A commit is one record that carries all its
 *          redo, so a torn write can never leave half a transaction.
 * Commit:  eng_wal_append() copies the record into the pending buffer and returns its end LSN;
 *          every record appended during one loop iteration shares one write and one fdatasync
 *          (group commit). A waiter's callback runs once the record is durable.
 * Errors:  a write or fsync failure is not retried: the WAL stops accepting records, every
 *          waiter gets the error, and the server stops with a clear message (as PostgreSQL
 *          panics), because acknowledging anything after a failed fsync could lose it.
 * Limits:  ENG_WAL_RECORD_BYTES_MAX per record (54000), ENG_WAL_SEGMENT_BYTES per file. */
#ifndef ENG_WAL_H
#define ENG_WAL_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/rt_err.h"

#define ENG_WAL_SEGMENT_BYTES (64ull << 20)
#define ENG_WAL_RECORD_BYTES_MAX (1ull << 30)   /* one transaction's redo on one shard */
#define ENG_WAL_HEADER_BYTES 9u

typedef enum eng_wal_type {
    ENG_WAL_COMMIT = 1,       /* a transaction wrote on this shard only: gid, redo */
    ENG_WAL_PREPARE = 2,      /* 2PC participant: gid, coordinator shard, redo */
    ENG_WAL_DECISION = 3,     /* 2PC coordinator: gid, commit (1) / abort (0) */
    ENG_WAL_CATALOG = 4,      /* catalog version and changed objects */
    ENG_WAL_SEQUENCE = 5,     /* sequence values handed out ahead (like PostgreSQL's log_cnt) */
    ENG_WAL_CHECKPOINT = 6,   /* a checkpoint completed: its id */
} eng_wal_type;

typedef struct eng_wal eng_wal;

/* A commit waiting for durability. `done` runs on the WAL's shard (loop stack) with `err` NULL
 * on success. */
typedef struct eng_wal_waiter {
    uint64_t lsn;                       /* durable once flushed_lsn >= lsn */
    void (*done)(struct eng_wal_waiter *w, const rt_err *err);
    struct eng_wal_waiter *next;
} eng_wal_waiter;

/* Opens (creating) the WAL of shard `shard` for this boot; on that shard. `sync` false means
 * synchronous_commit = off for every record (bulk loads): waiters are told at once. */
eng_wal *eng_wal_open(const char *data_dir, uint32_t boot, uint32_t shard, rt_err *err);
/* Closes the WAL: its flusher writes what is pending, waits until it is the shard's last fiber
 * and frees everything. Non-blocking (may be called from on_stop, on the loop stack). */
void eng_wal_close(eng_wal *wal);

/* Appends one record (type + the concatenation of `parts`); returns its end LSN, 0 on error. */
uint64_t eng_wal_append(eng_wal *wal, eng_wal_type type, const void *const *parts,
                        const uint64_t *part_lens, uint32_t nparts, rt_err *err);
/* Calls w->done once LSN w->lsn is durable (at once if it already is). */
void eng_wal_wait(eng_wal *wal, eng_wal_waiter *w);
/* From a fiber: parks until `lsn` is durable. */
bool eng_wal_wait_fiber(eng_wal *wal, uint64_t lsn, rt_err *err);
uint64_t eng_wal_flushed_lsn(const eng_wal *wal);
bool eng_wal_failed(const eng_wal *wal, rt_err *err);

/* Recovery: iterates the records of one segment file. */
typedef struct eng_wal_reader {
    int fd;
    uint8_t *buf;
    uint64_t len;          /* bytes read from the file */
    uint64_t pos;
    uint64_t last_good;    /* offset after the last valid record */
    bool bad_tail;         /* a checksum/length failure stopped the reading */
} eng_wal_reader;

bool eng_wal_reader_open(eng_wal_reader *r, const char *path, rt_err *err);
/* Next record: false at the end or at the first invalid record (then bad_tail is set). */
bool eng_wal_reader_next(eng_wal_reader *r, uint8_t *type, const uint8_t **payload,
                         uint64_t *payload_len);
void eng_wal_reader_close(eng_wal_reader *r);

/* Lists the WAL segment files in DATADIR/wal in replay order (boot, then shard, then seq). */
typedef struct eng_wal_segment {
    char path[800];
    uint32_t boot, shard, seq;
} eng_wal_segment;
bool eng_wal_list(const char *data_dir, eng_wal_segment **segments, uint32_t *count, rt_err *err);

/* Fault injection for tests: fail the next fsync (the WAL must stop, not retry). */
void eng_wal_fail_next_sync(eng_wal *wal);

#endif
