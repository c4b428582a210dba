-- GetSiteHourly: one site's UTC hours in [from_hour, to_hour] for the caller's tenant, hours with
-- data only, ascending. hourly_site_readings is an AggregatingMergeTree: an hour's rows may still
-- sit in several unmerged parts, so they are combined here with each measure's own function.
-- energy_wh is a decimal: summed in its own type (sumWithOverflow), as the parts were, so a part a
-- merge stored wrapped (deltas of both signs near the bound) still reads the exact total.
SELECT
    hour,
    sum(reading_count) AS reading_count,
    sum(calibration_count) AS calibration_count,
    sumWithOverflow(energy_wh) AS energy_wh,
    min(min_temperature_c) AS min_temperature_c,
    max(max_temperature_c) AS max_temperature_c,
    min(min_battery_v) AS min_battery_v,
    max(max_offset_c) AS max_offset_c
FROM hourly_site_readings
WHERE tenant_id = {tenant_id:String}
  AND site_id = {site_id:String}
  AND hour >= {from_hour:DateTime64(3, 'UTC')}
  AND hour <= {to_hour:DateTime64(3, 'UTC')}
GROUP BY hour
ORDER BY hour ASC
