-- Captured by tests/e2e/capture/capture.py, scenario 'node-pg', against PostgreSQL 15.
-- Client: node-postgres (pg 8.x) on Node 20, plus pgvector's registerTypes
-- Each statement is the exact text the client sent. Its header gives the
-- connection (c1, c2...) and the protocol: 'simple Query' or 'extended Parse'
-- with the parameter type OIDs the client declared ([] = server infers).
-- A ';' was appended where the client sent none. Message-level detail
-- (formats, Describe, Sync, COPY) is in traces/node-pg.trace.

-- ACTION: new pg.Client(); connect()

-- ACTION: query(text) without values (simple Query protocol)
-- c1 simple Query
CREATE TABLE cap_node (id serial PRIMARY KEY, name text, n int8, f float8, at timestamptz, doc jsonb, data bytea, ok bool);


-- ACTION: query(text, values) (extended: unnamed statement, text params)
-- c1 extended Parse stmt='' param_types=[]
INSERT INTO cap_node (name, n, f, at, doc, data, ok) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id;

-- c1 extended Parse stmt='' param_types=[]
SELECT * FROM cap_node WHERE name = $1;


-- ACTION: query({name, text, values}) twice (named prepared statement)
-- c1 extended Parse stmt='cap_by_id' param_types=[]
SELECT name FROM cap_node WHERE id = $1;


-- ACTION: query({text, values, rowMode: 'array'})
-- c1 extended Parse stmt='' param_types=[]
SELECT id, name FROM cap_node WHERE n > $1;


-- ACTION: transaction: BEGIN; INSERT; ROLLBACK
-- c1 simple Query
BEGIN;

-- c1 extended Parse stmt='' param_types=[]
INSERT INTO cap_node (name) VALUES ($1);

-- c1 simple Query
ROLLBACK;


-- ACTION: error (division by zero) then a query
-- c1 simple Query
SELECT 1/0;

-- c1 simple Query
SELECT 1;


-- ACTION: pgvector.registerTypes(client) (SELECT typname, oid FROM pg_type ...)
-- c1 extended Parse stmt='' param_types=[]
SELECT typname, oid FROM pg_type WHERE typname IN ($1, $2, $3);


-- ACTION: new pg.Pool({max: 2}); pool.query; pool.connect/release; pool.end
-- c2 simple Query
SELECT count(*) FROM cap_node;

-- c2 extended Parse stmt='' param_types=[]
SELECT $1::int AS x;


-- ACTION: DROP TABLE; end()
-- c1 simple Query
DROP TABLE cap_node;

