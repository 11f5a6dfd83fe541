-- A bad written order (issue 8's join-order search with outer joins): every order LEFT JOINed
-- to its returned line items first, the inner joins to customer and the one filtered nation
-- written last. The cheap order joins nation, customer and orders first (4% of the orders)
-- and LEFT JOINs lineitem to those only.
SELECT count(*), count(l_orderkey), sum(l_quantity)
FROM orders LEFT JOIN lineitem ON l_orderkey = o_orderkey AND l_returnflag = 'R'
  JOIN customer ON c_custkey = o_custkey
  JOIN nation ON n_nationkey = c_nationkey
WHERE n_name = 'GERMANY'
