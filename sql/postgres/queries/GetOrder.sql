-- GetOrder: one order of the caller's tenant (orders keeps only the latest version).
SELECT
    tenant_id,
    order_id,
    customer_id,
    amount_cents,
    currency,
    placed_at,
    _version AS version
FROM orders
WHERE tenant_id = {tenant_id}
  AND order_id = {order_id}
