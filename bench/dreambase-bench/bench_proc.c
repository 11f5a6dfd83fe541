/* bench_proc.c: CPU and memory of a local server, from /proc.
 * Dreambase is one process with a thread per core, so /proc/<pid>/stat covers it. PostgreSQL
 * is a postmaster with one child process per connection, so a process alone would show
 * almost nothing: we add every descendant of the pid, and the CPU of children the postmaster
 * already reaped (cutime/cstime). Memory is the proportional set size (smaps_rollup) where
 * readable, so PostgreSQL's shared buffers are counted once rather than once per backend. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/dreambase-bench/bench.h"
#include "runtime/rt_mem.h"

/* Processes looked at in one scan of /proc (the machine's, not only the server's). */
#define BENCH_PROC_SCAN_MAX 65536u

bool bench_proc_parse_stat(const char *text, int *ppid, uint64_t *utime, uint64_t *stime,
                           uint64_t *cutime, uint64_t *cstime, rt_err *err) {
    /* The command name sits in parentheses and may itself hold ") (": the fields start after
     * the last ')'. */
    const char *p = strrchr(text, ')');
    if (p == NULL) goto bad;
    p++;
    /* Fields 3.. follow; we need 4 (ppid) and 14..17 (utime stime cutime cstime). */
    long long fields[18] = {0};
    for (int f = 3; f <= 17; f++) {
        while (*p == ' ') p++;
        if (*p == '\0') goto bad;
        if (f == 3) {
            p++; /* the state letter */
            continue;
        }
        char *end;
        errno = 0;
        fields[f] = strtoll(p, &end, 10);
        if (end == p || errno != 0) goto bad;
        p = end;
    }
    *ppid = (int)fields[4];
    *utime = (uint64_t)fields[14];
    *stime = (uint64_t)fields[15];
    *cutime = (uint64_t)fields[16];
    *cstime = (uint64_t)fields[17];
    return true;
bad:
    return rt_err_set(err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
                      "could not parse /proc stat line \"%.60s\"", text);
}

bool bench_proc_parse_kb(const char *text, const char *key, uint64_t *kb) {
    size_t key_len = strlen(key);
    for (const char *line = text; line != NULL && *line != '\0';) {
        if (strncmp(line, key, key_len) == 0) {
            const char *p = line + key_len;
            while (*p == ' ' || *p == '\t') p++;
            if (!isdigit((unsigned char)*p)) return false;
            *kb = strtoull(p, NULL, 10);
            return true;
        }
        line = strchr(line, '\n');
        if (line != NULL) line++;
    }
    return false;
}

/* Reads a small /proc file into buf; false if it cannot (the process may just have ended). */
static bool bench_proc_read(const char *path, char *buf, size_t cap) {
    FILE *fp = fopen(path, "r");
    if (fp == NULL) return false;
    size_t n = fread(buf, 1, cap - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return n > 0;
}

typedef struct bench_proc_entry {
    int pid, ppid;
    uint64_t ticks;  /* utime + stime */
    bool in_tree;
} bench_proc_entry;

static uint64_t bench_proc_memory_kb(int pid) {
    char path[64], buf[4096];
    uint64_t kb = 0;
    snprintf(path, sizeof path, "/proc/%d/smaps_rollup", pid);
    if (bench_proc_read(path, buf, sizeof buf) && bench_proc_parse_kb(buf, "Pss:", &kb)) {
        return kb;
    }
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    if (bench_proc_read(path, buf, sizeof buf) && bench_proc_parse_kb(buf, "VmRSS:", &kb)) {
        return kb;
    }
    return 0;
}

/* Every process of the machine with its parent and CPU ticks. */
static uint32_t bench_proc_scan(bench_proc_entry *entries) {
    DIR *dir = opendir("/proc");
    if (dir == NULL) return 0;
    uint32_t n = 0;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL && n < BENCH_PROC_SCAN_MAX) {
        if (!isdigit((unsigned char)de->d_name[0])) continue;
        char path[300], buf[1024];
        snprintf(path, sizeof path, "/proc/%s/stat", de->d_name);
        if (!bench_proc_read(path, buf, sizeof buf)) continue;
        rt_err err;
        rt_err_clear(&err);
        uint64_t ut, st, cut, cst;
        int ppid;
        if (!bench_proc_parse_stat(buf, &ppid, &ut, &st, &cut, &cst, &err)) continue;
        entries[n++] = (bench_proc_entry){.pid = atoi(de->d_name), .ppid = ppid,
                                          .ticks = ut + st};
    }
    closedir(dir);
    return n;
}

bool bench_proc_sample(int pid, bench_proc_usage *out, rt_err *err) {
    memset(out, 0, sizeof *out);
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    if (!bench_proc_read(path, buf, sizeof buf)) {
        return rt_err_set(err, SQLSTATE_UNDEFINED_FILE,
                          "could not read \"%s\": is --server-pid %d a running local process?",
                          path, pid);
    }
    uint64_t ut, st, cut, cst;
    int ppid;
    if (!bench_proc_parse_stat(buf, &ppid, &ut, &st, &cut, &cst, err)) return false;
    out->cpu_ticks = ut + st + cut + cst;
    out->memory_kb = bench_proc_memory_kb(pid);
    out->processes = 1;
    bench_proc_entry *entries = rt_xmalloc(BENCH_PROC_SCAN_MAX * sizeof(bench_proc_entry));
    uint32_t n = bench_proc_scan(entries);
    /* Mark descendants until nothing changes: a PostgreSQL tree is two levels deep, so this
     * takes two or three passes; each looks parents up among the (few) tree members. */
    int *tree = rt_xmalloc((n + 1) * sizeof(int));
    uint32_t tree_len = 0;
    tree[tree_len++] = pid;
    for (bool changed = true; changed;) {
        changed = false;
        for (uint32_t i = 0; i < n; i++) {
            if (entries[i].in_tree || entries[i].pid == pid) continue;
            bool parent_in = false;
            for (uint32_t j = 0; j < tree_len && !parent_in; j++) {
                parent_in = tree[j] == entries[i].ppid;
            }
            if (!parent_in) continue;
            entries[i].in_tree = changed = true;
            tree[tree_len++] = entries[i].pid;
            out->cpu_ticks += entries[i].ticks;
            out->memory_kb += bench_proc_memory_kb(entries[i].pid);
            out->processes++;
        }
    }
    rt_free(tree);
    rt_free(entries);
    return true;
}
