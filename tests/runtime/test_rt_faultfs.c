/* test_rt_faultfs.c: the power-loss model of rt_faultfs.h, through the rt_file_* calls.
 * How: off the shards (plain blocking calls), files in a fresh /tmp directory are written,
 * synced or not, renamed and unlinked; then power is "lost" (at a chosen sync or by a call)
 * and the directory is examined. Over many seeds: what was fsynced (file data) or
 * directory-fsynced (names) is always intact, unsynced data is sometimes kept, dropped, torn
 * or garbled, unsynced names sometimes undone; after the crash every call fails; an injected
 * fsync failure loses the data although a retried fsync succeeds. */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/rt_faultfs.h"
#include "runtime/rt_io.h"

#define BLOCK 4096u

static char dir[128];

static void fresh(void) {
    snprintf(dir, sizeof dir, "/tmp/test_rt_faultfs_%d", (int)getpid());
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s", dir, dir);
    assert_int_equal(system(cmd), 0);
}

static void cleanup(void) {
    rt_faultfs_stop();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

static void fill(uint8_t *buf, uint8_t seed) {
    for (uint32_t i = 0; i < BLOCK; i++) buf[i] = (uint8_t)(seed + i * 13u);
}

static int write_file(const char *name, const uint8_t *data, uint64_t len, uint64_t off,
                      bool sync) {
    char path[400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    rt_err err;
    rt_err_clear(&err);
    int fd = rt_file_open(path, O_CREAT | O_RDWR, 0600, &err);
    assert_true(fd >= 0);
    assert_true(rt_file_write(fd, data, len, off, &err));
    if (sync) assert_true(rt_file_sync(fd, true, &err));
    return fd;
}

static bool read_file(const char *name, uint8_t *out, uint64_t len, uint64_t *size) {
    char path[400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_RDONLY);
    if (fd < 0) return false;
    struct stat st;
    fstat(fd, &st);
    *size = (uint64_t)st.st_size;
    ssize_t n = pread(fd, out, len, 0);
    close(fd);
    return n >= 0;
}

static void sync_dir(void) {
    rt_err err;
    rt_err_clear(&err);
    assert_true(rt_dir_sync(dir, &err));
}

/* Synced data survives; an unsynced overwrite ends up kept, dropped, torn or garbled. */
static void test_faultfs_unsynced_writes_damaged_synced_kept(void **state) {
    (void)state;
    uint8_t a[BLOCK], b[BLOCK], got[2 * BLOCK];
    fill(a, 1);
    fill(b, 101);
    rt_faultfs_stats total = {0};
    for (uint64_t seed = 1; seed <= 200; seed++) {
        fresh();
        rt_faultfs_start(&(rt_faultfs_config){.seed = seed});
        int fd = write_file("f", a, BLOCK, 0, true);
        sync_dir();
        rt_err err;
        rt_err_clear(&err);
        assert_true(rt_file_write(fd, b, BLOCK, BLOCK / 2, &err)); /* half over, half appended */
        rt_faultfs_crash();
        rt_faultfs_stats st = rt_faultfs_get_stats();
        total.kept += st.kept;
        total.dropped += st.dropped;
        total.torn += st.torn;
        total.garbled += st.garbled;
        assert_false(rt_file_write(fd, b, 1, 0, &err)); /* the machine is off */
        rt_err_clear(&err);
        assert_false(rt_file_sync(fd, true, &err));
        close(fd);
        uint64_t size;
        assert_true(read_file("f", got, sizeof got, &size));
        /* The synced first half is never touched. */
        assert_memory_equal(got, a, BLOCK / 2);
        assert_true(size == BLOCK || size == BLOCK + BLOCK / 2);
        if (st.kept == 1) assert_memory_equal(got + BLOCK / 2, b, BLOCK);
        if (st.dropped == 1) {
            assert_int_equal(size, BLOCK);
            assert_memory_equal(got, a, BLOCK);
        }
        cleanup();
    }
    assert_true(total.kept > 20 && total.dropped > 20 && total.torn > 20 && total.garbled > 20);
}

/* A torn write keeps some sectors and loses others; a sector may be cut in its middle. */
static void test_faultfs_tear_works_in_sectors(void **state) {
    (void)state;
    uint8_t a[BLOCK], b[BLOCK], got[BLOCK];
    fill(a, 7);
    fill(b, 77);
    uint32_t mixed = 0;
    for (uint64_t seed = 1; seed <= 400; seed++) {
        fresh();
        rt_faultfs_start(&(rt_faultfs_config){.seed = seed});
        int fd = write_file("f", a, BLOCK, 0, true);
        sync_dir();
        rt_err err;
        rt_err_clear(&err);
        assert_true(rt_file_write(fd, b, BLOCK, 0, &err));
        rt_faultfs_crash();
        close(fd);
        if (rt_faultfs_get_stats().torn == 1) {
            uint64_t size;
            assert_true(read_file("f", got, BLOCK, &size));
            uint32_t from_a = 0, from_b = 0;
            const uint32_t sector = RT_FAULTFS_SECTOR_BYTES;
            for (uint32_t s = 0; s < BLOCK / sector; s++) {
                const uint8_t *sec = got + s * sector;
                from_a += memcmp(sec, a + s * sector, sector) == 0;
                from_b += memcmp(sec, b + s * sector, sector) == 0;
            }
            /* Every sector is old or new, except at most the one cut in its middle. */
            assert_true(from_a + from_b >= BLOCK / RT_FAULTFS_SECTOR_BYTES - 1);
            mixed += from_a > 0 && from_b > 0;
        }
        cleanup();
    }
    assert_true(mixed > 10);
}

/* Names: a create or rename is durable only after its directory's fsync. */
static void test_faultfs_directory_operations_need_dir_sync(void **state) {
    (void)state;
    uint8_t a[BLOCK], b[BLOCK], got[BLOCK];
    fill(a, 3);
    fill(b, 33);
    uint32_t vanished = 0, reverted = 0, resurrected = 0;
    for (uint64_t seed = 1; seed <= 200; seed++) {
        fresh();
        rt_faultfs_start(&(rt_faultfs_config){.seed = seed});
        close(write_file("old", a, BLOCK, 0, true));
        close(write_file("gone", a, BLOCK, 0, true));
        close(write_file("kept", a, BLOCK, 0, true));
        sync_dir(); /* these three names are durable */
        close(write_file("new.tmp", b, BLOCK, 0, true));
        rt_err err;
        rt_err_clear(&err);
        char from[400], to[400], gone[400];
        snprintf(from, sizeof from, "%s/new.tmp", dir);
        snprintf(to, sizeof to, "%s/old", dir);
        snprintf(gone, sizeof gone, "%s/gone", dir);
        assert_true(rt_file_rename(from, to, &err));
        assert_true(rt_file_unlink(gone, &err));
        close(write_file("fresh", b, BLOCK, 0, true)); /* data synced, name not */
        rt_faultfs_crash();
        uint64_t size;
        assert_true(read_file("kept", got, BLOCK, &size));
        assert_memory_equal(got, a, BLOCK);
        assert_true(read_file("old", got, BLOCK, &size)); /* old or new, never neither */
        bool is_new = memcmp(got, b, BLOCK) == 0;
        assert_true(is_new || memcmp(got, a, BLOCK) == 0);
        reverted += !is_new;
        resurrected += read_file("gone", got, BLOCK, &size);
        vanished += !read_file("fresh", got, BLOCK, &size);
        /* no hidden helper links are left behind */
        DIR *d = opendir(dir);
        struct dirent *e;
        while ((e = readdir(d)) != NULL) assert_true(strncmp(e->d_name, ".faultfs", 8) != 0);
        closedir(d);
        cleanup();
    }
    assert_true(vanished > 10 && reverted > 10 && resurrected > 10);
    /* With the directory synced nothing is undone. */
    fresh();
    rt_faultfs_start(&(rt_faultfs_config){.seed = 5});
    close(write_file("x", a, BLOCK, 0, true));
    sync_dir();
    rt_faultfs_crash();
    uint64_t size;
    assert_true(read_file("x", got, BLOCK, &size));
    assert_memory_equal(got, a, BLOCK);
    cleanup();
}

/* The chosen sync loses power instead of syncing; later calls fail. */
static void test_faultfs_crash_at_chosen_sync(void **state) {
    (void)state;
    uint8_t a[BLOCK];
    fill(a, 9);
    fresh();
    rt_faultfs_start(&(rt_faultfs_config){.seed = 11, .crash_at_sync = 3});
    rt_err err;
    rt_err_clear(&err);
    int fd = write_file("f", a, BLOCK, 0, true); /* sync 1 */
    sync_dir();                                   /* sync 2 */
    assert_false(rt_faultfs_crashed());
    assert_true(rt_file_write(fd, a, BLOCK, BLOCK, &err));
    assert_false(rt_file_sync(fd, true, &err)); /* sync 3: power lost */
    assert_string_equal(err.sqlstate, "58030");
    assert_true(rt_faultfs_crashed());
    rt_err_clear(&err);
    char path[400];
    snprintf(path, sizeof path, "%s/other", dir);
    assert_true(rt_file_open(path, O_CREAT | O_RDWR, 0600, &err) < 0);
    close(fd);
    rt_faultfs_stop(); /* normal I/O again */
    rt_err_clear(&err);
    fd = rt_file_open(path, O_CREAT | O_RDWR, 0600, &err);
    assert_true(fd >= 0);
    close(fd);
    cleanup();
}

/* An fsync that fails loses the unsynced data, and a retry "succeeds": never trust it. */
static void test_faultfs_failed_fsync_loses_data_and_retry_lies(void **state) {
    (void)state;
    uint8_t a[BLOCK], b[BLOCK], got[BLOCK];
    fill(a, 21);
    fill(b, 42);
    uint32_t lost = 0;
    for (uint64_t seed = 1; seed <= 40; seed++) {
        fresh();
        rt_faultfs_start(&(rt_faultfs_config){.seed = seed, .fail_sync_at = 2});
        int fd = write_file("f", a, BLOCK, 0, true); /* sync 1 */
        rt_err err;
        rt_err_clear(&err);
        assert_true(rt_file_write(fd, b, BLOCK, 0, &err));
        assert_false(rt_file_sync(fd, true, &err)); /* sync 2 fails */
        rt_err_clear(&err);
        assert_true(rt_file_sync(fd, true, &err)); /* the retry reports success */
        close(fd);
        uint64_t size;
        assert_true(read_file("f", got, BLOCK, &size));
        lost += memcmp(got, b, BLOCK) != 0;
        cleanup();
    }
    assert_true(lost > 10);
    /* and a write error */
    fresh();
    rt_faultfs_start(&(rt_faultfs_config){.seed = 1, .fail_write_at = 2});
    rt_err err;
    rt_err_clear(&err);
    int fd = write_file("f", a, BLOCK, 0, false);
    assert_false(rt_file_write(fd, b, BLOCK, 0, &err));
    assert_string_equal(err.sqlstate, "58030");
    close(fd);
    cleanup();
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_faultfs_unsynced_writes_damaged_synced_kept),
        cmocka_unit_test(test_faultfs_tear_works_in_sectors),
        cmocka_unit_test(test_faultfs_directory_operations_need_dir_sync),
        cmocka_unit_test(test_faultfs_crash_at_chosen_sync),
        cmocka_unit_test(test_faultfs_failed_fsync_loses_data_and_retry_lies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
