-- orders-analytics v2 (hot-upgrade fixture): unchanged from v1.
-- GetTopCustomers: customers by gross over orders placed in [from_day, to_day] (UTC days),
-- gross descending then customer ascending. orders is a ReplacingMergeTree(_version): FINAL
-- reads only the latest version of each order.
SELECT
    customer_id,
    toInt64(count()) AS order_count,
    sum(amount_cents) AS gross_cents
FROM orders FINAL
WHERE tenant_id = {tenant_id:String}
  AND toDate(placed_at, 'UTC') >= {from_day:Date}
  AND toDate(placed_at, 'UTC') <= {to_day:Date}
GROUP BY customer_id
ORDER BY gross_cents DESC, customer_id ASC
LIMIT {limit:UInt32}
