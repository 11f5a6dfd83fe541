/* sql_ast_dump_stmt.h: the per-kind part of sql_ast_dump.h (included there only). */

static void dump_expr(dump_buf *b, const sql_node *n) {
    switch (n->kind) {
    case SQL_N_CONST: dump_const(b, (const sql_const *)n); return;
    case SQL_N_PARAM: dump_put(b, "$%u", ((const sql_param *)n)->number); return;
    case SQL_N_COLUMNREF:
        dump_put(b, "(col ");
        dump_name(b, &((const sql_columnref *)n)->name);
        dump_put(b, ")");
        return;
    case SQL_N_STAR: {
        const sql_star *s = (const sql_star *)n;
        dump_put(b, "(star");
        if (s->qualifier.count) dump_put(b, " ");
        dump_name(b, &s->qualifier);
        dump_put(b, ")");
        return;
    }
    case SQL_N_OP: {
        const sql_opexpr *o = (const sql_opexpr *)n;
        dump_put(b, "(op %s%s%s", o->schema ? o->schema : "", o->schema ? "." : "", o->name);
        if (o->left) {
            dump_put(b, " ");
            dump_node(b, o->left);
        }
        dump_put(b, " ");
        dump_node(b, o->right);
        dump_put(b, ")");
        return;
    }
    case SQL_N_BOOL: {
        const sql_bool *o = (const sql_bool *)n;
        static const char *const k[] = {"", "and", "or", "not"};
        dump_put(b, "(%s", k[o->bool_kind]);
        for (uint32_t i = 0; i < o->args.count; i++) {
            dump_put(b, " ");
            dump_node(b, o->args.items[i]);
        }
        dump_put(b, ")");
        return;
    }
    case SQL_N_FUNC: dump_func(b, (const sql_func *)n); return;
    case SQL_N_CAST:
        dump_put(b, "(cast ");
        dump_node(b, ((const sql_cast *)n)->arg);
        dump_put(b, " ");
        dump_type(b, ((const sql_cast *)n)->type);
        dump_put(b, ")");
        return;
    case SQL_N_CASE: {
        const sql_case *c = (const sql_case *)n;
        dump_put(b, "(case");
        dump_opt(b, "arg", c->arg);
        dump_list(b, "when", &c->whens);
        dump_opt(b, "else", c->else_result);
        dump_put(b, ")");
        return;
    }
    case SQL_N_SPECIAL: {
        static const char *const k[] = {"", "coalesce", "nullif", "greatest", "least"};
        const sql_special *s = (const sql_special *)n;
        dump_put(b, "(%s", k[s->special_kind]);
        for (uint32_t i = 0; i < s->args.count; i++) {
            dump_put(b, " ");
            dump_node(b, s->args.items[i]);
        }
        dump_put(b, ")");
        return;
    }
    default: break;
    }
    dump_put(b, "(?%d)", (int)n->kind);
}

static void dump_expr2(dump_buf *b, const sql_node *n) {
    switch (n->kind) {
    case SQL_N_NULLTEST:
        dump_put(b, "(%s ", ((const sql_nulltest *)n)->is_not ? "notnull" : "isnull");
        dump_node(b, ((const sql_nulltest *)n)->arg);
        dump_put(b, ")");
        return;
    case SQL_N_BOOLTEST: {
        static const char *const k[] = {"", "true", "false", "unknown"};
        const sql_booltest *t = (const sql_booltest *)n;
        dump_put(b, "(is%s-%s ", t->is_not ? "-not" : "", k[t->test]);
        dump_node(b, t->arg);
        dump_put(b, ")");
        return;
    }
    case SQL_N_DISTINCT: {
        const sql_distinct *d = (const sql_distinct *)n;
        dump_put(b, "(%sdistinct ", d->is_not ? "not-" : "");
        dump_node(b, d->left);
        dump_put(b, " ");
        dump_node(b, d->right);
        dump_put(b, ")");
        return;
    }
    case SQL_N_IN_LIST: {
        const sql_in_list *l = (const sql_in_list *)n;
        dump_put(b, "(%sin ", l->is_not ? "not-" : "");
        dump_node(b, l->arg);
        for (uint32_t i = 0; i < l->values.count; i++) {
            dump_put(b, " ");
            dump_node(b, l->values.items[i]);
        }
        dump_put(b, ")");
        return;
    }
    case SQL_N_BETWEEN: {
        const sql_between *t = (const sql_between *)n;
        dump_put(b, "(%sbetween%s ", t->is_not ? "not-" : "", t->symmetric ? "-symmetric" : "");
        dump_node(b, t->arg);
        dump_put(b, " ");
        dump_node(b, t->low);
        dump_put(b, " ");
        dump_node(b, t->high);
        dump_put(b, ")");
        return;
    }
    case SQL_N_LIKE: {
        static const char *const k[] = {"", "like", "ilike", "similar"};
        const sql_like *l = (const sql_like *)n;
        dump_put(b, "(%s%s ", l->is_not ? "not-" : "", k[l->like_kind]);
        dump_node(b, l->arg);
        dump_put(b, " ");
        dump_node(b, l->pattern);
        dump_opt(b, "escape", l->escape);
        dump_put(b, ")");
        return;
    }
    default: break;
    }
    dump_expr(b, n);
}

static void dump_expr3(dump_buf *b, const sql_node *n) {
    switch (n->kind) {
    case SQL_N_SUBLINK: {
        static const char *const k[] = {"", "exists", "expr", "any", "all", "array"};
        const sql_sublink *s = (const sql_sublink *)n;
        dump_put(b, "(sublink-%s", k[s->sublink_kind]);
        if (s->op) dump_put(b, " %s", s->op);
        if (s->test_expr) {
            dump_put(b, " ");
            dump_node(b, s->test_expr);
        }
        dump_put(b, " ");
        dump_node(b, s->subquery);
        dump_put(b, ")");
        return;
    }
    case SQL_N_ANY_ALL: {
        const sql_any_all *a = (const sql_any_all *)n;
        dump_put(b, "(%s %s ", a->is_all ? "all" : "any", a->op);
        dump_node(b, a->left);
        dump_put(b, " ");
        dump_node(b, a->array);
        dump_put(b, ")");
        return;
    }
    case SQL_N_ARRAY: {
        const sql_array *a = (const sql_array *)n;
        dump_put(b, "(array");
        for (uint32_t i = 0; i < a->elements.count; i++) {
            dump_put(b, " ");
            dump_node(b, a->elements.items[i]);
        }
        dump_put(b, ")");
        return;
    }
    case SQL_N_ROW: {
        const sql_row *r = (const sql_row *)n;
        dump_put(b, "(%s", r->explicit_row ? "ROW" : "row");
        for (uint32_t i = 0; i < r->args.count; i++) {
            dump_put(b, " ");
            dump_node(b, r->args.items[i]);
        }
        dump_put(b, ")");
        return;
    }
    case SQL_N_SUBSCRIPT: {
        const sql_subscript *s = (const sql_subscript *)n;
        dump_put(b, "(%s ", s->is_slice ? "slice" : "sub");
        if (s->arg) dump_node(b, s->arg);
        dump_opt(b, "lo", s->lower);
        dump_opt(b, "hi", s->upper);
        dump_put(b, ")");
        return;
    }
    case SQL_N_FIELD: {
        const sql_field *f = (const sql_field *)n;
        dump_put(b, "(field ");
        if (f->arg) dump_node(b, f->arg);
        dump_put(b, " %s)", f->field ? f->field : "*");
        return;
    }
    default: break;
    }
    dump_expr2(b, n);
}

static void dump_expr4(dump_buf *b, const sql_node *n) {
    switch (n->kind) {
    case SQL_N_COLLATE:
        dump_put(b, "(collate ");
        dump_node(b, ((const sql_collate *)n)->arg);
        dump_put(b, " ");
        dump_name(b, &((const sql_collate *)n)->collation);
        dump_put(b, ")");
        return;
    case SQL_N_SQLVALUE: {
        const sql_sqlvalue *v = (const sql_sqlvalue *)n;
        dump_put(b, "(sqlvalue %d", (int)v->value_kind);
        if (v->precision >= 0) dump_put(b, " %d", v->precision);
        dump_put(b, ")");
        return;
    }
    case SQL_N_DEFAULT: dump_put(b, "default"); return;
    case SQL_N_GROUPING: {
        const sql_grouping *g = (const sql_grouping *)n;
        dump_put(b, "(grouping");
        for (uint32_t i = 0; i < g->args.count; i++) {
            dump_put(b, " ");
            dump_node(b, g->args.items[i]);
        }
        dump_put(b, ")");
        return;
    }
    case SQL_N_TYPENAME: dump_type(b, (const sql_typename *)n); return;
    case SQL_N_TARGET: {
        const sql_target *t = (const sql_target *)n;
        dump_put(b, "(target");
        if (t->expr) {
            dump_put(b, " ");
            dump_node(b, t->expr);
        }
        dump_str(b, "as", t->alias);
        dump_list(b, "ind", &t->indirection);
        dump_put(b, ")");
        return;
    }
    case SQL_N_SORTBY: {
        const sql_sortby *s = (const sql_sortby *)n;
        static const char *const dirs[] = {"", " asc", " desc", " using"};
        static const char *const nulls[] = {"", " nulls-first", " nulls-last"};
        dump_put(b, "(sort ");
        dump_node(b, s->expr);
        dump_opt(b, "near", s->near);
        dump_put(b, "%s%s%s%s)", dirs[s->dir], s->using_op ? " " : "",
                 s->using_op ? s->using_op : "", nulls[s->nulls]);
        return;
    }
    case SQL_N_WINDOWDEF: dump_window(b, (const sql_windowdef *)n); return;
    default: break;
    }
    dump_expr3(b, n);
}

static void dump_from(dump_buf *b, const sql_node *n) {
    switch (n->kind) {
    case SQL_N_RANGEVAR: {
        const sql_rangevar *r = (const sql_rangevar *)n;
        dump_put(b, "(rel%s ", r->only ? "-only" : "");
        dump_name(b, &r->name);
        dump_str(b, "as", r->alias);
        dump_strs(b, "cols", &r->col_aliases);
        dump_put(b, ")");
        return;
    }
    case SQL_N_RANGESUB: {
        const sql_rangesub *r = (const sql_rangesub *)n;
        dump_put(b, "(sub%s ", r->lateral ? "-lateral" : "");
        dump_node(b, r->subquery);
        dump_str(b, "as", r->alias);
        dump_strs(b, "cols", &r->col_aliases);
        dump_put(b, ")");
        return;
    }
    case SQL_N_RANGEFUNC: {
        const sql_rangefunc *r = (const sql_rangefunc *)n;
        dump_put(b, "(rangefunc%s%s", r->lateral ? "-lateral" : "",
                 r->with_ordinality ? "-ordinality" : "");
        if (r->funcs.count) dump_list(b, "rows-from", &r->funcs);
        else dump_opt(b, "f", r->func);
        dump_str(b, "as", r->alias);
        dump_strs(b, "cols", &r->col_aliases);
        dump_list(b, "defs", &r->col_defs);
        dump_put(b, ")");
        return;
    }
    case SQL_N_JOIN: {
        static const char *const k[] = {"", "inner", "left", "right", "full", "cross"};
        const sql_join *j = (const sql_join *)n;
        dump_put(b, "(%sjoin-%s ", j->natural ? "natural-" : "", k[j->join_kind]);
        dump_node(b, j->left);
        dump_put(b, " ");
        dump_node(b, j->right);
        dump_opt(b, "on", j->quals);
        dump_strs(b, "using", &j->using_cols);
        dump_str(b, "using-as", j->using_alias);
        dump_str(b, "as", j->alias);
        dump_put(b, ")");
        return;
    }
    case SQL_N_CTE: {
        static const char *const m[] = {"", " materialized", " not-materialized"};
        const sql_cte *c = (const sql_cte *)n;
        dump_put(b, "(cte %s%s", c->name, m[c->materialize]);
        dump_strs(b, "cols", &c->col_aliases);
        dump_put(b, " ");
        dump_node(b, c->query);
        dump_put(b, ")");
        return;
    }
    case SQL_N_GROUPING_SET: {
        static const char *const k[] = {"", "empty", "simple", "rollup", "cube", "sets"};
        const sql_grouping_set *g = (const sql_grouping_set *)n;
        dump_put(b, "(%s", k[g->set_kind]);
        for (uint32_t i = 0; i < g->content.count; i++) {
            dump_put(b, " ");
            dump_node(b, g->content.items[i]);
        }
        dump_put(b, ")");
        return;
    }
    case SQL_N_LOCKING: {
        static const char *const k[] = {"", "update", "no-key-update", "share", "key-share"};
        static const char *const w[] = {"", " skip-locked", " nowait"};
        const sql_locking *l = (const sql_locking *)n;
        dump_put(b, "(for-%s", k[l->strength]);
        for (uint32_t i = 0; i < l->of.count; i++) {
            dump_put(b, " ");
            dump_name(b, l->of.items[i]);
        }
        dump_put(b, "%s)", w[l->wait]);
        return;
    }
    case SQL_N_SELECT: dump_select(b, (const sql_select *)n); return;
    default: break;
    }
    dump_expr4(b, n);
}

static void dump_set_item(dump_buf *b, const sql_set_item *s) {
    dump_put(b, "(set %s", s->column);
    dump_list(b, "ind", &s->indirection);
    if (s->multi_index >= 0) {
        dump_put(b, " (multi %d ", s->multi_index);
        dump_node(b, s->multi_source);
        dump_put(b, ")");
    }
    if (s->value) {
        dump_put(b, " ");
        dump_node(b, s->value);
    }
    dump_put(b, ")");
}

static void dump_constraint(dump_buf *b, const sql_constraint *c) {
    static const char *const k[] = {"", "null", "notnull", "default", "identity", "generated",
                                    "check", "primary", "unique", "foreign", "exclusion"};
    dump_put(b, "(%s", k[c->constr_kind]);
    dump_str(b, "name", c->name);
    if (c->expr_text) dump_put(b, " [%s]", c->expr_text);
    dump_strs(b, "keys", &c->keys);
    dump_strs(b, "include", &c->include);
    dump_flag(b, "always", c->identity_always);
    dump_list(b, "seq", &c->seq_options);
    if (c->fk_table.count) {
        dump_put(b, " (references ");
        dump_name(b, &c->fk_table);
        dump_strs(b, "cols", &c->fk_cols);
        dump_put(b, " match-%c del%d upd%d)", c->fk_match, (int)c->fk_on_delete,
                 (int)c->fk_on_update);
    }
    dump_flag(b, "deferrable", c->deferrable);
    dump_flag(b, "initially-deferred", c->initially_deferred);
    dump_flag(b, "no-inherit", c->no_inherit);
    dump_flag(b, "not-valid", c->not_valid);
    dump_flag(b, "nulls-not-distinct", c->nulls_not_distinct);
    dump_list(b, "with", &c->options);
    dump_put(b, ")");
}

static void dump_pieces(dump_buf *b, const sql_node *n) {
    switch (n->kind) {
    case SQL_N_SET_ITEM: dump_set_item(b, (const sql_set_item *)n); return;
    case SQL_N_COLUMNDEF: {
        const sql_columndef *c = (const sql_columndef *)n;
        dump_put(b, "(column %s", c->name);
        if (c->type) {
            dump_put(b, " ");
            dump_type(b, c->type);
        }
        if (c->collation.count) {
            dump_put(b, " (collate ");
            dump_name(b, &c->collation);
            dump_put(b, ")");
        }
        dump_list(b, "c", &c->constraints);
        dump_put(b, ")");
        return;
    }
    case SQL_N_CONSTRAINT: dump_constraint(b, (const sql_constraint *)n); return;
    case SQL_N_INDEX_ELEM: {
        const sql_index_elem *e = (const sql_index_elem *)n;
        static const char *const dirs[] = {"", " asc", " desc", " using"};
        static const char *const nulls[] = {"", " nulls-first", " nulls-last"};
        dump_put(b, "(elem");
        if (e->column) dump_put(b, " %s", e->column);
        dump_opt(b, "expr", e->expr);
        if (e->opclass.count) {
            dump_put(b, " (opclass ");
            dump_name(b, &e->opclass);
            dump_put(b, ")");
        }
        dump_put(b, "%s%s)", dirs[e->dir], nulls[e->nulls]);
        return;
    }
    case SQL_N_DEFELEM: {
        const sql_defelem *d = (const sql_defelem *)n;
        dump_put(b, "(%s%s%s%s", d->negated ? "no-" : "", d->ns ? d->ns : "", d->ns ? "." : "",
                 d->name);
        if (d->value) {
            dump_put(b, " ");
            dump_node(b, d->value);
        }
        dump_put(b, ")");
        return;
    }
    case SQL_N_ALTER_CMD: {
        const sql_alter_cmd *c = (const sql_alter_cmd *)n;
        dump_put(b, "(cmd%d", (int)c->alter_kind);
        dump_str(b, "name", c->name);
        dump_str(b, "new", c->new_name);
        dump_opt(b, "column", c->column);
        dump_opt(b, "type", c->type);
        if (c->expr_text) dump_put(b, " [%s]", c->expr_text);
        else dump_opt(b, "expr", c->expr);
        dump_opt(b, "constraint", c->constraint);
        dump_list(b, "options", &c->options);
        dump_flag(b, "if-exists", c->if_exists);
        dump_flag(b, "if-not-exists", c->if_not_exists);
        dump_flag(b, "cascade", c->cascade);
        dump_put(b, ")");
        return;
    }
    default: break;
    }
    dump_from(b, n);
}

static void dump_dml(dump_buf *b, const sql_node *n) {
    switch (n->kind) {
    case SQL_N_INSERT: {
        const sql_insert *i = (const sql_insert *)n;
        dump_put(b, "(insert ");
        dump_node(b, i->table);
        dump_list(b, "cols", &i->columns);
        if (i->overriding) dump_put(b, " overriding-%s", i->overriding == 1 ? "system" : "user");
        if (i->source) {
            dump_put(b, " ");
            dump_node(b, i->source);
        } else {
            dump_put(b, " default-values");
        }
        if (i->on_conflict) {
            const sql_on_conflict *c = i->on_conflict;
            dump_put(b, " (on-conflict %s",
                     c->action == SQL_CONFLICT_NOTHING ? "nothing" : "update");
            dump_list(b, "target", &c->target_cols);
            dump_opt(b, "target-where", c->target_where);
            dump_str(b, "constraint", c->constraint);
            dump_list(b, "set", &c->set);
            dump_opt(b, "where", c->where);
            dump_put(b, ")");
        }
        dump_list(b, "returning", &i->returning);
        dump_put(b, ")");
        return;
    }
    case SQL_N_UPDATE: {
        const sql_update *u = (const sql_update *)n;
        dump_put(b, "(update ");
        dump_node(b, u->table);
        dump_list(b, "set", &u->set);
        dump_list(b, "from", &u->from);
        dump_opt(b, "where", u->where);
        dump_str(b, "current-of", u->current_of);
        dump_list(b, "returning", &u->returning);
        dump_put(b, ")");
        return;
    }
    case SQL_N_DELETE: {
        const sql_delete *d = (const sql_delete *)n;
        dump_put(b, "(delete ");
        dump_node(b, d->table);
        dump_list(b, "using", &d->using_);
        dump_opt(b, "where", d->where);
        dump_str(b, "current-of", d->current_of);
        dump_list(b, "returning", &d->returning);
        dump_put(b, ")");
        return;
    }
    default: break;
    }
    dump_pieces(b, n);
}

/* Statements other than queries and DML print their kind and their main fields. */
static void dump_utility(dump_buf *b, const sql_node *n) {
    switch (n->kind) {
    case SQL_N_CREATE_TABLE: {
        const sql_create_table *t = (const sql_create_table *)n;
        dump_put(b, "(create-table ");
        dump_name(b, &t->name);
        dump_flag(b, "if-not-exists", t->if_not_exists);
        dump_flag(b, "temp", t->temporary);
        dump_flag(b, "unlogged", t->unlogged);
        if (t->on_commit) dump_put(b, " on-commit%d", (int)t->on_commit);
        dump_list(b, "columns", &t->columns);
        dump_list(b, "constraints", &t->constraints);
        dump_list(b, "with", &t->options);
        dump_opt(b, "as", t->as_query);
        dump_flag(b, "no-data", t->with_no_data);
        dump_list(b, "like", &t->like);
        dump_flag(b, "partition-by", t->has_partition_by);
        dump_flag(b, "inherits", t->has_inherits);
        dump_put(b, ")");
        return;
    }
    case SQL_N_CREATE_INDEX: {
        const sql_create_index *c = (const sql_create_index *)n;
        dump_put(b, "(create-index %s on ", c->name ? c->name : "-");
        dump_name(b, &c->table);
        dump_flag(b, "unique", c->unique);
        dump_flag(b, "concurrently", c->concurrently);
        dump_flag(b, "if-not-exists", c->if_not_exists);
        dump_str(b, "using", c->method);
        dump_list(b, "elems", &c->elems);
        dump_strs(b, "include", &c->include);
        dump_list(b, "with", &c->options);
        dump_opt(b, "where", c->where);
        dump_flag(b, "nulls-not-distinct", c->nulls_not_distinct);
        dump_put(b, ")");
        return;
    }
    default: break;
    }
    dump_dml(b, n);
}

static void dump_node(dump_buf *b, const void *p) {
    if (p == NULL) {
        dump_put(b, "NULL");
        return;
    }
    dump_utility(b, (const sql_node *)p);
}
