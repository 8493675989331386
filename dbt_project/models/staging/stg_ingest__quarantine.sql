-- Rows the data contracts rejected. `record` holds the rejected row as delivered and may
-- contain personal information: for the pipeline's own checks, never for a mart.
select
    source,
    _batch_id                               as batch_id,
    _source_file                            as source_file,
    cast(_row_number as bigint)             as row_number,
    reason,
    cast(record as varchar)                 as record,
    cast(_quarantined_at as timestamptz)    as quarantined_at,
    {{ local_date('_quarantined_at') }}     as quarantined_date
from {{ source('raw', 'quarantine') }}
