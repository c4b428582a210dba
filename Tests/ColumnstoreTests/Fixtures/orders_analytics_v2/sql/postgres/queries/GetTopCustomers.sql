-- orders-analytics v2 (hot-upgrade fixture): unchanged from v1.
-- GetTopCustomers: customers by gross over orders placed in [from_day, to_day] (UTC days),
-- gross descending then customer ascending. COLLATE "C" orders by bytes, as ClickHouse does.
SELECT
    customer_id,
    count(*)::bigint AS order_count,
    sum(amount_cents)::bigint AS gross_cents
FROM orders
WHERE tenant_id = {tenant_id}
  AND placed_at >= ({from_day}::date)::timestamp AT TIME ZONE 'UTC'
  AND placed_at < ({to_day}::date + 1)::timestamp AT TIME ZONE 'UTC'
GROUP BY customer_id
ORDER BY gross_cents DESC, customer_id COLLATE "C" ASC
LIMIT {limit}
