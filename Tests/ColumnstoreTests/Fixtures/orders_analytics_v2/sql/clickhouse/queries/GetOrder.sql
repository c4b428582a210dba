-- orders-analytics v2 (hot-upgrade fixture): as sql/clickhouse/queries/GetOrder.sql, plus the v2 column.
-- GetOrder: the latest version of one order of the caller's tenant (FINAL merges versions).
SELECT
    tenant_id,
    order_id,
    customer_id,
    amount_cents,
    currency,
    placed_at,
    _version AS version,
    placed_day
FROM orders FINAL
WHERE tenant_id = {tenant_id:String}
  AND order_id = {order_id:String}
LIMIT 1
