/* sql_fn_regex.c: the rewrite of PostgreSQL's regular expressions (ARE, as PostgreSQL 15 with
 * LC_CTYPE=C and UTF-8 text) into POSIX extended REs for the C library's regcomp, which
 * sql_fn_recache.c compiles, caches and runs.
 * The pattern becomes an ERE over bytes, run in the "C" locale, so that nothing depends on the
 * process locale and every rule is ours:
 *   - a character is a UTF-8 sequence: '.', [^...], \D \S \W and bracket expressions with
 *     characters past ASCII become alternations of byte sequences; a quantified multibyte
 *     literal is grouped;
 *   - classes ([[:alpha:]], \d \s \w) and word boundaries (\m \M \y \Y) are ASCII only, and
 *     case-insensitive matching folds ASCII letters only ([aA]), as PostgreSQL does under C;
 *   - ARE escapes (\t \n \x41 \u00e9 \0 octal, \A \Z, back references), bounds {m,n} up to
 *     255, (?:...), (?#...), embedded options (?inx...), ***= and ***: are rewritten;
 *   - ^ and $ without newline anchoring become \` and \' (the C library's ^ and $ also match
 *     around a newline inside the match);
 *   - errors are PostgreSQL's ("invalid regular expression: quantifier operand invalid", ...).
 * Groups the rewrite adds are not capturing for PostgreSQL: a map gives each of PostgreSQL's
 * groups its group in the rewritten pattern. The rewrite also works out the RE's greediness
 * (PostgreSQL: that of its first quantifier with one; greedy with a top-level |) and the items
 * of its top-level sequence, which sql_fn_recache.c uses to place captures as PostgreSQL does.
 * Not supported (0A000): lookahead/lookbehind constraints, back references past the ninth
 * group of the rewritten pattern, basic (b) syntax. Named collating elements ([[.hyphen.]])
 * are refused as invalid. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/sql_fn_regex_int.h"

#define SQL_RE_DUP_MAX 255               /* bounds {m,n}: PostgreSQL's DUPMAX */

/* ---- sets of code points (bracket expressions and class escapes) ---- */

typedef struct sql_cpset {
    rt_arena *arena;
    uint32_t (*r)[2];
    uint32_t n, cap;
    bool failed;
} sql_cpset;

static void sql_cpset_add(sql_cpset *s, uint32_t lo, uint32_t hi) {
    if (s->n == s->cap) {
        uint32_t cap = s->cap == 0 ? 32 : s->cap * 2;
        void *r = rt_arena_grow(s->arena, s->r, sizeof(s->r[0]) * s->cap, sizeof(s->r[0]) * cap);
        if (r == NULL) {
            s->failed = true;
            return;
        }
        s->r = r;
        s->cap = cap;
    }
    s->r[s->n][0] = lo;
    s->r[s->n][1] = hi;
    s->n++;
}

static int sql_cpset_cmp(const void *a, const void *b) {
    const uint32_t *x = a, *y = b;
    return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* Sorts and merges overlapping or adjacent ranges. */
static void sql_cpset_normalize(sql_cpset *s) {
    if (s->n == 0) return;
    qsort(s->r, s->n, sizeof(s->r[0]), sql_cpset_cmp);
    uint32_t w = 0;
    for (uint32_t k = 1; k < s->n; k++) {
        if (s->r[k][0] <= s->r[w][1] + 1) {
            if (s->r[k][1] > s->r[w][1]) s->r[w][1] = s->r[k][1];
        } else {
            w++;
            s->r[w][0] = s->r[k][0];
            s->r[w][1] = s->r[k][1];
        }
    }
    s->n = w + 1;
}

/* The other case of every ASCII letter in the set. */
static void sql_cpset_fold(sql_cpset *s) {
    uint32_t n = s->n;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t lo = s->r[k][0], hi = s->r[k][1];
        if (lo <= 'Z' && hi >= 'A') {
            sql_cpset_add(s, (lo < 'A' ? 'A' : lo) + 32, (hi > 'Z' ? 'Z' : hi) + 32);
        }
        if (lo <= 'z' && hi >= 'a') {
            sql_cpset_add(s, (lo < 'a' ? 'a' : lo) - 32, (hi > 'z' ? 'z' : hi) - 32);
        }
    }
}

/* Replaces the (normalized) set by its complement in [1, 0x10FFFF]. */
static void sql_cpset_complement(sql_cpset *s) {
    uint32_t n = s->n, next = 1;
    uint32_t(*old)[2] = s->r;
    s->r = NULL;
    s->n = s->cap = 0;
    for (uint32_t k = 0; k < n; k++) {
        if (old[k][0] > next) sql_cpset_add(s, next, old[k][0] - 1);
        next = old[k][1] + 1;
    }
    if (next <= SQL_RE_MAX_CP) sql_cpset_add(s, next, SQL_RE_MAX_CP);
}

static void sql_cpset_remove_newline(sql_cpset *s) {
    sql_cpset_normalize(s);
    for (uint32_t k = 0; k < s->n; k++) {
        if (s->r[k][0] > '\n' || s->r[k][1] < '\n') continue;
        uint32_t lo = s->r[k][0], hi = s->r[k][1];
        s->r[k][0] = 1; /* becomes empty below unless one side remains */
        s->r[k][1] = 0;
        if (lo < '\n') sql_cpset_add(s, lo, '\n' - 1);
        if (hi > '\n') sql_cpset_add(s, '\n' + 1, hi);
        break;
    }
    uint32_t w = 0;
    for (uint32_t k = 0; k < s->n; k++) {
        if (s->r[k][0] <= s->r[k][1]) {
            s->r[w][0] = s->r[k][0];
            s->r[w++][1] = s->r[k][1];
        }
    }
    s->n = w;
    sql_cpset_normalize(s);
}

/* The ASCII class of a name ([:alpha:]) or a class escape ("\\d" "\\s" "\\w"); false if unknown. */
static bool sql_cpset_class(sql_cpset *s, const char *name, uint32_t len) {
    static const struct { const char *name; const char *ranges; } classes[] = {
        {"alnum", "09AZaz"}, {"alpha", "AZaz"}, {"blank", "  \t\t"}, {"cntrl", "\x01\x1f\x7f\x7f"},
        {"digit", "09"}, {"graph", "!~"}, {"lower", "az"}, {"print", " ~"},
        {"punct", "!/:@[`{~"}, {"space", "\t\r  "}, {"upper", "AZ"}, {"xdigit", "09AFaf"},
        {"word", "09AZaz__"}, {"\\d", "09"}, {"\\s", "\t\r  "}, {"\\w", "09AZaz__"},
    };
    for (uint32_t k = 0; k < sizeof classes / sizeof classes[0]; k++) {
        if (strlen(classes[k].name) != len || memcmp(classes[k].name, name, len) != 0) continue;
        for (const char *r = classes[k].ranges; *r != '\0'; r += 2) {
            sql_cpset_add(s, (uint8_t)r[0], (uint8_t)r[1]);
        }
        return true;
    }
    return false;
}

/* ---- the rewrite ---- */

typedef struct sql_re_level {
    uint32_t open_at;     /* offset of this group's '(' in the output */
    uint32_t capture;     /* PostgreSQL's capture number, 0 if not capturing */
    uint8_t attr;         /* greediness of the branch so far: 0 none, 1 greedy, 2 non-greedy */
    bool alt;             /* has a | at its own level (then it is greedy) */
    uint32_t done_at_open;   /* groups 1..9 complete when it opened (see sql_re_backref) */
    uint32_t done_in_branches;
} sql_re_level;

typedef struct sql_re_tr {
    const uint8_t *p;
    uint32_t len, pos;
    uint32_t opts;
    sql_strbuf out;
    uint32_t groups;            /* groups of the rewritten pattern */
    uint32_t captures;          /* PostgreSQL's capturing groups */
    uint16_t *map;
    sql_re_level *levels;
    uint32_t depth;             /* levels[0] is the whole RE */
    int64_t atom_start;         /* the atom a quantifier would apply to (-1: none) */
    uint8_t atom_attr;
    bool atom_quantified;
    bool atom_multibyte;        /* a multibyte literal: grouped when quantified */
    sql_cpset set;
    const char *error;          /* PostgreSQL's reason, or a 0A000 message when unsupported */
    bool unsupported;
    uint32_t done;              /* groups 1..9 complete on this path, a bit each */
    uint64_t closed[4];         /* PostgreSQL's captures already closed, a bit each */
    sql_re_item *items;         /* the top-level sequence */
    uint32_t nitems;
    bool has_lazy;              /* a non-greedy quantifier somewhere */
    bool has_backref;
    bool last_is_end;           /* the last top-level item is the end of the string */
} sql_re_tr;

static bool sql_re_fail(sql_re_tr *tr, const char *why) {
    if (tr->error == NULL) tr->error = why;
    return false;
}

static bool sql_re_unsupported(sql_re_tr *tr, const char *why) {
    tr->unsupported = true;
    return sql_re_fail(tr, why);
}

/* The pending atom is done: its greediness may decide its branch's (and is its item's). */
static void sql_re_commit(sql_re_tr *tr) {
    sql_re_level *l = &tr->levels[tr->depth];
    if (tr->atom_start >= 0 && l->attr == 0) l->attr = tr->atom_attr;
    if (tr->atom_start >= 0 && tr->depth == 0) tr->items[tr->nitems - 1].attr = tr->atom_attr;
    tr->atom_start = -1;
}

/* A new element of the top-level sequence starts here. */
static void sql_re_item_begin(sql_re_tr *tr) {
    if (tr->depth != 0) return;
    tr->last_is_end = false;
    tr->items[tr->nitems++] = (sql_re_item){.start = tr->out.len, .group_base = tr->groups};
}

static void sql_re_begin_atom(sql_re_tr *tr) {
    sql_re_commit(tr);
    sql_re_item_begin(tr);
    tr->atom_start = tr->out.len;
    tr->atom_attr = 0;
    tr->atom_quantified = false;
    tr->atom_multibyte = false;
}

static bool sql_re_new_group(sql_re_tr *tr) {
    if (++tr->groups > SQL_RE_PATTERN_GROUPS_MAX) {
        return sql_re_fail(tr, "regular expression is too complex");
    }
    return true;
}

/* Appends a bracket endpoint: ] - ^ [ as collating symbols, so that position never matters. */
static void sql_re_put_bracket_char(sql_strbuf *out, uint32_t c) {
    if (c == ']' || c == '-' || c == '^' || c == '[') {
        char sym[5] = {'[', '.', (char)c, '.', ']'};
        sql_strbuf_append(out, sym, 5);
    } else {
        sql_strbuf_putc(out, (char)c);
    }
}

static void sql_re_put_byte_range(sql_strbuf *out, uint8_t lo, uint8_t hi) {
    if (lo == hi) {
        sql_strbuf_putc(out, (char)lo);
        return;
    }
    char r[5] = {'[', (char)lo, '-', (char)hi, ']'};
    sql_strbuf_append(out, r, 5);
}

/* One alternative per run of UTF-8 sequences with per-byte ranges, for code points [lo, hi]
 * that all encode to the same length. */
static void sql_re_put_utf8(sql_strbuf *out, uint32_t lo, uint32_t hi, bool *first) {
    uint32_t n = lo < 0x800 ? 2 : lo < 0x10000 ? 3 : 4;
    for (uint32_t i = 1; i < n; i++) {
        uint32_t m = (1u << (6 * i)) - 1;
        if ((lo & ~m) == (hi & ~m)) continue;
        if ((lo & m) != 0) {
            sql_re_put_utf8(out, lo, lo | m, first);
            sql_re_put_utf8(out, (lo | m) + 1, hi, first);
            return;
        }
        if ((hi & m) != m) {
            sql_re_put_utf8(out, lo, (hi & ~m) - 1, first);
            sql_re_put_utf8(out, hi & ~m, hi, first);
            return;
        }
    }
    uint8_t a[4], b[4];
    sql_utf8_encode(lo, a);
    sql_utf8_encode(hi, b);
    if (!*first) sql_strbuf_putc(out, '|');
    *first = false;
    for (uint32_t k = 0; k < n; k++) sql_re_put_byte_range(out, a[k], b[k]);
}

/* Emits a (normalized) set as one atom: a bracket for its ASCII part, or a group with the
 * multibyte alternatives. An empty set never matches. */
static bool sql_re_put_set(sql_re_tr *tr, const sql_cpset *s) {
    sql_strbuf *out = &tr->out;
    uint32_t k = 0;
    bool wide = s->n > 0 && s->r[s->n - 1][1] >= 0x80;
    if (s->n == 0) {
        sql_strbuf_puts(out, "[^\x01-\xff]");
        return true;
    }
    if (wide) {
        if (!sql_re_new_group(tr)) return false;
        sql_strbuf_putc(out, '(');
    }
    bool first = true;
    if (s->r[0][0] < 0x80) {
        sql_strbuf_putc(out, '[');
        for (; k < s->n && s->r[k][0] < 0x80; k++) {
            uint32_t hi = s->r[k][1] < 0x80 ? s->r[k][1] : 0x7F;
            sql_re_put_bracket_char(out, s->r[k][0]);
            if (hi > s->r[k][0]) {
                sql_strbuf_putc(out, '-');
                sql_re_put_bracket_char(out, hi);
            }
        }
        sql_strbuf_putc(out, ']');
        first = false;
        if (k > 0 && s->r[k - 1][1] >= 0x80) k--; /* its multibyte part follows */
    }
    for (; wide && k < s->n; k++) {
        uint32_t lo = s->r[k][0] < 0x80 ? 0x80 : s->r[k][0], hi = s->r[k][1];
        if (lo == 0x80 && hi == SQL_RE_MAX_CP) { /* any multibyte character: valid input */
            sql_strbuf_puts(out, first ? "" : "|");
            sql_strbuf_puts(out, "[\xc0-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf][\x80-\xbf]|"
                                 "[\xf0-\xf7][\x80-\xbf][\x80-\xbf][\x80-\xbf]");
            first = false;
            continue;
        }
        static const uint32_t bands[][2] = {{0x80, 0x7FF}, {0x800, 0xFFFF}, {0x10000, 0x10FFFF}};
        for (uint32_t b = 0; b < 3; b++) {
            uint32_t a = lo > bands[b][0] ? lo : bands[b][0];
            uint32_t z = hi < bands[b][1] ? hi : bands[b][1];
            if (a <= z) sql_re_put_utf8(out, a, z, &first);
        }
    }
    if (wide) sql_strbuf_putc(out, ')');
    return true;
}

/* Emits one literal character (code point cp, bytes at p). */
static bool sql_re_put_literal(sql_re_tr *tr, uint32_t cp) {
    sql_re_begin_atom(tr);
    if (cp == 0) { /* NUL never occurs in text */
        sql_strbuf_puts(&tr->out, "[^\x01-\xff]");
        return true;
    }
    if (cp >= 0x80) {
        uint8_t b[4];
        sql_strbuf_append(&tr->out, b, sql_utf8_encode(cp, b));
        tr->atom_multibyte = true;
        return true;
    }
    bool letter = (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    if (letter && (tr->opts & SQL_RE_ICASE)) {
        char br[4] = {'[', (char)sql_ascii_lower((uint8_t)cp), (char)sql_ascii_upper((uint8_t)cp),
                      ']'};
        sql_strbuf_append(&tr->out, br, 4);
        return true;
    }
    if (strchr(".[]()*+?{}|^$\\", (int)cp) != NULL) sql_strbuf_putc(&tr->out, '\\');
    sql_strbuf_putc(&tr->out, (char)cp);
    return true;
}

/* A set atom: class escapes, '.', bracket expressions (set already filled). A negated
 * bracket skips the newline in newline-sensitive matching; \D \S \W do not (PostgreSQL). */
static bool sql_re_put_set_atom(sql_re_tr *tr, bool negate, bool bracket) {
    sql_cpset *s = &tr->set;
    if (tr->opts & SQL_RE_ICASE) sql_cpset_fold(s);
    sql_cpset_normalize(s);
    if (negate) {
        sql_cpset_complement(s);
        if (bracket && (tr->opts & SQL_RE_NLSTOP)) sql_cpset_remove_newline(s);
    }
    if (s->failed) return sql_re_fail(tr, "out of memory");
    sql_re_begin_atom(tr);
    return sql_re_put_set(tr, s);
}

static inline int sql_re_hexval(uint8_t c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Reads up to `max` digits of base 8 or 16 at tr->pos; `exact` demands all of them. */
static bool sql_re_number(sql_re_tr *tr, uint32_t base, uint32_t max, bool exact, uint32_t *cp) {
    uint32_t v = 0, k = 0;
    for (; k < max && tr->pos < tr->len; k++) {
        int d = sql_re_hexval(tr->p[tr->pos]);
        if (d < 0 || (uint32_t)d >= base) break;
        v = v * base + (uint32_t)d;
        tr->pos++;
    }
    if ((exact && k < max) || (base == 16 && k == 0) || v > SQL_RE_MAX_CP ||
        (v >= 0xD800 && v <= 0xDFFF)) {
        return sql_re_fail(tr, "invalid escape \\ sequence");
    }
    *cp = v;
    return true;
}

/* A character-entry escape (after the backslash, at tr->pos): \a \b \B \cX \e \f \n \r \t \v
 * \uXXXX \UXXXXXXXX \xhh \0oo, or a non-alphanumeric character standing for itself. */
static bool sql_re_char_escape(sql_re_tr *tr, uint32_t *cp) {
    uint8_t c = tr->p[tr->pos++];
    switch (c) {
    case 'a': *cp = 7; return true;
    case 'b': *cp = 8; return true;
    case 'B': *cp = '\\'; return true;
    case 'e': *cp = 27; return true;
    case 'f': *cp = 12; return true;
    case 'n': *cp = 10; return true;
    case 'r': *cp = 13; return true;
    case 't': *cp = 9; return true;
    case 'v': *cp = 11; return true;
    case 'c':
        if (tr->pos >= tr->len) return sql_re_fail(tr, "invalid escape \\ sequence");
        *cp = tr->p[tr->pos++] & 0x1F;
        return true;
    case 'u': return sql_re_number(tr, 16, 4, true, cp);
    case 'U': return sql_re_number(tr, 16, 8, true, cp);
    case 'x': return sql_re_number(tr, 16, 8, false, cp);
    case '0': return sql_re_number(tr, 8, 2, false, cp);
    default: break;
    }
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        return sql_re_fail(tr, "invalid escape \\ sequence");
    }
    uint32_t len;
    tr->pos--;
    *cp = sql_utf8_decode(tr->p + tr->pos, &len);
    tr->pos += len;
    return true;
}

/* \N: a back reference to capture N if it exists, else (several digits) an octal escape.
 * Capture N must be closed. The C library also refuses a reference to a group of another
 * alternative (it could not have matched); PostgreSQL accepts it and it never matches. */
static bool sql_re_backref(sql_re_tr *tr) {
    uint32_t start = tr->pos, v = 0, digits = 0;
    while (tr->pos < tr->len && tr->p[tr->pos] >= '0' && tr->p[tr->pos] <= '9' && digits < 9) {
        v = v * 10 + (tr->p[tr->pos++] - '0');
        digits++;
    }
    if (v >= 1 && v <= tr->captures) {
        if (!(tr->closed[v / 64] & (1ull << (v % 64)))) {
            return sql_re_fail(tr, "invalid backreference number");
        }
        uint32_t g = tr->map[v];
        tr->has_backref = true;
        if (g > 9) {
            return sql_re_unsupported(tr, "back references to groups past the ninth group of "
                                          "the rewritten pattern are not supported");
        }
        sql_re_begin_atom(tr);
        if (!(tr->done & (1u << g))) {
            sql_strbuf_puts(&tr->out, "[^\x01-\xff]");
            return true;
        }
        char ref[2] = {'\\', (char)('0' + g)};
        sql_strbuf_append(&tr->out, ref, 2);
        return true;
    }
    tr->pos = start;
    uint32_t cp;
    if (digits < 2 || !sql_re_number(tr, 8, 3, false, &cp) || tr->pos - start != digits) {
        tr->error = NULL;
        return sql_re_fail(tr, "invalid backreference number");
    }
    return sql_re_put_literal(tr, cp);
}

static bool sql_re_constraint(sql_re_tr *tr, const char *ere) {
    sql_re_commit(tr);
    sql_re_item_begin(tr);
    sql_strbuf_puts(&tr->out, ere);
    if (tr->depth == 0 && strcmp(ere, "\\'") == 0) tr->last_is_end = true;
    return true;
}

/* A backslash outside brackets (tr->pos at the backslash). */
static bool sql_re_escape(sql_re_tr *tr) {
    if (++tr->pos >= tr->len) return sql_re_fail(tr, "invalid escape \\ sequence");
    uint8_t c = tr->p[tr->pos];
    switch (c) {
    case 'd': case 's': case 'w': case 'D': case 'S': case 'W': {
        char name[2] = {'\\', (char)sql_ascii_lower(c)};
        tr->pos++;
        tr->set.n = 0;
        sql_cpset_class(&tr->set, name, 2);
        return sql_re_put_set_atom(tr, c != (uint8_t)name[1], false);
    }
    case 'm': tr->pos++; return sql_re_constraint(tr, "\\<");
    case 'M': tr->pos++; return sql_re_constraint(tr, "\\>");
    case 'y': tr->pos++; return sql_re_constraint(tr, "\\b");
    case 'Y': tr->pos++; return sql_re_constraint(tr, "\\B");
    case 'A': tr->pos++; return sql_re_constraint(tr, "\\`");
    case 'Z': tr->pos++; return sql_re_constraint(tr, "\\'");
    default: break;
    }
    if (c >= '1' && c <= '9') return sql_re_backref(tr);
    uint32_t cp;
    return sql_re_char_escape(tr, &cp) && sql_re_put_literal(tr, cp);
}

/* One element of a bracket expression: a character (*is_char) or a class added to the set. */
static bool sql_re_bracket_elem(sql_re_tr *tr, uint32_t *cp, bool *is_char) {
    const uint8_t *p = tr->p;
    *is_char = true;
    if (p[tr->pos] == '[' && tr->pos + 1 < tr->len &&
        (p[tr->pos + 1] == ':' || p[tr->pos + 1] == '.' || p[tr->pos + 1] == '=')) {
        uint8_t kind = p[tr->pos + 1];
        uint32_t start = tr->pos + 2, end = start;
        while (end + 1 < tr->len && !(p[end] == kind && p[end + 1] == ']')) end++;
        if (end + 1 >= tr->len) return sql_re_fail(tr, "brackets [] not balanced");
        tr->pos = end + 2;
        if (kind == ':') {
            *is_char = false;
            if (!sql_cpset_class(&tr->set, (const char *)p + start, end - start)) {
                return sql_re_fail(tr, "invalid character class");
            }
            return true;
        }
        uint32_t len = 0;
        if (end > start) *cp = sql_utf8_decode(p + start, &len);
        if (len == 0 || start + len != end) return sql_re_fail(tr, "invalid collating element");
        return true;
    }
    if (p[tr->pos] == '\\') {
        if (++tr->pos >= tr->len) return sql_re_fail(tr, "invalid escape \\ sequence");
        uint8_t c = p[tr->pos];
        if (c == 'd' || c == 's' || c == 'w' || c == 'D' || c == 'S' || c == 'W') {
            char name[2] = {'\\', (char)sql_ascii_lower(c)};
            sql_cpset cls = {.arena = tr->set.arena};
            sql_cpset_class(&cls, name, 2);
            if (c != (uint8_t)name[1]) {
                sql_cpset_normalize(&cls);
                sql_cpset_complement(&cls);
            }
            for (uint32_t k = 0; k < cls.n; k++) sql_cpset_add(&tr->set, cls.r[k][0], cls.r[k][1]);
            tr->set.failed |= cls.failed;
            tr->pos++;
            *is_char = false;
            return true;
        }
        return sql_re_char_escape(tr, cp);
    }
    uint32_t len;
    *cp = sql_utf8_decode(p + tr->pos, &len);
    tr->pos += len;
    return true;
}

/* [...] (tr->pos at the '['). */
static bool sql_re_bracket(sql_re_tr *tr) {
    tr->pos++;
    bool negate = tr->pos < tr->len && tr->p[tr->pos] == '^';
    if (negate) tr->pos++;
    tr->set.n = 0;
    for (bool first = true;; first = false) {
        if (tr->pos >= tr->len) return sql_re_fail(tr, "brackets [] not balanced");
        if (tr->p[tr->pos] == ']' && !first) break;
        uint32_t lo, hi;
        bool is_char, hi_char;
        if (!sql_re_bracket_elem(tr, &lo, &is_char)) return false;
        if (!is_char) continue;
        hi = lo;
        if (tr->pos + 1 < tr->len && tr->p[tr->pos] == '-' && tr->p[tr->pos + 1] != ']') {
            tr->pos++;
            if (!sql_re_bracket_elem(tr, &hi, &hi_char)) return false;
            if (!hi_char || hi < lo) return sql_re_fail(tr, "invalid character range");
        }
        sql_cpset_add(&tr->set, lo, hi);
    }
    tr->pos++;
    return sql_re_put_set_atom(tr, negate, true);
}

static bool sql_re_dot(sql_re_tr *tr) {
    tr->pos++;
    tr->set.n = 0;
    sql_cpset_add(&tr->set, 1, SQL_RE_MAX_CP);
    if (tr->opts & SQL_RE_NLSTOP) sql_cpset_remove_newline(&tr->set);
    sql_re_begin_atom(tr);
    return sql_re_put_set(tr, &tr->set);
}

/* Applies a quantifier (its ERE text) to the pending atom. */
static bool sql_re_quantify(sql_re_tr *tr, const char *q, uint32_t qlen, bool fixed) {
    bool lazy = tr->pos < tr->len && tr->p[tr->pos] == '?';
    if (lazy) tr->pos++;
    tr->has_lazy |= lazy;
    if (tr->atom_start < 0 || tr->atom_quantified) {
        return sql_re_fail(tr, "quantifier operand invalid");
    }
    if (tr->atom_multibyte) { /* quantify the whole character, not its last byte */
        uint32_t at = (uint32_t)tr->atom_start, n = tr->out.len - at;
        if (!sql_re_new_group(tr) || !sql_strbuf_reserve(&tr->out, 2)) return false;
        memmove(tr->out.data + at + 1, tr->out.data + at, n);
        tr->out.data[at] = '(';
        tr->out.len++;
        sql_strbuf_putc(&tr->out, ')');
    }
    sql_strbuf_append(&tr->out, q, qlen);
    if (!fixed) tr->atom_attr = lazy ? 2 : 1;
    tr->atom_quantified = true;
    return true;
}

/* {m}, {m,}, {m,n} (tr->pos at the '{', a digit follows). */
static bool sql_re_bound(sql_re_tr *tr) {
    uint32_t m = 0, n = 0;
    tr->pos++;
    bool comma = false, has_n = false;
    while (tr->pos < tr->len && tr->p[tr->pos] >= '0' && tr->p[tr->pos] <= '9') {
        if ((m = m * 10 + (tr->p[tr->pos++] - '0')) > SQL_RE_DUP_MAX) m = SQL_RE_DUP_MAX + 1;
    }
    if (tr->pos < tr->len && tr->p[tr->pos] == ',') {
        comma = true;
        tr->pos++;
        while (tr->pos < tr->len && tr->p[tr->pos] >= '0' && tr->p[tr->pos] <= '9') {
            if ((n = n * 10 + (tr->p[tr->pos++] - '0')) > SQL_RE_DUP_MAX) n = SQL_RE_DUP_MAX + 1;
            has_n = true;
        }
    }
    if (tr->pos >= tr->len) return sql_re_fail(tr, "braces {} not balanced");
    if (tr->p[tr->pos] != '}' || m > SQL_RE_DUP_MAX || n > SQL_RE_DUP_MAX || (has_n && n < m)) {
        return sql_re_fail(tr, "invalid repetition count(s)");
    }
    tr->pos++;
    char q[16];
    int qlen = !comma ? snprintf(q, sizeof q, "{%u}", m)
               : has_n ? snprintf(q, sizeof q, "{%u,%u}", m, n) : snprintf(q, sizeof q, "{%u,}", m);
    return sql_re_quantify(tr, q, (uint32_t)qlen, !comma);
}

/* ( (?: and (?#...) (tr->pos at the '('). */
static bool sql_re_open(sql_re_tr *tr) {
    const uint8_t *p = tr->p;
    bool capture = true;
    tr->pos++;
    if (tr->pos < tr->len && p[tr->pos] == '?') {
        uint8_t k = tr->pos + 1 < tr->len ? p[tr->pos + 1] : 0;
        if (k == '#') {
            while (tr->pos < tr->len && p[tr->pos] != ')') tr->pos++;
            if (tr->pos >= tr->len) return sql_re_fail(tr, "parentheses () not balanced");
            tr->pos++;
            return true;
        }
        if (k == '=' || k == '!' || k == '<') {
            return sql_re_unsupported(tr, "regular expression lookahead and lookbehind "
                                          "constraints are not supported");
        }
        if (k != ':') return sql_re_fail(tr, "quantifier operand invalid");
        tr->pos += 2;
        capture = false;
    }
    sql_re_commit(tr);
    sql_re_item_begin(tr);
    if (!sql_re_new_group(tr)) return false;
    if (capture) {
        if (tr->captures >= SQL_RE_GROUPS_MAX) {
            return sql_re_fail(tr, "regular expression is too complex");
        }
        tr->map[++tr->captures] = (uint16_t)tr->groups;
    }
    tr->levels[++tr->depth] = (sql_re_level){.open_at = tr->out.len,
                                             .capture = capture ? tr->captures : 0,
                                             .done_at_open = tr->done};
    sql_strbuf_putc(&tr->out, '(');
    return true;
}

static bool sql_re_close(sql_re_tr *tr) {
    tr->pos++;
    if (tr->depth == 0) return sql_re_fail(tr, "parentheses () not balanced");
    sql_re_commit(tr);
    sql_re_level l = tr->levels[tr->depth--];
    sql_strbuf_putc(&tr->out, ')');
    tr->done |= l.done_in_branches;
    if (l.capture != 0) {
        tr->closed[l.capture / 64] |= 1ull << (l.capture % 64);
        if (tr->map[l.capture] <= 9) tr->done |= 1u << tr->map[l.capture];
    }
    tr->atom_start = l.open_at;
    tr->atom_attr = l.alt ? 1 : l.attr;
    tr->atom_quantified = false;
    tr->atom_multibyte = false;
    return true;
}

/* Skips white space and #-comments (expanded syntax). */
static void sql_re_skip_expanded(sql_re_tr *tr) {
    while (tr->pos < tr->len) {
        uint8_t c = tr->p[tr->pos];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            tr->pos++;
        } else if (c == '#') {
            while (tr->pos < tr->len && tr->p[tr->pos] != '\n') tr->pos++;
        } else {
            break;
        }
    }
}

/* One token outside brackets. */
static bool sql_re_token(sql_re_tr *tr) {
    uint8_t c = tr->p[tr->pos];
    switch (c) {
    case '(': return sql_re_open(tr);
    case ')': return sql_re_close(tr);
    case '|': {
        tr->pos++;
        sql_re_commit(tr);
        sql_re_level *l = &tr->levels[tr->depth];
        l->alt = true;
        l->done_in_branches |= tr->done;
        tr->done = l->done_at_open;
        sql_strbuf_putc(&tr->out, '|');
        return true;
    }
    case '*': tr->pos++; return sql_re_quantify(tr, "*", 1, false);
    case '+': tr->pos++; return sql_re_quantify(tr, "+", 1, false);
    case '?': tr->pos++; return sql_re_quantify(tr, "?", 1, false);
    case '{':
        if (tr->pos + 1 < tr->len && tr->p[tr->pos + 1] >= '0' && tr->p[tr->pos + 1] <= '9') {
            return sql_re_bound(tr);
        }
        tr->pos++;
        return sql_re_put_literal(tr, '{');
    case '[': return sql_re_bracket(tr);
    case '.': return sql_re_dot(tr);
    case '^': /* the C library's ^ also matches after a newline inside the match */
        tr->pos++;
        return sql_re_constraint(tr, (tr->opts & SQL_RE_NLANCH) ? "^" : "\\`");
    case '$': /* likewise before a newline: the end of the string is \' */
        tr->pos++;
        return sql_re_constraint(tr, (tr->opts & SQL_RE_NLANCH) ? "$" : "\\'");
    case '\\': return sql_re_escape(tr);
    default: break;
    }
    uint32_t len, cp = sql_utf8_decode(tr->p + tr->pos, &len);
    tr->pos += len;
    return sql_re_put_literal(tr, cp);
}

/* Embedded options (?letters) at the start of the pattern. */
static bool sql_re_embedded(sql_re_tr *tr) {
    if (tr->len - tr->pos < 3 || tr->p[tr->pos] != '(' || tr->p[tr->pos + 1] != '?') return true;
    uint8_t k = tr->p[tr->pos + 2];
    if (!(k >= 'a' && k <= 'z')) return true; /* (?: and the like */
    for (tr->pos += 2; tr->pos < tr->len && tr->p[tr->pos] != ')'; tr->pos++) {
        switch (tr->p[tr->pos]) {
        case 'b': return sql_re_unsupported(tr, "basic regular expressions are not supported");
        case 'c': tr->opts &= ~(uint32_t)SQL_RE_ICASE; break;
        case 'e': break;
        case 'i': tr->opts |= SQL_RE_ICASE; break;
        case 'm': case 'n': tr->opts |= SQL_RE_NLSTOP | SQL_RE_NLANCH; break;
        case 'p': tr->opts = (tr->opts | SQL_RE_NLSTOP) & ~(uint32_t)SQL_RE_NLANCH; break;
        case 'q': tr->opts |= SQL_RE_LITERAL; break;
        case 's': tr->opts &= ~(uint32_t)(SQL_RE_NLSTOP | SQL_RE_NLANCH); break;
        case 't': tr->opts &= ~(uint32_t)SQL_RE_EXPANDED; break;
        case 'w': tr->opts = (tr->opts | SQL_RE_NLANCH) & ~(uint32_t)SQL_RE_NLSTOP; break;
        case 'x': tr->opts |= SQL_RE_EXPANDED; break;
        default: return sql_re_fail(tr, "invalid embedded option");
        }
    }
    if (tr->pos >= tr->len) return sql_re_fail(tr, "invalid embedded option");
    tr->pos++;
    return true;
}

/* Rewrites the whole pattern into tr->out (NUL-terminated); the non-greedy variants wrap it
 * as (RE)(.+)\' or (RE)(.)\' (its groups then count from 2). */
static bool sql_re_rewrite(sql_re_tr *tr, sql_re_variant variant) {
    if (tr->opts & SQL_RE_BASIC) {
        return sql_re_unsupported(tr, "basic regular expressions are not supported");
    }
    if (tr->len >= 4 && memcmp(tr->p, "***=", 4) == 0) {
        tr->pos = 4;
        tr->opts |= SQL_RE_LITERAL;
    } else if (tr->len >= 4 && memcmp(tr->p, "***:", 4) == 0) {
        tr->pos = 4;
    }
    if (!(tr->opts & SQL_RE_LITERAL) && !sql_re_embedded(tr)) return false;
    if (variant != RE_PLAIN) {
        sql_strbuf_putc(&tr->out, '(');
        tr->groups = 1;
    }
    while (tr->pos < tr->len) {
        if (tr->opts & SQL_RE_LITERAL) {
            uint32_t len, cp = sql_utf8_decode(tr->p + tr->pos, &len);
            tr->pos += len;
            if (!sql_re_put_literal(tr, cp)) return false;
            continue;
        }
        if (tr->opts & SQL_RE_EXPANDED) {
            sql_re_skip_expanded(tr);
            if (tr->pos >= tr->len) break;
        }
        if (!sql_re_token(tr)) return false;
    }
    sql_re_commit(tr);
    if (tr->depth > 0) return sql_re_fail(tr, "parentheses () not balanced");
    if (variant != RE_PLAIN) {
        if (!sql_re_new_group(tr)) return false;
        sql_strbuf_putc(&tr->out, ')');
        sql_strbuf_puts(&tr->out, SQL_RE_ANY_CHAR);
        sql_strbuf_puts(&tr->out, variant == RE_WITHIN ? "+\\'" : "\\'");
    }
    sql_strbuf_putc(&tr->out, '\0');
    if (tr->out.failed || tr->set.failed) return sql_re_fail(tr, "out of memory");
    return true;
}

const char SQL_RE_ANY_CHAR[] = "([\x01-\x7f]|[\xc0-\xdf][\x80-\xbf]|"
                               "[\xe0-\xef][\x80-\xbf][\x80-\xbf]|"
                               "[\xf0-\xf7][\x80-\xbf][\x80-\xbf][\x80-\xbf])";

bool sql_re_rewrite_pattern(rt_arena *arena, sql_bytes pat, uint32_t opts,
                            sql_re_variant variant, uint16_t *map, sql_re_rewritten *out) {
    sql_re_tr tr = {.p = pat.ptr, .len = pat.len, .opts = opts, .map = map, .atom_start = -1,
                    .set = {.arena = arena}};
    memset(out, 0, sizeof *out);
    tr.levels = rt_arena_zalloc(arena, sizeof(sql_re_level) * (pat.len + 1u));
    tr.items = rt_arena_alloc(arena, sizeof(sql_re_item) * (pat.len + 1u));
    sql_strbuf_init(&tr.out, arena, pat.len * 2u + 16u);
    if (tr.levels == NULL || tr.items == NULL) tr.error = "out of memory";
    if (tr.error != NULL || !sql_re_rewrite(&tr, variant)) {
        out->error = tr.error;
        out->unsupported = tr.unsupported;
        return false;
    }
    out->ere = tr.out.data;
    out->ere_len = tr.out.len - 1;
    out->opts = tr.opts;
    out->captures = tr.captures;
    out->nongreedy = !tr.levels[0].alt && tr.levels[0].attr == 2;
    out->anchored_end = !tr.levels[0].alt && tr.last_is_end;
    out->sequence = tr.captures > 0 && tr.has_lazy && !tr.levels[0].alt && !tr.has_backref &&
                    tr.nitems >= 2;
    out->items = tr.items;
    out->nitems = tr.nitems;
    return true;
}
