-- Captured by tests/e2e/capture/capture.py, scenario 'psycopg3-async', against PostgreSQL 15.
-- Client: psycopg 3.1.7 AsyncConnection
-- Each statement is the exact text the client sent. Its header gives the
-- connection (c1, c2...) and the protocol: 'simple Query' or 'extended Parse'
-- with the parameter type OIDs the client declared ([] = server infers).
-- A ';' was appended where the client sent none. Message-level detail
-- (formats, Describe, Sync, COPY) is in traces/psycopg3-async.trace.

-- ACTION: await psycopg.AsyncConnection.connect()

-- ACTION: execute CREATE TABLE; commit
-- c1 extended Parse stmt='' param_types=[]
BEGIN;

-- c1 simple Query
CREATE TABLE cap_pg3a (id serial PRIMARY KEY, name text, n int4);

-- c1 extended Parse stmt='' param_types=[]
COMMIT;


-- ACTION: execute INSERT %s / %b params; SELECT fetchall; binary cursor
-- c1 extended Parse stmt='' param_types=[]
BEGIN;

-- c1 extended Parse stmt='' param_types=[0,int2(21)]
INSERT INTO cap_pg3a (name, n) VALUES ($1, $2);

-- c1 extended Parse stmt='' param_types=[text(25),int2(21)]
INSERT INTO cap_pg3a (name, n) VALUES ($1, $2);

-- c1 simple Query
SELECT * FROM cap_pg3a ORDER BY id;

-- c1 extended Parse stmt='' param_types=[int2(21)]
SELECT * FROM cap_pg3a WHERE n = $1;

-- c1 extended Parse stmt='' param_types=[]
COMMIT;


-- ACTION: async with conn.transaction(): failing statement rolled back
-- c1 extended Parse stmt='' param_types=[]
BEGIN;

-- c1 simple Query
INSERT INTO cap_pg3a (name, n) VALUES ('x', 'not int');

-- c1 extended Parse stmt='' param_types=[]
ROLLBACK;


-- ACTION: async server-side cursor
-- c1 extended Parse stmt='' param_types=[]
BEGIN;

-- c1 extended Parse stmt='' param_types=[]
DECLARE "cap_assc" CURSOR FOR SELECT id FROM cap_pg3a;

-- c1 extended Parse stmt='' param_types=[]
FETCH FORWARD ALL FROM "cap_assc";

-- c1 extended Parse stmt='' param_types=[]
CLOSE "cap_assc";

-- c1 extended Parse stmt='' param_types=[]
COMMIT;


-- ACTION: async executemany (pipeline); DROP; close
-- c1 extended Parse stmt='' param_types=[]
BEGIN;

-- c1 extended Parse stmt='_pg3_0' param_types=[0,int2(21)]
INSERT INTO cap_pg3a (name, n) VALUES ($1, $2);

-- c1 simple Query
DROP TABLE cap_pg3a;

-- c1 extended Parse stmt='' param_types=[]
DEALLOCATE ALL;

-- c1 extended Parse stmt='' param_types=[]
COMMIT;

