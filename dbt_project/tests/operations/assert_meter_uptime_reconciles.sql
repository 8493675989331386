-- fct_meter_uptime_daily's zones add up to the city-wide int_meter_uptime_aggregated_daily
-- (meters in service, meter-hours, fault hours) on every day it covers.
with zones as (
    select day, sum(meters_in_service) as meters, sum(meter_hours) as meter_hours, sum(fault_hours) as fault_hours
    from {{ ref('fct_meter_uptime_daily') }}
    group by day
)
select z.day, z.meters, c.meters_in_service, z.fault_hours, c.fault_hours as city_fault_hours
from zones as z
join {{ ref('int_meter_uptime_aggregated_daily') }} as c using (day)
where z.meters <> c.meters_in_service
   or abs(z.meter_hours - c.meter_hours) > 1e-6
   or abs(z.fault_hours - c.fault_hours) > 1e-6
