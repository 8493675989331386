-- One row per delivered file. A batch is identified by its content hash, so a batch record
-- is unique; dedup anyway (latest ingestion wins) to stay safe.
select
    batch_id,
    source,
    source_file,
    sha256,
    cast(delivered_on as date)          as delivered_on,
    cast(rows_in as bigint)             as rows_in,
    cast(landed as bigint)              as landed,
    cast(quarantined as bigint)         as quarantined,
    cast(ingested_at as timestamptz)    as ingested_at
from {{ source('raw', 'ingest_batches') }}
qualify row_number() over (partition by batch_id order by ingested_at desc nulls last) = 1
