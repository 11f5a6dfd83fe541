-- Every lineitem row matches its supplier: a hash join whose build side (supplier, sent to
-- every shard) pushes its keys into the lineitem scan, where they cannot thin anything out
-- (the store's key set is switched off after its trial; the key range covers every row).
SELECT count(*), sum(l_quantity), max(s_nationkey)
FROM lineitem JOIN supplier ON l_suppkey = s_suppkey
