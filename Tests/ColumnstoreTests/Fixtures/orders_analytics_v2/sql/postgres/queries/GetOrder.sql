-- orders-analytics v2 (hot-upgrade fixture): as sql/postgres/queries/GetOrder.sql, plus the v2 column.
-- GetOrder: one order of the caller's tenant (orders keeps only the latest version).
SELECT
    tenant_id,
    order_id,
    customer_id,
    amount_cents,
    currency,
    placed_at,
    _version AS version,
    placed_day
FROM orders
WHERE tenant_id = {tenant_id}
  AND order_id = {order_id}
