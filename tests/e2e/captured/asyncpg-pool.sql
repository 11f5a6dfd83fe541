-- Captured by tests/e2e/capture/capture.py, scenario 'asyncpg-pool', against PostgreSQL 15.
-- Client: asyncpg 0.27.0 Pool (connection reset on release)
-- Each statement is the exact text the client sent. Its header gives the
-- connection (c1, c2...) and the protocol: 'simple Query' or 'extended Parse'
-- with the parameter type OIDs the client declared ([] = server infers).
-- A ';' was appended where the client sent none. Message-level detail
-- (formats, Describe, Sync, COPY) is in traces/asyncpg-pool.trace.

-- ACTION: asyncpg.create_pool(min_size=1, max_size=2)

-- ACTION: pool.acquire(); fetchval; release (reset query)
-- c1 extended Parse stmt='__asyncpg_stmt_17__' param_types=[]
SELECT 1;

-- c1 simple Query
SELECT pg_advisory_unlock_all();
CLOSE ALL;
UNLISTEN *;
RESET ALL;


-- ACTION: pool.fetch (acquire + release)
-- c1 extended Parse stmt='__asyncpg_stmt_18__' param_types=[]
SELECT $1::int AS x;

-- c1 simple Query
SELECT pg_advisory_unlock_all();
CLOSE ALL;
UNLISTEN *;
RESET ALL;


-- ACTION: pool.close()
