-- Captured by tests/e2e/capture/capture.py, scenario 'psycopg3-sync', against PostgreSQL 15.
-- Client: psycopg 3.1.7 sync (libpq 15 via ctypes; extended protocol by default)
-- Each statement is the exact text the client sent. Its header gives the
-- connection (c1, c2...) and the protocol: 'simple Query' or 'extended Parse'
-- with the parameter type OIDs the client declared ([] = server infers).
-- A ';' was appended where the client sent none. Message-level detail
-- (formats, Describe, Sync, COPY) is in traces/psycopg3-sync.trace.

-- ACTION: psycopg.connect()

-- ACTION: execute DDL (implicit BEGIN) + commit
-- c1 extended Parse stmt='' param_types=[]
BEGIN;

-- c1 simple Query
CREATE TABLE cap_pg3 (id serial PRIMARY KEY, name text, n int8, f float8, amount numeric, data bytea, at timestamptz, d date, tags text[], doc jsonb, uid uuid, flag bool);

-- c1 extended Parse stmt='' param_types=[]
COMMIT;


-- ACTION: execute INSERT with %s parameters (server-side binding, text params)
-- c1 extended Parse stmt='' param_types=[]
BEGIN;

-- c1 extended Parse stmt='' param_types=[0,int2(21),float8(701),numeric(1700),bytea(17),timestamptz(1184),date(1082),0,jsonb(3802),uuid(2950),bool(16)]
INSERT INTO cap_pg3 (name, n, f, amount, data, at, d, tags, doc, uid, flag) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11);


-- ACTION: execute INSERT with %b parameters (binary params)
-- c1 extended Parse stmt='' param_types=[text(25),int2(21),float8(701),numeric(1700),bytea(17),timestamptz(1184),date(1082),_text(1009),jsonb(3802),uuid(2950),bool(16)]
INSERT INTO cap_pg3 (name, n, f, amount, data, at, d, tags, doc, uid, flag) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11);


-- ACTION: cursor(binary=True) SELECT (binary results)
-- c1 extended Parse stmt='' param_types=[int2(21)]
SELECT * FROM cap_pg3 WHERE n = $1;


-- ACTION: text SELECT with %(name)s parameters
-- c1 extended Parse stmt='' param_types=[0]
SELECT * FROM cap_pg3 WHERE name = $1;

-- c1 extended Parse stmt='' param_types=[]
COMMIT;


-- ACTION: same query 6 times (prepare_threshold=5: the 6th prepares a named statement)
-- c1 extended Parse stmt='' param_types=[]
BEGIN;

-- c1 extended Parse stmt='' param_types=[int2(21)]
SELECT name FROM cap_pg3 WHERE id = $1;

-- c1 extended Parse stmt='' param_types=[int2(21)]
SELECT name FROM cap_pg3 WHERE id = $1;

-- c1 extended Parse stmt='' param_types=[int2(21)]
SELECT name FROM cap_pg3 WHERE id = $1;

-- c1 extended Parse stmt='' param_types=[int2(21)]
SELECT name FROM cap_pg3 WHERE id = $1;

-- c1 extended Parse stmt='' param_types=[int2(21)]
SELECT name FROM cap_pg3 WHERE id = $1;

-- c1 extended Parse stmt='_pg3_0' param_types=[int2(21)]
SELECT name FROM cap_pg3 WHERE id = $1;

-- c1 extended Parse stmt='' param_types=[]
COMMIT;


-- ACTION: executemany INSERT (pipeline mode)
-- c1 extended Parse stmt='' param_types=[]
BEGIN;

-- c1 extended Parse stmt='_pg3_1' param_types=[0,int2(21)]
INSERT INTO cap_pg3 (name, n) VALUES ($1, $2);

-- c1 extended Parse stmt='' param_types=[]
COMMIT;


-- ACTION: with conn.transaction(): nested transaction() (SAVEPOINT), rollback of inner
-- c1 extended Parse stmt='' param_types=[]
BEGIN;

-- c1 simple Query
INSERT INTO cap_pg3 (name) VALUES ('t1');

-- c1 extended Parse stmt='' param_types=[]
SAVEPOINT "_pg3_2";

-- c1 simple Query
INSERT INTO cap_pg3 (name) VALUES ('t2');

-- c1 extended Parse stmt='' param_types=[]
ROLLBACK TO "_pg3_2";

-- c1 extended Parse stmt='' param_types=[]
RELEASE "_pg3_2";

-- c1 extended Parse stmt='' param_types=[]
DEALLOCATE ALL;

-- c1 extended Parse stmt='' param_types=[]
COMMIT;


-- ACTION: server-side cursor conn.cursor(name='cap_ssc'), itersize 2
-- c1 extended Parse stmt='' param_types=[]
BEGIN;

-- c1 extended Parse stmt='' param_types=[int2(21)]
DECLARE "cap_ssc" CURSOR FOR SELECT id, name FROM cap_pg3 WHERE id > $1 ORDER BY id;

-- c1 extended Parse stmt='' param_types=[]
FETCH FORWARD 2 FROM "cap_ssc";

-- c1 extended Parse stmt='' param_types=[]
FETCH FORWARD 2 FROM "cap_ssc";

-- c1 extended Parse stmt='' param_types=[]
FETCH FORWARD 2 FROM "cap_ssc";

-- c1 extended Parse stmt='' param_types=[]
FETCH FORWARD 2 FROM "cap_ssc";

-- c1 extended Parse stmt='' param_types=[]
CLOSE "cap_ssc";

-- c1 extended Parse stmt='' param_types=[]
COMMIT;


-- ACTION: copy FROM STDIN text (write_row) and binary (FORMAT BINARY)
-- c1 extended Parse stmt='' param_types=[]
BEGIN;

-- c1 simple Query
COPY cap_pg3 (name, n, f) FROM STDIN;

-- c1 simple Query
COPY cap_pg3 (name, n, f) FROM STDIN (FORMAT BINARY);


-- ACTION: copy TO STDOUT text and binary
-- c1 simple Query
COPY (SELECT name, n FROM cap_pg3 ORDER BY id) TO STDOUT;

-- c1 simple Query
COPY (SELECT name, n FROM cap_pg3 ORDER BY id) TO STDOUT (FORMAT BINARY);

-- c1 extended Parse stmt='' param_types=[]
COMMIT;


-- ACTION: TypeInfo.fetch(conn, 'vector') (what pgvector's psycopg register_vector does)
-- c1 extended Parse stmt='' param_types=[]
BEGIN;

-- c1 extended Parse stmt='' param_types=[0]
SELECT
    typname AS name, oid, typarray AS array_oid,
    oid::regtype::text AS regtype, typdelim AS delimiter
FROM pg_type t
WHERE t.oid = $1::regtype
ORDER BY t.oid
;

-- c1 extended Parse stmt='' param_types=[]
COMMIT;


-- ACTION: TypeInfo.fetch(conn, 'halfvec'): missing type, error 42704 caught -> None
-- c1 extended Parse stmt='' param_types=[]
BEGIN;

-- c1 extended Parse stmt='' param_types=[0]
SELECT
    typname AS name, oid, typarray AS array_oid,
    oid::regtype::text AS regtype, typdelim AS delimiter
FROM pg_type t
WHERE t.oid = $1::regtype
ORDER BY t.oid
;

-- c1 extended Parse stmt='' param_types=[]
ROLLBACK;


-- ACTION: TypeInfo.fetch inside an open transaction (SAVEPOINT instead of BEGIN)
-- c1 extended Parse stmt='' param_types=[]
BEGIN;

-- c1 simple Query
SELECT 1;

-- c1 extended Parse stmt='' param_types=[]
SAVEPOINT "_pg3_1";

-- c1 extended Parse stmt='' param_types=[0]
SELECT
    typname AS name, oid, typarray AS array_oid,
    oid::regtype::text AS regtype, typdelim AS delimiter
FROM pg_type t
WHERE t.oid = $1::regtype
ORDER BY t.oid
;

-- c1 extended Parse stmt='' param_types=[]
RELEASE "_pg3_1";

-- c1 extended Parse stmt='' param_types=[]
COMMIT;


-- ACTION: EnumInfo.fetch(conn, 'e2e_mood') + register_enum
-- c1 extended Parse stmt='' param_types=[]
BEGIN;

-- c1 extended Parse stmt='' param_types=[0]
SELECT name, oid, array_oid, array_agg(label) AS labels
FROM (
    SELECT
        t.typname AS name, t.oid AS oid, t.typarray AS array_oid,
        e.enumlabel AS label
    FROM pg_type t
    LEFT JOIN  pg_enum e
    ON e.enumtypid = t.oid
    WHERE t.oid = $1::regtype
    ORDER BY e.enumsortorder
) x
GROUP BY name, oid, array_oid
;

-- c1 extended Parse stmt='' param_types=[]
COMMIT;


-- ACTION: CompositeInfo.fetch(conn, 'e2e_pair') + register_composite; query
-- c1 extended Parse stmt='' param_types=[]
BEGIN;

-- c1 extended Parse stmt='' param_types=[0]
SELECT
    t.typname AS name, t.oid AS oid, t.typarray AS array_oid,
    t.oid::regtype::text AS regtype,
    coalesce(a.fnames, '{}') AS field_names,
    coalesce(a.ftypes, '{}') AS field_types
FROM pg_type t
LEFT JOIN (
    SELECT
        attrelid,
        array_agg(attname) AS fnames,
        array_agg(atttypid) AS ftypes
    FROM (
        SELECT a.attrelid, a.attname, a.atttypid
        FROM pg_attribute a
        JOIN pg_type t ON t.typrelid = a.attrelid
        WHERE t.oid = $1::regtype
        AND a.attnum > 0
        AND NOT a.attisdropped
        ORDER BY a.attnum
    ) x
    GROUP BY attrelid
) a ON a.attrelid = t.typrelid
WHERE t.oid = $1::regtype
;

-- c1 extended Parse stmt='' param_types=[]
COMMIT;

-- c1 extended Parse stmt='' param_types=[]
BEGIN;

-- c1 simple Query
SELECT ROW('a', 1.5)::e2e_pair, 'ok'::e2e_mood;

-- c1 extended Parse stmt='' param_types=[]
COMMIT;


-- ACTION: conn.cancel() from another thread during SELECT pg_sleep(5) (libpq PQcancel)
-- c1 extended Parse stmt='' param_types=[]
BEGIN;

-- c1 simple Query
SELECT pg_sleep(5);

-- c1 extended Parse stmt='' param_types=[]
ROLLBACK;


-- ACTION: autocommit = True; DROP TABLE; close
-- c1 simple Query
DROP TABLE cap_pg3;

