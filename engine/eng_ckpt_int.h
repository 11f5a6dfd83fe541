/* eng_ckpt_int.h: private parts of the checkpoint module: the file format, the writer and
 * reader of checkpoint files, the registry of newest checkpoints, and what recovery and the
 * engine service call (eng_ckpt*.c, eng_recover.c and eng.c only). */
#ifndef ENG_CKPT_INT_H
#define ENG_CKPT_INT_H

#include "engine/eng_ckpt.h"
#include "engine/eng_codec.h"
#include "engine/eng_int.h"

#define ENG_CKPT_MAGIC 0x50434244u /* "DBCP" */
#define ENG_CKPT_HEADER_FIXED_BYTES 56u
#define ENG_CKPT_SECTION_HEADER_BYTES 16u
/* Bytes a writer gathers before one write(2): large enough for few I/Os, small per shard. */
#define ENG_CKPT_WRITE_BUFFER_BYTES (1u << 20)
/* Hook data is cut into sections of this size (each checksummed on its own). */
#define ENG_CKPT_EXTRA_SECTION_BYTES (1u << 20)
/* Sections of hook data one partition may have (1 TiB of it at most). */
#define ENG_CKPT_EXTRA_SECTIONS_MAX (1u << 20)

enum { ENG_CKPT_KIND_PART = 1, ENG_CKPT_KIND_CATALOG = 2 };

enum {
    ENG_CKPT_S_COLUMNS = 1,   /* partition: column layout, slot count, row id counter */
    ENG_CKPT_S_ROWS = 2,      /* partition: one row group's slots */
    ENG_CKPT_S_EXTRA = 3,     /* partition: a piece of the hooks' stream */
    ENG_CKPT_S_CATALOG = 4,   /* catalog: eng_catalog_serialize bytes */
    ENG_CKPT_S_SEQUENCES = 5, /* catalog: logged sequence values */
    ENG_CKPT_S_END = 15,      /* last section: sections before it, rows or sequences */
};

/* From which WAL position replay must start for one checkpoint: positions in the WAL of each
 * shard of boot `boot`. Records of earlier boots are in the checkpoint; of later boots not. */
typedef struct eng_ckpt_need {
    uint32_t boot;          /* 0: no checkpoint, every record is needed */
    uint32_t shard_count;
    uint64_t lsn[RT_SHARDS_MAX];
} eng_ckpt_need;

/* True if the record at (boot, shard, lsn) must be replayed over this checkpoint. */
static inline bool eng_ckpt_need_covers(const eng_ckpt_need *n, uint32_t boot, uint32_t shard,
                                        uint64_t lsn) {
    if (n->boot == 0 || boot > n->boot) return true;
    if (boot < n->boot) return false;
    if (shard >= n->shard_count) return true;
    return lsn >= n->lsn[shard];
}

typedef struct eng_ckpt_header {
    uint32_t kind;          /* ENG_CKPT_KIND_* */
    uint64_t file_id;       /* (boot << 32) | counter: newer files have larger ids */
    uint64_t snapshot_ts;   /* the snapshot the rows are committed as of */
    uint64_t object;        /* partition: storage id; catalog: catalog version */
    uint32_t partno;        /* partition number (0 for the catalog) */
    eng_ckpt_need need;
} eng_ckpt_header;

/* ---- writing a file (eng_ckpt_file.c) ---- */

typedef struct eng_ckpt_writer {
    int fd;
    char path[600];
    char tmp[620];
    uint64_t off;           /* bytes written to the file */
    eng_codec_w buf;        /* bytes gathered, not yet written */
    uint64_t section_at;    /* offset in buf of the open section's header */
    uint32_t sections;
    uint64_t bytes_total;
} eng_ckpt_writer;

/* Creates `path`.tmp; the header is gathered at once. */
bool eng_ckpt_writer_open(eng_ckpt_writer *w, const char *path, rt_err *err);
void eng_ckpt_writer_header(eng_ckpt_writer *w, const eng_ckpt_header *h);
/* Opens a section: its body is written into w->buf until eng_ckpt_section_end. */
void eng_ckpt_section_begin(eng_ckpt_writer *w, uint32_t type);
bool eng_ckpt_section_end(eng_ckpt_writer *w, rt_err *err);
/* Writes the END section (u64 count), fsyncs, closes and renames to the final name. The
 * directory is not synced here: the caller syncs it once for a batch of files. */
bool eng_ckpt_writer_finish(eng_ckpt_writer *w, uint64_t count, rt_err *err);
/* Closes and removes the temporary file (after an error). */
void eng_ckpt_writer_abandon(eng_ckpt_writer *w);

/* ---- reading a file ---- */

typedef struct eng_ckpt_reader {
    int fd;
    char path[600];
    uint64_t off, size;
    eng_ckpt_header header;
    uint8_t *body;
    uint64_t body_cap;
    uint32_t sections;
    uint64_t end_count;     /* the END section's count */
    bool ended;
} eng_ckpt_reader;

/* Opens and validates the header (kind must match). */
bool eng_ckpt_reader_open(eng_ckpt_reader *r, const char *path, uint32_t kind, rt_err *err);
/* The next section; false at the END section (r->ended, whose section count is checked) or on
 * error (err set). *body_off is the body's offset in the file. */
bool eng_ckpt_reader_next(eng_ckpt_reader *r, uint32_t *type, const uint8_t **body,
                          uint64_t *len, uint64_t *body_off, rt_err *err);
/* Reads the body of a section at a known offset again (checksum verified). */
bool eng_ckpt_reader_reread(eng_ckpt_reader *r, uint64_t body_off, uint64_t len, uint8_t *out,
                            rt_err *err);
void eng_ckpt_reader_close(eng_ckpt_reader *r);

/* False with 58030 once a WAL failed (eng_wal_any_failed): no checkpoint may be captured. */
bool eng_ckpt_allowed(rt_err *err);
/* XX001 for a damaged checkpoint file, with the hint every corruption error carries. */
bool eng_ckpt_corrupt(rt_err *err, const char *path, const char *what);

/* ---- names ---- */
void eng_ckpt_dir_path(char *out, size_t size);
void eng_ckpt_part_path(char *out, size_t size, uint64_t storage_id, uint32_t partno,
                        uint64_t file_id);
void eng_ckpt_catalog_path(char *out, size_t size, uint64_t file_id);
uint64_t eng_ckpt_new_file_id(void);

/* ---- partitions (eng_ckpt_part.c) ---- */

typedef struct eng_ckpt_written {
    uint64_t file_id;
    eng_ckpt_need need;
    uint64_t rows;          /* committed rows */
    uint64_t bytes;
} eng_ckpt_written;

/* Writes a checkpoint of `p` (on its shard, from a fiber; yields). */
bool eng_ckpt_part_write(eng_part *p, eng_ckpt_written *out, rt_err *err);
/* Loads the checkpoint file `path` into `p`, fresh from eng_part_create for table `t`. */
bool eng_ckpt_part_load(eng_part *p, const eng_table *t, const char *path, eng_ckpt_header *h,
                        uint64_t *rows, rt_err *err);

/* ---- the catalog (eng_ckpt_file.c) ---- */

/* Writes a catalog checkpoint (catalog, sequences) and syncs the directory. */
bool eng_ckpt_catalog_write(eng_ckpt_written *out, rt_err *err);
/* Loads one: the catalog (to install), sequence values go to eng_seq_recover. */
eng_catalog *eng_ckpt_catalog_load(const char *path, eng_ckpt_header *h, rt_err *err);

/* ---- recovery support (eng_ckpt.c) ---- */

typedef struct eng_ckpt_file {
    uint64_t storage_id;
    uint32_t partno;
    uint64_t file_id;
    char path[600];
} eng_ckpt_file;

/* The newest complete checkpoint files; removes leftover .tmp files. */
bool eng_ckpt_scan(eng_ckpt_file **parts, uint32_t *part_count, eng_ckpt_file *catalog,
                   rt_err *err);
/* A checkpoint file recovery does not use (its table was dropped). */
void eng_ckpt_discard(const char *path);
/* After recovery: deletes the files the scan found superseded or recovery discarded (only if
 * it `recovered`). */
void eng_ckpt_scan_done(bool recovered);
/* The table whose data is `storage_id` in catalog `c`, NULL if none. */
const eng_table *eng_ckpt_table_of(const eng_catalog *c, uint64_t storage_id);
/* Registers a loaded partition checkpoint (its shard takes it over at eng_shard_start). */
void eng_ckpt_note_loaded(uint64_t storage_id, uint32_t partno, uint64_t file_id,
                          const eng_ckpt_need *need);
void eng_ckpt_note_loaded_catalog(uint64_t file_id, const eng_ckpt_need *need);
/* The need of the loaded checkpoint of a partition, NULL if it had none. */
const eng_ckpt_need *eng_ckpt_loaded_need(uint64_t storage_id, uint32_t partno);
void eng_ckpt_note_recovery(const eng_ckpt_stats *figures);

/* ---- state shared by the module's files (eng_ckpt.c) ---- */

/* The installed hooks, NULL if none. */
const eng_ckpt_hooks *eng_ckpt_hooks_get(void);
/* A partition checkpoint of this shard reads snapshot `ts` from now until writing_end. */
void eng_ckpt_writing_begin(const eng_part *p, uint64_t ts);
void eng_ckpt_writing_end(void);

/* ---- the engine service (eng.c) ---- */

void eng_ckpt_start(const eng_config *config, uint32_t boot);
void eng_ckpt_shard_start(void);
/* After the shard appended to its WAL: starts a round past the volume trigger. */
void eng_ckpt_note_wal(eng_wal *wal);
/* on_stop: checkpoints the shard's partitions in a fiber, then closes its WAL. */
void eng_ckpt_shard_stop(void);
/* After the shards stopped: deletes WAL no checkpoint needs, frees the registries; when every
 * shutdown checkpoint succeeded, records the clean shutdown (DATADIR/clean_shutdown). */
void eng_ckpt_stop(void);
/* The boot whose orderly shutdown the marker records, 0 if none (the last run crashed). */
uint32_t eng_ckpt_clean_boot(void);
/* Removes the marker durably once recovery used it: a crash from now on finds none. */
bool eng_ckpt_clean_consume(rt_err *err);

#endif
