-- GetOrder: the latest version of one order of the caller's tenant (FINAL merges versions).
SELECT
    tenant_id,
    order_id,
    customer_id,
    amount_cents,
    currency,
    placed_at,
    _version AS version
FROM orders FINAL
WHERE tenant_id = {tenant_id:String}
  AND order_id = {order_id:String}
LIMIT 1
