-- Captured by tests/e2e/capture/capture.py, scenario 'pgbench-init', against PostgreSQL 15.
-- Client: pgbench 15 -i -s 1 (simple Query protocol, COPY FROM STDIN text)
-- Each statement is the exact text the client sent. Its header gives the
-- connection (c1, c2...) and the protocol: 'simple Query' or 'extended Parse'
-- with the parameter type OIDs the client declared ([] = server infers).
-- A ';' was appended where the client sent none. Message-level detail
-- (formats, Describe, Sync, COPY) is in traces/pgbench-init.trace.

-- ACTION: pgbench -i -s 1 (client-side data generation: COPY)
-- c1 simple Query
drop table if exists pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers;

-- c1 simple Query
create table pgbench_history(tid int,bid int,aid    int,delta int,mtime timestamp,filler char(22));

-- c1 simple Query
create table pgbench_tellers(tid int not null,bid int,tbalance int,filler char(84)) with (fillfactor=100);

-- c1 simple Query
create table pgbench_accounts(aid    int not null,bid int,abalance int,filler char(84)) with (fillfactor=100);

-- c1 simple Query
create table pgbench_branches(bid int not null,bbalance int,filler char(88)) with (fillfactor=100);

-- c1 simple Query
begin;

-- c1 simple Query
truncate table pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers;

-- c1 simple Query
insert into pgbench_branches(bid,bbalance) values(1,0);

-- c1 simple Query
insert into pgbench_tellers(tid,bid,tbalance) values (1,1,0);

-- c1 simple Query
insert into pgbench_tellers(tid,bid,tbalance) values (2,1,0);

-- c1 simple Query
insert into pgbench_tellers(tid,bid,tbalance) values (3,1,0);

-- c1 simple Query
insert into pgbench_tellers(tid,bid,tbalance) values (4,1,0);

-- c1 simple Query
insert into pgbench_tellers(tid,bid,tbalance) values (5,1,0);

-- c1 simple Query
insert into pgbench_tellers(tid,bid,tbalance) values (6,1,0);

-- c1 simple Query
insert into pgbench_tellers(tid,bid,tbalance) values (7,1,0);

-- c1 simple Query
insert into pgbench_tellers(tid,bid,tbalance) values (8,1,0);

-- c1 simple Query
insert into pgbench_tellers(tid,bid,tbalance) values (9,1,0);

-- c1 simple Query
insert into pgbench_tellers(tid,bid,tbalance) values (10,1,0);

-- c1 simple Query
copy pgbench_accounts from stdin with (freeze on);

-- c1 simple Query
commit;

-- c1 simple Query
vacuum analyze pgbench_branches;

-- c1 simple Query
vacuum analyze pgbench_tellers;

-- c1 simple Query
vacuum analyze pgbench_accounts;

-- c1 simple Query
vacuum analyze pgbench_history;

-- c1 simple Query
alter table pgbench_branches add primary key (bid);

-- c1 simple Query
alter table pgbench_tellers add primary key (tid);

-- c1 simple Query
alter table pgbench_accounts add primary key (aid);

