-- orders-analytics v2 (hot-upgrade fixture): as sql/postgres/queries/GetDailySales.sql, plus the v2 column.
-- GetDailySales: sales per UTC day in [from_day, to_day] for the caller's tenant, days with data
-- only, ascending. daily_sales has one row per (tenant_id, day); the sums keep the answer right
-- even if that ever changes.
SELECT
    day,
    sum(order_count)::bigint AS order_count,
    sum(gross_cents)::bigint AS gross_cents,
    sum(refund_cents)::bigint AS refund_cents,
    (sum(gross_cents) - sum(refund_cents))::bigint AS net_cents,
    sum(refund_count)::bigint AS refund_count
FROM daily_sales
WHERE tenant_id = {tenant_id}
  AND day >= {from_day}::date
  AND day <= {to_day}::date
GROUP BY day
ORDER BY day ASC
