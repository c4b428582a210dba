-- GetSiteHourly: one site's UTC hours in [from_hour, to_hour] for the caller's tenant, hours with
-- data only, ascending. hourly_site_readings has one row per (tenant_id, site_id, hour).
SELECT
    hour,
    reading_count,
    calibration_count,
    energy_wh,
    min_temperature_c,
    max_temperature_c,
    min_battery_v,
    max_offset_c
FROM hourly_site_readings
WHERE tenant_id = {tenant_id}
  AND site_id = {site_id}
  AND hour >= {from_hour}::timestamptz
  AND hour <= {to_hour}::timestamptz
ORDER BY hour ASC
