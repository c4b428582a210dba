-- GetSensor: the latest reading of one sensor of the caller's tenant (sensor_state keeps only it).
SELECT
    tenant_id,
    sensor_id,
    site_id,
    recorded_at,
    temperature_c,
    battery_v,
    firmware,
    reading_id
FROM sensor_state
WHERE tenant_id = {tenant_id}
  AND sensor_id = {sensor_id}
