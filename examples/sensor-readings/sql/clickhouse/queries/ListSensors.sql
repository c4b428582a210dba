-- ListSensors: the sensors of one site of the caller's tenant with their latest reading, by
-- sensor id (FINAL keeps the row with the highest recorded_at per sensor).
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
  AND site_id = {site_id:String}
ORDER BY sensor_id ASC
LIMIT {limit:UInt32}
