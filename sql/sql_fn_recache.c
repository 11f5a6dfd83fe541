/* sql_fn_recache.c: compiled regular expressions (sql_fn_regex.c's rewrite, regcomp in the
 * "C" locale), a per-thread cache of them, and matching with PostgreSQL's rules on top of
 * POSIX leftmost-longest:
 *   - Greediness. A non-greedy RE (its first quantifier with a greediness is non-greedy) takes
 *     the shortest match at the leftmost position. "(RE)(.+)\'" tells whether a match from
 *     there ends at or before a point with real text after it (so anchors and word boundaries
 *     see the true context); bisecting narrows it to the shortest end; "(RE)(.)\'" gives the
 *     groups of the match ending exactly there.
 *   - Captures. When the RE is a sequence of items (no top-level |, no back references) with
 *     a non-greedy quantifier and captures, the captures are placed as PostgreSQL does: left
 *     to right, each item takes the shortest (non-greedy) or longest (greedy) part of the match
 *     that leaves the rest of the sequence able to match the remainder; each item's own
 *     groups then come from the C library on its part. ^(.*?)X(.*)$ on "aXbXc" gives {a,bXc}.
 * Known differences (both compared on random patterns): which text a group captures inside a
 * quantifier or among alternatives where the rule above does not apply ((a|ab)(c|bcd) on
 * "abcd" gives {a,bcd}, PostgreSQL {ab,c,d}); back references to groups that did not take
 * part; anchors inside bounded repetitions ((^a){2}); back references under case folding
 * compare exactly. Overall matches (where, how long, how many) agree.
 * Cache. Each thread (shard) keeps its last SQL_RE_CACHE_SIZE compiled patterns, most recently
 * used first; they are freed on eviction and by a thread-exit destructor. */
#include <locale.h>
#include <pthread.h>
#include <string.h>

#include "sql/sql_fn_regex_int.h"

/* ---- the per-thread cache ---- */

typedef struct sql_re_entry {
    sql_regex re;
    uint8_t *pattern;
    uint32_t len, opts;
    uint64_t hash;
} sql_re_entry;

typedef struct sql_re_cache {
    sql_re_entry *entries[SQL_RE_CACHE_SIZE];  /* most recently used first */
    uint32_t count;
    regmatch_t *pmatch;
    uint32_t pmatch_cap;
    locale_t c_locale;       /* regcomp/regexec run in "C" whatever the process locale is */
    char *subject;           /* the text being matched, NUL-terminated (see sql_re_run) */
    size_t subject_cap;
} sql_re_cache;

static _Thread_local sql_re_cache *sql_re_self;
static pthread_key_t sql_re_key;
static pthread_once_t sql_re_key_once = PTHREAD_ONCE_INIT;

/* The item variants of a sequence (count of them compiled so far). */
static void sql_re_items_free(sql_regex *re, uint32_t compiled) {
    for (uint32_t k = 0; k < compiled; k++) {
        regfree(&re->item_mid[k]);
        regfree(&re->item_end[k]);
        regfree(&re->item_plain[k]);
        if (k > 0) {
            regfree(&re->rest_mid[k]);
            regfree(&re->rest_end[k]);
        }
    }
    rt_free(re->item_mid);
    rt_free(re->items);
}

static void sql_re_entry_free(sql_re_entry *e) {
    regfree(&e->re.compiled);
    if (e->re.nongreedy) {
        regfree(&e->re.within);
        regfree(&e->re.exact);
    }
    if (e->re.nitems > 0) sql_re_items_free(&e->re, e->re.nitems);
    rt_free(e->pattern);
    rt_free(e);
}

static void sql_re_cache_free(void *arg) {
    sql_re_cache *c = arg;
    for (uint32_t k = 0; k < c->count; k++) sql_re_entry_free(c->entries[k]);
    if (c->c_locale != (locale_t)0) freelocale(c->c_locale);
    rt_free(c->pmatch);
    rt_free(c->subject);
    rt_free(c);
    sql_re_self = NULL;
}

static void sql_re_key_create(void) {
    RT_ASSERT(pthread_key_create(&sql_re_key, sql_re_cache_free) == 0);
}

static sql_re_cache *sql_re_cache_get(void) {
    if (sql_re_self != NULL) return sql_re_self;
    pthread_once(&sql_re_key_once, sql_re_key_create);
    sql_re_cache *c = rt_xcalloc(1, sizeof *c);
    c->c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    RT_ASSERT(c->c_locale != (locale_t)0);
    pthread_setspecific(sql_re_key, c);
    sql_re_self = c;
    return c;
}

static bool sql_re_report(rt_arena *arena, rt_err *err, const char *why, bool unsupported) {
    if (strcmp(why, "out of memory") == 0 && rt_arena_error(arena) != NULL) {
        return rt_arena_fail(arena, err);
    }
    if (unsupported) return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "%s", why);
    return rt_err_set(err, SQLSTATE_INVALID_REGULAR_EXPRESSION, "invalid regular expression: %s",
                      why);
}

static bool sql_re_regcomp(sql_re_cache *c, rt_arena *arena, const char *ere, uint32_t opts,
                           regex_t *out, rt_err *err) {
    int cflags = REG_EXTENDED | ((opts & SQL_RE_NLANCH) ? REG_NEWLINE : 0);
    locale_t prev = uselocale(c->c_locale);
    int rc = regcomp(out, ere, cflags);
    uselocale(prev);
    if (rc == 0) return true;
    return sql_re_report(arena, err, rc == REG_ESUBREG ? "invalid backreference number"
                                     : rc == REG_ESPACE ? "out of memory"
                                                        : "invalid regular expression", false);
}

/* Rewrites pattern (variant) and compiles it into *out; false with *err set. */
static bool sql_re_build(sql_re_cache *c, rt_arena *arena, sql_bytes pat, uint32_t opts,
                         sql_re_variant variant, uint16_t *map, sql_re_rewritten *rw,
                         regex_t *out, rt_err *err) {
    if (!sql_re_rewrite_pattern(arena, pat, opts, variant, map, rw)) {
        return sql_re_report(arena, err, rw->error, rw->unsupported);
    }
    return sql_re_regcomp(c, arena, rw->ere, rw->opts, out, err);
}

/* "(X)(.)\'" and "(X)\'" for a piece X of the rewritten pattern, and X itself (plain, if
 * asked for). */
static bool sql_re_piece(sql_re_cache *c, rt_arena *arena, const sql_re_rewritten *rw,
                         uint32_t from, uint32_t to, regex_t *mid, regex_t *end, regex_t *plain,
                         rt_err *err) {
    char *m = rt_arena_sprintf(arena, "(%.*s)%s\\'", (int)(to - from), rw->ere + from,
                               SQL_RE_ANY_CHAR);
    char *e = rt_arena_sprintf(arena, "(%.*s)\\'", (int)(to - from), rw->ere + from);
    char *x = rt_arena_sprintf(arena, "%.*s", (int)(to - from), rw->ere + from);
    if (m == NULL || e == NULL || x == NULL) return rt_arena_fail(arena, err);
    if (!sql_re_regcomp(c, arena, m, rw->opts, mid, err)) return false;
    if (!sql_re_regcomp(c, arena, e, rw->opts, end, err)) {
        regfree(mid);
        return false;
    }
    if (plain == NULL || sql_re_regcomp(c, arena, x, rw->opts, plain, err)) return true;
    regfree(mid);
    regfree(end);
    return false;
}

/* Each item of a top-level sequence alone, and the rest of the sequence from it on. */
static bool sql_re_compile_items(sql_re_cache *c, rt_arena *arena, const sql_re_rewritten *rw,
                                 sql_regex *re, rt_err *err) {
    uint32_t n = rw->nitems;
    re->items = rt_xmalloc(sizeof(sql_re_item) * (n + 1u));
    memcpy(re->items, rw->items, sizeof(sql_re_item) * n);
    re->items[n] = (sql_re_item){.start = rw->ere_len, .group_base = 0};
    re->item_mid = rt_xcalloc(5u * n, sizeof(regex_t));
    re->item_end = re->item_mid + n;
    re->rest_mid = re->item_mid + 2u * n;
    re->rest_end = re->item_mid + 3u * n;
    re->item_plain = re->item_mid + 4u * n;
    for (uint32_t k = 0; k < n; k++) {
        bool ok = sql_re_piece(c, arena, rw, re->items[k].start, re->items[k + 1].start,
                               &re->item_mid[k], &re->item_end[k], &re->item_plain[k], err);
        if (ok && k > 0 && !sql_re_piece(c, arena, rw, re->items[k].start, rw->ere_len,
                                         &re->rest_mid[k], &re->rest_end[k], NULL, err)) {
            regfree(&re->item_mid[k]);
            regfree(&re->item_end[k]);
            regfree(&re->item_plain[k]);
            ok = false;
        }
        if (!ok) {
            sql_re_items_free(re, k);
            return false;
        }
    }
    re->nitems = n;
    return true;
}

/* Rewrites and compiles into a new entry; NULL with *err set. */
static sql_re_entry *sql_re_compile(sql_re_cache *c, rt_arena *arena, sql_bytes pat,
                                    uint32_t opts, rt_err *err) {
    sql_re_entry *e = rt_xcalloc(1, sizeof *e);
    sql_re_rewritten rw, other;
    if (!sql_re_build(c, arena, pat, opts, RE_PLAIN, e->re.map, &rw, &e->re.compiled, err)) {
        rt_free(e);
        return NULL;
    }
    e->re.captures = rw.captures;
    e->re.nongreedy = rw.nongreedy;
    e->re.anchored_end = rw.anchored_end;
    e->re.nmatch = 1;
    for (uint32_t k = 1; k <= e->re.captures; k++) {
        if (e->re.map[k] + 1u > e->re.nmatch) e->re.nmatch = e->re.map[k] + 1u;
    }
    e->re.nmatch++; /* the variants' groups are one further */
    uint16_t map[SQL_RE_GROUPS_MAX + 1];
    bool ok = true;
    if (e->re.nongreedy) {
        ok = sql_re_build(c, arena, pat, opts, RE_WITHIN, map, &other, &e->re.within, err);
        if (ok && !sql_re_build(c, arena, pat, opts, RE_EXACT, map, &other, &e->re.exact, err)) {
            regfree(&e->re.within);
            ok = false;
        }
        e->re.nongreedy = ok;
    }
    if (ok && rw.sequence) ok = sql_re_compile_items(c, arena, &rw, &e->re, err);
    if (!ok) {
        sql_re_entry_free(e);
        return NULL;
    }
    e->pattern = rt_xmalloc(pat.len + 1u);
    if (pat.len > 0) memcpy(e->pattern, pat.ptr, pat.len);
    e->len = pat.len;
    e->opts = opts;
    return e;
}

/* The cached entry for (pattern, opts), compiled on a miss. */
static const sql_regex *sql_re_lookup(rt_arena *arena, rt_err *err, sql_bytes pat,
                                      uint32_t opts) {
    sql_re_cache *c = sql_re_cache_get();
    opts &= ~(uint32_t)SQL_RE_GLOBAL;
    uint64_t hash = sql_hash_bytes(pat.ptr, pat.len) ^ opts;
    for (uint32_t k = 0; k < c->count; k++) {
        sql_re_entry *e = c->entries[k];
        if (e->hash != hash || e->len != pat.len || e->opts != opts ||
            (pat.len > 0 && memcmp(e->pattern, pat.ptr, pat.len) != 0)) {
            continue;
        }
        memmove(&c->entries[1], &c->entries[0], sizeof(c->entries[0]) * k);
        c->entries[0] = e;
        return &e->re;
    }
    sql_re_entry *e = sql_re_compile(c, arena, pat, opts, err);
    if (e == NULL) return NULL;
    e->hash = hash;
    if (c->count == SQL_RE_CACHE_SIZE) sql_re_entry_free(c->entries[--c->count]);
    memmove(&c->entries[1], &c->entries[0], sizeof(c->entries[0]) * c->count);
    c->entries[0] = e;
    c->count++;
    if (e->re.nmatch > c->pmatch_cap) {
        c->pmatch = rt_xrealloc(c->pmatch, sizeof(regmatch_t) * e->re.nmatch);
        c->pmatch_cap = e->re.nmatch;
    }
    return &e->re;
}

const sql_regex *sql_re_get(sql_fctx *f, sql_bytes pattern, uint32_t opts) {
    return sql_re_lookup(f->arena, f->err, pattern, opts);
}

bool sql_re_check(rt_arena *arena, rt_err *err, sql_bytes pattern, uint32_t opts) {
    return sql_re_lookup(arena, err, pattern, opts) != NULL;
}

uint32_t sql_re_groups(const sql_regex *re) { return re->captures; }

/* ---- flags ---- */

bool sql_re_flags_parse(sql_fctx *f, sql_bytes flags, const char *fn, bool allow_global,
                        uint32_t *opts) {
    uint32_t o = 0;
    for (uint32_t k = 0; k < flags.len; k++) {
        switch (flags.ptr[k]) {
        case 'g':
            if (!allow_global && fn != NULL) {
                rt_err_set(f->err, SQLSTATE_INVALID_PARAMETER_VALUE,
                           "%s() does not support the \"global\" option", fn);
                if (strcmp(fn, "regexp_match") == 0) {
                    rt_err_hint(f->err, "Use the regexp_matches function instead.");
                }
                return false;
            }
            if (fn == NULL) goto bad;
            o |= SQL_RE_GLOBAL;
            break;
        case 'b': o |= SQL_RE_BASIC; break;
        case 'c': o &= ~(uint32_t)SQL_RE_ICASE; break;
        case 'e': o &= ~(uint32_t)SQL_RE_BASIC; break;
        case 'i': o |= SQL_RE_ICASE; break;
        case 'm': case 'n': o |= SQL_RE_NLSTOP | SQL_RE_NLANCH; break;
        case 'p': o = (o | SQL_RE_NLSTOP) & ~(uint32_t)SQL_RE_NLANCH; break;
        case 'q': o |= SQL_RE_LITERAL; break;
        case 's': o &= ~(uint32_t)(SQL_RE_NLSTOP | SQL_RE_NLANCH); break;
        case 't': o &= ~(uint32_t)SQL_RE_EXPANDED; break;
        case 'w': o = (o | SQL_RE_NLANCH) & ~(uint32_t)SQL_RE_NLSTOP; break;
        case 'x': o |= SQL_RE_EXPANDED; break;
        default:
        bad:
            return rt_err_set(f->err, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "invalid regular expression option: \"%.*s\"",
                              (int)sql_utf8_seq_len(flags.ptr[k]), (const char *)flags.ptr + k);
        }
    }
    *opts = o;
    return true;
}

/* ---- matching ---- */

static const char sql_re_empty[1] = "";

/* regexec is given a NUL-terminated copy of the text even with REG_STARTEND: values in the
 * column store are not terminated, and some regexec implementations (and sanitizers'
 * interceptors) look for the terminator anyway. (Copied every time: the same address may hold
 * another value once a batch arena is reused.) */
static const char *sql_re_subject(sql_re_cache *c, const uint8_t *s, uint32_t end) {
    if (s == NULL) return sql_re_empty;
    if ((size_t)end + 1 > c->subject_cap) {
        size_t cap = c->subject_cap ? c->subject_cap : 256;
        while (cap < (size_t)end + 1) cap *= 2;
        c->subject = rt_xrealloc(c->subject, cap);
        c->subject_cap = cap;
    }
    memcpy(c->subject, s, end);
    c->subject[end] = '\0';
    return c->subject;
}

static int sql_re_run(sql_re_cache *c, const regex_t *re, const uint8_t *s, uint32_t start,
                      uint32_t end, uint32_t nmatch, int eflags) {
    c->pmatch[0].rm_so = start;
    c->pmatch[0].rm_eo = end;
    const char *subject = sql_re_subject(c, s, end);
    locale_t prev = uselocale(c->c_locale);
    int rc = regexec(re, subject, nmatch, c->pmatch, eflags | REG_STARTEND);
    uselocale(prev);
    return rc;
}

/* The first match at or after `start` that begins on a character boundary (an empty match
 * may otherwise fall inside a multibyte character). 1 found, 0 none, -1 error. */
static int sql_re_find(sql_fctx *f, sql_re_cache *c, const sql_regex *re, const uint8_t *s,
                       uint32_t len, uint32_t start, uint32_t nmatch) {
    for (;;) {
        int rc = sql_re_run(c, &re->compiled, s, start, len, nmatch, 0);
        if (rc == REG_NOMATCH) return 0;
        if (rc != 0) {
            rt_err_set(f->err, rc == REG_ESPACE ? SQLSTATE_OUT_OF_MEMORY
                                                : SQLSTATE_INVALID_REGULAR_EXPRESSION,
                       "regular expression failed: %s",
                       rc == REG_ESPACE ? "out of memory" : "internal error");
            return -1;
        }
        uint32_t so = (uint32_t)c->pmatch[0].rm_so;
        if (so >= len || (s[so] & 0xC0) != 0x80) return 1;
        start = so + 1;
        while (start < len && (s[start] & 0xC0) == 0x80) start++;
        if (start > len) return 0;
    }
}

/* Non-greedy as a whole: the shortest match starting at `so` (the leftmost start), whose end
 * is bisected over character boundaries in [so, eo] with "a match from so ends at or before
 * e, text following" ((RE)(.+)\' on s up to e's character). The groups then come from the
 * match ending exactly at the end found (offset by one group). Returns the group offset. */
static uint32_t sql_re_shortest(sql_re_cache *c, const sql_regex *re, const uint8_t *s,
                                uint32_t len, uint32_t so, uint32_t eo, uint32_t nmatch) {
    uint32_t lo = so, hi = eo;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        while (mid < hi && (s[mid] & 0xC0) == 0x80) mid++;
        if (mid == hi) mid = lo;
        uint32_t next = mid + sql_utf8_seq_len(s[mid]);
        bool good = sql_re_run(c, &re->within, s, so, next, 1, 0) == 0 &&
                    (uint32_t)c->pmatch[0].rm_so == so;
        if (good) {
            hi = mid;
        } else {
            lo = next;
        }
    }
    if (hi == len) { /* nothing follows: the plain RE's match from so is it */
        sql_re_run(c, &re->compiled, s, so, len, nmatch, 0);
        return 0;
    }
    /* the RE is group 1 here: ask for it even when its own groups are not wanted */
    sql_re_run(c, &re->exact, s, so, hi + sql_utf8_seq_len(s[hi]), nmatch > 2 ? nmatch : 2, 0);
    return 1;
}

/* Does piece k (an item, or with rest the sequence from item k on) match exactly s[a, b)?
 * With text after b, "(X)(.)\\'" runs up to b's character, so X sees its real context. */
static bool sql_re_piece_matches(sql_re_cache *c, const sql_regex *re, uint32_t k, bool rest,
                                 const uint8_t *s, uint32_t len, uint32_t a, uint32_t b,
                                 uint32_t nmatch) {
    if (b < len) {
        const regex_t *mid = rest ? &re->rest_mid[k] : &re->item_mid[k];
        return sql_re_run(c, mid, s, a, b + sql_utf8_seq_len(s[b]), nmatch, 0) == 0 &&
               (uint32_t)c->pmatch[0].rm_so == a;
    }
    const regex_t *end = rest ? &re->rest_end[k] : &re->item_end[k];
    return sql_re_run(c, end, s, a, len, nmatch, 0) == 0 && (uint32_t)c->pmatch[0].rm_so == a;
}

/* The leftmost r >= e (a character boundary) where the sequence from item k matches exactly
 * s[r, eo), or UINT32_MAX. */
static uint32_t sql_re_rest_from(sql_re_cache *c, const sql_regex *re, uint32_t k,
                                 const uint8_t *s, uint32_t len, uint32_t e, uint32_t eo) {
    while (e <= eo) {
        int rc = eo < len ? sql_re_run(c, &re->rest_mid[k], s, e, eo + sql_utf8_seq_len(s[eo]),
                                       1, 0)
                          : sql_re_run(c, &re->rest_end[k], s, e, len, 1, 0);
        if (rc != 0) return UINT32_MAX;
        uint32_t r = (uint32_t)c->pmatch[0].rm_so;
        if (r >= len || (s[r] & 0xC0) != 0x80) return r;
        for (e = r + 1; e < len && (s[e] & 0xC0) == 0x80; e++) {}
    }
    return UINT32_MAX;
}

/* The end of item k's part of a match from p that must end at eo: PostgreSQL's dissection
 * tries the shortest part first for a non-greedy item, the longest first otherwise (an item
 * without a preference takes the next item's), keeping the first that leaves the rest able to
 * match. Shortest first jumps from one place where the rest matches to the next. UINT32_MAX
 * if none does. */
static uint32_t sql_re_split(sql_re_cache *c, const sql_regex *re, uint32_t k, uint8_t pref,
                             const uint8_t *s, uint32_t len, uint32_t p, uint32_t eo) {
    if (k + 1 == re->nitems) {
        return sql_re_piece_matches(c, re, k, false, s, len, p, eo, 1) ? eo : UINT32_MAX;
    }
    if (pref == 2) {
        for (uint32_t e = p; e <= eo;) {
            uint32_t r = sql_re_rest_from(c, re, k + 1, s, len, e, eo);
            if (r == UINT32_MAX) return r;
            if (sql_re_piece_matches(c, re, k, false, s, len, p, r, 1)) return r;
            for (e = r + 1; e < len && (s[e] & 0xC0) == 0x80; e++) {}
        }
        return UINT32_MAX;
    }
    /* longest first: the item's own longest match from p is the usual answer */
    if (sql_re_run(c, &re->item_plain[k], s, p, len, 1, 0) == 0 &&
        (uint32_t)c->pmatch[0].rm_so == p && (uint32_t)c->pmatch[0].rm_eo <= eo) {
        uint32_t e = (uint32_t)c->pmatch[0].rm_eo;
        if (sql_re_piece_matches(c, re, k + 1, true, s, len, e, eo, 1)) return e;
    }
    for (uint32_t step = 0; step <= eo - p; step++) {
        uint32_t e = eo - step;
        if (e < len && (s[e] & 0xC0) == 0x80) continue;
        if (sql_re_piece_matches(c, re, k, false, s, len, p, e, 1) &&
            sql_re_piece_matches(c, re, k + 1, true, s, len, e, eo, 1)) {
            return e;
        }
    }
    return UINT32_MAX;
}

/* Places the captures of a top-level sequence matching s[so, eo) item by item (see the file
 * comment). False if the C library disagrees with itself (then its own captures stand). */
static bool sql_re_dissect(sql_fctx *f, sql_re_cache *c, const sql_regex *re, const uint8_t *s,
                           uint32_t len, uint32_t so, uint32_t eo, sql_re_match *m) {
    RT_ASSERT(so <= eo);
    uint32_t n = re->nitems, *ends = rt_arena_alloc(f->arena, sizeof(uint32_t) * (n + 1u));
    if (ends == NULL) return false;
    for (uint32_t k = 0, p = so; k < n; p = ends[k++]) {
        uint8_t pref = 0;
        for (uint32_t j = k; j < n && pref == 0; j++) pref = re->items[j].attr;
        ends[k] = sql_re_split(c, re, k, pref != 0 ? pref : 1, s, len, p, eo);
        if (ends[k] == UINT32_MAX) return false;
    }
    for (uint32_t cap = 1; cap <= re->captures; cap++) {
        uint32_t g = re->map[cap], k = n - 1;
        while (k > 0 && re->items[k].group_base >= g) k--;
        uint32_t from = k == 0 ? so : ends[k - 1], local = g - re->items[k].group_base + 1;
        if (!sql_re_piece_matches(c, re, k, false, s, len, from, ends[k], local + 1)) return false;
        m->so[cap] = c->pmatch[local].rm_so < 0 ? -1 : (int32_t)c->pmatch[local].rm_so;
        m->eo[cap] = c->pmatch[local].rm_so < 0 ? -1 : (int32_t)c->pmatch[local].rm_eo;
    }
    return true;
}

int sql_re_exec(sql_fctx *f, const sql_regex *re, const uint8_t *s, uint32_t len, uint32_t start,
                bool groups, sql_re_match *m) {
    sql_re_cache *c = sql_re_cache_get();
    /* groups from the C library only when the sequence rule does not place them */
    uint32_t nmatch = groups && re->nitems == 0 ? re->nmatch : 1;
    int rc = sql_re_find(f, c, re, s, len, start, nmatch);
    if (rc <= 0) return rc;
    uint32_t shift = 0;
    if (re->nongreedy && !re->anchored_end) {
        shift = sql_re_shortest(c, re, s, len, (uint32_t)c->pmatch[0].rm_so,
                                (uint32_t)c->pmatch[0].rm_eo, nmatch);
    }
    m->so[0] = (int32_t)c->pmatch[shift].rm_so;
    m->eo[0] = (int32_t)c->pmatch[shift].rm_eo;
    if (!groups) return 1;
    if (re->nitems > 0 &&
        sql_re_dissect(f, c, re, s, len, (uint32_t)m->so[0], (uint32_t)m->eo[0], m)) {
        return 1;
    }
    if (nmatch == 1) { /* the C library's own groups, for the match found */
        uint32_t end = shift ? (uint32_t)m->eo[0] + sql_utf8_seq_len(s[m->eo[0]]) : len;
        sql_re_run(c, shift ? &re->exact : &re->compiled, s, (uint32_t)m->so[0], end, re->nmatch,
                   0);
    }
    for (uint32_t k = 1; k <= re->captures; k++) {
        const regmatch_t *g = &c->pmatch[re->map[k] + shift];
        m->so[k] = g->rm_so < 0 ? -1 : (int32_t)g->rm_so;
        m->eo[k] = g->rm_so < 0 ? -1 : (int32_t)g->rm_eo;
    }
    return 1;
}

int sql_re_test(sql_fctx *f, const sql_regex *re, const uint8_t *s, uint32_t len) {
    return sql_re_find(f, sql_re_cache_get(), re, s, len, 0, 1);
}
