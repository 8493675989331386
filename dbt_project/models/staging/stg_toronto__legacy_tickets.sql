-- City of Toronto parking-ticket open data, imported as legacy tickets.
-- The city publishes no ticket number: a ticket is identified by its file and row,
-- ticket_id = 'TOR-' || md5(<file name> || ':' || <row number>) (the file name without
-- folders, so the id does not depend on where the data directory lives).
-- Issue_Date + "Issue Time" are local Toronto wall-clock time ('HH:MM', also accepted:
-- 'HHMM' / 'HMM' as in the city's own files); a missing time means midnight.
with src as (
    {{ dedup_latest(source('raw', 'toronto_tickets'), ['_source_file', '_row_number']) }}
),
parsed as (
    select
        *,
        parse_filename(_source_file)                                          as source_file_name,
        lpad(regexp_replace(coalesce(trim("Issue Time"), ''), '[^0-9]', '', 'g'), 4, '0') as hhmm
    from src
)
select
    'TOR-' || md5(source_file_name || ':' || cast(_row_number as varchar))   as ticket_id,
    {{ from_local(
        'cast("Issue_Date" as date) + make_time(
            least(cast(substr(hhmm, 1, 2) as bigint), 23),
            least(cast(substr(hhmm, 3, 2) as bigint), 59),
            0)'
    ) }}                                                                     as issued_at,
    cast("Issue_Date" as date)                                               as issued_date,
    cast("Code" as varchar)                                                  as infraction_code,
    "Description"                                                            as description,
    cast("Fine Amount" as double)                                            as fine_amount,
    "Tag"                                                                    as masked_plate,
    {{ plate_pseudonym('"Tag"') }}                                           as plate_pseudonym,
    upper(trim("Province"))                                                  as province,
    nullif(trim(concat_ws(' ',
        nullif(trim("Proximity"), ''), nullif(trim("Address"), ''),
        nullif(trim("Proximity_optional"), ''), nullif(trim("Address_optional"), '')
    )), '')                                                                  as location_text,
    "Address"                                                                as address,
    source_file_name,
    _batch_id,
    _source_file,
    _row_number,
    _delivered_on,
    cast(_landed_at as timestamptz)                                          as _landed_at
from parsed
