-- ListSensors: the sensors of one site of the caller's tenant with their latest reading, by
-- sensor id. COLLATE "C" orders by bytes, as ClickHouse does.
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
  AND site_id = {site_id}
ORDER BY sensor_id COLLATE "C" ASC
LIMIT {limit}
