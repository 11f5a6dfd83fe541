/* sql_plan_explain_fmt.c: EXPLAIN's structured formats. The plan walker records a tree of
 * nodes with their fields (sql_plan_explain_int.h); this file writes it in PostgreSQL's
 * FORMAT JSON, YAML and XML layouts: the same keys ("Node Type", "Relation Name", "Plans",
 * ...), the same order (Node Type, Strategy / Partial Mode / Operation, Parent Relationship,
 * Subplan Name, Parallel Aware, Async Capable, the node's own fields, Plans), two spaces of
 * indentation per level, strings quoted in JSON and YAML, lists inline in JSON. */
#include <stdio.h>
#include <string.h>

#include "sql/sql_plan_explain_int.h"

/* ---- building ---- */

static char *sql_xtree_dup(sql_xtree *t, const char *s) {
    if (s == NULL) return NULL;
    size_t n = strlen(s);
    char *d = rt_arena_alloc(t->arena, n + 1);
    if (d == NULL) {
        t->failed = true;
        return NULL;
    }
    memcpy(d, s, n + 1);
    return d;
}

void sql_xtree_begin(sql_xtree *t, const char *type) {
    sql_xnode *n = rt_arena_zalloc(t->arena, sizeof *n);
    if (n == NULL) {
        t->failed = true;
        return;
    }
    n->type = type;
    n->relationship = t->next_rel;
    n->subplan_name = sql_xtree_dup(t, t->next_name);
    t->next_rel = NULL;
    t->next_name = NULL;
    n->parent = t->cur;
    if (t->cur == NULL) {
        if (t->root == NULL) t->root = n;
    } else if (t->cur->children_last == NULL) {
        t->cur->children = t->cur->children_last = n;
    } else {
        t->cur->children_last->next = n;
        t->cur->children_last = n;
    }
    t->cur = n;
}

void sql_xtree_end(sql_xtree *t) {
    if (t->cur != NULL) t->cur = t->cur->parent;
}

static sql_xfield *sql_xtree_add(sql_xtree *t, const char *key, sql_xval_kind kind,
                                 bool early) {
    if (t->cur == NULL) return NULL;
    sql_xfield *f = rt_arena_zalloc(t->arena, sizeof *f);
    if (f == NULL) {
        t->failed = true;
        return NULL;
    }
    f->key = key;
    f->kind = kind;
    f->early = early;
    if (t->cur->fields_last == NULL) t->cur->fields = f;
    else t->cur->fields_last->next = f;
    t->cur->fields_last = f;
    return f;
}

void sql_xtree_field(sql_xtree *t, const char *key, const char *text, sql_xval_kind kind,
                     bool early) {
    sql_xfield *f = sql_xtree_add(t, key, kind, early);
    if (f != NULL) f->text = sql_xtree_dup(t, text != NULL ? text : "");
}

void sql_xtree_list(sql_xtree *t, const char *key, const char *const *items, uint32_t n) {
    sql_xfield *f = sql_xtree_add(t, key, SQL_XVAL_LIST, false);
    if (f == NULL) return;
    f->items = rt_arena_alloc(t->arena, sizeof(char *) * (n + 1u));
    if (f->items == NULL) {
        t->failed = true;
        return;
    }
    for (uint32_t i = 0; i < n; i++) f->items[i] = sql_xtree_dup(t, items[i]);
    f->nitems = n;
}

/* ---- writing ---- */

static void sql_xfmt_pad(sql_strbuf *sb, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) sql_strbuf_putc(sb, ' ');
}

/* A JSON string (YAML uses the same quoting, as PostgreSQL's YAML writer does). */
static void sql_xfmt_json_str(sql_strbuf *sb, const char *s) {
    sql_strbuf_putc(sb, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        switch (*p) {
        case '"': sql_strbuf_puts(sb, "\\\""); break;
        case '\\': sql_strbuf_puts(sb, "\\\\"); break;
        case '\b': sql_strbuf_puts(sb, "\\b"); break;
        case '\f': sql_strbuf_puts(sb, "\\f"); break;
        case '\n': sql_strbuf_puts(sb, "\\n"); break;
        case '\r': sql_strbuf_puts(sb, "\\r"); break;
        case '\t': sql_strbuf_puts(sb, "\\t"); break;
        default:
            if (*p < 0x20) sql_strbuf_printf(sb, "\\u%04x", *p);
            else sql_strbuf_putc(sb, (char)*p);
        }
    }
    sql_strbuf_putc(sb, '"');
}

static void sql_xfmt_xml_text(sql_strbuf *sb, const char *s) {
    for (const char *p = s; *p != '\0'; p++) {
        switch (*p) {
        case '&': sql_strbuf_puts(sb, "&amp;"); break;
        case '<': sql_strbuf_puts(sb, "&lt;"); break;
        case '>': sql_strbuf_puts(sb, "&gt;"); break;
        case '\r': sql_strbuf_puts(sb, "&#x0d;"); break;
        default: sql_strbuf_putc(sb, *p);
        }
    }
}

/* XML element names are the keys with '-' for ' '. */
static void sql_xfmt_xml_tag(sql_strbuf *sb, const char *key, bool closing) {
    sql_strbuf_puts(sb, closing ? "</" : "<");
    for (const char *p = key; *p != '\0'; p++) sql_strbuf_putc(sb, *p == ' ' ? '-' : *p);
    sql_strbuf_putc(sb, '>');
}

/* One key/value pair at `indent`; `first` is false when a JSON comma must come before. */
static void sql_xfmt_pair(sql_strbuf *sb, sql_explain_format fmt, uint32_t indent,
                          const sql_xfield *f, bool *first) {
    if (fmt == SQL_EXPLAIN_JSON) {
        sql_strbuf_puts(sb, *first ? "\n" : ",\n");
        sql_xfmt_pad(sb, indent);
        sql_xfmt_json_str(sb, f->key);
        sql_strbuf_puts(sb, ": ");
        if (f->kind == SQL_XVAL_RAW) {
            sql_strbuf_puts(sb, f->text);
        } else if (f->kind == SQL_XVAL_STR) {
            sql_xfmt_json_str(sb, f->text);
        } else {
            sql_strbuf_putc(sb, '[');
            for (uint32_t i = 0; i < f->nitems; i++) {
                if (i > 0) sql_strbuf_puts(sb, ", ");
                sql_xfmt_json_str(sb, f->items[i]);
            }
            sql_strbuf_putc(sb, ']');
        }
    } else if (fmt == SQL_EXPLAIN_YAML) {
        if (!*first) sql_strbuf_putc(sb, '\n');
        if (!*first) sql_xfmt_pad(sb, indent);
        sql_strbuf_printf(sb, "%s: ", f->key);
        if (f->kind == SQL_XVAL_RAW) {
            sql_strbuf_puts(sb, f->text);
        } else if (f->kind == SQL_XVAL_STR) {
            sql_xfmt_json_str(sb, f->text);
        } else {
            for (uint32_t i = 0; i < f->nitems; i++) {
                sql_strbuf_putc(sb, '\n');
                sql_xfmt_pad(sb, indent + 2);
                sql_strbuf_puts(sb, "- ");
                sql_xfmt_json_str(sb, f->items[i]);
            }
        }
    } else {
        sql_xfmt_pad(sb, indent);
        sql_xfmt_xml_tag(sb, f->key, false);
        if (f->kind != SQL_XVAL_LIST) {
            sql_xfmt_xml_text(sb, f->text);
        } else {
            sql_strbuf_putc(sb, '\n');
            for (uint32_t i = 0; i < f->nitems; i++) {
                sql_xfmt_pad(sb, indent + 2);
                sql_strbuf_puts(sb, "<Item>");
                sql_xfmt_xml_text(sb, f->items[i]);
                sql_strbuf_puts(sb, "</Item>\n");
            }
            sql_xfmt_pad(sb, indent);
        }
        sql_xfmt_xml_tag(sb, f->key, true);
        sql_strbuf_putc(sb, '\n');
    }
    *first = false;
}

static void sql_xfmt_simple(sql_strbuf *sb, sql_explain_format fmt, uint32_t indent,
                            const char *key, const char *text, sql_xval_kind kind, bool *first) {
    sql_xfield f = {.key = key, .text = text, .kind = kind};
    sql_xfmt_pair(sb, fmt, indent, &f, first);
}

static void sql_xfmt_node(sql_strbuf *sb, sql_explain_format fmt, uint32_t indent,
                          const sql_xnode *n);

/* "Plans": the children at `indent` (the key's own indentation). */
static void sql_xfmt_children(sql_strbuf *sb, sql_explain_format fmt, uint32_t indent,
                              const sql_xnode *n) {
    if (fmt == SQL_EXPLAIN_JSON) {
        sql_strbuf_puts(sb, ",\n");
        sql_xfmt_pad(sb, indent);
        sql_strbuf_puts(sb, "\"Plans\": [");
        for (const sql_xnode *c = n->children; c != NULL; c = c->next) {
            sql_strbuf_puts(sb, c == n->children ? "\n" : ",\n");
            sql_xfmt_pad(sb, indent + 2);
            sql_strbuf_putc(sb, '{');
            sql_xfmt_node(sb, fmt, indent + 4, c);
            sql_strbuf_putc(sb, '\n');
            sql_xfmt_pad(sb, indent + 2);
            sql_strbuf_putc(sb, '}');
        }
        sql_strbuf_putc(sb, '\n');
        sql_xfmt_pad(sb, indent);
        sql_strbuf_putc(sb, ']');
    } else if (fmt == SQL_EXPLAIN_YAML) {
        sql_strbuf_putc(sb, '\n');
        sql_xfmt_pad(sb, indent);
        sql_strbuf_puts(sb, "Plans: ");
        for (const sql_xnode *c = n->children; c != NULL; c = c->next) {
            sql_strbuf_putc(sb, '\n');
            sql_xfmt_pad(sb, indent + 2);
            sql_strbuf_puts(sb, "- ");
            sql_xfmt_node(sb, fmt, indent + 4, c);
        }
    } else {
        sql_xfmt_pad(sb, indent);
        sql_strbuf_puts(sb, "<Plans>\n");
        for (const sql_xnode *c = n->children; c != NULL; c = c->next) {
            sql_xfmt_pad(sb, indent + 2);
            sql_strbuf_puts(sb, "<Plan>\n");
            sql_xfmt_node(sb, fmt, indent + 4, c);
            sql_xfmt_pad(sb, indent + 2);
            sql_strbuf_puts(sb, "</Plan>\n");
        }
        sql_xfmt_pad(sb, indent);
        sql_strbuf_puts(sb, "</Plans>\n");
    }
}

/* The fields of node n at `indent` (the object's braces are the caller's). */
static void sql_xfmt_node(sql_strbuf *sb, sql_explain_format fmt, uint32_t indent,
                          const sql_xnode *n) {
    bool first = true;
    sql_xfmt_simple(sb, fmt, indent, "Node Type", n->type, SQL_XVAL_STR, &first);
    for (const sql_xfield *f = n->fields; f != NULL; f = f->next) {
        if (f->early) sql_xfmt_pair(sb, fmt, indent, f, &first);
    }
    if (n->relationship != NULL) {
        sql_xfmt_simple(sb, fmt, indent, "Parent Relationship", n->relationship, SQL_XVAL_STR,
                        &first);
    }
    if (n->subplan_name != NULL) {
        sql_xfmt_simple(sb, fmt, indent, "Subplan Name", n->subplan_name, SQL_XVAL_STR, &first);
    }
    sql_xfmt_simple(sb, fmt, indent, "Parallel Aware", "false", SQL_XVAL_RAW, &first);
    sql_xfmt_simple(sb, fmt, indent, "Async Capable", "false", SQL_XVAL_RAW, &first);
    for (const sql_xfield *f = n->fields; f != NULL; f = f->next) {
        if (!f->early) sql_xfmt_pair(sb, fmt, indent, f, &first);
    }
    if (n->children != NULL) sql_xfmt_children(sb, fmt, indent, n);
}

/* One summary figure in milliseconds ("Planning Time", "Execution Time") after the plan, in
 * the layout of `fmt`; the JSON and YAML callers are mid-line, XML's at a line's start. */
static void sql_xfmt_ms(sql_strbuf *sb, sql_explain_format fmt, uint32_t indent,
                        const char *key, const char *xml_key, double ms) {
    if (fmt == SQL_EXPLAIN_JSON) {
        sql_strbuf_puts(sb, ",\n");
        sql_xfmt_pad(sb, indent);
        sql_strbuf_printf(sb, "\"%s\": %.3f", key, ms);
    } else if (fmt == SQL_EXPLAIN_YAML) {
        sql_strbuf_putc(sb, '\n');
        sql_xfmt_pad(sb, indent);
        sql_strbuf_printf(sb, "%s: %.3f", key, ms);
    } else {
        sql_xfmt_pad(sb, indent);
        sql_strbuf_printf(sb, "<%s>%.3f</%s>\n", xml_key, ms, xml_key);
    }
}

/* "Triggers" (always empty: Dreambase has none) after the plan. */
static void sql_xfmt_triggers(sql_strbuf *sb, sql_explain_format fmt, uint32_t indent) {
    if (fmt == SQL_EXPLAIN_JSON) {
        sql_strbuf_puts(sb, ",\n");
        sql_xfmt_pad(sb, indent);
        sql_strbuf_puts(sb, "\"Triggers\": [\n");
        sql_xfmt_pad(sb, indent);
        sql_strbuf_putc(sb, ']');
    } else if (fmt == SQL_EXPLAIN_YAML) {
        sql_strbuf_putc(sb, '\n');
        sql_xfmt_pad(sb, indent);
        sql_strbuf_puts(sb, "Triggers: ");
    } else {
        sql_xfmt_pad(sb, indent);
        sql_strbuf_puts(sb, "<Triggers>\n");
        sql_xfmt_pad(sb, indent);
        sql_strbuf_puts(sb, "</Triggers>\n");
    }
}

/* What follows the plan, in PostgreSQL's order: "Planning Time" (SUMMARY, with or without
 * ANALYZE), the triggers (ANALYZE), "Execution Time" (ANALYZE with SUMMARY); a time < 0 is
 * not shown. */
static void sql_xfmt_summary(sql_strbuf *sb, sql_explain_format fmt, uint32_t indent,
                             bool analyze, const sql_explain_times *times) {
    if (times->plan_ms >= 0) {
        sql_xfmt_ms(sb, fmt, indent, "Planning Time", "Planning-Time", times->plan_ms);
    }
    if (!analyze) return;
    sql_xfmt_triggers(sb, fmt, indent);
    if (times->exec_ms >= 0) {
        sql_xfmt_ms(sb, fmt, indent, "Execution Time", "Execution-Time", times->exec_ms);
    }
}

void sql_xtree_render(const sql_xtree *t, sql_explain_format fmt, bool analyze,
                      const sql_explain_times *times, sql_strbuf *sb) {
    if (t->root == NULL) return;
    if (fmt == SQL_EXPLAIN_JSON) {
        sql_strbuf_puts(sb, "[\n  {\n    \"Plan\": {");
        sql_xfmt_node(sb, fmt, 6, t->root);
        sql_strbuf_puts(sb, "\n    }");
        sql_xfmt_summary(sb, fmt, 4, analyze, times);
        sql_strbuf_puts(sb, "\n  }\n]");
    } else if (fmt == SQL_EXPLAIN_YAML) {
        sql_strbuf_puts(sb, "- Plan: \n    ");
        sql_xfmt_node(sb, fmt, 4, t->root);
        sql_xfmt_summary(sb, fmt, 2, analyze, times);
    } else {
        sql_strbuf_puts(sb, "<explain xmlns=\"http://www.postgresql.org/2009/explain\">\n"
                            "  <Query>\n    <Plan>\n");
        sql_xfmt_node(sb, fmt, 6, t->root);
        sql_strbuf_puts(sb, "    </Plan>\n");
        sql_xfmt_summary(sb, fmt, 4, analyze, times);
        sql_strbuf_puts(sb, "  </Query>\n</explain>");
    }
}
