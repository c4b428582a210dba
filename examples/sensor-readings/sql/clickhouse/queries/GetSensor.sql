-- GetSensor: the latest reading of one sensor of the caller's tenant (FINAL keeps the row with the
-- highest recorded_at).
SELECT
    tenant_id,
    sensor_id,
    site_id,
    recorded_at,
    temperature_c,
    battery_v,
    firmware,
    reading_id
FROM sensor_state FINAL
WHERE tenant_id = {tenant_id:String}
  AND sensor_id = {sensor_id:String}
LIMIT 1
