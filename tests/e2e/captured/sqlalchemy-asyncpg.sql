-- Captured by tests/e2e/capture/capture.py, scenario 'sqlalchemy-asyncpg', against PostgreSQL 15.
-- Client: SQLAlchemy 1.4.46 asyncio engine with the asyncpg dialect
-- Each statement is the exact text the client sent. Its header gives the
-- connection (c1, c2...) and the protocol: 'simple Query' or 'extended Parse'
-- with the parameter type OIDs the client declared ([] = server infers).
-- A ';' was appended where the client sent none. Message-level detail
-- (formats, Describe, Sync, COPY) is in traces/sqlalchemy-asyncpg.trace.

-- ACTION: create_async_engine(postgresql+asyncpg://...); first connect (initialize)
-- c1 extended Parse stmt='__asyncpg_stmt_19__' param_types=[]
SELECT
    t.oid,
    t.typelem     AS elemtype,
    t.typtype     AS kind
FROM
    pg_catalog.pg_type AS t
WHERE
    t.oid = $1
;

-- c1 extended Parse stmt='__asyncpg_stmt_1a__' param_types=[]
SELECT
    t.oid,
    t.typelem     AS elemtype,
    t.typtype     AS kind
FROM
    pg_catalog.pg_type AS t
WHERE
    t.oid = $1
;

-- c1 simple Query
BEGIN ISOLATION LEVEL READ COMMITTED;

-- c1 extended Parse stmt='__asyncpg_stmt_1b__' param_types=[]
select pg_catalog.version();

-- c1 extended Parse stmt='__asyncpg_stmt_1c__' param_types=[]
select current_schema();

-- c1 extended Parse stmt='__asyncpg_stmt_1d__' param_types=[]
show transaction isolation level;

-- c1 extended Parse stmt='__asyncpg_stmt_1e__' param_types=[]
show standard_conforming_strings;

-- c1 simple Query
ROLLBACK;


-- ACTION: run_sync(metadata.create_all)
-- c1 simple Query
BEGIN ISOLATION LEVEL READ COMMITTED;

-- c1 extended Parse stmt='__asyncpg_stmt_1f__' param_types=[]
select relname from pg_class c join pg_namespace n on n.oid=c.relnamespace where pg_catalog.pg_table_is_visible(c.oid) and relname=$1;

-- c1 extended Parse stmt='__asyncpg_stmt_20__' param_types=[]

CREATE TABLE cap_sa_parent (
	id SERIAL NOT NULL, 
	name VARCHAR(50) NOT NULL, 
	created TIMESTAMP WITH TIME ZONE DEFAULT now(), 
	PRIMARY KEY (id), 
	UNIQUE (name)
)

;

-- c1 extended Parse stmt='__asyncpg_stmt_21__' param_types=[]
COMMENT ON TABLE cap_sa_parent IS 'parents';

-- c1 extended Parse stmt='__asyncpg_stmt_22__' param_types=[]

CREATE TABLE cap_sa_child (
	id BIGSERIAL NOT NULL, 
	parent_id INTEGER, 
	score NUMERIC(10, 2), 
	flag BOOLEAN, 
	payload JSON, 
	PRIMARY KEY (id), 
	CONSTRAINT cap_sa_child_score_ck CHECK (score >= 0), 
	FOREIGN KEY(parent_id) REFERENCES cap_sa_parent (id) ON DELETE CASCADE
)

;

-- c1 extended Parse stmt='__asyncpg_stmt_23__' param_types=[]
CREATE INDEX cap_sa_child_score_idx ON cap_sa_child (score);


-- ACTION: insert + select with a bound parameter
-- c1 extended Parse stmt='__asyncpg_stmt_24__' param_types=[]
INSERT INTO cap_sa_parent (name) VALUES ($1::varchar) RETURNING cap_sa_parent.id;

-- c1 extended Parse stmt='__asyncpg_stmt_25__' param_types=[]
SELECT cap_sa_parent.id 
FROM cap_sa_parent 
WHERE cap_sa_parent.name = $1::varchar;


-- ACTION: run_sync(lambda c: inspect(c).get_columns('cap_sa_child'))
-- c1 extended Parse stmt='__asyncpg_stmt_26__' param_types=[]

            SELECT c.oid
            FROM pg_catalog.pg_class c
            LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE (pg_catalog.pg_table_is_visible(c.oid))
            AND c.relname = $1 AND c.relkind in
            ('r', 'v', 'm', 'f', 'p')
        ;

-- c1 extended Parse stmt='__asyncpg_stmt_27__' param_types=[]

            SELECT a.attname,
              pg_catalog.format_type(a.atttypid, a.atttypmod),
              (
                SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid)
                FROM pg_catalog.pg_attrdef d
                WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum
                AND a.atthasdef
              ) AS DEFAULT,
              a.attnotnull,
              a.attrelid as table_oid,
              pgd.description as comment,
              a.attgenerated as generated,
                              (SELECT json_build_object(
                    'always', a.attidentity = 'a',
                    'start', s.seqstart,
                    'increment', s.seqincrement,
                    'minvalue', s.seqmin,
                    'maxvalue', s.seqmax,
                    'cache', s.seqcache,
                    'cycle', s.seqcycle)
                FROM pg_catalog.pg_sequence s
                JOIN pg_catalog.pg_class c on s.seqrelid = c."oid"
                WHERE c.relkind = 'S'
                AND a.attidentity != ''
                AND s.seqrelid = pg_catalog.pg_get_serial_sequence(
                    a.attrelid::regclass::text, a.attname
                )::regclass::oid
                ) as identity_options                
            FROM pg_catalog.pg_attribute a
            LEFT JOIN pg_catalog.pg_description pgd ON (
                pgd.objoid = a.attrelid AND pgd.objsubid = a.attnum)
            WHERE a.attrelid = $1::integer
            AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum
        ;

-- c1 extended Parse stmt='__asyncpg_stmt_28__' param_types=[]

            SELECT t.typname as "name",
               pg_catalog.format_type(t.typbasetype, t.typtypmod) as "attype",
               not t.typnotnull as "nullable",
               t.typdefault as "default",
               pg_catalog.pg_type_is_visible(t.oid) as "visible",
               n.nspname as "schema"
            FROM pg_catalog.pg_type t
               LEFT JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
            WHERE t.typtype = 'd'
        ;

-- c1 extended Parse stmt='__asyncpg_stmt_29__' param_types=[]

            SELECT t.typname as "name",
               -- no enum defaults in 8.4 at least
               -- t.typdefault as "default",
               pg_catalog.pg_type_is_visible(t.oid) as "visible",
               n.nspname as "schema",
               e.enumlabel as "label"
            FROM pg_catalog.pg_type t
                 LEFT JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
                 LEFT JOIN pg_catalog.pg_enum e ON t.oid = e.enumtypid
            WHERE t.typtype = 'e'
        ORDER BY "schema", "name", e.oid;


-- ACTION: run_sync(metadata.drop_all)
-- c1 extended Parse stmt='__asyncpg_stmt_2a__' param_types=[]
select relname from pg_class c join pg_namespace n on n.oid=c.relnamespace where pg_catalog.pg_table_is_visible(c.oid) and relname=$1;

-- c1 extended Parse stmt='__asyncpg_stmt_2b__' param_types=[]

DROP TABLE cap_sa_child;

-- c1 extended Parse stmt='__asyncpg_stmt_2c__' param_types=[]

DROP TABLE cap_sa_parent;

-- c1 simple Query
COMMIT;


-- ACTION: engine.dispose() (pool reset on checkin: ROLLBACK)
