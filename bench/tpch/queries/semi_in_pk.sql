-- A small IN list into a large table by its primary key (issue 8's unique-ified semi-join):
-- the few distinct keys of the subquery look orders up by o_orderkey instead of orders being
-- read whole and probed against them (PostgreSQL: Nested Loop over a HashAggregate of the
-- keys, Index Scan on orders_pkey).
SELECT count(*), sum(o_totalprice)
FROM orders
WHERE o_orderkey IN (SELECT c_custkey * 4 FROM customer WHERE c_acctbal > 9980)
