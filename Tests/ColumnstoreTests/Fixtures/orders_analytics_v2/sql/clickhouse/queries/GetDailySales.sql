-- orders-analytics v2 (hot-upgrade fixture): as sql/clickhouse/queries/GetDailySales.sql, plus the v2 column.
-- GetDailySales: sales per UTC day in [from_day, to_day] for the caller's tenant, days with data
-- only, ascending. daily_sales is a SummingMergeTree: a day's rows may still sit in several
-- unmerged parts, so they are summed here rather than read raw.
SELECT
    day,
    order_count,
    gross_cents,
    refund_cents,
    gross_cents - refund_cents AS net_cents,
    refund_count
FROM
(
    SELECT
        day,
        sum(order_count) AS order_count,
        sum(gross_cents) AS gross_cents,
        sum(refund_cents) AS refund_cents,
        sum(refund_count) AS refund_count
    FROM daily_sales
    WHERE tenant_id = {tenant_id:String}
      AND day >= {from_day:Date}
      AND day <= {to_day:Date}
    GROUP BY day
)
ORDER BY day ASC
