-- Captured by tests/e2e/capture/capture.py, scenario 'psycopg2', against PostgreSQL 15.
-- Client: psycopg2 2.9.5 (libpq 15; client-side parameter interpolation, simple Query)
-- Each statement is the exact text the client sent. Its header gives the
-- connection (c1, c2...) and the protocol: 'simple Query' or 'extended Parse'
-- with the parameter type OIDs the client declared ([] = server infers).
-- A ';' was appended where the client sent none. Message-level detail
-- (formats, Describe, Sync, COPY) is in traces/psycopg2.trace.

-- ACTION: psycopg2.connect()

-- ACTION: cursor.execute DDL (first statement opens a transaction: BEGIN)
-- c1 simple Query
BEGIN;

-- c1 simple Query
CREATE TABLE cap_pg2 (id serial PRIMARY KEY, name text, amount numeric(10,2), data bytea, born date, at timestamptz, tags text[], doc jsonb, uid uuid);

-- c1 simple Query
COMMIT;


-- ACTION: cursor.execute INSERT with parameters of many types (client-side interpolation)
-- c1 simple Query
BEGIN;

-- c1 simple Query
INSERT INTO cap_pg2 (name, amount, data, born, at, tags, doc, uid) VALUES ('O''Brien', 12.34, '\x0001ff'::bytea, '2001-02-03'::date, '2001-02-03T04:05:06+00:00'::timestamptz, ARRAY['a','b'], '{"k": [1, 2]}', '00000000-0000-0000-0000-000000000001'::uuid) RETURNING id;


-- ACTION: cursor.executemany INSERT
-- c1 simple Query
INSERT INTO cap_pg2 (name) VALUES ('x');

-- c1 simple Query
INSERT INTO cap_pg2 (name) VALUES ('y');


-- ACTION: psycopg2.extras.execute_values INSERT
-- c1 simple Query
INSERT INTO cap_pg2 (name) VALUES ('v1'),('v2');


-- ACTION: cursor.execute SELECT with %s parameter; fetchall; commit
-- c1 simple Query
SELECT id, name, amount, data, born, at, tags, doc, uid FROM cap_pg2 WHERE name = 'O''Brien';

-- c1 simple Query
COMMIT;


-- ACTION: error then rollback
-- c1 simple Query
BEGIN;

-- c1 simple Query
SELECT 1/0;

-- c1 simple Query
ROLLBACK;


-- ACTION: named (server-side) cursor: conn.cursor('cap_named'), itersize 2
-- c1 simple Query
BEGIN;

-- c1 simple Query
DECLARE "cap_named" CURSOR WITHOUT HOLD FOR SELECT id, name FROM cap_pg2 ORDER BY id;

-- c1 simple Query
FETCH FORWARD 2 FROM "cap_named";

-- c1 simple Query
FETCH FORWARD 2 FROM "cap_named";

-- c1 simple Query
FETCH FORWARD 2 FROM "cap_named";

-- c1 simple Query
FETCH FORWARD 2 FROM "cap_named";

-- c1 simple Query
CLOSE "cap_named";

-- c1 simple Query
COMMIT;


-- ACTION: set_session(isolation_level='REPEATABLE READ', readonly=True) then a query
-- c1 simple Query
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;

-- c1 simple Query
SELECT count(*) FROM cap_pg2;

-- c1 simple Query
COMMIT;


-- ACTION: autocommit = True; query
-- c1 simple Query
SELECT 1;


-- ACTION: copy_expert COPY ... FROM STDIN and TO STDOUT (text), copy_from
-- c1 simple Query
BEGIN;

-- c1 simple Query
COPY cap_pg2 (name, amount) FROM STDIN;

-- c1 simple Query
COPY "cap_pg2"("name") FROM stdin WITH DELIMITER AS '	' NULL AS '\N';

-- c1 simple Query
COPY (SELECT id, name FROM cap_pg2 ORDER BY id) TO STDOUT WITH CSV;

-- c1 simple Query
COMMIT;


-- ACTION: psycopg2.extras.register_composite('e2e_pair')
-- c1 simple Query
BEGIN;

-- c1 simple Query
SELECT t.oid, typarray, attname, atttypid
FROM pg_type t
JOIN pg_namespace ns ON typnamespace = ns.oid
JOIN pg_attribute a ON attrelid = typrelid
WHERE typname = 'e2e_pair' AND nspname = 'public'
    AND attnum > 0 AND NOT attisdropped
ORDER BY attnum;


-- c1 simple Query
ROLLBACK;

-- c1 simple Query
BEGIN;

-- c1 simple Query
SELECT ROW('a', 1.5)::e2e_pair;

-- c1 simple Query
COMMIT;


-- ACTION: the query of pgvector-python's psycopg2 register_vector (not installable here: no PyPI), replayed verbatim
-- c1 simple Query
BEGIN;

-- c1 simple Query
SELECT typname, oid FROM pg_type WHERE oid IN (to_regtype('vector'), to_regtype('_vector'), to_regtype('halfvec'), to_regtype('_halfvec'), to_regtype('sparsevec'), to_regtype('_sparsevec'));

-- c1 simple Query
COMMIT;


-- ACTION: DROP TABLE; close
-- c1 simple Query
BEGIN;

-- c1 simple Query
DROP TABLE cap_pg2;

-- c1 simple Query
COMMIT;

