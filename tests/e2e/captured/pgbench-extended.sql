-- Captured by tests/e2e/capture/capture.py, scenario 'pgbench-extended', against PostgreSQL 15.
-- Client: pgbench 15 -M extended: unnamed statements, text parameters
-- Each statement is the exact text the client sent. Its header gives the
-- connection (c1, c2...) and the protocol: 'simple Query' or 'extended Parse'
-- with the parameter type OIDs the client declared ([] = server infers).
-- A ';' was appended where the client sent none. Message-level detail
-- (formats, Describe, Sync, COPY) is in traces/pgbench-extended.trace.

-- ACTION: pgbench -M extended default (tpcb-like) -c 1 -t 2
-- c1 simple Query
select count(*) from pgbench_branches;

-- c1 simple Query
select o.n, p.partstrat, pg_catalog.count(i.inhparent) from pg_catalog.pg_class as c join pg_catalog.pg_namespace as n on (n.oid = c.relnamespace) cross join lateral (select pg_catalog.array_position(pg_catalog.current_schemas(true), n.nspname)) as o(n) left join pg_catalog.pg_partitioned_table as p on (p.partrelid = c.oid) left join pg_catalog.pg_inherits as i on (c.oid = i.inhparent) where c.relname = 'pgbench_accounts' and o.n is not null group by 1, 2 order by 1 asc limit 1;

-- c1 simple Query
vacuum pgbench_branches;

-- c1 simple Query
vacuum pgbench_tellers;

-- c1 simple Query
truncate pgbench_history;

-- c2 extended Parse stmt='' param_types=[]
BEGIN;

-- c2 extended Parse stmt='' param_types=[]
UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2;

-- c2 extended Parse stmt='' param_types=[]
SELECT abalance FROM pgbench_accounts WHERE aid = $1;

-- c2 extended Parse stmt='' param_types=[]
UPDATE pgbench_tellers SET tbalance = tbalance + $1 WHERE tid = $2;

-- c2 extended Parse stmt='' param_types=[]
UPDATE pgbench_branches SET bbalance = bbalance + $1 WHERE bid = $2;

-- c2 extended Parse stmt='' param_types=[]
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP);

-- c2 extended Parse stmt='' param_types=[]
END;

-- c2 extended Parse stmt='' param_types=[]
BEGIN;

-- c2 extended Parse stmt='' param_types=[]
UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2;

-- c2 extended Parse stmt='' param_types=[]
SELECT abalance FROM pgbench_accounts WHERE aid = $1;

-- c2 extended Parse stmt='' param_types=[]
UPDATE pgbench_tellers SET tbalance = tbalance + $1 WHERE tid = $2;

-- c2 extended Parse stmt='' param_types=[]
UPDATE pgbench_branches SET bbalance = bbalance + $1 WHERE bid = $2;

-- c2 extended Parse stmt='' param_types=[]
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP);

-- c2 extended Parse stmt='' param_types=[]
END;


-- ACTION: pgbench -M extended -S (select-only) -c 1 -t 2
-- c3 simple Query
select count(*) from pgbench_branches;

-- c3 simple Query
select o.n, p.partstrat, pg_catalog.count(i.inhparent) from pg_catalog.pg_class as c join pg_catalog.pg_namespace as n on (n.oid = c.relnamespace) cross join lateral (select pg_catalog.array_position(pg_catalog.current_schemas(true), n.nspname)) as o(n) left join pg_catalog.pg_partitioned_table as p on (p.partrelid = c.oid) left join pg_catalog.pg_inherits as i on (c.oid = i.inhparent) where c.relname = 'pgbench_accounts' and o.n is not null group by 1, 2 order by 1 asc limit 1;

-- c3 simple Query
vacuum pgbench_branches;

-- c3 simple Query
vacuum pgbench_tellers;

-- c3 simple Query
truncate pgbench_history;

-- c4 extended Parse stmt='' param_types=[]
SELECT abalance FROM pgbench_accounts WHERE aid = $1;

-- c4 extended Parse stmt='' param_types=[]
SELECT abalance FROM pgbench_accounts WHERE aid = $1;

