/* rt_faultfs.c: the power-loss model of rt_faultfs.h.
 * State: a list of unsynced writes in issue order (each with the inode, the bytes it
 * overwrote and the size before it) and a list of unsynced directory operations. Each inode
 * with unsynced writes has one read-write descriptor of our own (reopened through /proc), so
 * a crash can restore bytes even after the caller closed or renamed the file. */
#include "runtime/rt_faultfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/rt_mem.h"

enum { FFS_CREATE = 1, FFS_RENAME, FFS_UNLINK };
enum { FFS_KEEP = 0, FFS_DROP, FFS_TEAR, FFS_GARBLE };

typedef struct ffs_inode {
    dev_t dev;
    ino_t ino;
    int fd;             /* ours, O_RDWR */
    uint32_t refs;      /* unsynced writes naming it */
} ffs_inode;

typedef struct ffs_write {
    ffs_inode *inode;
    uint64_t off, len;  /* the bytes written */
    uint8_t *old;       /* the bytes [off, off + old_len) held before */
    uint64_t old_len;
    uint64_t old_size;  /* the file size before */
} ffs_write;

typedef struct ffs_dirop {
    int kind;
    dev_t dir_dev;
    ino_t dir_ino;
    char path[PATH_MAX];   /* created / renamed from / unlinked */
    char path2[PATH_MAX];  /* renamed to */
    char saved[PATH_MAX];  /* hard link to what the rename replaced or the unlink removed */
} ffs_dirop;

static struct {
    pthread_mutex_t lock;
    _Atomic bool active;
    bool crashed;
    rt_faultfs_config cfg;
    uint64_t rng;
    ffs_write *writes;
    uint32_t write_count, write_cap;
    ffs_inode **inodes;
    uint32_t inode_count, inode_cap;
    ffs_dirop *ops;
    uint32_t op_count, op_cap;
    uint64_t link_seq;
    rt_faultfs_stats stats;
} ffs_g = {.lock = PTHREAD_MUTEX_INITIALIZER};

static uint64_t ffs_rand(void) { /* xorshift64* */
    ffs_g.rng ^= ffs_g.rng >> 12;
    ffs_g.rng ^= ffs_g.rng << 25;
    ffs_g.rng ^= ffs_g.rng >> 27;
    return ffs_g.rng * 0x2545F4914F6CDD1Dull;
}

static uint64_t ffs_below(uint64_t n) { return n == 0 ? 0 : ffs_rand() % n; }

bool rt_faultfs_active(void) { return atomic_load_explicit(&ffs_g.active, memory_order_acquire); }

/* ---- inodes ---- */

static ffs_inode *ffs_inode_of(int fd) {
    struct stat st;
    if (fstat(fd, &st) != 0) return NULL;
    for (uint32_t i = 0; i < ffs_g.inode_count; i++) {
        ffs_inode *in = ffs_g.inodes[i];
        if (in->dev == st.st_dev && in->ino == st.st_ino) return in;
    }
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    int own = open(proc, O_RDWR | O_CLOEXEC);
    if (own < 0) return NULL;
    if (ffs_g.inode_count == ffs_g.inode_cap) {
        ffs_g.inode_cap = ffs_g.inode_cap == 0 ? 16 : ffs_g.inode_cap * 2;
        ffs_g.inodes = rt_xrealloc(ffs_g.inodes, ffs_g.inode_cap * sizeof *ffs_g.inodes);
    }
    ffs_inode *in = rt_xcalloc(1, sizeof *in);
    *in = (ffs_inode){.dev = st.st_dev, .ino = st.st_ino, .fd = own};
    ffs_g.inodes[ffs_g.inode_count++] = in;
    return in;
}

static void ffs_inode_release(ffs_inode *in) {
    if (--in->refs > 0) return;
    for (uint32_t i = 0; i < ffs_g.inode_count; i++) {
        if (ffs_g.inodes[i] == in) {
            ffs_g.inodes[i] = ffs_g.inodes[--ffs_g.inode_count];
            break;
        }
    }
    close(in->fd);
    rt_free(in);
}

/* Remembers a write about to happen at [off, off + len) of fd's file. */
static bool ffs_note_write(int fd, uint64_t off, uint64_t len) {
    ffs_inode *in = ffs_inode_of(fd);
    if (in == NULL) return false;
    struct stat st;
    if (fstat(in->fd, &st) != 0) return false;
    ffs_write w = {.inode = in, .off = off, .len = len, .old_size = (uint64_t)st.st_size};
    if (off < w.old_size) {
        w.old_len = w.old_size - off < len ? w.old_size - off : len;
        w.old = rt_xmalloc(w.old_len > 0 ? w.old_len : 1);
        if (pread(in->fd, w.old, w.old_len, (off_t)off) != (ssize_t)w.old_len) {
            rt_free(w.old);
            return false;
        }
    }
    if (ffs_g.write_count == ffs_g.write_cap) {
        ffs_g.write_cap = ffs_g.write_cap == 0 ? 64 : ffs_g.write_cap * 2;
        ffs_g.writes = rt_xrealloc(ffs_g.writes, ffs_g.write_cap * sizeof *ffs_g.writes);
    }
    in->refs++;
    ffs_g.writes[ffs_g.write_count++] = w;
    return true;
}

/* ---- damage ---- */

/* Puts back what [from, to) held before write w (zeros past the old end of file). */
static void ffs_restore(const ffs_write *w, uint64_t from, uint64_t to) {
    uint8_t zeros[4096];
    memset(zeros, 0, sizeof zeros);
    for (uint64_t at = from; at < to;) {
        uint64_t n;
        if (at < w->off + w->old_len) {
            n = (w->off + w->old_len < to ? w->off + w->old_len : to) - at;
            if (pwrite(w->inode->fd, w->old + (at - w->off), n, (off_t)at) < 0) return;
        } else {
            n = to - at < sizeof zeros ? to - at : sizeof zeros;
            if (pwrite(w->inode->fd, zeros, n, (off_t)at) < 0) return;
        }
        at += n;
    }
}

static void ffs_drop(const ffs_write *w) {
    struct stat st;
    uint64_t end = w->off + w->len;
    if (fstat(w->inode->fd, &st) == 0 && end > w->old_size && (uint64_t)st.st_size <= end) {
        /* The append is cut off (later writes past it are gone already: undone newest first) */
        if (ftruncate(w->inode->fd, (off_t)w->old_size) != 0) return;
        end = w->old_size;
    }
    if (w->off < end) ffs_restore(w, w->off, end);
    if (w->len == 0 && w->old_len > 0) ffs_restore(w, w->off, w->off + w->old_len); /* trunc */
}

/* Sectors of the write revert at random; one of them only from a point on. */
static void ffs_tear(const ffs_write *w) {
    uint64_t sector = ffs_g.cfg.sector_bytes;
    uint64_t end = w->off + w->len;
    uint64_t first = w->off / sector, last = (end + sector - 1) / sector;
    uint64_t partial = first + ffs_below(last - first);
    for (uint64_t s = first; s < last; s++) {
        uint64_t a = s * sector < w->off ? w->off : s * sector;
        uint64_t b = (s + 1) * sector > end ? end : (s + 1) * sector;
        if (s == partial) {
            ffs_restore(w, a + ffs_below(b - a), b);
        } else if (ffs_rand() & 1) {
            ffs_restore(w, a, b);
        }
    }
}

static void ffs_garble(const ffs_write *w) {
    uint64_t a = w->off + ffs_below(w->len), b = a + 1 + ffs_below(w->off + w->len - a);
    uint8_t junk[4096];
    for (uint64_t at = a; at < b;) {
        uint64_t n = b - at < sizeof junk ? b - at : sizeof junk;
        for (uint64_t i = 0; i < n; i++) junk[i] = (uint8_t)ffs_rand();
        if (pwrite(w->inode->fd, junk, n, (off_t)at) < 0) return;
        at += n;
    }
}

static void ffs_damage(const ffs_write *w) {
    int action = (int)ffs_below(4);
    if (w->len == 0 && action != FFS_KEEP) action = FFS_DROP; /* a truncation: undone or not */
    switch (action) {
    case FFS_KEEP: ffs_g.stats.kept++; break;
    case FFS_DROP: ffs_drop(w); ffs_g.stats.dropped++; break;
    case FFS_TEAR: ffs_tear(w); ffs_g.stats.torn++; break;
    default: ffs_garble(w); ffs_g.stats.garbled++; break;
    }
}

/* Damages (newest first) and forgets the unsynced writes of inode `only` (NULL: all). */
static void ffs_damage_writes(const ffs_inode *only) {
    for (uint32_t i = ffs_g.write_count; i > 0; i--) {
        ffs_write *w = &ffs_g.writes[i - 1];
        if (only == NULL || w->inode == only) ffs_damage(w);
    }
}

/* Forgets the unsynced writes of inode `only` (NULL: all): they are durable, or damaged. */
static void ffs_forget_writes(ffs_inode *only) {
    uint32_t kept = 0;
    for (uint32_t i = 0; i < ffs_g.write_count; i++) {
        ffs_write w = ffs_g.writes[i];
        if (only != NULL && w.inode != only) {
            ffs_g.writes[kept++] = w;
            continue;
        }
        rt_free(w.old);
        ffs_inode_release(w.inode);
    }
    ffs_g.write_count = kept;
}

/* ---- directory operations ---- */

static bool ffs_dir_of(const char *path, dev_t *dev, ino_t *ino) {
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == NULL) {
        snprintf(dir, sizeof dir, ".");
    } else if (slash == dir) {
        dir[1] = '\0';
    } else {
        *slash = '\0';
    }
    struct stat st;
    if (stat(dir, &st) != 0) return false;
    *dev = st.st_dev;
    *ino = st.st_ino;
    return true;
}

static ffs_dirop *ffs_note_op(int kind, const char *path, const char *path2) {
    dev_t dev;
    ino_t ino;
    if (!ffs_dir_of(path2 != NULL ? path2 : path, &dev, &ino)) return NULL;
    if (ffs_g.op_count == ffs_g.op_cap) {
        ffs_g.op_cap = ffs_g.op_cap == 0 ? 32 : ffs_g.op_cap * 2;
        ffs_g.ops = rt_xrealloc(ffs_g.ops, ffs_g.op_cap * sizeof *ffs_g.ops);
    }
    ffs_dirop *op = &ffs_g.ops[ffs_g.op_count++];
    memset(op, 0, sizeof *op);
    op->kind = kind;
    op->dir_dev = dev;
    op->dir_ino = ino;
    snprintf(op->path, sizeof op->path, "%s", path);
    if (path2 != NULL) snprintf(op->path2, sizeof op->path2, "%s", path2);
    return op;
}

/* A hard link to `path` (if it exists) in its directory, kept until the operation that
 * replaces or removes it is durable; "" in `out` if there was nothing to keep. */
static void ffs_keep(const char *path, char *out) {
    out[0] = '\0';
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode)) return;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash != NULL) *slash = '\0';
    char link_path[PATH_MAX];
    if (snprintf(link_path, sizeof link_path, "%s/.faultfs-%d-%llu", slash != NULL ? dir : ".",
                 (int)getpid(), (unsigned long long)++ffs_g.link_seq) >= (int)sizeof link_path) {
        return;
    }
    if (link(path, link_path) == 0) memcpy(out, link_path, strlen(link_path) + 1);
}

static void ffs_undo(const ffs_dirop *op) {
    switch (op->kind) {
    case FFS_CREATE: unlink(op->path); break;
    case FFS_RENAME:
        if (rename(op->path2, op->path) != 0) break;
        if (op->saved[0] != '\0') rename(op->saved, op->path2);
        break;
    case FFS_UNLINK:
        if (op->saved[0] != '\0') rename(op->saved, op->path);
        break;
    }
    ffs_g.stats.dirops_undone++;
}

/* The operations of one directory (or all, dev 0) are durable: drop their saved links. */
static void ffs_ops_durable(dev_t dev, ino_t ino, bool all) {
    uint32_t kept = 0;
    for (uint32_t i = 0; i < ffs_g.op_count; i++) {
        ffs_dirop *op = &ffs_g.ops[i];
        if (!all && (op->dir_dev != dev || op->dir_ino != ino)) {
            ffs_g.ops[kept++] = *op;
            continue;
        }
        if (op->saved[0] != '\0') unlink(op->saved);
    }
    ffs_g.op_count = kept;
}

/* ---- crash ---- */

static void ffs_crash_locked(void) {
    if (ffs_g.crashed) return;
    ffs_damage_writes(NULL);
    ffs_forget_writes(NULL);
    /* A journalling file system keeps a prefix of the metadata operations. */
    uint32_t cut = (uint32_t)ffs_below((uint64_t)ffs_g.op_count + 1);
    for (uint32_t i = ffs_g.op_count; i > cut; i--) ffs_undo(&ffs_g.ops[i - 1]);
    ffs_g.op_count = cut;
    ffs_ops_durable(0, 0, true);
    ffs_g.crashed = true;
    ffs_g.stats.crashed = true;
}

void rt_faultfs_crash(void) {
    pthread_mutex_lock(&ffs_g.lock);
    if (rt_faultfs_active()) ffs_crash_locked();
    pthread_mutex_unlock(&ffs_g.lock);
}

bool rt_faultfs_crashed(void) {
    pthread_mutex_lock(&ffs_g.lock);
    bool crashed = ffs_g.crashed;
    pthread_mutex_unlock(&ffs_g.lock);
    return crashed;
}

static void ffs_reset_locked(void) {
    ffs_forget_writes(NULL);
    ffs_ops_durable(0, 0, true);
    rt_free(ffs_g.writes);
    rt_free(ffs_g.inodes);
    rt_free(ffs_g.ops);
    ffs_g.writes = NULL;
    ffs_g.inodes = NULL;
    ffs_g.ops = NULL;
    ffs_g.write_count = ffs_g.write_cap = ffs_g.inode_count = ffs_g.inode_cap = 0;
    ffs_g.op_count = ffs_g.op_cap = 0;
    ffs_g.crashed = false;
}

void rt_faultfs_start(const rt_faultfs_config *config) {
    pthread_mutex_lock(&ffs_g.lock);
    ffs_reset_locked();
    ffs_g.cfg = *config;
    if (ffs_g.cfg.sector_bytes == 0) ffs_g.cfg.sector_bytes = RT_FAULTFS_SECTOR_BYTES;
    ffs_g.rng = config->seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
    if (ffs_g.rng == 0) ffs_g.rng = 1;
    memset(&ffs_g.stats, 0, sizeof ffs_g.stats);
    atomic_store(&ffs_g.active, true);
    pthread_mutex_unlock(&ffs_g.lock);
}

void rt_faultfs_stop(void) {
    pthread_mutex_lock(&ffs_g.lock);
    atomic_store(&ffs_g.active, false);
    ffs_reset_locked();
    pthread_mutex_unlock(&ffs_g.lock);
}

rt_faultfs_stats rt_faultfs_get_stats(void) {
    pthread_mutex_lock(&ffs_g.lock);
    rt_faultfs_stats st = ffs_g.stats;
    pthread_mutex_unlock(&ffs_g.lock);
    return st;
}

/* ---- the calls ---- */

int rt_faultfs_open(const char *path, int flags, mode_t mode) {
    pthread_mutex_lock(&ffs_g.lock);
    int rc = -EIO;
    if (!ffs_g.crashed) {
        struct stat st;
        bool exists = stat(path, &st) == 0;
        bool writes = (flags & O_ACCMODE) != O_RDONLY;
        if (exists && writes && (flags & O_TRUNC) && S_ISREG(st.st_mode) && st.st_size > 0) {
            /* The truncation is an unsynced write too: remember what it throws away. */
            int fd = open(path, O_RDWR | O_CLOEXEC);
            if (fd >= 0) {
                ffs_note_write(fd, 0, 0);
                if (ffs_g.write_count > 0) {
                    ffs_write *w = &ffs_g.writes[ffs_g.write_count - 1];
                    w->old_len = (uint64_t)st.st_size;
                    w->old = rt_xrealloc(w->old, w->old_len);
                    if (pread(fd, w->old, w->old_len, 0) != (ssize_t)w->old_len) w->old_len = 0;
                }
                close(fd);
            }
        }
        rc = open(path, flags | O_CLOEXEC, mode);
        if (rc < 0) rc = -errno;
        if (rc >= 0 && !exists && (flags & O_CREAT)) ffs_note_op(FFS_CREATE, path, NULL);
    }
    pthread_mutex_unlock(&ffs_g.lock);
    return rc;
}

int rt_faultfs_close(int fd) { return close(fd) == 0 ? 0 : -errno; }

ssize_t rt_faultfs_write(int fd, const void *buf, size_t len, uint64_t offset) {
    pthread_mutex_lock(&ffs_g.lock);
    ssize_t rc = -EIO;
    if (!ffs_g.crashed && ++ffs_g.stats.writes != ffs_g.cfg.fail_write_at) {
        if (ffs_note_write(fd, offset, len)) {
            rc = pwrite(fd, buf, len, (off_t)offset);
            if (rc < 0) rc = -errno;
        }
    }
    pthread_mutex_unlock(&ffs_g.lock);
    return rc;
}

ssize_t rt_faultfs_read(int fd, void *buf, size_t len, uint64_t offset) {
    pthread_mutex_lock(&ffs_g.lock);
    ssize_t rc = -EIO;
    if (!ffs_g.crashed) {
        rc = pread(fd, buf, len, (off_t)offset);
        if (rc < 0) rc = -errno;
    }
    pthread_mutex_unlock(&ffs_g.lock);
    return rc;
}

static int ffs_sync_locked(int fd, bool data_only) {
    uint64_t n = ++ffs_g.stats.syncs;
    if (n == ffs_g.cfg.crash_at_sync) {
        ffs_crash_locked();
        return -EIO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) return -errno;
    if (S_ISDIR(st.st_mode)) {
        if (n == ffs_g.cfg.fail_sync_at) return -EIO; /* the operations stay undoable */
        ffs_ops_durable(st.st_dev, st.st_ino, false);
    } else {
        ffs_inode *in = NULL;
        for (uint32_t i = 0; i < ffs_g.inode_count && in == NULL; i++) {
            if (ffs_g.inodes[i]->dev == st.st_dev && ffs_g.inodes[i]->ino == st.st_ino) {
                in = ffs_g.inodes[i];
            }
        }
        if (n == ffs_g.cfg.fail_sync_at) {
            if (in != NULL) {
                ffs_damage_writes(in);
                ffs_forget_writes(in);
            }
            return -EIO;
        }
        if (in != NULL) ffs_forget_writes(in);
    }
    if (ffs_g.cfg.real_sync && (data_only ? fdatasync(fd) : fsync(fd)) != 0) return -errno;
    return 0;
}

int rt_faultfs_sync(int fd, bool data_only) {
    pthread_mutex_lock(&ffs_g.lock);
    int rc = ffs_g.crashed ? -EIO : ffs_sync_locked(fd, data_only);
    pthread_mutex_unlock(&ffs_g.lock);
    return rc;
}

int rt_faultfs_rename(const char *from, const char *to) {
    pthread_mutex_lock(&ffs_g.lock);
    int rc = -EIO;
    if (!ffs_g.crashed) {
        char saved[PATH_MAX];
        ffs_keep(to, saved);
        rc = rename(from, to) == 0 ? 0 : -errno;
        if (rc == 0) {
            ffs_dirop *op = ffs_note_op(FFS_RENAME, from, to);
            if (op != NULL) memcpy(op->saved, saved, sizeof saved);
        } else if (saved[0] != '\0') {
            unlink(saved);
        }
    }
    pthread_mutex_unlock(&ffs_g.lock);
    return rc;
}

int rt_faultfs_unlink(const char *path) {
    pthread_mutex_lock(&ffs_g.lock);
    int rc = -EIO;
    if (!ffs_g.crashed) {
        char saved[PATH_MAX];
        ffs_keep(path, saved);
        rc = unlink(path) == 0 ? 0 : -errno;
        if (rc == 0) {
            ffs_dirop *op = ffs_note_op(FFS_UNLINK, path, NULL);
            if (op != NULL) memcpy(op->saved, saved, sizeof saved);
        } else if (saved[0] != '\0') {
            unlink(saved);
        }
    }
    pthread_mutex_unlock(&ffs_g.lock);
    return rc;
}

int rt_faultfs_truncate(int fd, uint64_t size_bytes) {
    pthread_mutex_lock(&ffs_g.lock);
    int rc = -EIO;
    struct stat st;
    if (!ffs_g.crashed && fstat(fd, &st) == 0) {
        uint64_t cur = (uint64_t)st.st_size;
        /* Shrinking is remembered as a write of nothing over the cut bytes; growing as an
         * append of zeros. Either way a crash may undo it. */
        bool noted = size_bytes < cur ? ffs_note_write(fd, size_bytes, 0)
                                      : ffs_note_write(fd, cur, size_bytes - cur);
        if (noted && size_bytes < cur) {
            ffs_write *w = &ffs_g.writes[ffs_g.write_count - 1];
            w->old_len = cur - size_bytes;
            w->old = rt_xrealloc(w->old, w->old_len);
            if (pread(w->inode->fd, w->old, w->old_len, (off_t)size_bytes) != (ssize_t)w->old_len) {
                w->old_len = 0;
            }
        }
        rc = noted && ftruncate(fd, (off_t)size_bytes) == 0 ? 0 : -EIO;
    }
    pthread_mutex_unlock(&ffs_g.lock);
    return rc;
}
