-- Statistics on how many routes each account and caller region has used. Without them the
-- planner takes a default third of all pairs to have two or more (30,000 of 90,000 at 10M
-- rows, where 10 had), and channel divergence then hashed every running row of the range's
-- months instead of probing the few pairs' rows (~65 ms against ~2). Autovacuum's ANALYZE
-- keeps them current; this one fills them now.
CREATE STATISTICS "account_region_routes_route_count" ON (cardinality("routes")) FROM "account_region_routes";
ANALYZE "account_region_routes";
