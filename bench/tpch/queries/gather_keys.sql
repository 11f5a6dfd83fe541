-- A hash join that runs on the coordinator (its build side an aggregate of orders, about
-- 1.5% of them) over lineitem gathered from the shards: the build keys go to every lineitem
-- fragment's scan through the Gather, which leaves out the rows no order can match.
SELECT count(*), sum(l_extendedprice)
FROM lineitem
     JOIN (SELECT o_orderkey FROM orders WHERE o_orderdate < date '1992-03-01'
           GROUP BY o_orderkey) o ON l_orderkey = o.o_orderkey
