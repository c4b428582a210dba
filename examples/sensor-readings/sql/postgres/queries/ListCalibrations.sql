-- ListCalibrations: one sensor's calibrations for the caller's tenant, newest first; calibrations
-- applied at the same instant come in reverse stream order on both stores.
SELECT
    calibration_id,
    applied_at,
    site_id,
    reference_c,
    offset_c,
    technician
FROM calibrations
WHERE tenant_id = {tenant_id}
  AND sensor_id = {sensor_id}
ORDER BY applied_at DESC, stream_sequence DESC
LIMIT {limit}
