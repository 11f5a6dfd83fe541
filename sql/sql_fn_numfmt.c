/* sql_fn_numfmt.c: to_char(int4 | int8 | real | double precision | numeric, text) and
 * to_number(text, text) with PostgreSQL's number format patterns: 9 and 0 (digit positions,
 * 0 keeps leading zeros), . and D (decimal point), , and G (group separator), S (sign next to
 * the number), PR (negative in angle brackets), MI / PL / SG (sign at that position), FM (fill
 * mode: no padding, no trailing zeros), EEEE (scientific), L (currency symbol), V (shift by
 * 10^n), TH / th (ordinal suffix) and RN / rn (roman numerals). Other characters and "quoted"
 * text are copied. The locale is C, as in the clusters Dreambase is tested against: D is '.',
 * G ',', L a blank, S's signs '-' and '+'.
 *
 * How the output is laid out (learnt from PostgreSQL's behaviour): the value is rounded to the
 * pattern's fractional digits and written as a digit string; the integer positions the value
 * does not fill are blanks (zeros from the first '0' on); one position before the first digit
 * takes the sign ('-', or a blank when positive) unless a sign pattern places it elsewhere; a
 * value with more integer digits than the pattern has positions is shown as '#'s. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sql/sql_funcs_int.h"
#include "sql/sql_numeric.h"
#include "sql/sql_strbuf.h"

/* Patterns longer than this are refused (54000): the output is built in one buffer. */
#define SQL_NUMFMT_FORMAT_BYTES_MAX (64u << 10)
/* Digits of V's shift on a numeric: numeric's integer digits (PostgreSQL: 22003 past them). */
#define SQL_NUMFMT_MULTI_MAX 131072

typedef enum sql_nf_kind {
    NF_LIT, NF_9, NF_0, NF_DEC, NF_D, NF_COMMA, NF_G, NF_S, NF_PR, NF_MI, NF_PL, NF_SG, NF_FM,
    NF_EEEE, NF_L, NF_V, NF_TH, NF_th, NF_RN, NF_rn, NF_B, NF_C, NF_SP,
} sql_nf_kind;

enum {
    NF_F_DECIMAL = 1u << 0, NF_F_ZERO = 1u << 1, NF_F_BLANK = 1u << 2, NF_F_FILL = 1u << 3,
    NF_F_LSIGN = 1u << 4, NF_F_BRACKET = 1u << 5, NF_F_MINUS = 1u << 6, NF_F_PLUS = 1u << 7,
    NF_F_ROMAN = 1u << 8, NF_F_MULTI = 1u << 9, NF_F_EEEE = 1u << 10,
};

enum { NF_LSIGN_NONE, NF_LSIGN_PRE, NF_LSIGN_POST };

typedef struct sql_nf_item {
    uint8_t kind;            /* sql_nf_kind */
    const char *lit;         /* NF_LIT: the text to copy */
    uint32_t lit_len;
} sql_nf_item;

/* A parsed pattern. */
typedef struct sql_nf {
    sql_nf_item *items;
    uint32_t n;
    int32_t pre, post;       /* digit positions before / after the decimal point */
    int32_t multi;           /* digits after V */
    int32_t zero_start;      /* 1-based position of the first '0' before the point; 0 none */
    int32_t zero_end;        /* position of the last '0' */
    int32_t pre_lsign;       /* digit positions before S */
    uint32_t flags;
    int lsign;
} sql_nf;

static const struct {
    const char *word;
    uint8_t kind;
} sql_nf_words[] = {
    {"EEEE", NF_EEEE}, {"eeee", NF_EEEE}, {"FM", NF_FM}, {"fm", NF_FM}, {"MI", NF_MI},
    {"mi", NF_MI}, {"PL", NF_PL}, {"pl", NF_PL}, {"PR", NF_PR}, {"pr", NF_PR}, {"RN", NF_RN},
    {"rn", NF_rn}, {"SG", NF_SG}, {"sg", NF_SG}, {"SP", NF_SP}, {"sp", NF_SP}, {"TH", NF_TH},
    {"th", NF_th}, {",", NF_COMMA}, {".", NF_DEC}, {"0", NF_0}, {"9", NF_9}, {"B", NF_B},
    {"b", NF_B}, {"C", NF_C}, {"c", NF_C}, {"D", NF_D}, {"d", NF_D}, {"G", NF_G}, {"g", NF_G},
    {"L", NF_L}, {"l", NF_L}, {"S", NF_S}, {"s", NF_S}, {"V", NF_V}, {"v", NF_V},
};

static bool sql_nf_syntax(rt_err *err, const char *msg) {
    return rt_err_set(err, SQLSTATE_SYNTAX_ERROR, "%s", msg);
}

/* S, MI, PL, SG and PR: where the sign goes, and which of them go together. */
static bool sql_nf_apply_sign(sql_nf *nf, uint8_t kind, rt_err *err) {
    uint32_t *fl = &nf->flags;
    switch (kind) {
    case NF_S:
        if (*fl & NF_F_LSIGN) return sql_nf_syntax(err, "cannot use \"S\" twice");
        if (*fl & (NF_F_PLUS | NF_F_MINUS | NF_F_BRACKET)) {
            return sql_nf_syntax(err, "cannot use \"S\" and \"PL\"/\"MI\"/\"SG\"/\"PR\" together");
        }
        if (!(*fl & NF_F_DECIMAL)) {
            nf->lsign = NF_LSIGN_PRE;
            nf->pre_lsign = nf->pre;
            *fl |= NF_F_LSIGN;
        } else if (nf->lsign == NF_LSIGN_NONE) {
            nf->lsign = NF_LSIGN_POST;
            *fl |= NF_F_LSIGN;
        }
        break;
    case NF_MI: case NF_PL: case NF_SG:
        if (*fl & NF_F_LSIGN) {
            return sql_nf_syntax(err, kind == NF_MI   ? "cannot use \"S\" and \"MI\" together"
                                      : kind == NF_PL ? "cannot use \"S\" and \"PL\" together"
                                                      : "cannot use \"S\" and \"SG\" together");
        }
        *fl |= kind == NF_MI ? NF_F_MINUS : kind == NF_PL ? NF_F_PLUS : NF_F_MINUS | NF_F_PLUS;
        break;
    case NF_PR:
        if (*fl & (NF_F_LSIGN | NF_F_PLUS | NF_F_MINUS)) {
            return sql_nf_syntax(err, "cannot use \"PR\" and \"S\"/\"PL\"/\"MI\"/\"SG\" together");
        }
        *fl |= NF_F_BRACKET;
        break;
    default: break;
    }
    return true;
}

/* The checks PostgreSQL makes as it reads each pattern, then its effect on the layout. */
static bool sql_nf_apply(sql_nf *nf, uint8_t kind, rt_err *err) {
    uint32_t *fl = &nf->flags;
    if ((*fl & NF_F_EEEE) && kind != NF_EEEE) {
        return sql_nf_syntax(err, "\"EEEE\" must be the last pattern used");
    }
    switch (kind) {
    case NF_9: case NF_0:
        if (*fl & NF_F_BRACKET) {
            return sql_nf_syntax(err, kind == NF_9 ? "\"9\" must be ahead of \"PR\""
                                                   : "\"0\" must be ahead of \"PR\"");
        }
        if (kind == NF_9 && (*fl & NF_F_MULTI)) {
            nf->multi++;
            break;
        }
        if (kind == NF_0 && !(*fl & (NF_F_ZERO | NF_F_DECIMAL))) {
            *fl |= NF_F_ZERO;
            nf->zero_start = nf->pre + 1;
        }
        if (*fl & NF_F_DECIMAL) nf->post++;
        else nf->pre++;
        if (kind == NF_0) nf->zero_end = nf->pre + nf->post;
        break;
    case NF_B: *fl |= NF_F_BLANK; break;
    case NF_D: case NF_DEC:
        if (*fl & NF_F_DECIMAL) return sql_nf_syntax(err, "multiple decimal points");
        if (*fl & NF_F_MULTI) {
            return sql_nf_syntax(err, "cannot use \"V\" and decimal point together");
        }
        *fl |= NF_F_DECIMAL;
        break;
    case NF_FM: *fl |= NF_F_FILL; break;
    case NF_S: case NF_MI: case NF_PL: case NF_SG: case NF_PR:
        return sql_nf_apply_sign(nf, kind, err);
    case NF_RN: case NF_rn: *fl |= NF_F_ROMAN; break;
    case NF_V:
        if (*fl & NF_F_DECIMAL) {
            return sql_nf_syntax(err, "cannot use \"V\" and decimal point together");
        }
        *fl |= NF_F_MULTI;
        break;
    case NF_EEEE:
        if (*fl & NF_F_EEEE) return sql_nf_syntax(err, "cannot use \"EEEE\" twice");
        if (*fl & (NF_F_BLANK | NF_F_FILL | NF_F_LSIGN | NF_F_BRACKET | NF_F_MINUS | NF_F_PLUS |
                   NF_F_ROMAN | NF_F_MULTI)) {
            rt_err_set(err, SQLSTATE_SYNTAX_ERROR, "\"EEEE\" is incompatible with other formats");
            rt_err_detail(err, "\"EEEE\" may only be used together with digit and decimal "
                               "point patterns.");
            return false;
        }
        *fl |= NF_F_EEEE;
        break;
    default: break;
    }
    return true;
}

/* A "quoted" literal: its text without the quotes, a backslash escaping the next byte. */
static uint32_t sql_nf_quoted(const char *s, uint32_t len, uint32_t i, char *buf,
                              uint32_t *blen) {
    *blen = 0;
    for (i++; i < len && s[i] != '"'; i++) {
        if (s[i] == '\\' && i + 1 < len) i++;
        buf[(*blen)++] = s[i];
    }
    return i < len ? i + 1 : i;
}

static bool sql_nf_push(sql_nf *nf, uint8_t kind, const char *lit, uint32_t lit_len,
                        rt_err *err) {
    if (!sql_nf_apply(nf, kind, err)) return false;
    nf->items[nf->n++] = (sql_nf_item){.kind = kind, .lit = lit, .lit_len = lit_len};
    return true;
}

static bool sql_nf_parse(rt_arena *arena, const char *s, uint32_t len, sql_nf *nf,
                         rt_err *err) {
    if (len > SQL_NUMFMT_FORMAT_BYTES_MAX) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "number format pattern is longer than %u bytes",
                          SQL_NUMFMT_FORMAT_BYTES_MAX);
    }
    memset(nf, 0, sizeof *nf);
    nf->items = rt_arena_alloc(arena, sizeof(sql_nf_item) * (len + 1u));
    char *text = rt_arena_alloc(arena, len + 1u);
    if (nf->items == NULL || text == NULL) return rt_arena_fail(arena, err);
    for (uint32_t i = 0; i < len;) {
        if (s[i] == '"') {
            uint32_t blen;
            uint32_t next = sql_nf_quoted(s, len, i, text, &blen);
            if (!sql_nf_push(nf, NF_LIT, text, blen, err)) return false;
            text += blen;
            i = next;
            continue;
        }
        uint8_t kind = NF_LIT;
        uint32_t wlen = 1;
        for (size_t k = 0; k < sizeof sql_nf_words / sizeof sql_nf_words[0]; k++) {
            uint32_t l = (uint32_t)strlen(sql_nf_words[k].word);
            if (l <= len - i && memcmp(s + i, sql_nf_words[k].word, l) == 0) {
                kind = sql_nf_words[k].kind;
                wlen = l;
                break;
            }
        }
        /* A multi-byte character is copied whole. */
        if (kind == NF_LIT) {
            while (i + wlen < len && ((unsigned char)s[i + wlen] & 0xC0) == 0x80) wlen++;
        }
        if (!sql_nf_push(nf, kind, s + i, wlen, err)) return false;
        i += wlen;
    }
    return true;
}

/* ---- the number as a digit string ---- */

/* What the pattern is filled from: `digits` ("1234.50", "0.5", or '#'s on overflow), the sign
 * and the number of leading integer positions the value leaves empty. */
typedef struct sql_nf_num {
    const char *digits;
    char sign;               /* '+' or '-' */
    int32_t out_pre_spaces;
} sql_nf_num;

/* Sets out_pre_spaces, or fills `digits` with '#' when the integer part is too long. */
static bool sql_nf_fit(rt_arena *arena, const sql_nf *nf, sql_nf_num *num, rt_err *err) {
    const char *dot = strchr(num->digits, '.');
    int32_t pre_len = dot != NULL ? (int32_t)(dot - num->digits) : (int32_t)strlen(num->digits);
    num->out_pre_spaces = 0;
    if (pre_len < nf->pre) {
        num->out_pre_spaces = nf->pre - pre_len;
    } else if (pre_len > nf->pre) {
        char *h = rt_arena_alloc(arena, (size_t)nf->pre + (size_t)nf->post + 2u);
        if (h == NULL) return rt_arena_fail(arena, err);
        memset(h, '#', (size_t)nf->pre + (size_t)nf->post + 1u);
        h[nf->pre] = '.';
        h[nf->pre + nf->post + 1] = '\0';
        num->digits = h;
    }
    return true;
}

/* Roman numerals of 1..3999; '#'s otherwise. */
static void sql_nf_roman(int64_t v, char out[16]) {
    static const char *const th[] = {"", "M", "MM", "MMM"};
    static const char *const hu[] = {"", "C", "CC", "CCC", "CD", "D", "DC", "DCC", "DCCC", "CM"};
    static const char *const te[] = {"", "X", "XX", "XXX", "XL", "L", "LX", "LXX", "LXXX", "XC"};
    static const char *const on[] = {"", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"};
    if (v < 1 || v > 3999) {
        memset(out, '#', 15);
        out[15] = '\0';
        return;
    }
    snprintf(out, 16, "%s%s%s%s", th[v / 1000], hu[v / 100 % 10], te[v / 10 % 10], on[v % 10]);
}

/* ---- writing ---- */

typedef struct sql_nf_out {
    sql_nf *nf;
    const char *number;      /* the digit string */
    const char *np;          /* next character of it */
    const char *last_relevant; /* FM: the last fractional digit worth printing */
    sql_strbuf *sb;
    char sign;
    bool sign_wrote, num_in;
    int32_t num_curr, num_count, out_pre_spaces;
} sql_nf_out;

static bool sql_nf_predec_space(const sql_nf_out *o) {
    return !(o->nf->flags & NF_F_ZERO) && o->np == o->number && o->number[0] == '0' &&
           o->nf->post != 0;
}

/* The sign before the first digit, when it belongs there. */
static void sql_nf_write_sign(sql_nf_out *o) {
    const sql_nf *nf = o->nf;
    bool at = o->num_curr >= o->out_pre_spaces ||
              ((nf->flags & NF_F_ZERO) && nf->zero_start == o->num_curr);
    bool dot_relevant = o->last_relevant != NULL && *o->last_relevant == '.';
    if (o->sign_wrote || !at || (sql_nf_predec_space(o) && !dot_relevant)) return;
    if (nf->flags & NF_F_LSIGN) {
        if (nf->lsign != NF_LSIGN_PRE) return;
        sql_strbuf_putc(o->sb, o->sign == '-' ? '-' : '+');
    } else if (nf->flags & NF_F_BRACKET) {
        sql_strbuf_putc(o->sb, o->sign == '+' ? ' ' : '<');
    } else if (o->sign == '+') {
        if (!(nf->flags & NF_F_FILL)) sql_strbuf_putc(o->sb, ' ');
    } else {
        sql_strbuf_putc(o->sb, '-');
    }
    o->sign_wrote = true;
}

/* A digit or the decimal point from the digit string (or the blank or zero in its place). */
static void sql_nf_write_digit(sql_nf_out *o, uint8_t kind) {
    const sql_nf *nf = o->nf;
    bool fill = (nf->flags & NF_F_FILL) != 0, zero = (nf->flags & NF_F_ZERO) != 0;
    if (o->num_curr < o->out_pre_spaces && (nf->zero_start > o->num_curr || !zero)) {
        if (!fill) sql_strbuf_putc(o->sb, ' ');
        return;
    }
    if (zero && o->num_curr < o->out_pre_spaces && nf->zero_start <= o->num_curr) {
        sql_strbuf_putc(o->sb, '0');
        o->num_in = true;
        return;
    }
    bool dot_relevant = o->last_relevant != NULL && *o->last_relevant == '.';
    if (*o->np == '.') {
        if (!dot_relevant || fill) sql_strbuf_putc(o->sb, '.');
    } else if (o->last_relevant != NULL && o->np > o->last_relevant && kind != NF_0) {
        /* FM: a trailing zero is left out */
    } else if (sql_nf_predec_space(o)) {
        if (!fill) sql_strbuf_putc(o->sb, ' ');
        else if (dot_relevant) sql_strbuf_putc(o->sb, '0');
    } else {
        sql_strbuf_putc(o->sb, *o->np);
        o->num_in = true;
    }
    if (*o->np != '\0') o->np++;
}

static void sql_nf_numpart(sql_nf_out *o, uint8_t kind) {
    const sql_nf *nf = o->nf;
    sql_nf_write_sign(o);
    sql_nf_write_digit(o, kind);
    int32_t end = o->num_count + (o->out_pre_spaces ? 1 : 0) + ((nf->flags & NF_F_DECIMAL) ? 1 : 0);
    if (o->last_relevant != NULL && o->last_relevant == o->np) end = o->num_curr;
    if (o->num_curr + 1 == end) {
        if (o->sign_wrote && (nf->flags & NF_F_BRACKET)) {
            sql_strbuf_putc(o->sb, o->sign == '+' ? ' ' : '>');
        } else if ((nf->flags & NF_F_LSIGN) && nf->lsign == NF_LSIGN_POST) {
            sql_strbuf_putc(o->sb, o->sign == '-' ? '-' : '+');
        }
    }
    o->num_curr++;
}

/* "st", "nd", "rd" or "th" for the integer in `digits`. */
static const char *sql_nf_th(const char *digits, bool upper) {
    size_t len = strlen(digits);
    char last = len > 0 ? digits[len - 1] : '0';
    if (len > 1 && digits[len - 2] == '1') last = '0';
    switch (last) {
    case '1': return upper ? "ST" : "st";
    case '2': return upper ? "ND" : "nd";
    case '3': return upper ? "RD" : "rd";
    default: return upper ? "TH" : "th";
    }
}

/* Output of one pattern item that is not a digit position. */
static void sql_nf_item_out(sql_nf_out *o, const sql_nf_item *it) {
    const sql_nf *nf = o->nf;
    bool fill = (nf->flags & NF_F_FILL) != 0;
    switch (it->kind) {
    case NF_LIT: sql_strbuf_append(o->sb, it->lit, it->lit_len); break;
    case NF_COMMA: case NF_G:
        if (o->num_in) sql_strbuf_putc(o->sb, ',');
        else if (!fill) sql_strbuf_putc(o->sb, ' ');
        break;
    case NF_L: sql_strbuf_putc(o->sb, ' '); break;
    case NF_RN: case NF_rn: {
        char buf[32];
        snprintf(buf, sizeof buf, fill ? "%s" : "%15s", o->number);
        for (char *p = buf; it->kind == NF_rn && *p != '\0'; p++) {
            if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
        }
        sql_strbuf_puts(o->sb, buf);
        break;
    }
    case NF_TH: case NF_th:
        if ((nf->flags & (NF_F_ROMAN | NF_F_DECIMAL)) || o->number[0] == '#' || o->sign == '-') {
            break;
        }
        sql_strbuf_puts(o->sb, sql_nf_th(o->number, it->kind == NF_TH));
        break;
    case NF_MI:
        if (o->sign == '-') sql_strbuf_putc(o->sb, '-');
        else if (!fill) sql_strbuf_putc(o->sb, ' ');
        break;
    case NF_PL:
        if (o->sign == '+') sql_strbuf_putc(o->sb, '+');
        else if (!fill) sql_strbuf_putc(o->sb, ' ');
        break;
    case NF_SG: sql_strbuf_putc(o->sb, o->sign); break;
    default: break;
    }
}

/* FM with a decimal point: the last fractional digit to print (a '0' pattern keeps its zero). */
static const char *sql_nf_last_relevant(const sql_nf *nf, const char *number,
                                        int32_t out_pre_spaces) {
    const char *p = strchr(number, '.');
    if (p == NULL) return NULL;
    const char *r = p;
    while (*(++p) != '\0') {
        if (*p != '0') r = p;
    }
    if (nf->zero_end > out_pre_spaces) {
        int32_t pos = (int32_t)strlen(number) - 1;
        if (nf->zero_end - out_pre_spaces < pos) pos = nf->zero_end - out_pre_spaces;
        if (r < number + pos) r = number + pos;
    }
    return r;
}

/* Lays the number out along the pattern. */
static void sql_nf_write(sql_nf *nf, const sql_nf_num *num, sql_strbuf *sb) {
    sql_nf_out o = {.nf = nf, .number = num->digits, .np = num->digits, .sb = sb,
                    .sign = num->sign, .out_pre_spaces = num->out_pre_spaces};
    if (nf->flags & NF_F_EEEE) {
        sql_strbuf_puts(sb, num->digits);
        return;
    }
    if (nf->zero_start > 0) nf->zero_start--;
    if (nf->flags & NF_F_ROMAN) {
        nf->flags &= NF_F_FILL;
        nf->flags |= NF_F_ROMAN;
        nf->lsign = NF_LSIGN_NONE;
        nf->pre = nf->post = nf->pre_lsign = 0;
        o.out_pre_spaces = 0;
        o.sign = 0;
    }
    o.num_count = nf->post + nf->pre - 1;
    if (nf->flags & (NF_F_PLUS | NF_F_MINUS)) {
        o.sign_wrote = !((nf->flags & NF_F_PLUS) && !(nf->flags & NF_F_MINUS));
    } else {
        if (o.sign != '-' && (nf->flags & NF_F_FILL)) nf->flags &= ~(uint32_t)NF_F_BRACKET;
        o.sign_wrote = o.sign == '+' && (nf->flags & NF_F_FILL) && !(nf->flags & NF_F_LSIGN);
        if (nf->lsign == NF_LSIGN_PRE && nf->pre == nf->pre_lsign) nf->lsign = NF_LSIGN_POST;
    }
    if ((nf->flags & NF_F_FILL) && (nf->flags & NF_F_DECIMAL)) {
        o.last_relevant = sql_nf_last_relevant(nf, o.number, o.out_pre_spaces);
    }
    if (!o.sign_wrote && o.out_pre_spaces == 0) o.num_count++;
    for (uint32_t i = 0; i < nf->n; i++) {
        const sql_nf_item *it = &nf->items[i];
        bool digit = it->kind == NF_9 || it->kind == NF_0 || it->kind == NF_DEC ||
                     it->kind == NF_D;
        if (digit && !(nf->flags & NF_F_ROMAN)) sql_nf_numpart(&o, it->kind);
        else if (!digit) sql_nf_item_out(&o, it);
    }
}

/* ---- the digit string of each type ---- */

/* '#'s with '.' after the integer positions: a value the pattern cannot show. EEEE's
 * (`sci`) has room for the exponent and a blank where the sign goes. */
static bool sql_nf_hashes(rt_arena *arena, const sql_nf *nf, bool sci, sql_nf_num *num,
                          rt_err *err) {
    int32_t len = nf->pre + nf->post + (sci ? 5 : 1);
    char *h = rt_arena_alloc(arena, (size_t)len + 2u);
    if (h == NULL) return rt_arena_fail(arena, err);
    char *d = h;
    if (sci) *d++ = ' ';
    memset(d, '#', (size_t)len);
    d[nf->pre] = '.';
    d[len] = '\0';
    num->digits = h;
    num->sign = '+';
    num->out_pre_spaces = 0;
    return true;
}

/* Takes the sign off a printed number ("-12.5" -> '-', "12.5"). */
static void sql_nf_split_sign(char *text, sql_nf_num *num) {
    num->sign = text[0] == '-' ? '-' : '+';
    num->digits = text[0] == '-' || text[0] == '+' ? text + 1 : text;
}

/* A numeric's decimal text in scientific notation with `post` fractional digits of the
 * mantissa, rounded half away from zero: "1.23e+04", "-5e-03", " 0.00e+00" (a blank where
 * a positive number's sign goes, as EEEE shows it). */
static bool sql_nf_sci(rt_arena *arena, const char *text, int32_t post, char **out,
                       rt_err *err) {
    bool neg = text[0] == '-';
    const char *p = neg ? text + 1 : text;
    size_t len = strlen(p);
    char *d = rt_arena_alloc(arena, len + (size_t)post + 4u);
    char *r = rt_arena_alloc(arena, (size_t)post + 32u);
    if (d == NULL || r == NULL) return rt_arena_fail(arena, err);
    int32_t nd = 0, intlen = -1, first = -1;
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '.') {
            intlen = nd;
            continue;
        }
        if (first < 0 && p[i] != '0') first = nd;
        d[nd++] = p[i];
    }
    if (intlen < 0) intlen = nd;
    int32_t exp10 = first < 0 ? 0 : intlen - first - 1;
    const char *sig = first < 0 ? "0" : d + first;
    int32_t nsig = first < 0 ? 1 : nd - first;
    char *m = r + 2; /* room for a carry's extra digit */
    bool carry = false;
    for (int32_t i = 0; i <= post; i++) m[i] = i < nsig ? sig[i] : '0';
    if (post + 1 < nsig && sig[post + 1] >= '5') {
        int32_t i = post;
        while (i >= 0 && m[i] == '9') m[i--] = '0';
        /* A carry out of the first digit keeps the exponent: 999.999 with 9.99EEEE is
         * "10.00e+02" in PostgreSQL, which fixes the exponent before rounding. */
        if (i >= 0) m[i]++;
        else *--m = '1';
        carry = i < 0;
    }
    char *o = rt_arena_alloc(arena, (size_t)post + 32u);
    if (o == NULL) return rt_arena_fail(arena, err);
    int w = snprintf(o, 4, carry ? "%c%c0" : "%c%c", neg ? '-' : ' ', m[0]);
    if (carry) m++;
    if (post > 0) {
        o[w++] = '.';
        memcpy(o + w, m + 1, (size_t)post);
        w += post;
    }
    snprintf(o + w, 16, "e%+03d", exp10);
    *out = o;
    return true;
}

/* 10^k as a numeric. */
static bool sql_nf_pow10(rt_arena *arena, int32_t k, sql_bytes *out, rt_err *err) {
    if (k > SQL_NUMFMT_MULTI_MAX) {
        return rt_err_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                          "value overflows numeric format");
    }
    char *buf = rt_arena_alloc(arena, (size_t)k + 2u);
    if (buf == NULL) return rt_arena_fail(arena, err);
    buf[0] = '1';
    memset(buf + 1, '0', (size_t)k);
    return sql_numeric_in(arena, buf, (size_t)k + 1u, SQL_TYPMOD_NONE, out, err);
}

static bool sql_nf_from_numeric(rt_arena *arena, sql_nf *nf, sql_bytes v, sql_nf_num *num,
                                rt_err *err) {
    char *text;
    if (nf->flags & NF_F_EEEE) {
        if (sql_numeric_is_nan(v) || sql_numeric_is_inf(v)) {
            return sql_nf_hashes(arena, nf, true, num, err);
        }
        if (!sql_numeric_out(arena, v, &text, err)) return false;
        char *sci = NULL;
        if (!sql_nf_sci(arena, text, nf->post, &sci, err)) return false;
        num->digits = sci;
        num->sign = '+';
        return true;
    }
    if (nf->flags & NF_F_ROMAN) {
        sql_bytes r;
        int32_t iv;
        rt_err tmp;
        rt_err_clear(&tmp);
        if (!sql_numeric_round(arena, v, 0, &r, err)) return false;
        if (!sql_numeric_to_int32(r, &iv, &tmp)) iv = INT32_MAX; /* too big: '#'s */
        char *buf = rt_arena_alloc(arena, 16);
        if (buf == NULL) return rt_arena_fail(arena, err);
        sql_nf_roman(iv, buf);
        num->digits = buf;
        num->sign = '+';
        return true;
    }
    if (nf->flags & NF_F_MULTI) {
        sql_bytes scale;
        if (!sql_nf_pow10(arena, nf->multi, &scale, err) ||
            !sql_numeric_mul(arena, v, scale, &v, err)) {
            return false;
        }
        nf->pre += nf->multi;
    }
    sql_bytes r;
    if (!sql_numeric_round(arena, v, nf->post, &r, err) || !sql_numeric_out(arena, r, &text, err)) {
        return false;
    }
    sql_nf_split_sign(text, num);
    return sql_nf_fit(arena, nf, num, err);
}

/* real and double precision: at most `digits` significant digits (FLT_DIG / DBL_DIG). */
static bool sql_nf_from_float(rt_arena *arena, sql_nf *nf, double v, int32_t digits,
                              sql_nf_num *num, rt_err *err) {
    char *text = rt_arena_alloc(arena, 400 + (size_t)nf->post);
    if (text == NULL) return rt_arena_fail(arena, err);
    if (nf->flags & NF_F_EEEE) {
        if (isnan(v) || isinf(v)) return sql_nf_hashes(arena, nf, true, num, err);
        snprintf(text, 400 + (size_t)nf->post, "%+.*e", nf->post, v);
        if (text[0] == '+') text[0] = ' ';
        num->digits = text;
        num->sign = '+';
        return true;
    }
    if (nf->flags & NF_F_ROMAN) {
        double r = rint(v);
        sql_nf_roman(isnan(r) || r > 4000 || r < 0 ? 0 : (int64_t)r, text);
        num->digits = text;
        num->sign = '+';
        return true;
    }
    if (nf->flags & NF_F_MULTI) {
        /* real multiplies in single precision, as PostgreSQL's does */
        if (digits == 6) v = (double)((float)v * (float)pow(10.0, nf->multi));
        else v *= pow(10.0, nf->multi);
        nf->pre += nf->multi;
    }
    if (isinf(v)) return sql_nf_hashes(arena, nf, false, num, err);
    if (isnan(v)) {
        num->digits = "NaN";
        num->sign = '+';
        return sql_nf_fit(arena, nf, num, err);
    }
    int32_t pre_len = snprintf(NULL, 0, "%.0f", fabs(v));
    if (pre_len >= digits) nf->post = 0;
    else if (pre_len + nf->post > digits) nf->post = digits - pre_len;
    int32_t need = snprintf(NULL, 0, "%.*f", nf->post, v);
    char *t = rt_arena_alloc(arena, (size_t)need + 1u);
    if (t == NULL) return rt_arena_fail(arena, err);
    snprintf(t, (size_t)need + 1u, "%.*f", nf->post, v);
    sql_nf_split_sign(t, num);
    return sql_nf_fit(arena, nf, num, err);
}

/* integer and bigint; V's shift wraps around as PostgreSQL's does. */
static bool sql_nf_from_int(rt_arena *arena, sql_nf *nf, int64_t v, bool is_int8,
                            sql_nf_num *num, rt_err *err) {
    if (nf->flags & NF_F_EEEE) {
        if (is_int8) {
            uint8_t buf[SQL_NUMERIC_INT64_BYTES_MAX];
            uint32_t len = sql_numeric_from_int64_buf(v, buf);
            return sql_nf_from_numeric(arena, nf, (sql_bytes){buf, len}, num, err);
        }
        return sql_nf_from_float(arena, nf, (double)v, 400, num, err);
    }
    if (nf->flags & NF_F_ROMAN) {
        char *buf = rt_arena_alloc(arena, 16);
        if (buf == NULL) return rt_arena_fail(arena, err);
        sql_nf_roman(v, buf);
        num->digits = buf;
        num->sign = '+';
        return true;
    }
    if (nf->flags & NF_F_MULTI) {
        uint64_t m = 1;
        for (int32_t i = 0; i < nf->multi; i++) m *= 10u;
        uint64_t prod = (uint64_t)v * m;
        v = is_int8 ? (int64_t)prod : (int64_t)(int32_t)(uint32_t)prod;
        nf->pre += nf->multi;
    }
    char *text = rt_arena_alloc(arena, 32 + (size_t)nf->post);
    if (text == NULL) return rt_arena_fail(arena, err);
    int w = snprintf(text, 32, "%lld", (long long)v);
    if (nf->post > 0) {
        text[w++] = '.';
        memset(text + w, '0', (size_t)nf->post);
        text[w + nf->post] = '\0';
    }
    sql_nf_split_sign(text, num);
    return sql_nf_fit(arena, nf, num, err);
}

/* ---- to_char ---- */

static bool sql_fn_num_to_char(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                               sql_vec *out) {
    uint32_t type = args[0]->type_oid;
    SQL_FOR_ACTIVE(i) {
        sql_bytes fb = args[1]->b[i];
        sql_nf nf;
        sql_nf_num num = {.sign = '+'};
        if (!sql_nf_parse(f->arena, (const char *)fb.ptr, fb.len, &nf, f->err)) return false;
        bool ok = type == SQL_T_NUMERIC
                      ? sql_nf_from_numeric(f->arena, &nf, args[0]->b[i], &num, f->err)
                  : type == SQL_T_FLOAT8
                      ? sql_nf_from_float(f->arena, &nf, args[0]->f64[i], 15, &num, f->err)
                  : type == SQL_T_FLOAT4
                      ? sql_nf_from_float(f->arena, &nf, args[0]->f64[i], 6, &num, f->err)
                      : sql_nf_from_int(f->arena, &nf, args[0]->i64[i], type == SQL_T_INT8,
                                        &num, f->err);
        if (!ok) return false;
        sql_strbuf sb;
        sql_strbuf_init(&sb, f->arena, fb.len * 2u + 16u);
        if (fb.len > 0) sql_nf_write(&nf, &num, &sb);
        if (sb.failed) return rt_arena_fail(f->arena, f->err);
        /* A digit position past the end of the digit string ends the text there, as
         * PostgreSQL's does (a float with more fractional positions than it has digits). */
        uint32_t len = (uint32_t)strnlen(sb.data != NULL ? sb.data : "", sb.len);
        out->b[i] = (sql_bytes){.ptr = (const uint8_t *)(sb.data != NULL ? sb.data : ""),
                                .len = len};
    }
    return true;
}

/* ---- to_number ---- */

/* Reading a number: each pattern item looks at the input where the previous one stopped. */
typedef struct sql_nf_in {
    const sql_nf *nf;
    const char *s, *end;
    char *digits;            /* sign first (' ' until one is read), then digits and '.' */
    uint32_t nd;
    int32_t read_pre, read_post;
    bool read_dec;
} sql_nf_in;

/* Skips up to n input characters that cannot belong to the number (L's currency, TH). */
static void sql_nf_in_skip(sql_nf_in *in, int32_t n) {
    while (n-- > 0 && in->s < in->end && strchr("0123456789.,+-", *in->s) == NULL) in->s++;
}

/* A sign right after the digits (9.9S -> ".5-", FM9.999999MI -> "5.01-"). */
static void sql_nf_in_post_sign(sql_nf_in *in, bool was_read) {
    const sql_nf *nf = in->nf;
    if (in->digits[0] != ' ' || in->read_pre + in->read_post == 0) return;
    if ((nf->flags & NF_F_LSIGN) && was_read && in->s + 1 < in->end &&
        !(in->s[1] >= '0' && in->s[1] <= '9')) {
        if (in->s[1] == '-' || in->s[1] == '+') {
            in->digits[0] = in->s[1];
            in->s++;
        }
    } else if (!was_read && !(nf->flags & NF_F_LSIGN) &&
               (nf->flags & (NF_F_PLUS | NF_F_MINUS)) && (*in->s == '-' || *in->s == '+')) {
        in->digits[0] = *in->s;
    }
}

/* A digit position or the decimal point: a leading sign, then a digit or the point. The
 * character it stops on is consumed by the caller. */
static void sql_nf_in_numpart(sql_nf_in *in, uint8_t kind) {
    const sql_nf *nf = in->nf;
    if (in->s < in->end && *in->s == ' ') in->s++;
    if (in->s >= in->end) return;
    bool digit_pos = kind == NF_9 || kind == NF_0;
    if (in->digits[0] == ' ' && digit_pos && in->read_pre + in->read_post == 0) {
        char c = *in->s;
        if (c == '-' || ((nf->flags & NF_F_BRACKET) && c == '<')) {
            in->digits[0] = '-';
            in->s++;
        } else if (c == '+') {
            in->digits[0] = '+';
            in->s++;
        }
    }
    if (in->s >= in->end) return;
    bool was_read = false;
    if (*in->s >= '0' && *in->s <= '9') {
        if (in->read_dec && in->read_post == nf->post) return;
        in->digits[in->nd++] = *in->s;
        if (in->read_dec) in->read_post++;
        else in->read_pre++;
        was_read = true;
    } else if ((nf->flags & NF_F_DECIMAL) && !in->read_dec && *in->s == '.') {
        in->digits[in->nd++] = '.';
        in->read_dec = true;
        was_read = true;
    }
    if (in->s < in->end) sql_nf_in_post_sign(in, was_read);
}

/* One pattern item; false when it consumed nothing (the input stays where it is). */
static bool sql_nf_in_item(sql_nf_in *in, const sql_nf_item *it) {
    char c = *in->s;
    switch (it->kind) {
    case NF_9: case NF_0: case NF_DEC: case NF_D: sql_nf_in_numpart(in, it->kind); return true;
    case NF_COMMA: case NF_G: return c == ',';
    case NF_L: sql_nf_in_skip(in, 1); return false;
    case NF_TH: case NF_th: sql_nf_in_skip(in, 2); return false;
    case NF_MI: case NF_PL: case NF_SG: {
        bool ok = (c == '-' && it->kind != NF_PL) || (c == '+' && it->kind != NF_MI);
        if (ok) {
            if (c == '-' || in->digits[0] == ' ') in->digits[0] = c;
            return true;
        }
        sql_nf_in_skip(in, 1);
        return false;
    }
    case NF_LIT:
        /* Each character of text in the pattern skips one input character, whatever it is. */
        for (uint32_t k = 0; k < it->lit_len && in->s < in->end; k++) {
            if (((unsigned char)it->lit[k] & 0xC0) == 0x80) continue;
            in->s++;
            while (in->s < in->end && ((unsigned char)*in->s & 0xC0) == 0x80) in->s++;
        }
        return false;
    default: return false;
    }
}

static bool sql_nf_to_number(rt_arena *arena, sql_bytes text, sql_bytes fmt, sql_bytes *out,
                             bool *is_null, rt_err *err) {
    sql_nf nf;
    if (!sql_nf_parse(arena, (const char *)fmt.ptr, fmt.len, &nf, err)) return false;
    *is_null = fmt.len == 0;
    if (*is_null) return true;
    if (nf.flags & NF_F_EEEE) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "\"EEEE\" not supported for input");
    }
    if (nf.flags & NF_F_ROMAN) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "\"RN\" not supported for input");
    }
    const char *t = (const char *)text.ptr;
    sql_nf_in in = {.nf = &nf, .s = t, .end = t + text.len};
    in.digits = rt_arena_alloc(arena, text.len + 3u);
    if (in.digits == NULL) return rt_arena_fail(arena, err);
    in.digits[in.nd++] = ' ';
    for (uint32_t i = 0; i < nf.n && in.s < in.end; i++) {
        if (sql_nf_in_item(&in, &nf.items[i]) && in.s < in.end) in.s++;
    }
    if (in.nd > 1 && in.digits[in.nd - 1] == '.') in.nd--;
    int32_t typmod;
    int32_t precision = nf.pre + nf.multi + in.read_post;
    if (!sql_numeric_typmod_make(precision > 0 ? precision : 1, in.read_post, &typmod, err) ||
        !sql_numeric_in(arena, in.digits, in.nd, typmod, out, err)) {
        return false;
    }
    if (!(nf.flags & NF_F_MULTI)) return true;
    sql_bytes ten, shift, power;
    uint8_t b10[SQL_NUMERIC_INT64_BYTES_MAX], bm[SQL_NUMERIC_INT64_BYTES_MAX];
    ten = (sql_bytes){b10, sql_numeric_from_int64_buf(10, b10)};
    shift = (sql_bytes){bm, sql_numeric_from_int64_buf(-nf.multi, bm)};
    return sql_numeric_power(arena, ten, shift, &power, err) &&
           sql_numeric_mul(arena, *out, power, out, err);
}

static bool sql_fn_to_number(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                             sql_vec *out) {
    SQL_FOR_ACTIVE(i) {
        bool is_null;
        if (!sql_nf_to_number(f->arena, args[0]->b[i], args[1]->b[i], &out->b[i], &is_null,
                              f->err)) {
            return false;
        }
        if (is_null) {
            if (out->nulls == NULL) return rt_err_set(f->err, SQLSTATE_INTERNAL_ERROR,
                                                      "to_number: no NULL bitmap");
            out->nulls[i] = 1;
        }
    }
    return true;
}

#define TX SQL_T_TEXT
#define FMT(arg)                                                                             \
    {.name = "to_char", .nargs = 2, .args = {arg, TX}, .ret = TX,                            \
     .flags = SQL_F_STRICT | SQL_F_STABLE, .fn = sql_fn_num_to_char}

static const sql_func_def sql_numfmt_defs[] = {
    FMT(SQL_T_INT4), FMT(SQL_T_INT8), FMT(SQL_T_FLOAT4), FMT(SQL_T_FLOAT8), FMT(SQL_T_NUMERIC),
    {.name = "to_number", .nargs = 2, .args = {TX, TX}, .ret = SQL_T_NUMERIC,
     .flags = SQL_F_STRICT | SQL_F_STABLE, .fn = sql_fn_to_number},
};

void sql_funcs_register_numfmt(void) {
    sql_funcs_register(sql_numfmt_defs, sizeof sql_numfmt_defs / sizeof sql_numfmt_defs[0]);
}
