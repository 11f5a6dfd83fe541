/* eng_wal.h: write-ahead log of one shard.
 * Owns:    the WAL segment files of exactly one shard (DATADIR/wal/<boot>-<shard>-<seq>.wal)
 *          and a flusher fiber that writes and fdatasyncs them through the shard's io_uring.
 * Core:    call only on the shard's own core (asserted); eng_wal_floor() from any thread.
 * Segment: a 32-byte header (magic, format, boot, shard, seq, the LSN of its first record,
 *          crc32c) and then records. A record's LSN is its byte position in the shard's log of
 *          this boot, across segments; checkpoints name replay positions as (boot, shard, LSN).
 * Records: [u32 length][u32 crc32c][u8 type][payload]; length covers type and payload, the
 *          checksum covers length, type and payload. A commit is one record that carries all its
 *          redo, so a torn write can never leave half a transaction.
 * Commit:  eng_wal_append() copies the record into the pending buffer and returns its end LSN;
 *          every record appended during one loop iteration shares one write and one fdatasync
 *          (group commit). A waiter's callback runs once the record is durable.
 * Pins:    a record whose transaction is not settled yet (a COMMIT not yet applied, a PREPARE
 *          not yet decided here, a DECISION not yet applied everywhere, a SEQUENCE bound not yet
 *          in memory) is pinned from before its append until it is settled. The floor of a
 *          shard, min(oldest pin, appended LSN), is published for every thread: a checkpoint
 *          that reads the floors before its snapshot replays from them and so never skips a
 *          record its snapshot does not contain (eng_ckpt.h).
 * Errors:  a write or fsync failure is not retried: the WAL stops accepting records, every
 *          waiter gets the error, and the server stops with a clear message (as PostgreSQL
 *          panics), because acknowledging anything after a failed fsync could lose it.
 * Limits:  ENG_WAL_RECORD_BYTES_MAX per record (54000), ENG_WAL_SEGMENT_BYTES per file. */
#ifndef ENG_WAL_H
#define ENG_WAL_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/rt_err.h"

#define ENG_WAL_SEGMENT_BYTES (64ull << 20)     /* a segment is closed past this size */
#define ENG_WAL_SEGMENT_BYTES_MIN (4ull << 10)  /* smallest settable size (tests) */
#define ENG_WAL_RECORD_BYTES_MAX (1ull << 30)   /* one transaction's redo on one shard */
#define ENG_WAL_HEADER_BYTES 9u
#define ENG_WAL_SEGMENT_HEADER_BYTES 32u
#define ENG_WAL_FORMAT 1u

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

/* Segment size for WALs opened from now on (0 = ENG_WAL_SEGMENT_BYTES); tests use small ones
 * to exercise rotation and trimming. Off the shards, before they start. */
void eng_wal_set_segment_bytes(uint64_t bytes);
/* Forgets every published floor and failure (engine start, before the shards open WALs). */
void eng_wal_floors_reset(void);
/* True once any shard's WAL failed (any thread). From then on nothing may be checkpointed:
 * a transaction whose decision's fsync failed was aborted in memory but may be on disk, so
 * only recovery from the WAL can tell what committed. */
bool eng_wal_any_failed(void);

/* Opens (creating) the WAL of shard `shard` for this boot; on that shard. */
eng_wal *eng_wal_open(const char *data_dir, uint32_t boot, uint32_t shard, rt_err *err);
/* Closes the WAL: its flusher writes what is pending (records may still be appended meanwhile:
 * the shard's last transactions), waits until it is the shard's last fiber and frees
 * everything, setting *owner (if not NULL) to NULL first. Non-blocking (may be called from
 * on_stop, on the loop stack). */
void eng_wal_close(eng_wal *wal, eng_wal **owner);

/* Appends one record (type + the concatenation of `parts`); returns its end LSN, 0 on error. */
uint64_t eng_wal_append(eng_wal *wal, eng_wal_type type, const void *const *parts,
                        const uint64_t *part_lens, uint32_t nparts, rt_err *err);
/* Calls w->done once LSN w->lsn is durable (at once if it already is). */
void eng_wal_wait(eng_wal *wal, eng_wal_waiter *w);
/* From a fiber: parks until `lsn` is durable. */
bool eng_wal_wait_fiber(eng_wal *wal, uint64_t lsn, rt_err *err);
uint64_t eng_wal_flushed_lsn(const eng_wal *wal);
/* The end of everything appended so far (the LSN the next record starts at). */
uint64_t eng_wal_appended_lsn(const eng_wal *wal);
bool eng_wal_failed(const eng_wal *wal, rt_err *err);

/* Pins the records appended from now on; returns the pin (an LSN) for eng_wal_unpin. */
uint64_t eng_wal_pin(eng_wal *wal);
void eng_wal_unpin(eng_wal *wal, uint64_t pin);
/* The published floor of shard `shard` in this boot: no record at or past it is settled-and-
 * forgotten, no pinned record lies before it. Any thread (acquire). */
uint64_t eng_wal_floor(uint32_t shard);

/* Deletes the closed segments of this boot that end at or before `horizon_lsn` (no checkpoint
 * needs them any more); the segment being written is kept. Adds the count to *removed. */
bool eng_wal_trim(eng_wal *wal, uint64_t horizon_lsn, uint32_t *removed, rt_err *err);

/* Recovery: iterates the records of one segment file. */
typedef struct eng_wal_reader {
    int fd;
    uint8_t *buf;
    uint64_t len;          /* bytes read from the file */
    uint64_t pos;
    uint64_t last_good;    /* offset after the last valid record */
    uint64_t start_lsn;    /* LSN of the segment's first record (from its header) */
    uint64_t rec_lsn;      /* LSN of the record last returned */
    bool bad_header;       /* the header is missing, torn or not this segment's */
    bool bad_tail;         /* a checksum/length failure stopped the reading */
} eng_wal_reader;

/* Reads the whole segment; its header must name (boot, shard, seq), else bad_header is set
 * (and reading returns nothing). */
bool eng_wal_reader_open(eng_wal_reader *r, const char *path, uint32_t boot, uint32_t shard,
                         uint32_t seq, rt_err *err);
/* Next record: false at the end or at the first invalid record (then bad_tail is set). */
bool eng_wal_reader_next(eng_wal_reader *r, uint8_t *type, const uint8_t **payload,
                         uint64_t *payload_len);
void eng_wal_reader_close(eng_wal_reader *r);

/* Lists the WAL segment files in DATADIR/wal in replay order (boot, then shard, then seq), with
 * what their headers say (header_ok false for a missing or torn header). */
typedef struct eng_wal_segment {
    char path[800];
    uint32_t boot, shard, seq;
    bool header_ok;
    uint64_t start_lsn;    /* from the header */
    uint64_t size_bytes;   /* of the file */
} eng_wal_segment;
bool eng_wal_list(const char *data_dir, eng_wal_segment **segments, uint32_t *count, rt_err *err);
/* The LSN just past the last byte of segment i (its records end there at most). */
uint64_t eng_wal_segment_end_lsn(const eng_wal_segment *seg);

/* Process-wide totals since the engine started (benchmarks, monitoring). */
typedef struct eng_wal_totals {
    uint64_t records;  /* appended */
    uint64_t syncs;    /* batches written and fdatasynced: records / syncs is the group size */
    uint64_t bytes;    /* written */
} eng_wal_totals;
eng_wal_totals eng_wal_get_totals(void);

/* Fault injection for tests: fail the next fsync (the WAL must stop, not retry). */
void eng_wal_fail_next_sync(eng_wal *wal);

#endif
